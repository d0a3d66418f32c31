/*
 * RV32I instruction-set simulator (see ioe_rv32.h). Decoding, legality and trap priority
 * follow rtl/src/ioe_rv32_core.sv: a SYSTEM instruction other than ECALL/EBREAK and any
 * encoding outside RV32I is illegal; then a taken jump to a target with bit 1 set; then a
 * misaligned load/store; then one outside memory and the bus window; a bus error response
 * faults the access.
 */
#include "ioe_rv32.h"

#include <stddef.h>

enum {
    OP_LUI = 0x37,
    OP_AUIPC = 0x17,
    OP_JAL = 0x6f,
    OP_JALR = 0x67,
    OP_BRANCH = 0x63,
    OP_LOAD = 0x03,
    OP_STORE = 0x23,
    OP_IMM = 0x13,
    OP_REG = 0x33,
    OP_FENCE = 0x0f,
    OP_SYSTEM = 0x73,
};

#define BUS_ADDR_BITS 20 /* the CSR window, IOE_CSR_ADDR_WIDTH */

static int32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    return (int32_t)((v ^ m) - m);
}

static void trap(struct ioe_rv32 *cpu, uint32_t cause)
{
    cpu->trapped = true;
    cpu->cause = cause;
}

static bool legal(uint32_t op, uint32_t f3, uint32_t f7)
{
    switch (op) {
    case OP_LUI:
    case OP_AUIPC:
    case OP_JAL: return true;
    case OP_JALR: return f3 == 0;
    case OP_BRANCH: return f3 != 2 && f3 != 3;
    case OP_LOAD: return f3 != 3 && f3 != 6 && f3 != 7;
    case OP_STORE: return f3 <= 2;
    case OP_IMM: return f3 == 1 ? f7 == 0 : f3 == 5 ? (f7 == 0 || f7 == 0x20) : true;
    case OP_REG: return f7 == 0 || (f7 == 0x20 && (f3 == 0 || f3 == 5));
    case OP_FENCE: return f3 <= 1;
    default: return false;
    }
}

static uint32_t alu(uint32_t f3, bool alt, uint32_t a, uint32_t b)
{
    unsigned sh = b & 31;
    switch (f3) {
    case 0: return alt ? a - b : a + b;
    case 1: return a << sh;
    case 2: return (int32_t)a < (int32_t)b;
    case 3: return a < b;
    case 4: return a ^ b;
    case 5: return alt ? (uint32_t)((int32_t)a >> sh) : a >> sh; /* arithmetic on gcc/clang */
    case 6: return a | b;
    default: return a & b;
    }
}

static bool taken(uint32_t f3, uint32_t a, uint32_t b)
{
    switch (f3) {
    case 0: return a == b;
    case 1: return a != b;
    case 4: return (int32_t)a < (int32_t)b;
    case 5: return (int32_t)a >= (int32_t)b;
    case 6: return a < b;
    default: return a >= b;
    }
}

/* a load or store at addr of width 1 << (f3 & 3); returns false when it trapped */
static bool access(struct ioe_rv32 *cpu, bool store, uint32_t f3, uint32_t addr, uint32_t *data)
{
    uint32_t size = f3 & 3, off = addr & 3;
    if ((size == 1 && (addr & 1)) || (size == 2 && off)) {
        trap(cpu, store ? IOE_RV32_STORE_MISALIGNED : IOE_RV32_LOAD_MISALIGNED);
        return false;
    }
    uint32_t lanes = (size == 0 ? 0x000000ffu : size == 1 ? 0x0000ffffu : 0xffffffffu) << 8 * off;
    bool in_mem = addr < cpu->mem_words * 4u;
    bool in_bus = addr >> BUS_ADDR_BITS == IOE_RV32_BUS_BASE >> BUS_ADDR_BITS;
    uint32_t bus_addr = addr & ((1u << BUS_ADDR_BITS) - 4);
    uint32_t word = 0;
    int err = 0;
    if (!in_mem && !in_bus) {
        err = -1;
    } else if (store) {
        uint32_t wdata = *data << 8 * off;
        if (in_mem) {
            uint32_t *w = &cpu->mem[addr >> 2];
            *w = (*w & ~lanes) | (wdata & lanes);
        } else if (lanes == 0xffffffffu) {
            err = cpu->bus.write32(cpu->bus.ctx, bus_addr, wdata);
        } else { /* a partial store to a register: its other bytes kept */
            err = cpu->bus.read32(cpu->bus.ctx, bus_addr, &word);
            if (!err)
                err = cpu->bus.write32(cpu->bus.ctx, bus_addr, (word & ~lanes) | (wdata & lanes));
        }
    } else if (in_mem) {
        word = cpu->mem[addr >> 2];
    } else {
        err = cpu->bus.read32(cpu->bus.ctx, bus_addr, &word);
    }
    if (err) {
        trap(cpu, store ? IOE_RV32_STORE_FAULT : IOE_RV32_LOAD_FAULT);
        return false;
    }
    if (!store) {
        word >>= 8 * off;
        switch (f3) {
        case 0: *data = (uint32_t)sext(word & 0xff, 8); break;
        case 1: *data = (uint32_t)sext(word & 0xffff, 16); break;
        case 4: *data = word & 0xff; break;
        case 5: *data = word & 0xffff; break;
        default: *data = word; break;
        }
    }
    return true;
}

