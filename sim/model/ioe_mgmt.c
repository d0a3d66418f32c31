/*
 * C model of the management block (see ioe_mgmt.h). Register semantics follow
 * rtl/regmap/ioe.toml (block mgmt) and rtl/src/ioe_mgmt.sv.
 */
#include "ioe_mgmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#define MEM_WORDS IOE_PARAM_MGMT_MEM_WORDS_DEFAULT
#define CONSOLE_DEPTH 64 /* ioe_mgmt's ConsoleDepth */
#define MBOX_WORDS 8

struct ioe_mgmt {
    struct ioe_rv32 cpu;
    uint32_t mem[MEM_WORDS];
    void (*notify)(void *ctx);
    void *ctx;
    const uint64_t *cycle;
    /* registers */
    uint32_t ctrl, imem_addr, wdog_load, wdog_count, wdog_cnt;
    uint32_t mbox[MBOX_WORDS];
    bool doorbell, answer, kicked;
    uint8_t con[CONSOLE_DEPTH];
    uint32_t con_head, con_count;
};

struct ioe_mgmt *ioe_mgmt_create(struct ioe_rv32_bus bus, void (*notify)(void *ctx), void *ctx,
                                 const uint64_t *cycle)
{
    struct ioe_mgmt *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->cpu.mem = g->mem;
    g->cpu.mem_words = MEM_WORDS;
    g->cpu.bus = bus;
    g->notify = notify;
    g->ctx = ctx;
    g->cycle = cycle;
    ioe_mgmt_reset(g);
    return g;
}

void ioe_mgmt_destroy(struct ioe_mgmt *g)
{
    free(g);
}

void ioe_mgmt_reset(struct ioe_mgmt *g)
{
    g->ctrl = IOE_MGMT_CTRL_RESET;
    g->imem_addr = IOE_MGMT_IMEM_ADDR_RESET;
    g->wdog_load = g->wdog_count = g->wdog_cnt = 0;
    memset(g->mbox, 0, sizeof(g->mbox));
    g->doorbell = g->answer = g->kicked = false;
    g->con_head = g->con_count = 0;
    memset(g->cpu.x, 0, sizeof(g->cpu.x));
    ioe_rv32_reset(&g->cpu);
}

void ioe_mgmt_set_image(struct ioe_mgmt *g, const uint32_t *words, uint32_t n)
{
    memset(g->mem, 0, sizeof(g->mem));
    memcpy(g->mem, words, (n < MEM_WORDS ? n : MEM_WORDS) * sizeof(*words));
}

static bool running(const struct ioe_mgmt *g)
{
    return g->ctrl >> IOE_MGMT_CTRL_RUN_SHIFT & 1;
}

void ioe_mgmt_tick(struct ioe_mgmt *g)
{
    if (!running(g))
        return;
    /* watchdog: as the RTL, counts while armed; a kick or a restart starts it again */
    if (g->wdog_load == 0 || g->kicked) {
        g->wdog_cnt = 0;
    } else if (g->wdog_cnt + 1 >= g->wdog_load) {
        g->wdog_cnt = 0;
        g->wdog_count++;
        ioe_rv32_reset(&g->cpu);
        return;
    } else {
        g->wdog_cnt++;
    }
    g->kicked = false;
    ioe_rv32_step(&g->cpu);
}

uint32_t ioe_mgmt_csr_read(struct ioe_mgmt *g, uint32_t off)
{
    uint32_t addr = IOE_MGMT_BASE + off;
    if (addr >= IOE_MGMT_MBOX0 && addr < IOE_MGMT_MBOX0 + 4 * MBOX_WORDS)
        return g->mbox[(addr - IOE_MGMT_MBOX0) / 4];
    switch (addr) {
    case IOE_MGMT_CTRL: return g->ctrl;
    case IOE_MGMT_STATUS:
        return (uint32_t)g->cpu.trapped << IOE_MGMT_STATUS_TRAPPED_SHIFT |
               (uint32_t)g->doorbell << IOE_MGMT_STATUS_DOORBELL_SHIFT |
               (uint32_t)g->answer << IOE_MGMT_STATUS_ANSWER_SHIFT;
    case IOE_MGMT_TRAP_CAUSE: return g->cpu.cause;
    case IOE_MGMT_TRAP_PC: return g->cpu.pc;
    case IOE_MGMT_IMEM_ADDR: return g->imem_addr;
    case IOE_MGMT_TIME: return (uint32_t)*g->cycle;
    case IOE_MGMT_WDOG_LOAD: return g->wdog_load;
    case IOE_MGMT_WDOG_COUNT: return g->wdog_count;
    case IOE_MGMT_CON_GET:
        if (!g->con_count)
            return 0;
        uint32_t c = g->con[g->con_head];
        g->con_head = (g->con_head + 1) % CONSOLE_DEPTH;
        g->con_count--;
        return c | 1u << IOE_MGMT_CON_GET_VALID_SHIFT;
    default: return 0; /* write-only registers */
    }
}

void ioe_mgmt_csr_write(struct ioe_mgmt *g, uint32_t off, uint32_t val)
{
    uint32_t addr = IOE_MGMT_BASE + off;
    if (addr >= IOE_MGMT_MBOX0 && addr < IOE_MGMT_MBOX0 + 4 * MBOX_WORDS) {
        g->mbox[(addr - IOE_MGMT_MBOX0) / 4] = val;
        return;
    }
    switch (addr) {
    case IOE_MGMT_CTRL:
        g->ctrl = val & IOE_MGMT_CTRL_RUN_MASK << IOE_MGMT_CTRL_RUN_SHIFT;
        if (!running(g)) { /* held at PC 0 */
            ioe_rv32_reset(&g->cpu);
            g->wdog_cnt = 0;
        }
        break;
    case IOE_MGMT_IMEM_ADDR:
        g->imem_addr = val & IOE_MGMT_IMEM_ADDR_INDEX_MASK << IOE_MGMT_IMEM_ADDR_INDEX_SHIFT;
        break;
    case IOE_MGMT_IMEM_WDATA:
        if (!running(g) && g->imem_addr < MEM_WORDS)
            g->mem[g->imem_addr] = val;
        break;
    case IOE_MGMT_DOORBELL:
        g->doorbell = true;
        g->answer = false;
        break;
    case IOE_MGMT_MBOX_DONE:
        g->doorbell = false;
        g->answer = true;
        g->notify(g->ctx);
        break;
    case IOE_MGMT_WDOG_LOAD: g->wdog_load = val; break;
    case IOE_MGMT_WDOG_KICK: g->kicked = true; break;
    case IOE_MGMT_CON_PUT:
        if (g->con_count < CONSOLE_DEPTH) {
            g->con[(g->con_head + g->con_count) % CONSOLE_DEPTH] = (uint8_t)val;
            g->con_count++;
        }
        break;
    default: break; /* read-only registers ignore writes */
    }
}
