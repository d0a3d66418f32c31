/*
 * MSIs through the public API at wall-clock resolution, on any backend (api_path.c has
 * the measurement loop):
 *   SIGNAL_MSI -> vCPU readable   KVM_SIGNAL_MSI with KVM_MSI_VALID_DEVID on the VM fd of a
 *                                 VM with an ITS (32 events of one device, LPIs spread over
 *                                 the vCPUs) to poll() reporting the target vCPU readable;
 *                                 then IOE_VCPU_ACK + IOE_VCPU_EOI of the LPI
 *   ESB trigger -> vCPU readable  an IOE_XIVE_ESB store to a source's trigger page on a VM
 *                                 with a XIVE device (32 sources spread over the vCPUs'
 *                                 servers); then the TIMA acknowledge, CPPR back to 0xff
 *                                 and the EOI load on the source's management page
 * Calls per second: back-to-back KVM_SIGNAL_MSI (the LPIs stay pending: each call still
 * translates and sets the pending bit) and back-to-back ESB trigger stores (after the first
 * trigger of a source, later ones coalesce in its PQ bits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <ioe/ioe.h>

#include "api.h"

#define ITS_BASE 0x08080000ull
#define MEM_GPA 0x40000000ull
#define MEM_SZ 0x800000ull
#define PROP_OFF 0x000000ull
#define PEND_OFF 0x010000ull /* + 0x10000 * vCPU */
#define CMDQ_OFF 0x100000ull
#define DT_OFF 0x200000ull
#define CT_OFF 0x300000ull
#define ITT_OFF 0x400000ull
#define EVENTS 32u
#define LPI0 8192u

struct guest {
    struct vmset s;
    uint8_t *mem;
    int dev2; /* the ITS or XIVE device */
    uint32_t cw;
};

