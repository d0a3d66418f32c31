/*
 * Random differential test of the XIVE engine: the same seeded stream of access-port
 * operations (ESB loads/stores, triggers, source set/config/level/read/sync, EQ config
 * and read, TIMA and VP_STATE operations, RESET / CLEAR / EQ_SYNC / ESB window) and MSIs
 * on two targets (default the C model "soft" and the Verilator RTL "sim"). Compared: STATUS
 * and RDATA of every operation, the notification streams, and the guest-memory bytes of
 * every queue, and the EQ_WRITE_ERR counters. Usage (tests/targets.h): test_xive_diff
 * [--seed N] [--ops N] [--targets A,B] [--faults SEED] (or IOE_TEST_SEED, IOE_TEST_OPS,
 * IOE_TEST_DIFF="A B"); the seed is printed. --faults installs the same host-memory faults
 * on both targets (tests/diff_faults.h), a new set every 1000 operations.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "diff_faults.h"
#include "targets.h"

#define NVM 3
#define RAM_SIZE 0x40000ull /* 64 queues of 4 KiB per VM at GPA 0 */
#define NSRC 24
#define WIN 0x1000000ull

#define SEED 0x5eedu /* the default seed (never the time: a run reproduces) */

static uint64_t seed, nops = 200000, rng;
static struct tt_pair tg; /* the two targets compared (--targets, IOE_TEST_DIFF) */
static struct ioe_card *card[2];
static uint8_t *ram[2][NVM];
static struct df faults;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t pick(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static void op(struct ioe_card *c, uint32_t target, uint32_t off, uint64_t wd, uint32_t code,
               uint32_t *st, uint64_t *rd)
{
    assert_int_equal(ioe_card_write32(c, IOE_XIVE_TARGET, target), 0);
    assert_int_equal(ioe_card_write32(c, IOE_XIVE_OFFSET, off), 0);
    assert_int_equal(ioe_card_write32(c, IOE_XIVE_WDATA_LO, (uint32_t)wd), 0);
    assert_int_equal(ioe_card_write32(c, IOE_XIVE_WDATA_HI, (uint32_t)(wd >> 32)), 0);
    assert_int_equal(ioe_card_write32(c, IOE_XIVE_OP, code), 0);
    *st = 1;
    for (int i = 0; i < 1000000 && (*st & 1u); i++)
        assert_int_equal(ioe_card_read32(c, IOE_XIVE_STATUS, st), 0);
    uint32_t lo, hi;
    assert_int_equal(ioe_card_read32(c, IOE_XIVE_RDATA_LO, &lo), 0);
    assert_int_equal(ioe_card_read32(c, IOE_XIVE_RDATA_HI, &hi), 0);
    *rd = (uint64_t)hi << 32 | lo;
}

static struct ioe_notification notes[2][4096];
static size_t nnotes[2];

static void collect(void)
{
    for (int k = 0; k < 2; k++) {
        for (;;) {
            int n = ioe_card_drain(card[k], notes[k] + nnotes[k], 4096 - nnotes[k]);
            assert_true(n >= 0);
            nnotes[k] += (size_t)n;
            if (n == 0 || nnotes[k] == 4096)
                break;
        }
    }
}

static void compare_notes(uint64_t i)
{
    collect();
    if (nnotes[0] != nnotes[1])
        fail_msg("seed %llu op %llu: %zu %s notifications, %zu %s", (unsigned long long)seed,
                 (unsigned long long)i, nnotes[0], tg.src, nnotes[1], tg.dst);
    for (size_t k = 0; k < nnotes[0]; k++)
        if (notes[0][k].vm != notes[1][k].vm || notes[0][k].vcpu != notes[1][k].vcpu ||
            notes[0][k].src != notes[1][k].src)
            fail_msg("seed %llu op %llu: notification %zu differs", (unsigned long long)seed,
                     (unsigned long long)i, k);
    nnotes[0] = nnotes[1] = 0;
}

static void compare_mem(uint64_t i)
{
    for (int v = 0; v < NVM; v++)
        if (memcmp(ram[0][v], ram[1][v], RAM_SIZE))
            fail_msg("seed %llu op %llu: guest memory of VM %d differs", (unsigned long long)seed,
                     (unsigned long long)i, v);
}

static const uint32_t esb_offs[] = {0x0,     0x8,     0x800,   0x10000, 0x10008, 0x10400,
                                    0x10600, 0x10800, 0x10a00, 0x10c00, 0x10d00, 0x10e00,
                                    0x10f00, 0x10ff8, 0x11000, 0x20000};

/* one operation on both targets, STATUS and RDATA compared */
static void both(uint64_t i, uint32_t target, uint32_t off, uint64_t wd, uint32_t code)
{
    uint32_t st[2];
    uint64_t rd[2];
    for (int k = 0; k < 2; k++)
        op(card[k], target, off, wd, code, &st[k], &rd[k]);
    if (st[0] != st[1] || rd[0] != rd[1])
        fail_msg("seed %llu op %llu: code %u target %#x off %#x wdata %#llx: %s status %#x "
                 "rdata %#llx, %s status %#x rdata %#llx",
                 (unsigned long long)seed, (unsigned long long)i, code, target, off,
                 (unsigned long long)wd, tg.src, st[0], (unsigned long long)rd[0], tg.dst, st[1],
                 (unsigned long long)rd[1]);
}

/* A well-formed burst, so that events reach event queues often: an enabled END with
 * ALWAYS_NOTIFY, a few sources routed to it with PQ 00, their triggers and EOIs */
static void queue_burst(uint64_t i)
{
    uint32_t vm = pick(NVM), q = pick(64), srcs[4];
    both(i, vm | q << 8, 12 | 1u << 8 | 1u << 9 | pick(1024) << 10, (uint64_t)q * 4096, 9);
    for (int j = 0; j < 4; j++) {
        uint32_t t = vm | (srcs[j] = pick(NSRC)) << 8;
        both(i, t, 0, 0, 4);                                                    /* SOURCE_SET */
        both(i, t, 0, (q & 7) | (q >> 3) << 3 | (uint64_t)(0x40 + j) << 33, 5); /* CONFIG */
        both(i, t, 0x10c00, 0, 2);                                              /* PQ 00 */
    }
    for (int j = 0; j < 12; j++) {
        uint32_t t = vm | srcs[pick(4)] << 8;
        if (pick(3))
            both(i, t, 0, 0, 3); /* TRIGGER */
        else
            both(i, t, 0x10000, 0, 1); /* load EOI */
    }
    both(i, vm | q << 8, 0, 0, 10); /* EQ_READ: index and generation */
}

static void one_op(uint64_t i)
{
    if (pick(400) == 0) {
        queue_burst(i);
        return;
    }
    uint32_t vm = pick(8) == 0 ? pick(IOE_PARAM_NR_VMS_DEFAULT + 1) : pick(NVM);
    uint32_t code = 1 + pick(15), idx = 0, off = 0;
    uint64_t wd = rnd();
    unsigned r = pick(100);
    switch (code) {
    case 1:
    case 2:
        idx = pick(NSRC);
        off = esb_offs[pick(16)];
        break;
    case 3:
    case 4:
    case 6:
    case 7:
    case 8:
        idx = pick(NSRC + 1);
        off = pick(3) * 4;
        wd &= 3;
        break;
    case 5:
        idx = pick(NSRC);
        wd = (wd & ~0xfffffff8ull) | (uint64_t)pick(9) << 3;
        if (pick(4) == 0)
            wd |= 1ull << 32;
        else
            wd &= ~(1ull << 32);
        break;
    case 9:
        idx = pick(65);
        if (pick(5) == 0)
            off = 0;
        else {
            uint32_t q = idx & 63;
            off = 12 | (pick(4) ? 1u << 8 : 0) | pick(2) << 9 | (pick(3) ? 0 : pick(1025)) << 10;
            wd = (uint64_t)q * 4096;
            if (pick(20) == 0)
                wd += 4;
        }
        break;
    case 10:
        idx = pick(65);
        off = pick(3) * 4;
        break;
    case 11:
        idx = pick(9);
        off = r < 45 ? 0x10 : r < 95 ? 0x810 : 0x14;
        break;
    case 12:
        idx = pick(9);
        off = r < 60 ? 0x11 : r < 95 ? 0x812 : 0x13;
        wd = pick(3) ? pick(8) : (wd & 0xff);
        break;
    case 13:
    case 14: idx = pick(9); break;
    case 15:
        if (r < 70) {
            /* an MSI instead: into (or next to) the window of a VM */
            uint32_t s = pick(NSRC + 1);
            uint64_t a = (uint64_t)vm << 48 | (WIN + (uint64_t)s * 0x20000 + esb_offs[pick(15)]);
            for (int k = 0; k < 2; k++) {
                assert_int_equal(ioe_card_msi(card[k], 0, a, 0), 0);
                assert_int_equal(ioe_card_step(card[k], 12), 0);
            }
            return;
        }
        off = r < 73 ? 1 : r < 85 ? 2 : r < 87 ? 3 : r < 98 ? 4 : 7;
        wd = pick(10) ? (WIN | 1) : (wd & 0x3ffff);
        break;
    default: break;
    }
    both(i, vm | idx << 8, off, wd, code);
}

static void test_diff(void **state)
{
    (void)state;
    const char *names[2] = {tg.src, tg.dst};
    for (int k = 0; k < 2; k++) {
        struct ioe_hostmem *before = ioe_hostmem_newest();
        assert_int_equal(ioe_card_open(names[k], &card[k]), 0);
        df_take_hostmem(&faults, k, before);
        for (int v = 0; v < NVM; v++) {
            ram[k][v] = ioe_mem_alloc(RAM_SIZE); /* every target reaches it */
            assert_non_null(ram[k][v]);
            assert_int_equal(ioe_card_dma_map(card[k], (uint64_t)v << 48, ram[k][v], RAM_SIZE), 0);
        }
    }
    for (int v = 0; v < NVM; v++)
        df_region(&faults, ram[0][v], ram[1][v], RAM_SIZE);
    faults.err_max = 0x10000; /* up to 16 queues of a VM */
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    for (uint64_t i = 0; i < nops; i++) {
        if (i % 1000 == 0)
            df_shuffle(&faults);
        one_op(i);
        if (i % 2000 == 1999) {
            uint32_t st;
            uint64_t rd;
            for (int k = 0; k < 2; k++) {
                op(card[k], 0, 2, 0, 15, &st, &rd); /* EQ_SYNC */
                assert_int_equal(ioe_card_step(card[k], 16), 0);
            }
            compare_notes(i);
            compare_mem(i);
        }
    }
    for (int k = 0; k < 2; k++) {
        uint32_t st;
        uint64_t rd;
        op(card[k], 0, 2, 0, 15, &st, &rd);
        assert_int_equal(ioe_card_step(card[k], 16), 0);
    }
    compare_notes(nops);
    compare_mem(nops);
    uint32_t errs[2], writes[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ioe_card_read32(card[k], IOE_XIVE_EQ_WRITE_ERR, &errs[k]), 0);
        assert_int_equal(ioe_card_read32(card[k], IOE_XIVE_EQ_WRITE_COUNT, &writes[k]), 0);
    }
    printf("EQ writes: %u, failed %u (%s); %u, failed %u (%s)\n", writes[0], errs[0], tg.src,
           writes[1], errs[1], tg.dst);
    df_report(&faults);
    if (errs[0] != errs[1])
        fail_msg("seed %llu: EQ_WRITE_ERR differs", (unsigned long long)seed);
    if (faults.seed) /* the faults reached the engine */
        assert_true(errs[0] > 0 && df_faulted(&faults, 0) > 0 && df_faulted(&faults, 1) > 0);
    for (int k = 0; k < 2; k++) {
        ioe_card_close(card[k]);
        for (int v = 0; v < NVM; v++)
            ioe_mem_free(ram[k][v]);
    }
}

int main(int argc, char **argv)
{
    tt_args(&argc, argv);
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--faults") && a + 1 < argc && strtoull(argv[a + 1], NULL, 0)) {
            faults.seed = strtoull(argv[++a], NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--seed N] [--ops N] [--targets A,B] [--faults SEED]\n",
                    argv[0]);
            return 2;
        }
    }
    tg = tt_diff_targets();
    seed = tt_seed(SEED);
    nops = tt_ops(nops);
    printf("test_xive_diff: %s vs %s, seed %llu, %llu operations\n", tg.src, tg.dst,
           (unsigned long long)seed, (unsigned long long)nops);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_diff)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
