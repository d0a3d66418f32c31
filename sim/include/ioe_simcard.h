/*
 * The boundary of a simulated card, as both the C reference model (sim/model) and the
 * Verilator model of the RTL (sim/vsim) implement it: CSR reads and writes, MSI
 * ingress, wired lines, the notification stream, and clock cycles. DMA goes to the
 * host-memory model handed over at open. libioe's "soft" and "sim" transports are the
 * same code over these two tables.
 */
#ifndef IOE_SIMCARD_H
#define IOE_SIMCARD_H

#include <ioe/card.h>

#include "ioe_hostmem.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_simcard_config {
    struct ioe_hostmem *mem; /* required; outlives the card */
    const char *trace_path;  /* waveform file, or NULL (only the Verilator model traces) */
};

struct ioe_simcard_ops {
    const char *name;
    int (*open)(const struct ioe_simcard_config *cfg, void **card);
    void (*close)(void *card);
    void (*reset)(void *card);
    void (*step)(void *card, uint64_t cycles);
    uint64_t (*cycles)(const void *card);
    /* 0, -EIO for an address without a register, -ETIMEDOUT if the card never answers */
    int (*read32)(void *card, uint32_t addr, uint32_t *val);
    int (*write32)(void *card, uint32_t addr, uint32_t val);
    int (*msi)(void *card, uint32_t devid, uint64_t addr, uint32_t data);
    int (*set_wired)(void *card, unsigned line, int level);
    size_t (*drain)(void *card, struct ioe_notification *buf, size_t max);
    size_t (*pending)(const void *card); /* notifications waiting to be drained */
    /* Optional (NULL: the caller runs the ops one by one with read32/write32): ops in one
     * call, without stepping the card; returns the number completed, stopping at a failing
     * op (its -errno in *err) or at a POLL whose first read does not match (*err 0: the
     * caller polls it). The C model has it (ioe_model_batch). */
    size_t (*batch)(void *card, struct ioe_csr_op *ops, size_t n, int *err);
};

extern const struct ioe_simcard_ops ioe_model_ops; /* C reference model */
extern const struct ioe_simcard_ops ioe_vsim_ops;  /* Verilator model of ioe_top */

#ifdef __cplusplus
}
#endif

#endif
