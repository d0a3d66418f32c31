/*
 * C reference model of the ioe card: the golden model the RTL is compared against, and
 * the "soft" backend of libioe. It is untimed: every operation takes effect at once,
 * and the cycle counter moves only when the model is stepped.
 */
#ifndef IOE_MODEL_H
#define IOE_MODEL_H

#include "ioe_simcard.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_model;

int ioe_model_open(const struct ioe_simcard_config *cfg, struct ioe_model **out);
void ioe_model_close(struct ioe_model *m);
void ioe_model_reset(struct ioe_model *m);
void ioe_model_step(struct ioe_model *m, uint64_t cycles);
uint64_t ioe_model_cycles(const struct ioe_model *m);
int ioe_model_read32(struct ioe_model *m, uint32_t addr, uint32_t *val);
int ioe_model_write32(struct ioe_model *m, uint32_t addr, uint32_t val);
int ioe_model_msi(struct ioe_model *m, uint32_t devid, uint64_t addr, uint32_t data);
int ioe_model_set_wired(struct ioe_model *m, unsigned line, int level);
size_t ioe_model_drain(struct ioe_model *m, struct ioe_notification *buf, size_t max);
size_t ioe_model_pending(const struct ioe_model *m);
/* Run ops[0..n) (IOE_CSR_READ, _WRITE, _POLL) in order, in one call, without stepping the
 * model. Stops at the first op that fails (its -errno in *err) or at a POLL whose first
 * read does not match (*err = 0: the caller polls it, stepping the model). Returns the
 * number of ops completed. The model is untimed: an engine's STATUS is never BUSY. */
size_t ioe_model_batch(struct ioe_model *m, struct ioe_csr_op *ops, size_t n, int *err);

#ifdef __cplusplus
}
#endif

#endif
