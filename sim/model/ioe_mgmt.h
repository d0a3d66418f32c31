/*
 * C model of the management block (rtl/src/ioe_mgmt.sv, register block mgmt): the RV32I core
 * on the instruction-set simulator (ioe_rv32), its memory, the mailbox, the console ring and
 * the watchdog. Untimed like the rest of the model: the core executes one instruction per
 * model cycle, and its register-bus accesses take effect at once.
 */
#ifndef IOE_MODEL_MGMT_H
#define IOE_MODEL_MGMT_H

#include <stdint.h>

#include "ioe_rv32.h"

struct ioe_mgmt;

/* bus: the card's register bus as the core sees it; notify: the mailbox answered */
struct ioe_mgmt *ioe_mgmt_create(struct ioe_rv32_bus bus, void (*notify)(void *ctx), void *ctx,
                                 const uint64_t *cycle);
void ioe_mgmt_destroy(struct ioe_mgmt *g);
/* The card's reset: registers, mailbox and console; the memory keeps its content. */
void ioe_mgmt_reset(struct ioe_mgmt *g);
/* Fill the memory with an image (the rest zero), as the configured FPGA holds it. */
void ioe_mgmt_set_image(struct ioe_mgmt *g, const uint32_t *words, uint32_t n);
/* One cycle: the watchdog and one instruction. */
void ioe_mgmt_tick(struct ioe_mgmt *g);
uint32_t ioe_mgmt_csr_read(struct ioe_mgmt *g, uint32_t off);
void ioe_mgmt_csr_write(struct ioe_mgmt *g, uint32_t off, uint32_t val);

#endif
