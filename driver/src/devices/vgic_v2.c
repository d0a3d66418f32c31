/*
 * KVM_DEV_TYPE_ARM_VGIC_V2 on the card. The attribute groups, their errors and the order
 * of their checks follow Linux (arch/arm64/kvm/vgic/vgic-kvm-device.c, vgic-mmio-v2.c,
 * vgic-init.c); the interrupt state is the card's GIC engine in its GICv2 mode
 * (docs/gic.md). This file keeps what KVM keeps outside it: the distributor and CPU
 * interface addresses, the interrupt count, "initialised" and whether userspace may write
 * the interrupt groups. What it shares with VGICv3 is in gic.h.
 */
#include <errno.h>
#include <string.h>

#include <ioe/regs.h>

#include "gic.h"

#define SZ_4K 0x1000ull
#define V2_MAX_VCPUS 8u /* VGIC_V2_MAX_CPUS */
#define ADDR_UNDEF IOE_VGIC_ADDR_UNDEF

/* the registers libioe itself looks at (docs/gic.md has them all) */
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_IGROUPR_END 0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR_END 0xc00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR_END 0xf30
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x00
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_AIAR 0x20
#define GICC_AEOIR 0x24
#define GICC_DIR 0x1000

struct vgic2 {
    struct vgic_base b;
    uint64_t cpu_base;
    bool groups_writable; /* userspace wrote GICD_IIDR (KVM's v2_groups_user_writable) */
};

static struct vgic2 *to_vgic2(struct device *d)
{
    return (struct vgic2 *)d;
}

static bool v2_available(const struct sys *s)
{
    /* a card whose GIC engine has the GICv2 mode (else ENODEV, as a host that cannot
     * emulate GICv2) */
    uint32_t f = s->info.features;
    return (f >> IOE_CORE_FEATURES_GIC_SHIFT & 1) && (f >> IOE_CORE_FEATURES_GICV2_SHIFT & 1);
}

static struct vcpu *vcpu_by_id(struct vm *vm, uint32_t id)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->id == id)
            return vm->vcpus[i];
    return NULL;
}

/* The card's VM context in GICv2 mode. Before INIT it is provisional (every interrupt the
 * card has, for HAS_ATTR) and INIT replaces it: the register groups initialise first. */
static int card_configure(struct vgic2 *g)
{
    struct vm *vm = g->b.dev.vm;
    unsigned n = g->b.initialized ? vgic_nr_irqs(&g->b) : vm->sys->info.nr_irqs;
    if (!vm->nr_vcpus)
        return 0;
    uint64_t cfg = n | (uint64_t)vm->nr_vcpus << GIC_CFG_VCPUS_SHIFT | 1ull << GIC_CFG_V2_SHIFT;
    return vgic_card_err(gic_op(vm->sys, vm->ctx, 0, GIC_GICD, false, 0, GIC_VM_CONFIG, cfg, NULL));
}

/* the guest's write of val to the CPU interface's offset off deactivates a level-triggered
 * SPI that a resampling irqfd serves: GICC_DIR, or GICC_(A)EOIR with GICC_CTLR.EOImodeNS 0
 * (KVM's vgic_v2_fold_lr_state then signals it) */
static bool deactivates(struct vgic2 *g, struct vcpu *v, uint32_t off, uint32_t val)
{
    struct vm *vm = g->b.dev.vm;
    uint64_t ctlr = 0;
    if ((off != GICC_EOIR && off != GICC_AEOIR && off != GICC_DIR) ||
        !vgic_resample_served(vm, val & 0x3ff))
        return false;
    return (off == GICC_DIR ||
            (!gic_op(vm->sys, vm->ctx, v->idx, GIC_GICC, false, GICC_CTLR, GIC_READ32, 0, &ctlr) &&
             !(ctlr >> 9 & 1))) &&
           vgic_spi_active_level(vm, val & 0x3ff);
}

