/*
 * Helpers of the ITS tests: a GICv3 VM with guest memory, an ITS device, and the guest's
 * side of the ITS (tables and a command queue in guest memory, IOE_MMIO to the frame).
 */
#ifndef IOE_TEST_ITS_UTIL_H
#define IOE_TEST_ITS_UTIL_H

#include <sys/mman.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "gic_util.h"

#define ITS_BASE 0x08080000ull
#define ITS_SZ 0x20000ull
#define MEM_GPA 0x40000000ull
#define MEM_SZ 0x800000ull
/* guest memory layout (offsets from MEM_GPA) */
#define PROP_OFF 0x000000ull /* LPI configuration table (64 KiB) */
#define PEND_OFF 0x010000ull /* + 0x10000 * vcpu: pending tables */
#define CMDQ_OFF 0x100000ull /* command queue (CBASER) */
#define DT_OFF 0x200000ull   /* device table (BASER0), up to 1 MiB */
#define CT_OFF 0x300000ull   /* collection table (BASER1) */
#define ITT_OFF 0x400000ull  /* ITTs, 0x1000 per device */
#define L2_OFF 0x600000ull   /* level-2 device table pages */

#define GITS_CTLR 0x0000
#define GITS_IIDR 0x0004
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER(n) (0x0100 + 8 * (n))

#define GICR_CTLR 0x0000
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078

#define LPI0 8192u

/* commands */
#define C_MOVI 0x01
#define C_INT 0x03
#define C_CLEAR 0x04
#define C_SYNC 0x05
#define C_MAPD 0x08
#define C_MAPC 0x09
#define C_MAPTI 0x0a
#define C_MAPI 0x0b
#define C_INV 0x0c
#define C_INVALL 0x0d
#define C_MOVALL 0x0e
#define C_DISCARD 0x0f

struct tits {
    struct tvm t;
    int its;
    uint8_t *mem;
    uint32_t cwriter; /* next command slot */
    uint32_t qsize;
};

/* Does the card behind `target` have its ITS engine (FEATURES.ITS)? */
static inline int t_card_has_its(const char *target)
{
    struct ioe_card *c;
    struct ioe_card_info info;
    if (ioe_card_open(target, &c))
        return 0;
    int ok = !ioe_card_info(c, &info) && (info.features >> IOE_CORE_FEATURES_ITS_SHIFT & 1);
    ioe_card_close(c);
    return ok;
}

static inline int its_create(int vm)
{
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_ITS};
    if (ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd))
        return -1;
    return (int)cd.fd;
}

static inline uint64_t its_reg(int its, uint64_t off)
{
    uint64_t v = 0;
    t_get_attr(its, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, off, &v);
    return v;
}

static inline void its_set_reg(int its, uint64_t off, uint64_t v)
{
    t_set_attr(its, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, off, &v);
}

static inline void its_ctrl(int its, uint64_t attr)
{
    t_set_attr(its, KVM_DEV_ARM_VGIC_GRP_CTRL, attr, NULL);
}

static inline uint64_t its_mmio_r(struct tits *x, uint64_t off, unsigned len)
{
    return t_mmio(&x->t, ITS_BASE + off, len, 0, 0);
}

static inline void its_mmio_w(struct tits *x, uint64_t off, unsigned len, uint64_t v)
{
    t_mmio(&x->t, ITS_BASE + off, len, 1, v);
}

static inline void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The guest's GIC with LPIs: every LPI configured enabled at priority 0xa0, the GIC on,
 * PROPBASER/PENDBASER set and EnableLPIs on every vCPU. */
static inline void its_guest_lpis(struct tvm *t, uint8_t *mem)
{
    memset(mem + PROP_OFF, 0xa1, 0x10000);
    t_guest_init(t);
    for (int c = 0; c < t->n; c++) {
        t_mmio(t, t_rd(c) + GICR_PROPBASER, 8, 1, (MEM_GPA + PROP_OFF) | 15);
        t_mmio(t, t_rd(c) + GICR_PENDBASER, 8, 1, MEM_GPA + PEND_OFF + 0x10000ull * c);
        t_mmio(t, t_rd(c) + GICR_CTLR, 4, 1, 1);
    }
}

/* The VM of t_vm_open with n vCPUs, guest memory, an ITS at ITS_BASE (created after the
 * GICv3 INIT, as QEMU does), PROPBASER/PENDBASER set and every LPI configured
 * enabled at priority 0xa0, EnableLPIs on every vCPU, the guest's GIC on. */
