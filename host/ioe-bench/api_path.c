/*
 * The public API at wall-clock resolution, on any backend: what a hypervisor pays per
 * injection through libioe. For the soft backend this is the software path a hypervisor
 * would run; for sim it includes simulating the card.
 *   IRQ_LINE -> vCPU readable   ns from calling ioe_ioctl(KVM_IRQ_LINE) for an enabled SPI
 *                               to poll() reporting the target vCPU's descriptor readable
 *   ACK + EOI                   ns for IOE_VCPU_ACK then IOE_VCPU_EOI of that interrupt
 *   KVM_IRQ_LINE calls/s        raise/lower calls per second, back to back
 * On soft, both again with the vCPUs in kick-only mode: to IOE_REQ_IRQ on the kick block.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ioe/ioe.h>
#include <ioe/kick.h>

#include "api.h"
#include "bench.h"

#define ENC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int call(int fd, unsigned long req, void *arg)
{
    return ioe_ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int attr(int dev, uint32_t group, uint64_t a, void *val)
{
    struct kvm_device_attr at = {.group = group, .attr = a, .addr = (uint64_t)(uintptr_t)val};
    return call(dev, KVM_SET_DEVICE_ATTR, &at);
}

int mmio(int vm, uint64_t gpa, unsigned len, uint64_t val)
{
    struct ioe_mmio m = {.gpa = gpa, .len = len, .is_write = 1, .data = val};
    return call(vm, IOE_MMIO, &m);
}

static int sysreg(int vcpu, uint32_t enc, uint64_t val)
{
    struct ioe_sysreg r = {.enc = enc, .is_write = 1, .value = val};
    return call(vcpu, IOE_VCPU_SYSREG, &r);
}

int vm_setup(struct vmset *s, const char *target, const struct opts *o,
             int (*before_run)(struct vmset *s, void *arg), void *arg)
{
    int err;
    memset(s, 0xff, sizeof(*s));
    s->n = o->vcpus;
    if ((s->kvm = ioe_open(target)) < 0 || (s->vm = ioe_ioctl(s->kvm, KVM_CREATE_VM, 0)) < 0)
        return -errno;
    for (unsigned i = 0; i < s->n; i++) {
        /* as a VMM does: the preferred target, PSCI 0.2, secondaries powered off */
        struct kvm_vcpu_init init;
        if ((s->vcpu[i] = ioe_ioctl(s->vm, KVM_CREATE_VCPU, i)) < 0 ||
            ioe_ioctl(s->vm, KVM_ARM_PREFERRED_TARGET, &init))
            return -errno;
        init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2 | (i ? 1u << KVM_ARM_VCPU_POWER_OFF : 0);
        if ((err = call(s->vcpu[i], KVM_ARM_VCPU_INIT, &init)))
            return err;
    }
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    if ((err = call(s->vm, KVM_CREATE_DEVICE, &cd)))
        return err;
    s->dev = (int)cd.fd;
    uint64_t a = DIST, r = REDIST | (uint64_t)s->n << KVM_VGIC_V3_RDIST_COUNT_SHIFT;
    uint32_t irqs = o->irqs;
    if ((err = attr(s->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &a)) ||
        (err = attr(s->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &r)) ||
        (err = attr(s->dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &irqs)) ||
        (err = attr(s->dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL)) ||
        (before_run && (err = before_run(s, arg))))
        return err;
    for (unsigned i = 0; i < s->n; i++)
        if ((err = call(s->vcpu[i], KVM_RUN, NULL)) ||
            (err = sysreg(s->vcpu[i], ENC(3, 0, 4, 6, 0), 0xf0)) ||
            (err = sysreg(s->vcpu[i], ENC(3, 0, 12, 12, 7), 1)))
            return err;
    if ((err = mmio(s->vm, DIST, 4, 2)))
        return err;
    for (unsigned w = 1; w < irqs / 32; w++)
        if ((err = mmio(s->vm, DIST + 0x100 + 4 * w, 4, 0xffffffff)))
            return err;
    for (unsigned n = 32; n < irqs; n++) /* SPIs spread over the vCPUs */
        if ((err = mmio(s->vm, DIST + 0x6000 + 8 * n, 8, n % s->n)))
            return err;
    return 0;
}

