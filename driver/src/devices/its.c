/*
 * KVM_DEV_TYPE_ARM_VGIC_ITS on the card. The attribute groups, their errors and the order
 * of their checks follow Linux (arch/arm64/kvm/vgic/vgic-its.c, kvm-arm-abi.md §4.1); the
 * ITS itself (frame registers, command queue, tables, LPIs, translation) is the card's
 * (docs/its.md). This file keeps what KVM keeps outside that state: which card instance
 * is the device, and the frame address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/pcie_ep.h>
#include <ioe/regs.h>

#include "../transport.h"
#include "gic.h"

#define SZ_64K 0x10000ull
#define ITS_FRAME KVM_VGIC_V3_ITS_SIZE
#define ADDR_UNDEF IOE_VGIC_ADDR_UNDEF
#define IS_UNDEF(a) ((a) == ADDR_UNDEF)

/* ------------------------------------------------------------------ the card's access port */
enum its_code {
    ITS_READ32 = 1,
    ITS_WRITE32,
    ITS_READ64,
    ITS_WRITE64,
    ITS_BIND,
    ITS_SET_BASE,
    ITS_RESET,
    ITS_SAVE_TABLES,
    ITS_RESTORE_TABLES,
    ITS_INJECT,
    ITS_SAVE_PENDING,
    ITS_LPI_STATE,
    ITS_TRANSLATE
};
#define MAX_ITS_PER_VM 8
#define ITS_ST_UNDEF ENGINE_ST_UNDEF
#define ITS_ST_BADTARGET ENGINE_ST_BADTARGET

struct its_dev {
    struct device dev;
    unsigned idx;  /* the card's ITS instance, bound to the VM's context */
    uint64_t base; /* frame GPA, IOE_VGIC_ADDR_UNDEF until GRP_ADDR */
    int doorbell;  /* the card's device doorbell page idx: 0 set, or why not (-errno) */
};

static struct its_dev *to_its(struct device *d)
{
    return (struct its_dev *)d;
}

/* One operation. Returns 0, ITS_ST_UNDEF, ITS_ST_BADTARGET or a negative errno from the
 * transport. *rdata (may be NULL) gets RDATA_HI:RDATA_LO. */
static int its_op(struct sys *s, unsigned its, unsigned vm, bool uaccess, uint32_t offset,
                  enum its_code code, uint64_t wdata, uint64_t *rdata)
{
    uint32_t target = its << IOE_ITS_TARGET_ITS_SHIFT | vm << IOE_ITS_TARGET_VM_SHIFT |
                      (uint32_t)uaccess << IOE_ITS_TARGET_UACCESS_SHIFT;
    return engine_op(s, ENGINE_ITS, target, offset, code, wdata, rdata, true);
}

/* An operation whose RDATA_LO is 0 or a positive errno (docs/its.md "Results"). */
static int its_op_errno(struct its_dev *d, bool uaccess, uint32_t offset, enum its_code code,
                        uint64_t wdata)
{
    uint64_t r = 0;
    int err = its_op(d->dev.vm->sys, d->idx, d->dev.vm->ctx, uaccess, offset, code, wdata, &r);
    if (err < 0)
        return err;
    if (err == ITS_ST_BADTARGET)
        return -EIO;
    if (err == ITS_ST_UNDEF)
        return -ENXIO;
    return (uint32_t)r ? -(int)(uint32_t)r : 0;
}

static bool its_available(const struct sys *s)
{
    /* the type is registered when the card has its ITS engine */
    return s->info.features >> IOE_CORE_FEATURES_ITS_SHIFT & 1;
}

/* ------------------------------------------------------------------ device lifetime */
static bool instance_in_use(struct sys *s, unsigned idx)
{
    for (unsigned c = 0; c < 256; c++)
        for (struct device *d = NULL; s->vms[c] && (d = vm_next_device(s->vms[c], &its_ops, d));)
            if (to_its(d)->idx == idx)
                return true;
    return false;
}