/* One 32-bit access of vCPU v to the distributor or CPU interface: 0, GIC_ST_UNDEF, -errno */
static int frame_op(struct vgic2 *g, struct vcpu *v, enum gic_space space, bool uaccess,
                    uint32_t off, bool write, uint32_t val, uint64_t *r)
{
    struct vm *vm = g->b.dev.vm;
    bool ack = space == GIC_GICC && write && !uaccess && deactivates(g, v, off, val);
    int err = gic_op(vm->sys, vm->ctx, v->idx, space, uaccess, off,
                     write ? GIC_WRITE32 : GIC_READ32, val, r);
    if (!err && ack)
        irqfd_acked(vm, 0, (val & 0x3ff) - 32);
    return err == GIC_ST_BADTARGET ? -EIO : err;
}

/* ------------------------------------------------------------------ lifetime */
static int v2_create(struct device *d)
{
    struct vgic2 *g = to_vgic2(d);
    int err = vgic_create_checks(d, V2_MAX_VCPUS);
    if (err)
        return err;
    g->cpu_base = ADDR_UNDEF;
    card_configure(g);
    return 0;
}

/* vgic_init */
static int v2_init(struct vgic2 *g)
{
    if (g->b.initialized)
        return 0;
    if (!g->b.dev.vm->nr_vcpus)
        return -ENODEV; /* no online vCPU */
    vgic_default_spis(&g->b);
    g->b.initialized = true;
    int err = card_configure(g);
    if (err)
        g->b.initialized = false;
    return err;
}

static int v2_vcpu_precreate(struct device *d)
{
    /* kvm_vm_ioctl_create_vcpu: created_vcpus >= max_vcpus (8 with a VGICv2), then
     * kvm_arch_vcpu_precreate */
    if (d->vm->nr_vcpus >= V2_MAX_VCPUS)
        return -EINVAL;
    return to_vgic2(d)->b.initialized ? -EBUSY : 0;
}

static int v2_vcpu_created(struct device *d, struct vcpu *v)
{
    (void)v;
    return card_configure(to_vgic2(d));
}

/* vgic_v2_map_resources order */
static int v2_first_run(struct device *d, struct vcpu *v)
{
    (void)v;
    struct vgic2 *g = to_vgic2(d);
    uint64_t dist = g->b.dist_base, cpu = g->cpu_base;
    if (dist == ADDR_UNDEF || cpu == ADDR_UNDEF)
        return -ENXIO;
    /* vgic_v2_check_base */
    if (dist + KVM_VGIC_V2_DIST_SIZE < dist || cpu + KVM_VGIC_V2_CPU_SIZE < cpu ||
        (dist + KVM_VGIC_V2_DIST_SIZE > cpu && cpu + KVM_VGIC_V2_CPU_SIZE > dist))
        return -EINVAL;
    return v2_init(g);
}

/* ------------------------------------------------------------------ GRP_ADDR */
static int addr_set(struct vgic2 *g, uint64_t type, uint64_t uaddr)
{
    uint64_t val;
    if (copy_from_user(&val, uaddr, sizeof(val)))
        return -EFAULT;
    uint64_t *cur = type == KVM_VGIC_V2_ADDR_TYPE_DIST  ? &g->b.dist_base
                    : type == KVM_VGIC_V2_ADDR_TYPE_CPU ? &g->cpu_base
                                                        : NULL;
    if (!cur)
        return -ENXIO; /* unknown type, or one of GICv3 (ENODEV -> ENXIO) */
    uint64_t size = cur == &g->cpu_base ? KVM_VGIC_V2_CPU_SIZE : KVM_VGIC_V2_DIST_SIZE;
    int err = vgic_check_iorange(g->b.dev.vm, *cur, val, SZ_4K, size);
    if (!err)
        *cur = val;
    return err;
}

static int addr_get(struct vgic2 *g, uint64_t type, uint64_t uaddr)
{
    uint64_t val;
    /* kvm_vgic_addr reads the index of a REDIST_REGION before it checks the model */
    if (type == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION && copy_from_user(&val, uaddr, sizeof(val)))
        return -EFAULT;
    switch (type) {
    case KVM_VGIC_V2_ADDR_TYPE_DIST: val = g->b.dist_base; break;
    case KVM_VGIC_V2_ADDR_TYPE_CPU: val = g->cpu_base; break;
    default: return -ENXIO;
    }
    return copy_to_user(uaddr, &val, sizeof(val));
}

