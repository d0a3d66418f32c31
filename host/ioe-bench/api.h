/* What the API-path measurements share (api_path.c): a GICv3 VM through libioe. */
#ifndef IOE_BENCH_API_H
#define IOE_BENCH_API_H

#include <stdint.h>

#include "bench.h"

#define DIST 0x08000000ull
#define REDIST 0x080a0000ull /* + 0x20000 per vCPU */

struct vmset {
    int kvm, vm, dev, vcpu[64];
    unsigned n;
};

/* ioe_ioctl as 0 / -errno */
int call(int fd, unsigned long req, void *arg);
int attr(int dev, uint32_t group, uint64_t a, void *val);
/* a guest write of len bytes at gpa (IOE_MMIO) */
int mmio(int vm, uint64_t gpa, unsigned len, uint64_t val);
/* A VM on target with o->vcpus vCPUs (run, PMR 0xf0, group 1 on), a GICv3 with o->irqs
 * interrupts initialised and enabled, every SPI enabled and spread over the vCPUs.
 * before_run (if not NULL) is called after the GICv3's INIT, before any vCPU runs. */
int vm_setup(struct vmset *s, const char *target, const struct opts *o,
             int (*before_run)(struct vmset *s, void *arg), void *arg);
void vm_close(struct vmset *s);

/* One injection path through the API: inject number k (< count), wait for the vCPU
 * descriptor fd(k) to become readable, complete it (acknowledge, EOI, checked); and
 * back-to-back calls burst(i). */
struct api_path {
    const char *what, *lat_name, *rt_name;
    const char *kick_name; /* lat_name in kick-only mode */
    uint64_t salt;         /* of the seed: which k are drawn */
    unsigned count;
    int (*fd)(void *ctx, unsigned k);
    int (*inject)(void *ctx, unsigned k);
    int (*complete)(void *ctx, unsigned k);
    int (*burst)(void *ctx, unsigned i);
};
/* ns per injection and per completion (two series) and back-to-back calls per second */
int api_measure(const struct opts *o, const char *target, const struct api_path *ap, void *ctx,
                struct series *out, unsigned *nout);

#endif