static int its_create(struct device *dev)
{
    struct its_dev *d = to_its(dev);
    struct vm *vm = dev->vm;
    struct sys *s = vm->sys;
    /* vgic_its_create asks for no GICv3 device and no vCPU state; the card adds its own
     * limits: instances per VM and on the card (-ENOSPC, as for VM contexts). */
    unsigned nr = vm_count_devices(vm, &its_ops);
    if (nr == MAX_ITS_PER_VM)
        return -ENOSPC;
    d->base = ADDR_UNDEF;
    int err = -ENOSPC;
    for (unsigned idx = 0; idx < 256; idx++) {
        if (instance_in_use(s, idx))
            continue;
        uint64_t r = 0;
        int e = its_op(s, idx, vm->ctx, false, 0, ITS_BIND, 1, &r);
        if (e < 0) {
            err = e;
            break;
        }
        if (e == ITS_ST_BADTARGET) /* idx >= NrIts: every instance is taken */
            break;
        if (e || (uint32_t)r) {
            err = e ? -EIO : -(int)(uint32_t)r;
            break;
        }
        d->idx = idx;
        err = 0;
        break;
    }
    return err;
}

/* on the VM's list now: the VM's first ITS changes what its GIC is */
static void its_init(struct device *dev)
{
    if (vm_count_devices(dev->vm, &its_ops) == 1)
        vgic_its_created(dev->vm);
}

static void its_destroy(struct device *dev)
{
    struct its_dev *d = to_its(dev);
    /* its device doorbell page answers no MSI frame once the ITS is gone */
    if (!IS_UNDEF(d->base) && !d->doorbell)
        card_doorbell_base(dev->vm->sys->card, d->idx, d->idx, 0);
    its_op(dev->vm->sys, to_its(dev)->idx, dev->vm->ctx, false, 0, ITS_BIND, 0, NULL);
}

/* ------------------------------------------------------------------ GRP_ADDR */
static int addr_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    struct vm *vm = d->dev.vm;
    uint64_t addr, ipa = 1ull << vm->ipa_bits;
    if (a->attr != KVM_VGIC_ITS_ADDR_TYPE)
        return -ENODEV; /* not -ENXIO (§4.1, documented) */
    if (copy_from_user(&addr, a->addr, sizeof(addr)))
        return -EFAULT;
    /* vgic_check_iorange */
    if (!IS_UNDEF(d->base))
        return -EEXIST;
    if (addr & (SZ_64K - 1))
        return -EINVAL;
    if (addr + ITS_FRAME < addr)
        return -EINVAL;
    if (addr >= ipa || addr + ITS_FRAME > ipa)
        return -E2BIG;
    /* KVM's MMIO bus would take an overlapping frame; the card cannot tell which instance
     * claims an MSI at a shared doorbell, so frames of two ITSes may not overlap. */
    for (struct device *od = NULL; (od = vm_next_device(vm, &its_ops, od));) {
        const struct its_dev *o = to_its(od);
        if (o != d && !IS_UNDEF(o->base) && addr < o->base + ITS_FRAME &&
            o->base < addr + ITS_FRAME)
            return -EINVAL;
    }
    int err = its_op_errno(d, false, 0, ITS_SET_BASE, addr);
    if (err)
        return err;
    /* a PCIe card's device doorbell: page idx (the ITS's card instance) serves this VM at
     * GITS_TRANSLATER's page (docs/pcie.md section 3); other cards have none */
    int e = card_doorbell_base(vm->sys->card, d->idx, vm->ctx, addr + SZ_64K);
    /* a card that is gone is an error, and the address stays unset as after any failed
     * call; an instance past the card's pages (-EINVAL) has no device doorbell */
    if (e && e != -EOPNOTSUPP && e != -EINVAL)
        return e;
    d->base = addr;
    d->doorbell = e == -EINVAL ? -ENOSPC : e;
    return 0;
}

/* IOE_ITS_DOORBELL: the BAR4 offset of the page addr_set gave this ITS */
static int its_ioctl(struct device *dev, unsigned long req, unsigned long arg)
{
    struct its_dev *d = to_its(dev);
    if (req != IOE_ITS_DOORBELL)
        return -ENOTTY;
    if (IS_UNDEF(d->base))
        return -ENXIO;
    if (d->doorbell)
        return d->doorbell;
    uint64_t off = (uint64_t)d->idx * IOE_PCIE_DB_PAGE_SIZE;
    return copy_to_user(arg, &off, sizeof(off));
}

static int addr_get(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    if (a->attr != KVM_VGIC_ITS_ADDR_TYPE)
        return -ENODEV;
    return copy_to_user(a->addr, &d->base, sizeof(d->base));
}