static inline void its_open(struct tits *x, const char *target, int n)
{
    memset(x, 0, sizeof(*x));
    t_vm_open(&x->t, target, n, 64);
    x->mem = ioe_mem_alloc(MEM_SZ); /* every target reaches it, out of process too */
    assert_non_null(x->mem);
    struct kvm_userspace_memory_region r = {.slot = 0,
                                            .guest_phys_addr = MEM_GPA,
                                            .memory_size = MEM_SZ,
                                            .userspace_addr = (uint64_t)(uintptr_t)x->mem};
    assert_int_equal(ioe_ioctl(x->t.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
    x->its = its_create(x->t.vm);
    assert_true(x->its >= 0);
    uint64_t a = ITS_BASE;
    t_set_attr(x->its, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a);
    its_guest_lpis(&x->t, x->mem);
}

/* Guest: command queue of 4 KiB, device table (flat or indirect, page size ps, size
 * pages), collection table, ITS enabled. */
static inline void its_tables(struct tits *x, uint64_t ps, int indirect, unsigned pages)
{
    unsigned psf = ps == 0x1000 ? 0 : ps == 0x4000 ? 1 : 2;
    x->qsize = 0x1000;
    its_mmio_w(x, GITS_CBASER, 8, 1ull << 63 | (MEM_GPA + CMDQ_OFF) | 0);
    its_mmio_w(x, GITS_BASER(0), 8,
               1ull << 63 | (uint64_t)indirect << 62 | (MEM_GPA + DT_OFF) | (uint64_t)psf << 8 |
                   (pages - 1));
    its_mmio_w(x, GITS_BASER(1), 8, 1ull << 63 | (MEM_GPA + CT_OFF) | 2u << 8 | 0);
    its_mmio_w(x, GITS_CTLR, 4, 1);
    x->cwriter = 0;
}

/* Put one command in the queue (not yet visible to the ITS). */
static inline void its_cmd(struct tits *x, uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
    uint8_t *p = x->mem + CMDQ_OFF + x->cwriter;
    put64(p, d0);
    put64(p + 8, d1);
    put64(p + 16, d2);
    put64(p + 24, d3);
    x->cwriter = (x->cwriter + 32) % x->qsize;
}

/* Make the queued commands visible (CWRITER) and check they were all consumed. */
static inline void its_go(struct tits *x)
{
    its_mmio_w(x, GITS_CWRITER, 8, x->cwriter);
    assert_int_equal(its_mmio_r(x, GITS_CREADR, 8), x->cwriter);
}

static inline void cmd_mapd(struct tits *x, uint32_t dev, unsigned size, uint64_t itt, int v)
{
    its_cmd(x, C_MAPD | (uint64_t)dev << 32, size, (uint64_t)v << 63 | itt, 0);
}

static inline void cmd_mapc(struct tits *x, uint16_t icid, uint32_t rd, int v)
{
    its_cmd(x, C_MAPC, 0, (uint64_t)v << 63 | (uint64_t)rd << 16 | icid, 0);
}

static inline void cmd_mapti(struct tits *x, uint32_t dev, uint32_t ev, uint32_t lpi, uint16_t icid)
{
    its_cmd(x, C_MAPTI | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid, 0);
}

static inline void cmd_dev_ev(struct tits *x, unsigned op, uint32_t dev, uint32_t ev, uint16_t icid)
{
    its_cmd(x, op | (uint64_t)dev << 32, ev, icid, 0);
}

static inline int its_msi(struct tits *x, uint32_t dev, uint32_t ev)
{
    struct kvm_msi m = {.address_lo = (uint32_t)(ITS_BASE + 0x10040),
                        .address_hi = (uint32_t)((ITS_BASE + 0x10040) >> 32),
                        .data = ev,
                        .flags = KVM_MSI_VALID_DEVID,
                        .devid = dev};
    int r = ioe_ioctl(x->t.vm, KVM_SIGNAL_MSI, &m);
    return r < 0 ? -errno : r;
}

/* Acknowledge on vCPU c and complete it; returns the INTID (1023: none). */
static inline uint32_t its_take(struct tits *x, int c)
{
    struct ioe_irq a = t_ack(&x->t, c);
    if (a.intid != 1023)
        t_eoi(&x->t, c, a.intid, a.group);
    return a.intid;
}

static inline void its_close(struct tits *x)
{
    assert_int_equal(ioe_close(x->its), 0);
    t_vm_close(&x->t);
    assert_int_equal(ioe_mem_free(x->mem), 0);
}

#endif