void vm_close(struct vmset *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->vcpu[i] >= 0)
            ioe_close(s->vcpu[i]);
    if (s->dev >= 0)
        ioe_close(s->dev);
    if (s->vm >= 0)
        ioe_close(s->vm);
    if (s->kvm >= 0)
        ioe_close(s->kvm);
}

static int line(int vm, unsigned n, int level)
{
    struct kvm_irq_level l = {.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | n,
                              .level = (uint32_t)level};
    return call(vm, KVM_IRQ_LINE, &l);
}

/* The paths of api_measure with every vCPU in kick-only mode (<ioe/kick.h>): the VMM's run
 * loop takes IOE_REQ_IRQ from the kick block, as with KVM, instead of polling the
 * descriptor, so libioe keeps no eventfd. ns from the call to the request on the block. */
static int api_measure_kick(const struct opts *o, const struct api_path *ap, void *ctx,
                            const char *section, struct series *out, unsigned *nout)
{
    uint64_t rng = o->seed ^ ap->salt;
    uint64_t *lat = calloc(o->n, sizeof(uint64_t)), *rt = calloc(o->n, sizeof(uint64_t));
    int err = !lat || !rt ? -ENOMEM : 0;
    char what[48];
    snprintf(what, sizeof(what), "API (soft, kick only): %s", ap->what);
    for (unsigned k = 0; !err && k < ap->count; k++)
        if (ioe_vcpu_kick_only(ap->fd(ctx, k), true))
            err = -errno;
    for (unsigned i = 0; !err && i < o->n; i++) {
        unsigned k = (unsigned)(bench_rand(&rng) % ap->count);
        struct ioe_kick *kb = ioe_vcpu_kick(ap->fd(ctx, k));
        if (!kb) {
            err = -errno;
            break;
        }
        ioe_kick_take(kb);
        uint64_t t0 = now_ns(), t;
        if ((err = ap->inject(ctx, k)))
            break;
        while (!(ioe_kick_take(kb) & 1ull << IOE_REQ_IRQ))
            if ((t = now_ns()) - t0 > 1000000000u) {
                err = -ETIMEDOUT;
                break;
            }
        lat[i] = now_ns() - t0;
        t0 = now_ns();
        if (!err && (err = ap->complete(ctx, k)))
            break;
        rt[i] = now_ns() - t0;
        progress(o, what, i + 1, o->n);
    }
    for (unsigned k = 0; k < ap->count; k++) /* back to pollable descriptors */
        if (ioe_vcpu_kick_only(ap->fd(ctx, k), false) && !err)
            err = -errno;
    if (err) {
        free(lat);
        free(rt);
        return err;
    }
    struct series *a = &out[(*nout)++], *b = &out[(*nout)++];
    *a = (struct series){.section = section, .unit = UNIT_NS, .v = lat, .n = o->n};
    *b = (struct series){.section = section, .unit = UNIT_NS, .v = rt, .n = o->n};
    snprintf(a->name, sizeof(a->name), "%s", ap->kick_name);
    snprintf(b->name, sizeof(b->name), "%s, kick only", ap->rt_name);
    return 0;
}