static int addr_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    (void)d;
    return a->attr == KVM_VGIC_ITS_ADDR_TYPE ? 0 : -ENXIO;
}

/* ------------------------------------------------------------------ GRP_CTRL */
static int ctrl_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    /* vgic_its_ctrl order */
    if (a->attr == KVM_DEV_ARM_VGIC_CTRL_INIT)
        return 0;
    if (vm_any_vcpu_running(d->dev.vm))
        return -EBUSY;
    switch (a->attr) {
    case KVM_DEV_ARM_ITS_CTRL_RESET: return its_op_errno(d, false, 0, ITS_RESET, 0);
    case KVM_DEV_ARM_ITS_SAVE_TABLES: return its_op_errno(d, false, 0, ITS_SAVE_TABLES, 0);
    case KVM_DEV_ARM_ITS_RESTORE_TABLES: return its_op_errno(d, false, 0, ITS_RESTORE_TABLES, 0);
    default: return 0; /* falls through KVM's switch: 0, unlike HAS_ATTR */
    }
}

static int ctrl_get(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    (void)d;
    (void)a;
    return -ENXIO;
}

static int ctrl_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    (void)d;
    switch (a->attr) {
    case KVM_DEV_ARM_VGIC_CTRL_INIT:
    case KVM_DEV_ARM_ITS_CTRL_RESET:
    case KVM_DEV_ARM_ITS_SAVE_TABLES:
    case KVM_DEV_ARM_ITS_RESTORE_TABLES: return 0;
    default: return -ENXIO;
    }
}

/* ------------------------------------------------------------------ GRP_ITS_REGS */
/* The registers of KVM's its_registers[] table: width in bytes of the full access, 0 when
 * the offset names none. */
static unsigned reg_width(uint64_t off)
{
    if (off == 0x0 || off == 0x4)
        return 4; /* CTLR, IIDR */
    if (off == 0x8 || off == 0x80 || off == 0x88 || off == 0x90)
        return 8; /* TYPER, CBASER, CWRITER, CREADR */
    if (off >= 0x100 && off < 0x140)
        return 8; /* BASER0..7 */
    if (off >= 0xffd0 && off < 0x10000)
        return 4; /* ID registers */
    return 0;
}

/* vgic_its_attr_regs_access: alignment (-EINVAL), then the table (-ENXIO) */
static int reg_check(uint64_t off)
{
    uint64_t align = off < 0x8 || off >= 0xffd0 ? 3 : 7;
    if (off & align)
        return -EINVAL;
    return reg_width(off) ? 0 : -ENXIO;
}

static int regs_access(struct its_dev *d, const struct kvm_device_attr *a, bool write)
{
    uint64_t val = 0, off = a->attr;
    int err;
    if (write && copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    uint64_t align = off < 0x8 || off >= 0xffd0 ? 3 : 7;
    if (off & align)
        return -EINVAL;
    if (vm_any_vcpu_running(d->dev.vm))
        return -EBUSY;
    if (IS_UNDEF(d->base))
        return -ENXIO;
    unsigned w = reg_width(off);
    if (!w)
        return -ENXIO;
    if (write) {
        err = its_op_errno(d, true, (uint32_t)off, w == 8 ? ITS_WRITE64 : ITS_WRITE32,
                           w == 8 ? val : (uint32_t)val);
        return err;
    }
    err = its_op(d->dev.vm->sys, d->idx, d->dev.vm->ctx, true, (uint32_t)off,
                 w == 8 ? ITS_READ64 : ITS_READ32, 0, &val);
    if (err < 0)
        return err;
    if (err)
        return err == ITS_ST_UNDEF ? -ENXIO : -EIO;
    if (w == 4)
        val = (uint32_t)val;
    return copy_to_user(a->addr, &val, sizeof(val));
}

static int regs_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    return regs_access(d, a, true);
}

static int regs_get(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    return regs_access(d, a, false);
}

static int regs_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct its_dev *d = to_its(dev);
    (void)d;
    return reg_check(a->attr);
}

/* ------------------------------------------------------------------ attribute groups */
static const struct attr_group its_groups[] = {
    {KVM_DEV_ARM_VGIC_GRP_ADDR, addr_set, addr_get, addr_has},
    {KVM_DEV_ARM_VGIC_GRP_CTRL, ctrl_set, ctrl_get, ctrl_has},
    {KVM_DEV_ARM_VGIC_GRP_ITS_REGS, regs_set, regs_get, regs_has},
};

