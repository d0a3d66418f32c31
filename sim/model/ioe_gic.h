/*
 * C reference model of the card's GICv3 engine (register block "gic"), as
 * docs/gic.md specifies it. Used by the C model of the card (ioe_model.c).
 */
#ifndef IOE_MODEL_GIC_H
#define IOE_MODEL_GIC_H

#include <stdint.h>

struct ioe_gic;

/* Called for every notification the engine emits, in order. */
typedef void (*ioe_gic_notify_fn)(void *ctx, unsigned vm, unsigned vcpu);

struct ioe_gic *ioe_gic_create(ioe_gic_notify_fn notify, void *ctx);
void ioe_gic_destroy(struct ioe_gic *g);
/* Card reset: every VM unconfigured, access-port registers at their reset values. */
void ioe_gic_reset(struct ioe_gic *g);
/* Access-port registers; `off` is the offset inside the block. */
uint32_t ioe_gic_csr_read(struct ioe_gic *g, uint32_t off);
void ioe_gic_csr_write(struct ioe_gic *g, uint32_t off, uint32_t val);

#endif
