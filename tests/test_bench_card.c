/*
 * Known answers of ioe-bench's card sections (host/ioe-bench), on the Verilator model:
 *   - the card's cycle counter (CYCLE_LO, which stamps LPI_SET_CYCLE and EQ_WRITE_CYCLE)
 *     advances by exactly the cycles the host stepped, from the same origin, so the
 *     bench may subtract a host cycle from a card stamp;
 *   - an MSI stream's intervals add up to the cycles it took, each at least one cycle;
 *   - a forced translation-cache miss is slower than any hit by at least the DMA latency,
 *     at two latencies, and the miss grows with the latency while a hit does not change;
 *   - no sustained rate exceeds one MSI per cycle (the port takes one beat per cycle);
 *   - the working set yields one sample per (device, event, iteration).
 * No wall-clock thresholds. Seeded (tests/targets.h): --seed N or IOE_TEST_SEED, default 1.
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

#include "bench.h"
#include "card_port.h"
#include "targets.h"

static struct opts small_opts(unsigned dma_latency)
{
    struct opts o = {.n = 20,
                     .irqs = 64,
                     .vcpus = 2,
                     .mhz = 250,
                     .seed = tt_seed(1),
                     .dma_latency = dma_latency,
                     .dma_outstanding = IOE_CARD_DEFAULT_DMA_OUTSTANDING,
                     .ws_devices = 2,
                     .ws_events = 8,
                     .ws_iters = 2,
                     .stream = 100};
    return o;
}

static void free_series(struct series *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(s[i].v);
}

static struct series *find(struct series *s, unsigned n, const char *prefix)
{
    for (unsigned i = 0; i < n; i++)
        if (strncmp(s[i].name, prefix, strlen(prefix)) == 0)
            return &s[i];
    fail_msg("no row '%s'", prefix);
    return NULL;
}

/* CYCLE_LO read at host cycle h (before the read) */
static uint32_t cycle_lo(struct ioe_card *c, uint64_t *h, uint64_t *h_after)
{
    uint32_t v;
    assert_int_equal(ioe_card_cycles(c, h), 0);
    assert_int_equal(ioe_card_read32(c, IOE_CORE_CYCLE_LO, &v), 0);
    assert_int_equal(ioe_card_cycles(c, h_after), 0);
    return v;
}

static void test_cycle_counter(void **state)
{
    (void)state;
    struct opts o = small_opts(200);
    struct ioe_card *c;
    uint64_t rng = tt_seed(1) * 0x9e3779b97f4a7c15ull + 1, h0, h0e;
    assert_int_equal(port_open_sim(&o, &c), 0);
    uint32_t v0 = cycle_lo(c, &h0, &h0e);
    /* the same origin: the card's value is the host's count during the read */
    assert_true(h0 <= v0 && v0 <= h0e);
    for (int k = 0; k < 20; k++) {
        uint64_t steps = 1 + bench_rand(&rng) % 5000, h1, h1e;
        assert_int_equal(ioe_card_step(c, steps), 0);
        uint32_t v1 = cycle_lo(c, &h1, &h1e);
        /* the host counted the steps and the first read; the card the same */
        assert_int_equal(h1 - h0, steps + (h0e - h0));
        assert_int_equal(v1 - v0, h1 - h0);
        v0 = v1;
        h0 = h1;
        h0e = h1e;
    }
    /* an MSI stream's intervals add up to the cycles it took */
    struct msi m[64];
    uint64_t gap[64], t_first, t_end, sum = 0;
    for (unsigned i = 0; i < 64; i++)
        m[i] = (struct msi){.devid = i, .addr = 0x1000, .data = i}; /* claimed by nobody */
    assert_int_equal(port_stream(c, m, 64, &t_first, gap), 0);
    assert_int_equal(ioe_card_cycles(c, &t_end), 0);
    for (unsigned i = 0; i < 64; i++) {
        assert_true(gap[i] >= 1);
        sum += gap[i];
    }
    assert_int_equal(sum, t_end - t_first);
    ioe_card_close(c);
}

static void run_its(unsigned dma, struct series *s, unsigned *n)
{
    struct opts o = small_opts(dma);
    *n = 0;
    assert_int_equal(bench_its_card(&o, s, n), 0);
    assert_int_equal(*n, 8);
}

static void test_its_hit_miss(void **state)
{
    (void)state;
    struct series a[16], b[16];
    unsigned na, nb;
    struct stats hp, hn, mp, mn;
    run_its(200, a, &na);
    run_its(500, b, &nb);
    const unsigned lat[2] = {200, 500};
    struct series *runs[2] = {a, b};
    uint64_t miss_p50[2], hit_p50[2];
    for (int r = 0; r < 2; r++) {
        struct series *s = runs[r];
        char name[64];
        series_stats(find(s, 8, "hit: MSI -> LPI pending"), &hp);
        series_stats(find(s, 8, "hit: MSI -> notification"), &hn);
        snprintf(name, sizeof(name), "miss (DMA %u): MSI -> LPI pending", lat[r]);
        series_stats(find(s, 8, name), &mp);
        snprintf(name, sizeof(name), "miss (DMA %u): MSI -> notification", lat[r]);
        series_stats(find(s, 8, name), &mn);
        print_message("DMA %u: hit %llu/%llu cycles, miss %llu/%llu cycles (pending/notify)\n",
                      lat[r], (unsigned long long)hp.p50, (unsigned long long)hn.p50,
                      (unsigned long long)mp.p50, (unsigned long long)mn.p50);
        /* a miss reads the tables in host memory at least once: slower than every hit by
         * at least the latency */
        assert_true(mp.min >= hp.max + lat[r]);
        assert_true(mn.min >= hn.max + lat[r]);
        assert_true(hp.min >= 1);
        miss_p50[r] = mp.p50;
        hit_p50[r] = hp.p50;
        /* one MSI per cycle at most: the ingress port takes one beat per cycle */
        for (unsigned i = 0; i < 8; i++)
            assert_true(s[i].per_cycle <= 1.0);
        assert_true(find(s, 8, "hits back to back")->per_cycle > 0);
        assert_int_equal(find(s, 8, "set 2x8 (")->n, 2 * 8 * 2);
        assert_int_equal(find(s, 8, "set 2x8 back")->n, 2 * 8 * 2);
    }
    /* the miss pays the latency, the hit does not touch host memory */
    assert_true(miss_p50[1] - miss_p50[0] >= 500 - 200);
    assert_int_equal(hit_p50[1], hit_p50[0]);
    free_series(a, na);
    free_series(b, nb);
}

static void test_xive(void **state)
{
    (void)state;
    struct opts o = small_opts(200);
    struct series s[8];
    unsigned n = 0;
    o.stream = 64;
    assert_int_equal(bench_xive_card(&o, s, &n), 0);
    assert_int_equal(n, 4);
    struct stats eq, note;
    series_stats(find(s, n, "trigger -> EQ write issued"), &eq);
    series_stats(find(s, n, "trigger -> notification"), &note);
    assert_true(eq.min >= 1 && note.min >= 1);
    for (unsigned i = 0; i < n; i++)
        assert_true(s[i].per_cycle <= 1.0);
    assert_int_equal(find(s, n, "64 sources")->n, 64);
    free_series(s, n);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    tt_seed(1); /* the bench's seed and the cycle counter test's steps */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycle_counter),
        cmocka_unit_test(test_its_hit_miss),
        cmocka_unit_test(test_xive),
    };
    return cmocka_run_group_tests_name("bench_card", tests, NULL, NULL);
}