/* ------------------------------------------------------------------ guest MMIO */
static struct its_dev *its_at(struct vm *vm, uint64_t gpa)
{
    for (struct device *dev = NULL; (dev = vm_next_device(vm, &its_ops, dev));) {
        struct its_dev *d = to_its(dev);
        if (!IS_UNDEF(d->base) && gpa >= d->base && gpa - d->base < ITS_FRAME)
            return d;
    }
    return NULL;
}

static int its_mmio(struct device *dev, struct ioe_mmio *m)
{
    struct its_dev *d = to_its(dev);
    struct vm *vm = dev->vm;
    if (IS_UNDEF(d->base) || m->gpa < d->base || m->gpa - d->base >= ITS_FRAME)
        return -ENXIO;
    if (m->len != 1 && m->len != 2 && m->len != 4 && m->len != 8)
        return -EINVAL;
    uint64_t off = m->gpa - d->base, r = 0;
    int err = ITS_ST_UNDEF;
    if ((m->len == 8 && !(off & 7)) || (m->len == 4 && !(off & 3))) {
        enum its_code code = m->len == 8 ? (m->is_write ? ITS_WRITE64 : ITS_READ64)
                                         : (m->is_write ? ITS_WRITE32 : ITS_READ32);
        uint64_t w = m->len == 8 ? m->data : m->data & 0xffffffffu;
        err = its_op(vm->sys, d->idx, vm->ctx, false, (uint32_t)off, code, w, &r);
    }
    /* byte and halfword accesses, misaligned ones and what the card calls UNDEF: RAZ/WI */
    if (err < 0 || err == ITS_ST_BADTARGET)
        return err < 0 ? err : -EIO;
    m->data = m->is_write || err ? 0 : m->len == 4 ? (uint32_t)r : r;
    return 0;
}

/* ------------------------------------------------------------------ KVM_SIGNAL_MSI */
int its_signal_msi(struct vm *vm, const struct kvm_msi *msi)
{
    /* kvm_set_msi (arm64), then vgic_its_inject_msi's slow path */
    if (!vm_count_devices(vm, &its_ops))
        return -ENODEV;
    if (!(msi->flags & KVM_MSI_VALID_DEVID))
        return -EINVAL;
    uint64_t addr = (uint64_t)msi->address_hi << 32 | msi->address_lo;
    struct its_dev *d = its_at(vm, addr);
    if (!d)
        return -EINVAL;
    uint64_t r = 0;
    int err = its_op(vm->sys, d->idx, vm->ctx, false, 0, ITS_INJECT,
                     (uint64_t)msi->data << 32 | msi->devid, &r);
    if (err < 0)
        return err;
    if (err)
        return -EIO;
    switch ((uint32_t)r) {
    case 1: return 1;                  /* delivered */
    case 0: return 0;                  /* blocked by the guest's tables */
    default: return -(int)(uint32_t)r; /* EBUSY: ITS disabled, or LPIs off at the target */
    }
}

/* ------------------------------------------------------------------ for the GICv3 device */
/* KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES of the VM: 0 or -errno. */
int its_save_pending(struct vm *vm)
{
    if (!vm_count_devices(vm, &its_ops))
        return 0; /* no ITS, no LPI */
    uint64_t r = 0;
    int err = its_op(vm->sys, 0, vm->ctx, false, 0, ITS_SAVE_PENDING, 0, &r);
    if (err < 0)
        return err;
    if (err)
        return -EIO;
    return (uint32_t)r ? -(int)(uint32_t)r : 0;
}

const struct device_ops its_ops = {
    .name = "kvm-arm-vgic-its",
    .type = KVM_DEV_TYPE_ARM_VGIC_ITS,
    .hosts = HOST_BIT(HOST_ARM64),
    .size = sizeof(struct its_dev),
    .available = its_available,
    .create = its_create,
    .init = its_init,
    .destroy = its_destroy,
    .groups = its_groups,
    .nr_groups = sizeof(its_groups) / sizeof(its_groups[0]),
    .ioctl = its_ioctl,
    .mmio = its_mmio,
};
