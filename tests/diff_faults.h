/*
 * Host-memory faults for the differential tests (`--faults SEED`, docs/reliability.md):
 * the same faults, at the same guest-memory offsets, on the host memory of both targets
 * (the models behind in-process cards: "soft", "sim"). A fault set is one to three ERROR
 * ranges (reads, writes or both), a LATE range and a REORDER range, chosen from the fault
 * seed; df_shuffle replaces the set during the run. Offsets lean to the start of a
 * region and of its 4 KiB pages, where queues and tables begin. No TIMEOUT: the cards do not yet
 * all end a DMA that never completes the same way (the ITS), and each one keeps a host-memory slot
 * in flight until a card reset. DF_DEBUG=1 in the environment prints every fault installed.
 */
#ifndef IOE_TESTS_DIFF_FAULTS_H
#define IOE_TESTS_DIFF_FAULTS_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ioe_hostmem.h"

#define DF_MAX_REGIONS 8

struct df {
    uint64_t seed, rng; /* seed 0: no faults */
    struct ioe_hostmem *hm[2];
    uint8_t *hva[DF_MAX_REGIONS][2];
    uint64_t len[DF_MAX_REGIONS];
    unsigned nr;
    uint64_t err_max; /* the longest ERROR range (bytes, a multiple of 8; 0: 512) */
    uint64_t sets;
};

/* Side k's host memory: the model the card just opened made (before: the newest one before
 * that open). Out-of-process targets have theirs elsewhere: the run stops. */
static inline void df_take_hostmem(struct df *d, int k, struct ioe_hostmem *before)
{
    if (!d->seed)
        return;
    d->hm[k] = ioe_hostmem_newest();
    if (!d->hm[k] || d->hm[k] == before) {
        fprintf(stderr, "--faults: the host memory of target %d is not in this process\n", k);
        exit(2);
    }
}

/* A guest buffer of len bytes, at hva0 on side 0 and hva1 on side 1 */
static inline void df_region(struct df *d, void *hva0, void *hva1, uint64_t len)
{
    if (d->nr < DF_MAX_REGIONS) {
        d->hva[d->nr][0] = hva0;
        d->hva[d->nr][1] = hva1;
        d->len[d->nr++] = len;
    }
}

static inline uint64_t df_rand(struct df *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return d->rng;
}

static inline void df_add(struct df *d, enum ioe_hostmem_fault_kind kind, uint64_t maxlen)
{
    unsigned r = (unsigned)(df_rand(d) % d->nr);
    uint64_t pages = d->len[r] >> 12, off = 0;
    if (df_rand(d) % 2) /* else the region's start */
        off = (df_rand(d) % (pages ? pages : 1)) << 12;
    if (df_rand(d) % 4 == 0)
        off += (df_rand(d) % 512) * 8;
    uint64_t len = 8 + (df_rand(d) % (maxlen / 8)) * 8;
    if (off >= d->len[r])
        off = 0;
    if (len > d->len[r] - off)
        len = d->len[r] - off;
    static const unsigned dirs[] = {IOE_HOSTMEM_READS, IOE_HOSTMEM_WRITES,
                                    IOE_HOSTMEM_READS | IOE_HOSTMEM_WRITES};
    unsigned dir = dirs[df_rand(d) % 3];
    unsigned delay = 1 + (unsigned)(df_rand(d) % 400);
    if (getenv("DF_DEBUG"))
        fprintf(stderr, "df: kind %d region %u off %#llx len %#llx dirs %u\n", (int)kind, r,
                (unsigned long long)off, (unsigned long long)len, dir);
    for (int k = 0; k < 2; k++) {
        uint64_t iova;
        if (ioe_hostmem_iova_of(d->hm[k], d->hva[r][k] + off, &iova)) {
            fprintf(stderr, "--faults: a guest buffer is not mapped\n");
            exit(2);
        }
        struct ioe_hostmem_fault f = {
            .start = iova, .last = iova + len - 1, .kind = kind, .dirs = dir, .delay = delay};
        if (ioe_hostmem_add_fault(d->hm[k], &f)) {
            fprintf(stderr, "--faults: cannot add a fault\n");
            exit(2);
        }
    }
}

/* A new fault set on both sides (nothing without --faults) */
static inline void df_shuffle(struct df *d)
{
    if (!d->seed || !d->nr)
        return;
    if (!d->sets++)
        d->rng = d->seed * 0x9e3779b97f4a7c15ull | 1;
    for (int k = 0; k < 2; k++)
        ioe_hostmem_clear_faults(d->hm[k]);
    unsigned nerr = 1 + (unsigned)(df_rand(d) % 3);
    for (unsigned i = 0; i < nerr; i++)
        df_add(d, IOE_HOSTMEM_FAULT_ERROR, d->err_max ? d->err_max : 512);
    if (df_rand(d) % 2)
        df_add(d, IOE_HOSTMEM_FAULT_LATE, 1ull << 20);
    if (df_rand(d) % 2)
        df_add(d, IOE_HOSTMEM_FAULT_REORDER, 1ull << 20);
}

/* The accesses the faults changed on side k */
static inline uint64_t df_faulted(const struct df *d, int k)
{
    struct ioe_hostmem_stats st;
    ioe_hostmem_get_stats(d->hm[k], &st);
    return st.faulted;
}

static inline void df_report(const struct df *d)
{
    if (d->seed)
        printf("faults: seed %" PRIu64 ", %" PRIu64 " fault sets, %" PRIu64 " / %" PRIu64
               " accesses faulted\n",
               d->seed, d->sets, df_faulted(d, 0), df_faulted(d, 1));
}

#endif