int api_measure(const struct opts *o, const char *target, const struct api_path *ap, void *ctx,
                struct series *out, unsigned *nout)
{
    uint64_t rng = o->seed ^ ap->salt;
    uint64_t *lat = calloc(o->n, sizeof(uint64_t)), *rt = calloc(o->n, sizeof(uint64_t));
    int err = !lat || !rt ? -ENOMEM : 0;
    char what[48];
    snprintf(what, sizeof(what), "API (%s): %s", target, ap->what);
    for (unsigned i = 0; !err && i < o->n; i++) {
        unsigned k = (unsigned)(bench_rand(&rng) % ap->count);
        struct pollfd p = {.fd = ap->fd(ctx, k), .events = POLLIN};
        uint64_t t0 = now_ns();
        if ((err = ap->inject(ctx, k)))
            break;
        if (poll(&p, 1, 1000) != 1) {
            err = -ETIMEDOUT;
            break;
        }
        lat[i] = now_ns() - t0;
        t0 = now_ns();
        if ((err = ap->complete(ctx, k)))
            break;
        rt[i] = now_ns() - t0;
        progress(o, what, i + 1, o->n);
    }
    if (err) {
        free(lat);
        free(rt);
        return err;
    }
    const char *section = strcmp(target, "soft") == 0 ? "API, soft backend (software path)"
                          : strcmp(target, "sim:pcie") == 0
                              ? "API, sim:pcie backend (PCIe card: VFIO transport, root complex)"
                              : "API, sim backend";
    struct series *a = &out[(*nout)++], *b = &out[(*nout)++];
    *a = (struct series){.section = section, .unit = UNIT_NS, .v = lat, .n = o->n};
    *b = (struct series){.section = section, .unit = UNIT_NS, .v = rt, .n = o->n};
    snprintf(a->name, sizeof(a->name), "%s", ap->lat_name);
    snprintf(b->name, sizeof(b->name), "%s", ap->rt_name);
    /* the software path also as a VMM that waits on kicks; before the burst, which may
     * leave interrupts pending */
    if (strcmp(target, "soft") == 0 && (err = api_measure_kick(o, ap, ctx, section, out, nout)))
        return err;
    unsigned calls = o->n * 10; /* back-to-back calls */
    uint64_t t0 = now_ns();
    for (unsigned i = 0; !err && i < calls; i++)
        err = ap->burst(ctx, i);
    a->per_sec = calls * 1e9 / (double)(now_ns() - t0);
    return err;
}

struct spi_ctx {
    struct vmset s;
    unsigned irqs;
};

static int spi_fd(void *ctx, unsigned k)
{
    struct spi_ctx *x = ctx;
    return x->s.vcpu[(32 + k) % x->s.n];
}

static int spi_raise(void *ctx, unsigned k)
{
    struct spi_ctx *x = ctx;
    return line(x->s.vm, 32 + k, 1);
}

static int spi_complete(void *ctx, unsigned k)
{
    struct spi_ctx *x = ctx;
    struct ioe_irq irq;
    int err, c = spi_fd(ctx, k);
    if ((err = call(c, IOE_VCPU_ACK, &irq)) || (err = line(x->s.vm, 32 + k, 0)) ||
        (err = call(c, IOE_VCPU_EOI, &irq)))
        return err;
    return irq.intid == 32 + k ? 0 : -EIO; /* something else presented: a measurement bug */
}

/* raise and lower calls in turn */
static int spi_burst(void *ctx, unsigned i)
{
    struct spi_ctx *x = ctx;
    return line(x->s.vm, 32 + (i / 2) % (x->irqs - 32), !(i & 1));
}

int bench_api(const struct opts *o, const char *target, struct series *out, unsigned *nout)
{
    struct spi_ctx x = {.irqs = o->irqs};
    const struct api_path ap = {.what = "KVM_IRQ_LINE",
                                .lat_name = "IRQ_LINE -> vCPU readable",
                                .kick_name = "IRQ_LINE -> IOE_REQ_IRQ (kick only)",
                                .rt_name = "ACK + EOI",
                                .salt = 0xa91,
                                .count = o->irqs - 32,
                                .fd = spi_fd,
                                .inject = spi_raise,
                                .complete = spi_complete,
                                .burst = spi_burst};
    int err = vm_setup(&x.s, target, o, NULL, NULL);
    if (!err)
        err = api_measure(o, target, &ap, &x, out, nout);
    vm_close(&x.s);
    return err;
}