void ioe_rv32_reset(struct ioe_rv32 *cpu)
{
    cpu->pc = 0;
    cpu->trapped = false;
    cpu->cause = 0;
}

void ioe_rv32_step(struct ioe_rv32 *cpu)
{
    if (cpu->trapped)
        return;
    if (cpu->pc >= cpu->mem_words * 4u) {
        trap(cpu, IOE_RV32_FETCH_FAULT);
        return;
    }
    uint32_t in = cpu->mem[cpu->pc >> 2];
    uint32_t op = in & 0x7f, rd = in >> 7 & 31, f3 = in >> 12 & 7, f7 = in >> 25;
    uint32_t a = cpu->x[in >> 15 & 31], b = cpu->x[in >> 20 & 31];
    uint32_t imm_i = (uint32_t)sext(in >> 20, 12);
    uint32_t imm_s = (uint32_t)sext((in >> 25) << 5 | (in >> 7 & 31), 12);
    uint32_t imm_b = (uint32_t)sext(
        (in >> 31) << 12 | (in >> 7 & 1) << 11 | (in >> 25 & 63) << 5 | (in >> 8 & 15) << 1, 13);
    uint32_t imm_j = (uint32_t)sext((in >> 31) << 20 | (in >> 12 & 0xff) << 12 |
                                        (in >> 20 & 1) << 11 | (in >> 21 & 0x3ff) << 1,
                                    21);
    uint32_t next = cpu->pc + 4, val = 0;
    bool wb = false;

    if (op == OP_SYSTEM) {
        trap(cpu, in == 0x00000073u   ? IOE_RV32_ECALL
                  : in == 0x00100073u ? IOE_RV32_BREAK
                                      : IOE_RV32_ILLEGAL);
        return;
    }
    if (!legal(op, f3, f7)) {
        trap(cpu, IOE_RV32_ILLEGAL);
        return;
    }
    switch (op) {
    case OP_LUI: val = in & 0xfffff000u, wb = true; break;
    case OP_AUIPC: val = cpu->pc + (in & 0xfffff000u), wb = true; break;
    case OP_JAL:
    case OP_JALR:
        val = next, wb = true;
        next = op == OP_JAL ? cpu->pc + imm_j : (a + imm_i) & ~1u;
        break;
    case OP_BRANCH:
        if (taken(f3, a, b))
            next = cpu->pc + imm_b;
        break;
    case OP_IMM: val = alu(f3, f3 == 5 && (f7 & 0x20), a, imm_i), wb = true; break;
    case OP_REG: val = alu(f3, f7 & 0x20, a, b), wb = true; break;
    case OP_LOAD:
        if (!access(cpu, false, f3, a + imm_i, &val))
            return;
        wb = true;
        break;
    case OP_STORE:
        if (!access(cpu, true, f3, a + imm_s, &b))
            return;
        break;
    default: break; /* FENCE, FENCE.I */
    }
    if (next & 2) {
        trap(cpu, IOE_RV32_FETCH_MISALIGNED);
        return;
    }
    if (wb && rd)
        cpu->x[rd] = val;
    cpu->pc = next;
}
