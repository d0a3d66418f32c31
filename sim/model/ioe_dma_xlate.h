/*
 * The C model's DMA window (rtl/src/ioe_dma_xlate.sv): the segment table between the
 * engines' card-internal addresses {VM context [63:48], guest-physical [47:0]} and the
 * IOVAs of host memory, with its register block (block dma of rtl/regmap/ioe.toml). Every
 * DMA access of the model (engines and DMA probe) goes through it.
 */
#ifndef IOE_MODEL_DMA_XLATE_H
#define IOE_MODEL_DMA_XLATE_H

#include <stddef.h>
#include <stdint.h>

#include "ioe_hostmem.h"

struct ioe_dma_xlate;

struct ioe_dma_xlate *ioe_dma_xlate_create(struct ioe_hostmem *mem);
void ioe_dma_xlate_destroy(struct ioe_dma_xlate *x);
void ioe_dma_xlate_reset(struct ioe_dma_xlate *x);

/* registers of block dma (offset inside the block) */
uint32_t ioe_dma_xlate_csr_read(struct ioe_dma_xlate *x, uint32_t off);
void ioe_dma_xlate_csr_write(struct ioe_dma_xlate *x, uint32_t off, uint32_t val);

/* Functional accesses at a card-internal address, len bytes inside one 8-byte word (as
 * one beat of the RTL's DMA port): -EFAULT when no segment holds it (counted as a fault)
 * or host memory has nothing at its IOVA. */
int ioe_dma_xlate_read(struct ioe_dma_xlate *x, uint64_t addr, void *buf, size_t len);
int ioe_dma_xlate_write(struct ioe_dma_xlate *x, uint64_t addr, const void *buf, size_t len);
/* One beat of the DMA port. */
struct ioe_dma_rsp ioe_dma_xlate_beat(struct ioe_dma_xlate *x, const struct ioe_dma_req *req);

#endif
