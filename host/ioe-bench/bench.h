/*
 * ioe-bench internals: every measurement yields a series of samples with its unit; the
 * report code turns series into the table, JSON and the SVG plot.
 */
#ifndef IOE_BENCH_H
#define IOE_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* UNIT_KCPS: simulated card cycles per second of wall clock, in thousands */
enum unit { UNIT_CYCLES, UNIT_NS, UNIT_KCPS };

struct series {
    const char *section; /* "card (sim, cycles)", "API soft", "Linux KVM", ... */
    char name[64];       /* what is measured */
    enum unit unit;
    uint64_t *v; /* samples, sorted after stats() */
    unsigned n;
    double per_sec; /* throughput where measured, else 0 */
    /* sustained rate in events per card cycle where measured, else 0 (per_sec is then
     * per_cycle at --clock-mhz) */
    double per_cycle;
    /* the goal for this row: p50 at most `goal` cycles, or per_cycle at least */
    enum goal_kind { GOAL_NONE, GOAL_P50_MAX, GOAL_RATE_MIN } goal_kind;
    double goal;
    int no_plot; /* samples are not latencies (intervals between accepted MSIs) */
};

struct stats {
    uint64_t min, p50, p90, p99, p999, max;
    double mean;
};

struct opts {
    unsigned n; /* samples per latency measurement */
    unsigned irqs, vcpus;
    double mhz;
    uint64_t seed;
    int progress;             /* draw a progress bar on stderr */
    unsigned dma_latency;     /* host-memory latency of the sim card sections (cycles) */
    unsigned dma_outstanding; /* host-memory request limit of those sections */
    /* ITS working set shaped like the kernel's vgic_lpi_stress: devices, events per
     * device, iterations over every (device, event) */
    unsigned ws_devices, ws_events, ws_iters;
    unsigned stream;       /* MSIs per back-to-back stream of the throughput rows */
    unsigned speed_runs;   /* simulation speed: runs of each row */
    uint64_t speed_cycles; /* simulation speed: card cycles per run */
};

void series_stats(struct series *s, struct stats *st);
/* ns of a sample of s (cycles are converted at mhz) */
double series_ns(const struct series *s, uint64_t v, double mhz);

/* progress of the whole run: done/total units of work */
void progress(const struct opts *o, const char *what, unsigned done, unsigned total);

/* measurements; each appends to out[*nout] and returns 0 or -errno */
int bench_gic_card(const struct opts *o, struct series *out, unsigned *nout);
int bench_api(const struct opts *o, const char *target, struct series *out, unsigned *nout);
int bench_its_card(const struct opts *o, struct series *out, unsigned *nout);
int bench_xive_card(const struct opts *o, struct series *out, unsigned *nout);
int bench_api_its(const struct opts *o, const char *target, struct series *out, unsigned *nout);
int bench_sim_speed(const struct opts *o, struct series *out, unsigned *nout);
int bench_api_xive(const struct opts *o, const char *target, struct series *out, unsigned *nout);
/* register read and KVM_IRQ_LINE round trips on soft, sim and the same cards in ioe-simd
 * (wire_path.c); a target that cannot be opened for want of ioe-simd is skipped, the
 * reason in why */
int bench_wire(const struct opts *o, struct series *out, unsigned *nout, char *why, size_t len);
/* whether the goal of a row is met (goal_kind != GOAL_NONE) */
int series_goal_met(const struct series *s, const struct stats *st);

uint64_t bench_rand(uint64_t *state);
uint64_t now_ns(void);

#endif
