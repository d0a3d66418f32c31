/*
 * C reference model of the card's XIVE engine (register block "xive").
 * Semantics: docs/xive.md.
 */
#ifndef IOE_MODEL_XIVE_H
#define IOE_MODEL_XIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ioe_engine.h"

struct ioe_xive;

struct ioe_xive *ioe_xive_create(const struct ioe_engine_env *env);
void ioe_xive_destroy(struct ioe_xive *x);
/* Card reset. */
void ioe_xive_reset(struct ioe_xive *x);
/* Access-port registers; `off` is the offset inside the block. */
uint32_t ioe_xive_csr_read(struct ioe_xive *x, uint32_t off);
void ioe_xive_csr_write(struct ioe_xive *x, uint32_t off, uint32_t val);
/* MSI ingress: does this engine own the MSI, and take it. */
bool ioe_xive_msi_claim(const struct ioe_xive *x, uint32_t devid, uint64_t addr);
void ioe_xive_msi(struct ioe_xive *x, uint32_t devid, uint64_t addr, uint32_t data);

#endif
