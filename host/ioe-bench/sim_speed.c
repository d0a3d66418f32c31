/*
 * Simulation speed of the sim card (the Verilator model of ioe_top with the default
 * parameters, in this process): card cycles per second of wall-clock time, each sample one
 * run of o->speed_cycles cycles on a card of its own.
 *
 *   idle card            ioe_card_step() of the whole run on a card just reset: what every
 *                        test pays while it waits for the card
 *   XIVE trigger load    MSIs back to back into the ingress port, one per cycle: the ESB
 *                        store that sets the PQ of source s to 00, then a trigger of s, for
 *                        every source in turn, so every other MSI forwards an event and
 *                        writes an event-queue entry to host memory (the XIVE engine, its
 *                        DMA writes and the notifications of the servers are busy
 *                        throughout; the run fails unless every trigger wrote its entry).
 *                        The cycles are the card's own count over the run, so a stalled
 *                        port would show as cycles that carry no MSI.
 *
 * The rate counts everything a caller of libioe pays per cycle: the model's evaluation,
 * the harness's host-memory and MSI handshakes, and for the load, one ioe_card_msi call
 * per MSI. It depends on the machine and on what else runs on it: the table gives every
 * run's rate (min, p50, max over the runs), over wall-clock time and over the CPU time of
 * the measuring thread (which other processes on a busy machine inflate less).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "bench.h"
#include "card_port.h"

static const char SECTION[] = "simulation speed (sim card)";

/* kcycles per second over cycles that took ns nanoseconds */
static uint64_t kcps(uint64_t cycles, uint64_t ns)
{
    return ns ? (uint64_t)((double)cycles * 1e6 / (double)ns + 0.5) : 0;
}

static uint64_t cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* one run's rate over wall-clock time [0] and over the thread's CPU time [1] */
struct clocks {
    uint64_t wall, cpu;
};

static struct clocks clocks_now(void)
{
    return (struct clocks){now_ns(), cpu_ns()};
}

static void rates(uint64_t cycles, struct clocks t0, uint64_t *rate)
{
    struct clocks t1 = clocks_now();
    rate[0] = kcps(cycles, t1.wall - t0.wall);
    rate[1] = kcps(cycles, t1.cpu - t0.cpu);
}

/* rate[0], rate[1]: kcycles/s over wall-clock and CPU time */
static int idle_run(const struct opts *o, uint64_t *rate)
{
    struct ioe_card *c;
    int err = port_open_sim(o, &c);
    if (err)
        return err;
    struct clocks t0 = clocks_now();
    err = ioe_card_step(c, o->speed_cycles);
    rates(o->speed_cycles, t0, rate);
    ioe_card_close(c);
    return err;
}

static int xive_run(const struct opts *o, unsigned nsrc, uint64_t *rate)
{
    struct ioe_card *c;
    struct ioe_notification junk[64];
    uint8_t *ram = NULL;
    uint64_t c0, c1;
    uint32_t w0, w1;
    struct clocks t0;
    int err = port_open_sim(o, &c);
    if (err)
        return err;
    if ((err = xive_map_queues(c, o->vcpus, &ram)) || (err = xive_setup(c, o->vcpus, nsrc)) ||
        (err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w0)) || (err = ioe_card_cycles(c, &c0)))
        goto out;
    t0 = clocks_now();
    for (uint64_t i = 0; i < o->speed_cycles && !err; i++) {
        uint32_t src = (uint32_t)(i / 2 % nsrc);
        err = ioe_card_msi(c, 0, i & 1 ? xive_esb_trigger(src) : xive_esb_reset(src), 0);
        if (i % 1024 == 1023) /* the notifications of the servers are read as they come */
            while (ioe_card_drain(c, junk, 64) > 0)
                ;
    }
    if (!err && !(err = ioe_card_cycles(c, &c1)))
        rates(c1 - c0, t0, rate);
    /* the last writes leave a few cycles after their triggers */
    if (!err && !(err = ioe_card_step(c, 100)) &&
        !(err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w1)) &&
        w1 - w0 != (uint32_t)(o->speed_cycles / 2)) {
        fprintf(stderr, "ioe-bench: simulation speed: %u EQ writes for %llu triggers\n", w1 - w0,
                (unsigned long long)(o->speed_cycles / 2));
        err = -EIO;
    }
out:
    ioe_card_close(c);
    free(ram);
    return err;
}

int bench_sim_speed(const struct opts *o, struct series *out, unsigned *nout)
{
    struct ioe_card *c;
    struct ioe_card_info info;
    int err = port_open_sim(o, &c);
    if (err)
        return err;
    err = ioe_card_info(c, &info);
    ioe_card_close(c);
    if (err)
        return err;
    unsigned nsrc = info.xive_sources < 1024 ? info.xive_sources : 1024;
    if (!nsrc || o->vcpus > info.nr_vcpus)
        return -EOPNOTSUPP;
    /* v[row][run]: idle wall, idle CPU, load wall, load CPU */
    uint64_t *v[4], rate[2];
    unsigned runs = o->speed_runs;
    for (unsigned k = 0; k < 4; k++)
        if (!(v[k] = calloc(runs, sizeof(uint64_t))))
            err = -ENOMEM;
    /* alternated, so that both rows see the same changes of the machine's speed */
    for (unsigned r = 0; !err && r < runs; r++) {
        if (!(err = idle_run(o, rate))) {
            v[0][r] = rate[0];
            v[1][r] = rate[1];
            err = xive_run(o, nsrc, rate);
            v[2][r] = rate[0];
            v[3][r] = rate[1];
        }
        progress(o, "simulation speed", r + 1, runs);
    }
    if (err) {
        for (unsigned k = 0; k < 4; k++)
            free(v[k]);
        return err;
    }
    static const char *const names[4] = {"idle card (wall clock)", "idle card (thread CPU time)",
                                         "XIVE triggers 1/cycle (wall clock)",
                                         "XIVE triggers 1/cycle (CPU time)"};
    struct series *x = &out[*nout];
    for (unsigned k = 0; k < 4; k++) {
        port_series(&x[k], SECTION, names[k], v[k], runs);
        x[k].unit = UNIT_KCPS;
        x[k].no_plot = 1;
    }
    *nout += 4;
    return 0;
}
