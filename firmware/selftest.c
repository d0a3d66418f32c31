/* Self-test (docs/firmware.md): the register map's identification, a march C- over a buffer
 * of the core's own memory, and on request a march over the SCRATCH register (its value
 * restored) and a DMA probe round trip through a window the host gives. */
#include "fw.h"

#define RAM_TEST_WORDS 256

static uint32_t ram_buf[RAM_TEST_WORDS];

static void check(struct selftest *st, uint32_t bit, int ok, uint32_t detail)
{
    if (ok) {
        st->passed |= bit;
        return;
    }
    if (!st->failed)
        st->detail = detail;
    st->failed |= bit;
}

/* 0 when every register reads what the map says, else the address of the first that does not */
static uint32_t regmap_walk(void)
{
    static const struct {
        uint32_t addr, mask, want;
    } regs[] = {
        {IOE_CORE_ID, 0xffffffffu, IOE_CORE_ID_RESET},
        {IOE_CORE_VERSION, 0xffff0000u, IOE_CORE_VERSION_RESET & 0xffff0000u},
        {IOE_CORE_FEATURES, IOE_CORE_FEATURES_MGMT_MASK << IOE_CORE_FEATURES_MGMT_SHIFT,
         IOE_CORE_FEATURES_MGMT_MASK << IOE_CORE_FEATURES_MGMT_SHIFT},
        {IOE_CORE_PARAM_MGMT, IOE_CORE_PARAM_MGMT_MEM_WORDS_MASK, IOE_FW_MEM_BYTES / 4},
        {IOE_MGMT_CTRL, IOE_MGMT_CTRL_RUN_MASK << IOE_MGMT_CTRL_RUN_SHIFT,
         1u << IOE_MGMT_CTRL_RUN_SHIFT},
    };
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        if ((csr_read(regs[i].addr) & regs[i].mask) != regs[i].want)
            return regs[i].addr;
    return 0;
}

/* march C- over ram_buf: 0 or the index + 1 of the first word that failed */
static uint32_t march_ram(void)
{
    volatile uint32_t *m = ram_buf;
    const uint32_t n = RAM_TEST_WORDS;
    for (uint32_t i = 0; i < n; i++)
        m[i] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (m[i] != 0)
            return i + 1;
        m[i] = ~0u;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (m[i] != ~0u)
            return i + 1;
        m[i] = 0;
    }
    for (uint32_t i = n; i-- > 0;) {
        if (m[i] != 0)
            return i + 1;
        m[i] = ~0u;
    }
    for (uint32_t i = n; i-- > 0;) {
        if (m[i] != ~0u)
            return i + 1;
        m[i] = 0;
    }
    for (uint32_t i = 0; i < n; i++)
        if (m[i] != 0)
            return i + 1;
    return 0;
}

/* SCRATCH holds what is written: all zeros, all ones, walking one; restored afterwards.
 * 0 or the pattern that failed (never 0 itself: the all-zeros pattern reports 0xdead0000). */
static uint32_t march_scratch(void)
{
    uint32_t saved = csr_read(IOE_CORE_SCRATCH), bad = 0;
    csr_write(IOE_CORE_SCRATCH, 0);
    if (csr_read(IOE_CORE_SCRATCH) != 0)
        bad = 0xdead0000u;
    for (uint32_t p = 1; p && !bad; p <<= 1) {
        csr_write(IOE_CORE_SCRATCH, p);
        if (csr_read(IOE_CORE_SCRATCH) != p)
            bad = p;
    }
    csr_write(IOE_CORE_SCRATCH, ~0u);
    if (!bad && csr_read(IOE_CORE_SCRATCH) != ~0u)
        bad = ~0u;
    csr_write(IOE_CORE_SCRATCH, saved);
    return bad;
}

/* wait for the DMA probe: its status, or 0 after a bounded number of reads */
static uint32_t dma_wait(void)
{
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t s = csr_read(IOE_CORE_DMA_STATUS);
        if (s >> IOE_CORE_DMA_STATUS_DONE_SHIFT & 1)
            return s;
        csr_write(IOE_MGMT_WDOG_KICK, 0);
    }
    return 0;
}

/* write a pattern at addr with the DMA probe and read it back: 0 or a failure code */
static uint32_t dma_round_trip(uint64_t addr)
{
    const uint32_t lo = 0x10e0f00du ^ (uint32_t)addr, hi = 0xc0de0000u;
    csr_write(IOE_CORE_DMA_ADDR_LO, (uint32_t)addr);
    csr_write(IOE_CORE_DMA_ADDR_HI, (uint32_t)(addr >> 32));
    csr_write(IOE_CORE_DMA_WDATA_LO, lo);
    csr_write(IOE_CORE_DMA_WDATA_HI, hi);
    csr_write(IOE_CORE_DMA_CMD, 1u << IOE_CORE_DMA_CMD_GO_SHIFT |
                                    1u << IOE_CORE_DMA_CMD_WRITE_SHIFT |
                                    0xffu << IOE_CORE_DMA_CMD_STRB_SHIFT);
    uint32_t s = dma_wait();
    if (!s || s >> IOE_CORE_DMA_STATUS_ERR_SHIFT & 1)
        return 1;
    csr_write(IOE_CORE_DMA_CMD, 1u << IOE_CORE_DMA_CMD_GO_SHIFT);
    s = dma_wait();
    if (!s || s >> IOE_CORE_DMA_STATUS_ERR_SHIFT & 1)
        return 2;
    if (csr_read(IOE_CORE_DMA_RDATA_LO) != lo || csr_read(IOE_CORE_DMA_RDATA_HI) != hi)
        return 3;
    return 0;
}

void selftest_run(struct selftest *st)
{
    st->passed = st->failed = st->detail = 0;
    uint32_t r = regmap_walk();
    check(st, IOE_FW_TEST_REGMAP, r == 0, r);
    r = march_ram();
    check(st, IOE_FW_TEST_RAM, r == 0, r);
}

void selftest_run_all(struct selftest *st, uint64_t dma_addr)
{
    selftest_run(st);
    uint32_t r = march_scratch();
    check(st, IOE_FW_TEST_SCRATCH, r == 0, r);
    if (dma_addr) {
        r = dma_round_trip(dma_addr);
        check(st, IOE_FW_TEST_DMA, r == 0, r);
    }
}
