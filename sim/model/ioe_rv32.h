/*
 * Instruction-set simulator of the management core (rtl/src/ioe_rv32_core.sv): RV32I, one
 * instruction per step, the same address map and the same traps (an exception stops the
 * core with an mcause-numbered cause and the PC, docs/firmware.md). The C model's management
 * block runs the firmware on it; tests/test_fw compares it with the RTL core.
 */
#ifndef IOE_RV32_H
#define IOE_RV32_H

#include <stdbool.h>
#include <stdint.h>

#define IOE_RV32_BUS_BASE 0x80000000u

/* mcause values of the traps the core raises */
enum ioe_rv32_cause {
    IOE_RV32_FETCH_MISALIGNED = 0,
    IOE_RV32_FETCH_FAULT = 1,
    IOE_RV32_ILLEGAL = 2,
    IOE_RV32_BREAK = 3,
    IOE_RV32_LOAD_MISALIGNED = 4,
    IOE_RV32_LOAD_FAULT = 5,
    IOE_RV32_STORE_MISALIGNED = 6,
    IOE_RV32_STORE_FAULT = 7,
    IOE_RV32_ECALL = 11,
};

/* The register bus behind IOE_RV32_BUS_BASE: 32-bit accesses at a CSR address; 0 or -EIO
 * (no register there: the access faults). */
struct ioe_rv32_bus {
    int (*read32)(void *ctx, uint32_t addr, uint32_t *val);
    int (*write32)(void *ctx, uint32_t addr, uint32_t val);
    void *ctx;
};

struct ioe_rv32 {
    uint32_t pc;
    uint32_t x[32];
    bool trapped;
    uint32_t cause;
    uint32_t *mem; /* mem_words 32-bit words at address 0 (a power of two) */
    uint32_t mem_words;
    struct ioe_rv32_bus bus;
};

/* Back to PC 0 (registers keep their values, as in the RTL). */
void ioe_rv32_reset(struct ioe_rv32 *cpu);
/* Execute one instruction (nothing when trapped). */
void ioe_rv32_step(struct ioe_rv32 *cpu);

#endif