/* ------------------------------------------------------------------ DIST_REGS, CPU_REGS */
/* The frame an attribute names: its space, and whether the offset lies in it */
static enum gic_space attr_space(const struct kvm_device_attr *a, uint32_t off, bool *inside)
{
    bool dist = a->group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS;
    *inside = off < (dist ? KVM_VGIC_V2_DIST_SIZE : KVM_VGIC_V2_CPU_SIZE);
    return dist ? GIC_GICD : GIC_GICC;
}

static struct vcpu *attr_vcpu(struct vgic2 *g, const struct kvm_device_attr *a)
{
    return vcpu_by_id(g->b.dev.vm, (uint32_t)((a->attr & KVM_DEV_ARM_VGIC_CPUID_MASK) >>
                                              KVM_DEV_ARM_VGIC_CPUID_SHIFT));
}

/* vgic_v2_attr_regs_access */
static int regs_access(struct vgic2 *g, const struct kvm_device_attr *a, bool write)
{
    struct vm *vm = g->b.dev.vm;
    struct vcpu *v = attr_vcpu(g, a);
    uint32_t val = 0;
    if (!v)
        return -EINVAL;
    if (write && copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    if (vm_any_vcpu_running(vm))
        return -EBUSY;
    int err = v2_init(g);
    if (err)
        return err;
    uint32_t off = (uint32_t)(a->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK);
    bool inside;
    enum gic_space space = attr_space(a, off, &inside);
    uint64_t r = 0;
    if (write && space == GIC_GICD && off == GICD_IIDR) {
        /* vgic_mmio_uaccess_write_v2_misc: only the value KVM reads; it makes the groups
         * writable from userspace */
        if ((err = frame_op(g, v, space, true, off, false, 0, &r)) < 0)
            return err;
        if ((uint32_t)r != val)
            return -EINVAL;
        g->groups_writable = true;
        return 0;
    }
    bool group_reg = space == GIC_GICD && off >= GICD_IGROUPR && off < GICD_IGROUPR_END;
    if (inside && !(write && group_reg && !g->groups_writable) &&
        (err = frame_op(g, v, space, true, off, write, val, &r)) < 0)
        return err;
    /* unknown offsets are RAZ/WI with status 0 (vgic_uaccess) */
    val = (uint32_t)r;
    return write ? 0 : copy_to_user(a->addr, &val, sizeof(val));
}

/* vgic_v2_has_attr_regs */
static int has_reg(struct vgic2 *g, const struct kvm_device_attr *a)
{
    struct vcpu *v = attr_vcpu(g, a);
    if (!v)
        return -EINVAL;
    uint32_t off = (uint32_t)(a->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK);
    bool inside;
    enum gic_space space = attr_space(a, off, &inside);
    if ((off & 3) || !inside)
        return -ENXIO;
    /* per-interrupt registers exist only for the interrupts configured so far */
    uint64_t first = space == GIC_GICD ? gicd_first_intid(off) : 0;
    if (first && first >= vgic_nr_irqs(&g->b))
        return -ENXIO;
    int err = frame_op(g, v, space, true, off, false, 0, NULL);
    return err < 0 ? err : err == GIC_ST_UNDEF ? -ENXIO : 0;
}

/* ------------------------------------------------------------------ attributes */
static int v2_set_attr(struct device *d, const struct kvm_device_attr *a)
{
    struct vgic2 *g = to_vgic2(d);
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_REGS: return regs_access(g, a, true);
    case KVM_DEV_ARM_VGIC_GRP_ADDR: return addr_set(g, a->attr, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return vgic_nr_irqs_set(&g->b, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_CTRL:
        /* SAVE_PENDING_TABLES is GICv3's: ENXIO like any other attribute */
        return a->attr == KVM_DEV_ARM_VGIC_CTRL_INIT ? v2_init(g) : -ENXIO;
    default: return -ENXIO;
    }
}

static int v2_get_attr(struct device *d, const struct kvm_device_attr *a)
{
    struct vgic2 *g = to_vgic2(d);
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_REGS: return regs_access(g, a, false);
    case KVM_DEV_ARM_VGIC_GRP_ADDR: return addr_get(g, a->attr, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return vgic_nr_irqs_get(&g->b, a->addr);
    default: return -ENXIO;
    }
}

static int v2_has_attr(struct device *d, const struct kvm_device_attr *a)
{
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_ADDR:
        return a->attr == KVM_VGIC_V2_ADDR_TYPE_DIST || a->attr == KVM_VGIC_V2_ADDR_TYPE_CPU
                   ? 0
                   : -ENXIO;
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_REGS: return has_reg(to_vgic2(d), a);
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return 0;
    case KVM_DEV_ARM_VGIC_GRP_CTRL: return a->attr == KVM_DEV_ARM_VGIC_CTRL_INIT ? 0 : -ENXIO;
    default: return -ENXIO;
    }
}

/* ------------------------------------------------------------------ injection */
static int v2_irq_line(struct device *d, uint32_t irq, uint32_t level)
{
    struct vgic2 *g = to_vgic2(d);
    struct vcpu *v;
    unsigned num;
    int err = vgic_irq_line_decode(d->vm, irq, &num, &v);
    if (err)
        return err;
    /* kvm_vgic_inject_irq: vgic_lazy_init initialises a VGICv2 */
    if ((err = v2_init(g)))
        return err;
    return vgic_inject(&g->b, v, num, level);
}

/* ------------------------------------------------------------------ guest MMIO */
/* Bytes are GICD_IPRIORITYR / ITARGETSR (read-modify-write of the word) and
 * GICD_CPENDSGIR / SPENDSGIR (the byte alone: the other bytes' ones would clear or set) */
static int byte_access(struct vgic2 *g, struct vcpu *v, uint32_t off, struct ioe_mmio *m,
                       uint64_t *r)
{
    uint32_t word = off & ~3u, sh = (off & 3) * 8;
    bool sgi_pend = off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR_END;
    if (!sgi_pend && !(off >= GICD_IPRIORITYR && off < GICD_ITARGETSR_END)) {
        *r = 0;
        return 0; /* RAZ/WI */
    }
    int err = 0;
    if (!(m->is_write && sgi_pend))
        err = frame_op(g, v, GIC_GICD, false, word, false, 0, r);
    if (!err && m->is_write) {
        uint32_t byte = (uint32_t)(m->data & 0xff) << sh;
        uint32_t nw = sgi_pend ? byte : ((uint32_t)*r & ~(0xffu << sh)) | byte;
        err = frame_op(g, v, GIC_GICD, false, word, true, nw, NULL);
    }
    *r = *r >> sh & 0xff;
    return err;
}

/* A guest access of vCPU v to the distributor (4 KiB) or CPU interface (8 KiB) frame */
static int mmio_as(struct vgic2 *g, struct vcpu *v, struct ioe_mmio *m)
{
    enum gic_space space;
    uint64_t off;
    if (!g->b.initialized)
        return -ENXIO;
    if (g->b.dist_base != ADDR_UNDEF && m->gpa >= g->b.dist_base &&
        m->gpa - g->b.dist_base < KVM_VGIC_V2_DIST_SIZE) {
        space = GIC_GICD;
        off = m->gpa - g->b.dist_base;
    } else if (g->cpu_base != ADDR_UNDEF && m->gpa >= g->cpu_base &&
               m->gpa - g->cpu_base < KVM_VGIC_V2_CPU_SIZE) {
        space = GIC_GICC;
        off = m->gpa - g->cpu_base;
    } else {
        return -ENXIO;
    }
    if (m->len != 1 && m->len != 2 && m->len != 4 && m->len != 8)
        return -EINVAL;
    uint64_t r = 0;
    int err = 0;
    if (m->len == 4 && !(off & 3))
        err = frame_op(g, v, space, false, (uint32_t)off, m->is_write, (uint32_t)m->data, &r);
    else if (m->len == 1 && space == GIC_GICD)
        err = byte_access(g, v, (uint32_t)off, m, &r);
    /* anything else is RAZ/WI, as is an UNDEF from the card */
    sys_sync_notifications(g->b.dev.vm->sys); /* GICC_IAR acknowledges */
    if (err < 0)
        return err;
    m->data = m->is_write || err ? 0 : r;
    return 0;
}

static int v2_mmio(struct device *d, struct ioe_mmio *m)
{
    struct vm *vm = d->vm;
    return vm->nr_vcpus ? mmio_as(to_vgic2(d), vm->vcpus[0], m) : -ENXIO;
}

/* ------------------------------------------------------------------ the CPU interface */
/* ioe's vCPU requests (include/ioe/ioe.h) on a GICv2: IOE_MMIO as this vCPU; ACK reads
 * GICC_IAR (group 0) or GICC_AIAR (group 1) and returns what it reads (an SGI's source
 * vCPU in [12:10]); EOI writes GICC_EOIR / AEOIR, DIR GICC_DIR; SGI writes GICD_SGIR. */
static int v2_vcpu_ioctl(struct device *d, struct vcpu *v, unsigned long req, unsigned long arg)
{
    struct vgic2 *g = to_vgic2(d);
    struct ioe_mmio m;
    struct ioe_irq irq;
    uint64_t st = 0, val = 0;
    int err;
    if (req != IOE_MMIO && req != IOE_VCPU_ACK && req != IOE_VCPU_EOI && req != IOE_VCPU_DIR &&
        req != IOE_VCPU_SYSREG && req != IOE_VCPU_SGI)
        return -ENOTTY;
    if (!g->b.initialized)
        return -ENXIO;
    switch (req) {
    case IOE_MMIO:
        if (copy_from_user(&m, arg, sizeof(m)))
            return -EFAULT;
        if ((err = mmio_as(g, v, &m)))
            return err;
        return copy_to_user(arg, &m, sizeof(m));
    case IOE_VCPU_ACK:
        memset(&irq, 0, sizeof(irq));
        irq.intid = 1023;
        err = gic_op(d->vm->sys, d->vm->ctx, v->idx, GIC_STATUS, false, 0, GIC_READ32, 0, &st);
        if (!err && st >> 31) {
            irq.group = st >> 24 & 1;
            irq.priority = st >> 16 & 0xff;
            err = frame_op(g, v, GIC_GICC, false, irq.group ? GICC_AIAR : GICC_IAR, false, 0, &val);
            irq.intid = (uint32_t)val;
        }
        sys_sync_notifications(d->vm->sys);
        if (err)
            return err < 0 ? err : -EIO;
        return copy_to_user(arg, &irq, sizeof(irq));
    case IOE_VCPU_EOI:
    case IOE_VCPU_DIR:
        if (copy_from_user(&irq, arg, sizeof(irq)))
            return -EFAULT;
        if (irq.group > 1)
            return -EINVAL;
        err = frame_op(g, v, GIC_GICC, false,
                       req == IOE_VCPU_DIR ? GICC_DIR
                       : irq.group         ? GICC_AEOIR
                                           : GICC_EOIR,
                       true, irq.intid, NULL);
        sys_sync_notifications(d->vm->sys);
        return err < 0 ? err : err ? -EIO : 0;
    case IOE_VCPU_SGI:
        if (copy_from_user(&val, arg, sizeof(val)))
            return -EFAULT;
        err = frame_op(g, v, GIC_GICD, false, GICD_SGIR, true, (uint32_t)val, NULL);
        sys_sync_notifications(d->vm->sys);
        return err < 0 ? err : err ? -EIO : 0;
    default: return -ENXIO; /* IOE_VCPU_SYSREG: a GICv2 has no ICC system registers */
    }
}

static const struct irqchip_ops v2_irqchip = {
    .irq_line = v2_irq_line,
    .vcpu_pending = vgic_vcpu_pending,
    .vcpu_ioctl = v2_vcpu_ioctl,
    .vcpu_precreate = v2_vcpu_precreate,
    .vcpu_created = v2_vcpu_created,
    .first_run = v2_first_run,
};

const struct device_ops vgic_v2_ops = {
    .name = "kvm-arm-vgic-v2",
    .type = KVM_DEV_TYPE_ARM_VGIC_V2,
    .hosts = HOST_BIT(HOST_ARM64),
    .size = sizeof(struct vgic2),
    .available = v2_available,
    .create = v2_create,
    .set_attr = v2_set_attr,
    .get_attr = v2_get_attr,
    .has_attr = v2_has_attr,
    .mmio = v2_mmio,
    .irqchip = &v2_irqchip,
    .irqchip_exists = EEXIST,
};
