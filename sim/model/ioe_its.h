/*
 * C reference model of the card's ITS engine (register block "its").
 * docs/its.md is the specification.
 */
#ifndef IOE_MODEL_ITS_H
#define IOE_MODEL_ITS_H

#include <stdbool.h>
#include <stdint.h>

#include "ioe_engine.h"

struct ioe_its;

struct ioe_gic;
/* The ITS engine hooks itself into the GIC engine's LPI side (ioe_gic_set_lpi_ops). */
struct ioe_its *ioe_its_create(const struct ioe_engine_env *env, struct ioe_gic *gic);
void ioe_its_destroy(struct ioe_its *x);
/* Card reset. */
void ioe_its_reset(struct ioe_its *x);
/* Access-port registers; `off` is the offset inside the block. */
uint32_t ioe_its_csr_read(struct ioe_its *x, uint32_t off);
void ioe_its_csr_write(struct ioe_its *x, uint32_t off, uint32_t val);
/* MSI ingress: does this engine own the MSI, and take it. */
bool ioe_its_msi_claim(const struct ioe_its *x, uint32_t devid, uint64_t addr);
void ioe_its_msi(struct ioe_its *x, uint32_t devid, uint64_t addr, uint32_t data);

#endif
