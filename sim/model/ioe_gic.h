/*
 * C reference model of the card's GICv3 engine (register block "gic"), as
 * docs/gic.md specifies it. Used by the C model of the card (ioe_model.c).
 */
#ifndef IOE_MODEL_GIC_H
#define IOE_MODEL_GIC_H

#include <stdbool.h>
#include <stdint.h>

struct ioe_gic;

/* Called for every notification the engine emits, in order. */
typedef void (*ioe_gic_notify_fn)(void *ctx, unsigned vm, unsigned vcpu);

/* The LPI side (the ITS engine, docs/its.md): consulted for every candidate, told of
 * acknowledges, EnableLPIs changes and VM resets. */
struct ioe_gic_lpi_ops {
    /* for every vCPU c < nr_vcpus, in one pass: the best eligible LPI (pending, enabled)
     * targeting it, intid[c] (or -1) and prio[c] */
    void (*best)(void *ctx, unsigned vm, unsigned nr_vcpus, int *intid, unsigned *prio);
    void (*ack)(void *ctx, unsigned vm, unsigned intid);
    void (*enable_lpis)(void *ctx, unsigned vm, unsigned vcpu, bool on);
    void (*vm_reset)(void *ctx, unsigned vm);
};

struct ioe_gic *ioe_gic_create(ioe_gic_notify_fn notify, void *ctx);
void ioe_gic_set_lpi_ops(struct ioe_gic *g, const struct ioe_gic_lpi_ops *ops, void *ctx);
/* The redistributor registers the LPI side reads. */
unsigned ioe_gic_nr_vcpus(const struct ioe_gic *g, unsigned vm);
bool ioe_gic_lpis_enabled(const struct ioe_gic *g, unsigned vm, unsigned vcpu);
uint64_t ioe_gic_propbaser(const struct ioe_gic *g, unsigned vm);
uint64_t ioe_gic_pendbaser(const struct ioe_gic *g, unsigned vm, unsigned vcpu);
/* LPI state changed outside a GIC operation: re-evaluate and notify. */
void ioe_gic_lpi_changed(struct ioe_gic *g, unsigned vm);
void ioe_gic_destroy(struct ioe_gic *g);
/* Card reset: every VM unconfigured, access-port registers at their reset values. */
void ioe_gic_reset(struct ioe_gic *g);
/* Access-port registers; `off` is the offset inside the block. */
uint32_t ioe_gic_csr_read(struct ioe_gic *g, uint32_t off);
void ioe_gic_csr_write(struct ioe_gic *g, uint32_t off, uint32_t val);

#endif
