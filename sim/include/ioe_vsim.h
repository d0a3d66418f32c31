/*
 * Verilator model of ioe_top behind a plain C API. The harness clocks the model, plays
 * the AXI4-Lite master for CSR accesses, feeds the MSI ingress port from a queue, serves
 * the DMA port from the host-memory model and collects the notification stream with
 * the cycle each record left the card.
 */
#ifndef IOE_VSIM_H
#define IOE_VSIM_H

#include "ioe_simcard.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_vsim;

/* Cycles a CSR access or an MSI may take before it counts as a hang (-ETIMEDOUT). */
#define IOE_VSIM_TIMEOUT_CYCLES 100000u

int ioe_vsim_open(const struct ioe_simcard_config *cfg, struct ioe_vsim **out);
void ioe_vsim_close(struct ioe_vsim *s);
/* Assert reset for a few cycles; the cycle count restarts at 0 when it is released. */
void ioe_vsim_reset(struct ioe_vsim *s);
void ioe_vsim_step(struct ioe_vsim *s, uint64_t cycles);
uint64_t ioe_vsim_cycles(const struct ioe_vsim *s);
int ioe_vsim_read32(struct ioe_vsim *s, uint32_t addr, uint32_t *val);
int ioe_vsim_write32(struct ioe_vsim *s, uint32_t addr, uint32_t val);
/* Queue an MSI for the ingress port (one beat per cycle while the port is ready). */
void ioe_vsim_msi_queue(struct ioe_vsim *s, uint32_t devid, uint64_t addr, uint32_t data);
/* Queue one MSI and step until the port has taken every queued MSI. */
int ioe_vsim_msi(struct ioe_vsim *s, uint32_t devid, uint64_t addr, uint32_t data);
int ioe_vsim_set_wired(struct ioe_vsim *s, unsigned line, int level);
size_t ioe_vsim_drain(struct ioe_vsim *s, struct ioe_notification *buf, size_t max);
size_t ioe_vsim_pending(const struct ioe_vsim *s);

#ifdef __cplusplus
}
#endif

#endif