static int guest_mem(struct guest *g)
{
    g->mem = mmap(NULL, MEM_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->mem == MAP_FAILED) {
        g->mem = NULL;
        return -ENOMEM;
    }
    struct kvm_userspace_memory_region r = {.slot = 0,
                                            .guest_phys_addr = MEM_GPA,
                                            .memory_size = MEM_SZ,
                                            .userspace_addr = (uint64_t)(uintptr_t)g->mem};
    return call(g->s.vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static void guest_close(struct guest *g)
{
    if (g->dev2 >= 0)
        ioe_close(g->dev2);
    vm_close(&g->s);
    if (g->mem)
        munmap(g->mem, MEM_SZ);
}

static int create_device(int vm, uint32_t type, int *fd)
{
    struct kvm_create_device cd = {.type = type};
    int err = call(vm, KVM_CREATE_DEVICE, &cd);
    if (!err)
        *fd = (int)cd.fd;
    return err;
}

/* ---------------------------------------------------------------- ITS */
static int its_cmd(struct guest *g, uint64_t d0, uint64_t d1, uint64_t d2)
{
    uint64_t w[4] = {d0, d1, d2, 0};
    uint8_t *p = g->mem + CMDQ_OFF + g->cw;
    for (int i = 0; i < 32; i++)
        p[i] = (uint8_t)(w[i / 8] >> 8 * (i % 8));
    g->cw = (g->cw + 32) % 0x1000;
    return mmio(g->s.vm, ITS_BASE + 0x88, 8, g->cw);
}

/* guest memory and the ITS device: after INIT, before a vCPU runs (as QEMU does) */
static int its_create(struct vmset *s, void *arg)
{
    struct guest *g = arg;
    uint64_t a = ITS_BASE;
    int err;
    if ((err = guest_mem(g)) || (err = create_device(s->vm, KVM_DEV_TYPE_ARM_VGIC_ITS, &g->dev2)))
        return err;
    return attr(g->dev2, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a);
}

/* the guest's side: LPIs on, ITS tables and queue, device 0 with EVENTS events */
static int its_setup(struct guest *g, const char *target, const struct opts *o)
{
    int err;
    if ((err = vm_setup(&g->s, target, o, its_create, g)))
        return err;
    memset(g->mem + PROP_OFF, 0xa1, 0x10000); /* enabled, priority 0xa0 */
    for (unsigned c = 0; c < g->s.n; c++) {
        uint64_t rd = REDIST + 0x20000ull * c;
        if ((err = mmio(g->s.vm, rd + 0x70, 8, (MEM_GPA + PROP_OFF) | 15)) ||
            (err = mmio(g->s.vm, rd + 0x78, 8, MEM_GPA + PEND_OFF + 0x10000ull * c)) ||
            (err = mmio(g->s.vm, rd, 4, 1)))
            return err;
    }
    if ((err = mmio(g->s.vm, ITS_BASE + 0x80, 8, 1ull << 63 | (MEM_GPA + CMDQ_OFF))) ||
        (err = mmio(g->s.vm, ITS_BASE + 0x100, 8, 1ull << 63 | (MEM_GPA + DT_OFF))) ||
        (err = mmio(g->s.vm, ITS_BASE + 0x108, 8, 1ull << 63 | (MEM_GPA + CT_OFF))) ||
        (err = mmio(g->s.vm, ITS_BASE, 4, 1)))
        return err;
    for (unsigned c = 0; c < g->s.n; c++)
        if ((err = its_cmd(g, 0x09, 0, 1ull << 63 | (uint64_t)c << 16 | c))) /* MAPC */
            return err;
    if ((err = its_cmd(g, 0x08, 4, 1ull << 63 | (MEM_GPA + ITT_OFF)))) /* MAPD: 32 events */
        return err;
    for (uint32_t e = 0; e < EVENTS; e++)
        if ((err = its_cmd(g, 0x0a, e | (uint64_t)(LPI0 + e) << 32, e % g->s.n))) /* MAPTI */
            return err;
    return 0;
}

static int its_fd(void *ctx, unsigned k)
{
    struct guest *g = ctx;
    return g->s.vcpu[k % g->s.n];
}

static int its_msi(void *ctx, unsigned k)
{
    struct guest *g = ctx;
    struct kvm_msi m = {.address_lo = (uint32_t)(ITS_BASE + 0x10040),
                        .address_hi = (uint32_t)((ITS_BASE + 0x10040) >> 32),
                        .data = k % EVENTS,
                        .flags = KVM_MSI_VALID_DEVID,
                        .devid = 0};
    int r = ioe_ioctl(g->s.vm, KVM_SIGNAL_MSI, &m);
    return r < 0 ? -errno : r == 1 ? 0 : -EIO; /* 1: delivered */
}

static int its_complete(void *ctx, unsigned k)
{
    struct ioe_irq irq;
    int err, c = its_fd(ctx, k);
    if ((err = call(c, IOE_VCPU_ACK, &irq)) || (err = call(c, IOE_VCPU_EOI, &irq)))
        return err;
    return irq.intid == LPI0 + k ? 0 : -EIO;
}

int bench_api_its(const struct opts *o, const char *target, struct series *out, unsigned *nout)
{
    struct guest g = {.dev2 = -1};
    const struct api_path ap = {.what = "KVM_SIGNAL_MSI",
                                .lat_name = "SIGNAL_MSI (ITS) -> vCPU readable",
                                .kick_name = "SIGNAL_MSI (ITS) -> IOE_REQ_IRQ (kick only)",
                                .rt_name = "ACK + EOI of the LPI",
                                .salt = 0x175,
                                .count = EVENTS,
                                .fd = its_fd,
                                .inject = its_msi,
                                .complete = its_complete,
                                .burst = its_msi};
    int err = its_setup(&g, target, o);
    if (!err)
        err = api_measure(o, target, &ap, &g, out, nout);
    guest_close(&g);
    return err;
}

/* ---------------------------------------------------------------- XIVE */
#define XPRIO 5u

static int tima(int vcpu, uint32_t off, uint8_t len, int store, uint64_t *data)
{
    struct ioe_xive_tima t = {.offset = off, .len = len, .is_store = (uint8_t)store, .data = *data};
    int err = call(vcpu, IOE_XIVE_TIMA, &t);
    *data = t.data;
    return err;
}

static int esb(struct guest *g, uint32_t src, int mgmt, uint32_t off, int store, uint64_t *v)
{
    struct ioe_xive_esb e = {
        .page = 2ull * src + (mgmt ? 1 : 0), .offset = off, .is_store = (uint8_t)store};
    int err = call(g->dev2, IOE_XIVE_ESB, &e);
    if (v)
        *v = e.data;
    return err;
}

static int xive_setup(struct guest *g, const char *target, const struct opts *o)
{
    int err;
    memset(&g->s, 0xff, sizeof(g->s));
    g->s.n = o->vcpus;
    if ((g->s.kvm = ioe_open_host(target, "ppc64", NULL)) < 0 ||
        (g->s.vm = ioe_ioctl(g->s.kvm, KVM_CREATE_VM, 0)) < 0)
        return -errno;
    if ((err = guest_mem(g)))
        return err;
    for (unsigned c = 0; c < g->s.n; c++)
        if ((g->s.vcpu[c] = ioe_ioctl(g->s.vm, KVM_CREATE_VCPU, c)) < 0)
            return -errno;
    if ((err = create_device(g->s.vm, KVM_DEV_TYPE_XIVE, &g->dev2)))
        return err;
    for (unsigned c = 0; c < g->s.n; c++) {
        struct kvm_enable_cap cap = {.cap = KVM_CAP_PPC_IRQ_XIVE};
        cap.args[0] = (uint64_t)g->dev2;
        cap.args[1] = c; /* server number = vCPU id */
        struct kvm_ppc_xive_eq eq = {.flags = KVM_XIVE_EQ_ALWAYS_NOTIFY,
                                     .qshift = 16,
                                     .qaddr = MEM_GPA + 0x10000ull * c,
                                     .qtoggle = 1,
                                     .qindex = 0};
        uint64_t cppr = 0xff;
        if ((err = call(g->s.vcpu[c], KVM_ENABLE_CAP, &cap)) ||
            (err = attr(g->dev2, KVM_DEV_XIVE_GRP_EQ_CONFIG,
                        (uint64_t)c << KVM_XIVE_EQ_SERVER_SHIFT | XPRIO, &eq)) ||
            (err = tima(g->s.vcpu[c], TM_QW1_OS + TM_CPPR, 1, 1, &cppr)))
            return err;
    }
    for (uint32_t s = 0; s < EVENTS; s++) {
        uint64_t flags = 0, cfg = XPRIO | (uint64_t)(s % g->s.n) << KVM_XIVE_SOURCE_SERVER_SHIFT |
                                  (uint64_t)(s + 1) << KVM_XIVE_SOURCE_EISN_SHIFT;
        uint64_t old;
        /* a new source is PQ 01 (off); the guest turns it on with SET_PQ_00 as Linux does */
        if ((err = attr(g->dev2, KVM_DEV_XIVE_GRP_SOURCE, s, &flags)) ||
            (err = attr(g->dev2, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, s, &cfg)) ||
            (err = esb(g, s, 1, XIVE_ESB_SET_PQ_00, 0, &old)))
            return err;
    }
    return 0;
}

static int xive_trigger(void *ctx, unsigned k)
{
    uint64_t v = 0;
    return esb(ctx, k % EVENTS, 0, 0, 1, &v);
}

static int xive_complete(void *ctx, unsigned k)
{
    struct guest *g = ctx;
    int c = its_fd(ctx, k), err;
    uint64_t ack = 0, cppr = 0xff, eoi;
    if ((err = tima(c, TM_SPC_ACK_OS_REG, 2, 0, &ack)) ||
        (err = tima(c, TM_QW1_OS + TM_CPPR, 1, 1, &cppr)) ||
        (err = esb(g, k, 1, XIVE_ESB_LOAD_EOI, 0, &eoi)))
        return err;
    /* the exception bit and the source's priority acknowledged */
    return (ack >> 8 & TM_QW1_NSR_EO) && (ack & 0xff) == XPRIO ? 0 : -EIO;
}

int bench_api_xive(const struct opts *o, const char *target, struct series *out, unsigned *nout)
{
    struct guest g = {.dev2 = -1};
    const struct api_path ap = {.what = "ESB trigger",
                                .lat_name = "ESB trigger (XIVE) -> vCPU readable",
                                .kick_name = "ESB trigger (XIVE) -> IOE_REQ_IRQ (kick only)",
                                .rt_name = "TIMA ack + CPPR + ESB EOI",
                                .salt = 0x5e3,
                                .count = EVENTS,
                                .fd = its_fd,
                                .inject = xive_trigger,
                                .complete = xive_complete,
                                .burst = xive_trigger};
    int err = xive_setup(&g, target, o);
    if (!err)
        err = api_measure(o, target, &ap, &g, out, nout);
    guest_close(&g);
    return err;
}
