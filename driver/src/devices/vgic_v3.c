/*
 * KVM_DEV_TYPE_ARM_VGIC_V3 on the card. The attribute groups, their errors and the order
 * of their checks follow Linux (arch/arm64/kvm/vgic/vgic-kvm-device.c, vgic-init.c,
 * vgic-mmio-v3.c); the interrupt state itself is the card's (docs/gic.md). This file
 * keeps only what KVM keeps outside the interrupt state: addresses, redistributor
 * regions, the interrupt count and "initialised".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#include "gic.h"

#define SZ_64K 0x10000ull
#define RD_FRAME KVM_VGIC_V3_REDIST_SIZE
#define NR_IRQS_LEGACY 256u
#define ADDR_UNDEF IOE_VGIC_ADDR_UNDEF
#define IS_UNDEF(a) ((a) == ADDR_UNDEF)
#define MAX_RDIST_REGIONS 256

struct rdist_region {
    uint32_t index;
    uint64_t base;
    uint32_t count; /* 0: the legacy REDIST region, sized by the vCPU count */
    uint32_t free_index;
};

/* a vCPU's redistributor */
struct vgic_cpu {
    uint64_t rd_base; /* ADDR_UNDEF until a redistributor frame is assigned */
    int region;       /* index into regions, -1 */
};

struct vgic {
    struct vgic_base b;
    struct rdist_region regions[MAX_RDIST_REGIONS];
    unsigned nr_regions;
    uint32_t maint_irq;
    uint8_t nassgicap;
    struct vgic_cpu cpu[MAX_VCPUS]; /* by the card's vCPU index */
};

static struct vgic *to_vgic(struct device *d)
{
    return (struct vgic *)d;
}

/* the VM's VGIC, or NULL */
static struct vgic *vgic_of(struct vm *vm)
{
    return vm->irqchip && vm->irqchip->ops == &vgic_v3_ops ? to_vgic(vm->irqchip) : NULL;
}

/* ------------------------------------------------------------------ card helpers */
static struct sys *sys_of(struct vgic *g)
{
    return g->b.dev.vm->sys;
}

static unsigned nr_irqs(const struct vgic *g)
{
    return vgic_nr_irqs(&g->b);
}

/* Configure the card's VM context. Before INIT the register groups are -EBUSY, so the
 * card holds no state worth keeping: a provisional configuration with every interrupt the
 * card has (HAS_ATTR probes use it) is replaced at INIT by the real one. */
static int card_configure(struct vgic *g)
{
    struct vm *vm = g->b.dev.vm;
    unsigned n = g->b.initialized ? nr_irqs(g) : sys_of(g)->info.nr_irqs;
    if (!vm->nr_vcpus)
        return 0;
    /* bit 24: the VM has an ITS (KVM: vgic_has_its decides GICD_TYPER.LPIS) */
    uint64_t cfg =
        n | (uint64_t)vm->nr_vcpus << 16 | (uint64_t)(vm_count_devices(vm, &its_ops) > 0) << 24;
    int err = gic_op(sys_of(g), vm->ctx, 0, GIC_GICD, false, 0, GIC_VM_CONFIG, cfg, NULL);
    return vgic_card_err(err);
}

/* GICR_TYPER.Last as KVM computes it (vgic_mmio_read_v3r_typer / vgic_v3_rdist_region_last). */
static bool rdist_last(const struct vgic *g, const struct vcpu *v)
{
    const struct rdist_region *r = &g->regions[g->cpu[v->idx].region];
    uint32_t slot = (uint32_t)((g->cpu[v->idx].rd_base - r->base) / RD_FRAME);
    if (slot != r->free_index - 1)
        return false;
    if (!r->count || slot != r->count - 1)
        return true;
    uint64_t end = r->base + (uint64_t)r->count * RD_FRAME;
    for (unsigned i = 0; i < g->nr_regions; i++)
        if (g->regions[i].base == end && g->regions[i].free_index > 0)
            return false;
    return true;
}

static int card_vcpus(struct vgic *g)
{
    struct vm *vm = g->b.dev.vm;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = vm->vcpus[i];
        bool last = g->cpu[v->idx].region >= 0 && rdist_last(g, v);
        uint64_t w = v->aff | (uint64_t)(v->id & 0xffff) << 32 | (uint64_t)last << 48;
        int err = gic_op(sys_of(g), vm->ctx, v->idx, GIC_GICD, false, 0, GIC_VCPU_CONFIG, w, NULL);
        if ((err = vgic_card_err(err)))
            return err;
    }
    return 0;
}

static int card_sync(struct vgic *g)
{
    int err = g->b.initialized ? 0 : card_configure(g);
    return err ? err : card_vcpus(g);
}

int vgic_its_created(struct vm *vm)
{
    /* KVM's vgic_has_its: GICD_TYPER.LPIS and EnableLPIs follow the ITS whenever it comes.
     * Before INIT the configuration is provisional (VM_CONFIG, nothing to keep); after it
     * the flag alone changes (VM_SET_ITS keeps every other state of the VM). */
    struct vgic *g = vgic_of(vm);
    if (!g)
        return 0; /* the VGIC, when it comes, configures the card with the flag */
    if (!g->b.initialized) {
        int err = card_configure(g);
        return err ? err : card_vcpus(g);
    }
    return vgic_card_err(gic_op(vm->sys, vm->ctx, 0, GIC_GICD, false, 0, GIC_VM_SET_ITS, 1, NULL));
}

/* ------------------------------------------------------------------ device lifetime */
static bool vgic_available(const struct sys *s)
{
    /* GICv3 when the card has its GIC engine; GICv2 cannot be emulated (as on a host
     * without GICv2 compatibility) */
    return s->info.features >> IOE_CORE_FEATURES_GIC_SHIFT & 1;
}

int vgic_create_checks(struct device *d, unsigned max_vcpus)
{
    struct vm *vm = d->vm;
    /* kvm_vgic_create order */
    if (vm_any_vcpu_running(vm))
        return -EBUSY;
    int err = vm_irqchip_check(vm, d->ops);
    if (err)
        return err;
    if (vm_any_vcpu_ran(vm))
        return -EBUSY;
    if (vm->nr_vcpus > max_vcpus)
        return -E2BIG;
    ((struct vgic_base *)d)->dist_base = ADDR_UNDEF;
    return 0;
}

static int vgic_create(struct device *d)
{
    struct vgic *g = to_vgic(d);
    int err = vgic_create_checks(d, MAX_VCPUS);
    if (err)
        return err;
    for (unsigned i = 0; i < MAX_VCPUS; i++)
        g->cpu[i] = (struct vgic_cpu){ADDR_UNDEF, -1};
    card_sync(g);
    return 0;
}

/* ------------------------------------------------------------------ address checks */
int vgic_check_iorange(const struct vm *vm, uint64_t cur, uint64_t addr, uint64_t align,
                       uint64_t size)
{
    uint64_t ipa = 1ull << vm->ipa_bits;
    if (!IS_UNDEF(cur))
        return -EEXIST;
    if ((addr & (align - 1)) || (size & (align - 1)))
        return -EINVAL;
    if (addr + size < addr)
        return -EINVAL;
    if (addr >= ipa || addr + size > ipa)
        return -E2BIG;
    return 0;
}

/* `online`: the vCPU count a legacy region is sized by (vgic_v3_rd_region_size) */
static uint64_t region_size(const struct rdist_region *r, unsigned online)
{
    return (uint64_t)(r->count ? r->count : online) * RD_FRAME;
}

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
    return a < b + bsz && b < a + asz;
}

/* vgic_v3_check_base, with legacy regions sized for `online` vCPUs */
static bool check_base_online(const struct vgic *g, unsigned online)
{
    uint64_t ipa = 1ull << g->b.dev.vm->ipa_bits;
    if (!IS_UNDEF(g->b.dist_base) && g->b.dist_base + KVM_VGIC_V3_DIST_SIZE < g->b.dist_base)
        return false;
    for (unsigned i = 0; i < g->nr_regions; i++) {
        const struct rdist_region *r = &g->regions[i];
        uint64_t sz = region_size(r, online);
        if (r->base + sz < r->base || r->base + sz > ipa)
            return false;
        if (!IS_UNDEF(g->b.dist_base) &&
            overlaps(g->b.dist_base, KVM_VGIC_V3_DIST_SIZE, r->base, sz))
            return false;
    }
    return true;
}

static bool check_base(const struct vgic *g)
{
    return check_base_online(g, g->b.dev.vm->nr_vcpus);
}

/* vgic_v3_rdist_free_slot */
static int free_slot(const struct vgic *g)
{
    for (unsigned i = 0; i < g->nr_regions; i++)
        if (!g->regions[i].count || g->regions[i].free_index < g->regions[i].count)
            return (int)i;
    return -1;
}

static void assign(struct vgic *g, struct vcpu *v, int ri)
{
    struct rdist_region *r = &g->regions[ri];
    g->cpu[v->idx].rd_base = r->base + (uint64_t)r->free_index * RD_FRAME;
    g->cpu[v->idx].region = ri;
    r->free_index++;
}

/* vgic_register_redist_iodev for one vCPU: 0 when it got a frame or none is free.
 * `online`: the online vCPU count KVM sees at that point. */
static int register_redist(struct vgic *g, struct vcpu *v, unsigned online)
{
    int ri = free_slot(g);
    if (ri < 0)
        return 0;
    if (!check_base_online(g, online))
        return -EINVAL;
    assign(g, v, ri);
    return 0;
}

static int vgic_vcpu_created(struct device *d, struct vcpu *v)
{
    struct vgic *g = to_vgic(d);
    g->cpu[v->idx] = (struct vgic_cpu){ADDR_UNDEF, -1};
    /* kvm_vgic_vcpu_init runs before the new vCPU is online: the legacy region is sized
     * for the vCPUs created before it, so running out of legacy space is only caught at
     * the first KVM_RUN (ref 3.3 "Placement": "At vcpu-create time the legacy size check
     * uses the online-vcpu count *before* the new vcpu is counted"). */
    int err =
        g->cpu[v->idx].rd_base == ADDR_UNDEF ? register_redist(g, v, g->b.dev.vm->nr_vcpus - 1) : 0;
    if (!err)
        err = card_sync(g);
    return err;
}

/* vgic_v3_alloc_redist_region + vgic_register_all_redist_iodevs */
static int add_region(struct vgic *g, uint32_t index, uint64_t base, uint32_t count)
{
    struct vm *vm = g->b.dev.vm;
    uint64_t size = (count ? count : vm->nr_vcpus) * RD_FRAME;
    if (base + size < base)
        return -EINVAL;
    if (g->nr_regions == 0 && index != 0)
        return -EINVAL;
    if (g->nr_regions) {
        if (!count && g->regions[0].count)
            return -EINVAL; /* mixing legacy and region APIs */
        if (!count)
            return -EEXIST;
        if (index != g->regions[g->nr_regions - 1].index + 1)
            return -EINVAL;
    }
    if (!count && !IS_UNDEF(g->b.dist_base) &&
        overlaps(g->b.dist_base, KVM_VGIC_V3_DIST_SIZE, base, size))
        return -EINVAL;
    for (unsigned i = 0; i < g->nr_regions; i++)
        if (overlaps(base, size, g->regions[i].base, region_size(&g->regions[i], vm->nr_vcpus)))
            return -EINVAL;
    if (g->nr_regions == MAX_RDIST_REGIONS)
        return -ENOMEM;
    int err = vgic_check_iorange(g->b.dev.vm, ADDR_UNDEF, base, SZ_64K, size);
    if (err)
        return err;
    g->regions[g->nr_regions++] = (struct rdist_region){index, base, count, 0};
    unsigned assigned[MAX_VCPUS], n = 0;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = vm->vcpus[i];
        if (g->cpu[v->idx].rd_base != ADDR_UNDEF)
            continue;
        err = register_redist(g, v, vm->nr_vcpus);
        if (err)
            break;
        if (g->cpu[v->idx].rd_base != ADDR_UNDEF)
            assigned[n++] = i;
    }
    if (err) {
        for (unsigned k = 0; k < n; k++) {
            struct vcpu *v = vm->vcpus[assigned[k]];
            g->regions[g->cpu[v->idx].region].free_index--;
            g->cpu[v->idx].rd_base = ADDR_UNDEF;
            g->cpu[v->idx].region = -1;
        }
        g->nr_regions--;
        return err;
    }
    return card_sync(g);
}

/* ------------------------------------------------------------------ GRP_ADDR */
static int addr_set(struct vgic *g, uint64_t type, uint64_t uaddr)
{
    uint64_t val;
    if (copy_from_user(&val, uaddr, sizeof(val)))
        return -EFAULT;
    switch (type) {
    case KVM_VGIC_V3_ADDR_TYPE_DIST: {
        int err =
            vgic_check_iorange(g->b.dev.vm, g->b.dist_base, val, SZ_64K, KVM_VGIC_V3_DIST_SIZE);
        if (!err)
            g->b.dist_base = val;
        return err;
    }
    case KVM_VGIC_V3_ADDR_TYPE_REDIST: return add_region(g, 0, val, 0);
    case KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION: {
        uint32_t count =
            (uint32_t)((val & KVM_VGIC_V3_RDIST_COUNT_MASK) >> KVM_VGIC_V3_RDIST_COUNT_SHIFT);
        uint32_t flags =
            (uint32_t)((val & KVM_VGIC_V3_RDIST_FLAGS_MASK) >> KVM_VGIC_V3_RDIST_FLAGS_SHIFT);
        if (!count || flags)
            return -EINVAL;
        return add_region(g, (uint32_t)(val & KVM_VGIC_V3_RDIST_INDEX_MASK),
                          val & KVM_VGIC_V3_RDIST_BASE_MASK, count);
    }
    default: return -ENXIO; /* unknown type, or a type of another model (ENODEV -> ENXIO) */
    }
}

static int addr_get(struct vgic *g, uint64_t type, uint64_t uaddr)
{
    uint64_t val = 0;
    if (type == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION && copy_from_user(&val, uaddr, sizeof(val)))
        return -EFAULT;
    switch (type) {
    case KVM_VGIC_V3_ADDR_TYPE_DIST: val = g->b.dist_base; break;
    case KVM_VGIC_V3_ADDR_TYPE_REDIST: val = g->nr_regions ? g->regions[0].base : ADDR_UNDEF; break;
    case KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION: {
        uint32_t index = (uint32_t)(val & KVM_VGIC_V3_RDIST_INDEX_MASK);
        const struct rdist_region *r = NULL;
        for (unsigned i = 0; i < g->nr_regions; i++)
            if (g->regions[i].index == index)
                r = &g->regions[i];
        if (!r)
            return -ENOENT;
        val = index | r->base | (uint64_t)r->count << KVM_VGIC_V3_RDIST_COUNT_SHIFT;
        break;
    }
    default: return -ENXIO;
    }
    return copy_to_user(uaddr, &val, sizeof(val));
}

/* ------------------------------------------------------------------ GRP_CTRL */
void vgic_default_spis(struct vgic_base *b)
{
    unsigned card = b->dev.vm->sys->info.nr_irqs;
    if (!b->nr_spis)
        b->nr_spis = (card < NR_IRQS_LEGACY ? card : NR_IRQS_LEGACY) - 32;
}

static int vgic_init(struct vgic *g)
{
    struct vm *vm = g->b.dev.vm;
    if (g->b.initialized)
        return 0;
    if (!vm->nr_vcpus)
        return -ENODEV; /* no online vCPU */
    vgic_default_spis(&g->b);
    g->b.initialized = true;
    int err = card_configure(g);
    if (!err)
        err = card_vcpus(g);
    if (err)
        g->b.initialized = false;
    return err;
}

static int ctrl_set(struct vgic *g, uint64_t attr)
{
    switch (attr) {
    case KVM_DEV_ARM_VGIC_CTRL_INIT: return vgic_init(g);
    case KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES:
        if (vm_any_vcpu_running(g->b.dev.vm))
            return -EBUSY;
        if (!g->b.initialized)
            return -ENXIO;
        return its_save_pending(g->b.dev.vm);
    default: return -ENXIO;
    }
}

/* ------------------------------------------------------------------ register groups */
static bool known_sysreg(uint32_t enc)
{
    switch (enc) {
    case ICC_PMR_EL1:
    case ICC_BPR0_EL1:
    case ICC_AP0R0_EL1:
    case ICC_AP0R1_EL1:
    case ICC_AP0R2_EL1:
    case ICC_AP0R3_EL1:
    case ICC_AP1R0_EL1:
    case ICC_AP1R1_EL1:
    case ICC_AP1R2_EL1:
    case ICC_AP1R3_EL1:
    case ICC_BPR1_EL1:
    case ICC_CTLR_EL1:
    case ICC_SRE_EL1:
    case ICC_IGRPEN0_EL1:
    case ICC_IGRPEN1_EL1: return true;
    default: return false;
    }
}

static int sysreg_access(struct vgic *g, struct vcpu *v, uint32_t enc, bool write, uint64_t uaddr)
{
    uint64_t val = 0;
    if (!known_sysreg(enc))
        return -ENXIO;
    /* with 5 priority bits only APnR0 exists (KVM: access_gic_aprn fails) */
    if (enc == ICC_AP0R1_EL1 || enc == ICC_AP0R2_EL1 || enc == ICC_AP0R3_EL1 ||
        enc == ICC_AP1R1_EL1 || enc == ICC_AP1R2_EL1 || enc == ICC_AP1R3_EL1)
        return -EINVAL;
    if (write) {
        if (copy_from_user(&val, uaddr, sizeof(val)))
            return -EFAULT;
        if (enc == ICC_CTLR_EL1 && ((val >> 8 & 7) > 4 || (val >> 11 & 7) > 0 || (val >> 14 & 1)))
            return -EINVAL; /* PRIbits, IDbits, SEIS beyond the card's */
        if (enc == ICC_SRE_EL1 && !(val & 1))
            return -EINVAL; /* set_gic_sre: the SRE bit must stay set */
    }
    int err = gic_op(sys_of(g), g->b.dev.vm->ctx, v->idx, GIC_ICC, true, enc,
                     write ? GIC_WRITE64 : GIC_READ64, val, &val);
    if ((err = vgic_card_err(err)))
        return err;
    return write ? 0 : copy_to_user(uaddr, &val, sizeof(val));
}

static int level_info(struct vgic *g, struct vcpu *v, uint64_t attr, bool write, uint32_t val,
                      uint64_t uaddr)
{
    uint32_t info = (uint32_t)((attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >>
                               KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT);
    uint32_t intid = (uint32_t)(attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK);
    if (info != VGIC_LEVEL_INFO_LINE_LEVEL || intid % 32)
        return -EINVAL;
    struct sys *s = sys_of(g);
    if (write) {
        if (intid >= nr_irqs(g))
            return 0;
        for (unsigned i = intid < 32 ? 16 : 0; i < 32; i++) {
            uint64_t w = (intid + i) | 1u << 30 | (uint64_t)(val >> i & 1) << 31; /* RAW */
            int err = vgic_card_err(
                gic_op(s, g->b.dev.vm->ctx, v->idx, GIC_GICD, false, 0, GIC_LINE, w, NULL));
            if (err)
                return err;
        }
        return 0;
    }
    uint64_t r = 0;
    if (intid < nr_irqs(g)) {
        int err = gic_op(s, g->b.dev.vm->ctx, v->idx, GIC_STATUS, true, 0x1000 + intid / 8,
                         GIC_READ32, 0, &r);
        if ((err = vgic_card_err(err)))
            return err;
    }
    val = (uint32_t)r;
    return copy_to_user(uaddr, &val, sizeof(val));
}

/* vgic_v3_attr_regs_access */
static int regs_access(struct vgic *g, const struct kvm_device_attr *a, bool write)
{
    struct vm *vm = g->b.dev.vm;
    struct vcpu *v;
    uint32_t val = 0;
    if (a->group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
        if (!vm->nr_vcpus)
            return -EINVAL;
        v = vm->vcpus[0];
    } else {
        v = vm_vcpu_by_mpidr(vm, a->attr);
        if (!v)
            return -EINVAL;
    }
    if (write && a->group != KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS &&
        copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    if (vm_any_vcpu_running(vm))
        return -EBUSY;
    if (!g->b.initialized)
        return -EBUSY;
    uint32_t off = (uint32_t)(a->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK);
    enum gic_space space;
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
        return sysreg_access(g, v, (uint32_t)(a->attr & KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK), write,
                             a->addr);
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO: return level_info(g, v, a->attr, write, val, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS: space = GIC_GICD; break;
    default:
        space = off >= SZ_64K ? GIC_GICR_SGI : GIC_GICR_RD;
        off = (uint32_t)(off % SZ_64K);
        break;
    }
    uint64_t r = 0;
    int err = 0;
    if (write && space == GIC_GICD && (off == 0x8 || off == 0xc)) {
        /* ref 3.6: "GICD_IIDR / GICD_TYPER2 uaccess writes are validated (a mismatching
         * value gives -EINVAL ...)" (vgic_mmio_uaccess_write_v3_misc). The card implements
         * one IIDR revision only, so a changed Revision field is refused as well. */
        err =
            vgic_card_err(gic_op(sys_of(g), vm->ctx, v->idx, space, true, off, GIC_READ32, 0, &r));
        if (err)
            return err;
        if ((uint32_t)r != val)
            return -EINVAL;
    }
    if (off < SZ_64K && (a->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK) < 2 * SZ_64K)
        err = vgic_card_err(gic_op(sys_of(g), vm->ctx, v->idx, space, true, off,
                                   write ? GIC_WRITE32 : GIC_READ32, val, &r));
    if (err)
        return err;
    /* unknown offsets are RAZ/WI with status 0 (vgic_uaccess) */
    val = (uint32_t)r;
    return write ? 0 : copy_to_user(a->addr, &val, sizeof(val));
}

/* Does a DIST/REDIST offset name a register? (HAS_ATTR; vgic_v3_has_attr_regs) */
static int has_reg(struct vgic *g, const struct kvm_device_attr *a)
{
    struct vm *vm = g->b.dev.vm;
    struct vcpu *v;
    if (a->group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
        if (!vm->nr_vcpus)
            return -EINVAL;
        v = vm->vcpus[0];
    } else {
        v = vm_vcpu_by_mpidr(vm, a->attr);
        if (!v)
            return -EINVAL;
    }
    uint64_t off = a->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK;
    if (off & 3)
        return -ENXIO;
    enum gic_space space = GIC_GICD;
    /* ref 3.6: the ID registers 0xFFD0..0xFFFF are a region of the distributor and of
     * RD_base (the card decodes only PIDR2; the others read 0) */
    if (off >= 0xffd0 && off < SZ_64K)
        return 0;
    if (a->group == KVM_DEV_ARM_VGIC_GRP_REDIST_REGS) {
        if (off >= 2 * SZ_64K)
            return -ENXIO;
        space = off >= SZ_64K ? GIC_GICR_SGI : GIC_GICR_RD;
        off %= SZ_64K;
    } else {
        if (off >= SZ_64K)
            return -ENXIO;
        /* ref 3.6: "The first 32 IRQs' worth of each per-IRQ register is RAZ/WI in the
         * distributor" - GICD_IROUTER included, which the card decodes as UNDEF */
        if (off >= 0x6000 && off < 0x6000 + 32 * 8)
            return 0;
        /* per-interrupt registers exist only for the interrupts configured so far */
        uint64_t first = gicd_first_intid(off);
        if (first && first >= nr_irqs(g))
            return -ENXIO;
    }
    int err = gic_op(sys_of(g), vm->ctx, v->idx, space, true, (uint32_t)off, GIC_READ32, 0, NULL);
    if (err < 0 || err == GIC_ST_BADTARGET)
        return err < 0 ? err : -EIO;
    return err == GIC_ST_UNDEF ? -ENXIO : 0;
}

static int has_attr(struct vgic *g, const struct kvm_device_attr *a)
{
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_ADDR:
        switch (a->attr) {
        case KVM_VGIC_V3_ADDR_TYPE_DIST:
        case KVM_VGIC_V3_ADDR_TYPE_REDIST:
        case KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION: return 0;
        default: return -ENXIO;
        }
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS: return has_reg(g, a);
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
        if (!vm_vcpu_by_mpidr(g->b.dev.vm, a->attr))
            return -EINVAL;
        return known_sysreg((uint32_t)(a->attr & KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK)) ? 0 : -ENXIO;
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
    case KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ: return 0;
    case KVM_DEV_ARM_VGIC_GRP_CTRL:
        return a->attr == KVM_DEV_ARM_VGIC_CTRL_INIT ||
                       a->attr == KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES
                   ? 0
                   : -ENXIO;
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
        return ((a->attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >>
                KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) == VGIC_LEVEL_INFO_LINE_LEVEL
                   ? 0
                   : -ENXIO;
    case KVM_DEV_ARM_VGIC_GRP_FEATURES:
        return a->attr == KVM_DEV_ARM_VGIC_FEATURE_nASSGIcap ? 0 : -ENXIO;
    default: return -ENXIO;
    }
}

/* GRP_NR_IRQS (vgic_set_common_attr / vgic_get_common_attr) */
int vgic_nr_irqs_set(struct vgic_base *b, uint64_t uaddr)
{
    uint32_t v32;
    if (copy_from_user(&v32, uaddr, sizeof(v32)))
        return -EFAULT;
    if (v32 < 64 || v32 > 1023 || v32 % 32 || v32 > b->dev.vm->sys->info.nr_irqs)
        return -EINVAL;
    if (b->initialized || b->nr_spis)
        return -EBUSY;
    b->nr_spis = v32 - 32;
    return 0;
}

int vgic_nr_irqs_get(struct vgic_base *b, uint64_t uaddr)
{
    uint32_t v32 = b->nr_spis + 32;
    return copy_to_user(uaddr, &v32, sizeof(v32));
}

static int set_attr(struct vgic *g, const struct kvm_device_attr *a)
{
    uint32_t v32;
    uint8_t v8;
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO: return regs_access(g, a, true);
    case KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ:
        if (copy_from_user(&v32, a->addr, sizeof(v32)))
            return -EFAULT;
        if (g->b.initialized)
            return -EBUSY;
        if (v32 < 16 || v32 >= 32)
            return -EINVAL;
        g->maint_irq = v32;
        return 0;
    case KVM_DEV_ARM_VGIC_GRP_FEATURES:
        if (a->attr != KVM_DEV_ARM_VGIC_FEATURE_nASSGIcap)
            return -ENXIO;
        if (copy_from_user(&v8, a->addr, sizeof(v8)))
            return -EFAULT;
        if (g->b.initialized)
            return -EBUSY;
        if (v8)
            return -EINVAL; /* the card has no GICv4.1 vSGIs */
        g->nassgicap = 0;
        return 0;
    case KVM_DEV_ARM_VGIC_GRP_ADDR: return addr_set(g, a->attr, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return vgic_nr_irqs_set(&g->b, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_CTRL: return ctrl_set(g, a->attr);
    default: return -ENXIO;
    }
}

static int get_attr(struct vgic *g, const struct kvm_device_attr *a)
{
    uint32_t v32;
    uint8_t v8;
    switch (a->group) {
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
    case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO: return regs_access(g, a, false);
    case KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ:
        v32 = g->maint_irq;
        return copy_to_user(a->addr, &v32, sizeof(v32));
    case KVM_DEV_ARM_VGIC_GRP_FEATURES:
        if (a->attr != KVM_DEV_ARM_VGIC_FEATURE_nASSGIcap)
            return -ENXIO;
        v8 = g->nassgicap;
        return copy_to_user(a->addr, &v8, sizeof(v8));
    case KVM_DEV_ARM_VGIC_GRP_ADDR: return addr_get(g, a->attr, a->addr);
    case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: return vgic_nr_irqs_get(&g->b, a->addr);
    default: return -ENXIO;
    }
}

static int vgic_set_attr(struct device *d, const struct kvm_device_attr *a)
{
    return set_attr(to_vgic(d), a);
}

static int vgic_get_attr(struct device *d, const struct kvm_device_attr *a)
{
    return get_attr(to_vgic(d), a);
}

static int vgic_has_attr(struct device *d, const struct kvm_device_attr *a)
{
    return has_attr(to_vgic(d), a);
}

/* ------------------------------------------------------------------ first run */
static int vgic_first_run(struct device *d, struct vcpu *v)
{
    (void)v;
    struct vgic *g = to_vgic(d);
    /* vgic_v3_map_resources order */
    for (unsigned i = 0; i < g->b.dev.vm->nr_vcpus; i++)
        if (g->cpu[i].rd_base == ADDR_UNDEF)
            return -ENXIO;
    if (IS_UNDEF(g->b.dist_base))
        return -ENXIO;
    if (!check_base(g))
        return -EINVAL;
    if (!g->b.initialized)
        return -EBUSY;
    return 0;
}

/* ------------------------------------------------------------------ injection */
int vgic_irq_line_decode(struct vm *vm, uint32_t irq, unsigned *num, struct vcpu **v)
{
    /* kvm_vm_ioctl_irq_line (arm64) order, with a VGIC */
    struct arm64_irq q = arm64_irq_decode(irq);
    *num = q.num;
    *v = NULL;
    switch (q.type) {
    case KVM_ARM_IRQ_TYPE_CPU: return -ENXIO;
    case KVM_ARM_IRQ_TYPE_PPI:
        if (q.vidx >= vm->nr_vcpus)
            return -EINVAL;
        *v = vm->vcpus[q.vidx];
        return q.num < 16 || q.num >= 32 ? -EINVAL : 0;
    case KVM_ARM_IRQ_TYPE_SPI: return q.num < 32 ? -EINVAL : 0;
    default: return -EINVAL;
    }
}

int vgic_inject(struct vgic_base *b, struct vcpu *v, unsigned num, uint32_t level)
{
    struct vm *vm = b->dev.vm;
    if (num >= vgic_nr_irqs(b))
        return -EINVAL;
    uint64_t w = num | (uint64_t)(level ? 1u : 0u) << 31;
    return vgic_card_err(
        gic_op(vm->sys, vm->ctx, v ? v->idx : 0, GIC_GICD, false, 0, GIC_LINE, w, NULL));
}

static int vgic_irq_line(struct device *d, uint32_t irq, uint32_t level)
{
    struct vgic *g = to_vgic(d);
    struct vcpu *v;
    unsigned num;
    int err = vgic_irq_line_decode(d->vm, irq, &num, &v);
    if (err)
        return err;
    /* kvm_vgic_inject_irq */
    if (!g->b.initialized)
        return -EBUSY;
    return vgic_inject(&g->b, v, num, level);
}

/* ------------------------------------------------------------------ guest MMIO */
static int vgic_mmio(struct device *d, struct ioe_mmio *m)
{
    struct vgic *g = to_vgic(d);
    struct vm *vm = d->vm;
    enum gic_space space;
    struct vcpu *v = NULL;
    uint64_t off;
    if (!g->b.initialized)
        return -ENXIO;
    if (!IS_UNDEF(g->b.dist_base) && m->gpa >= g->b.dist_base &&
        m->gpa - g->b.dist_base < KVM_VGIC_V3_DIST_SIZE) {
        space = GIC_GICD;
        off = m->gpa - g->b.dist_base;
        v = vm->vcpus[0];
    } else {
        for (unsigned i = 0; i < vm->nr_vcpus && !v; i++) {
            struct vcpu *c = vm->vcpus[i];
            if (g->cpu[c->idx].rd_base != ADDR_UNDEF && m->gpa >= g->cpu[c->idx].rd_base &&
                m->gpa - g->cpu[c->idx].rd_base < RD_FRAME)
                v = c;
        }
        if (!v)
            return -ENXIO;
        off = m->gpa - g->cpu[v->idx].rd_base;
        space = off >= SZ_64K ? GIC_GICR_SGI : GIC_GICR_RD;
        off %= SZ_64K;
    }
    if (m->len != 1 && m->len != 2 && m->len != 4 && m->len != 8)
        return -EINVAL;
    struct sys *s = vm->sys;
    uint64_t r = 0;
    int err = 0;
    bool is_prio = off >= 0x400 && off < 0x800;
    if (m->len == 8 && !(off & 7)) {
        err = gic_op(s, vm->ctx, v->idx, space, false, (uint32_t)off,
                     m->is_write ? GIC_WRITE64 : GIC_READ64, m->data, &r);
    } else if (m->len == 4 && !(off & 3)) {
        err = gic_op(s, vm->ctx, v->idx, space, false, (uint32_t)off,
                     m->is_write ? GIC_WRITE32 : GIC_READ32, m->data & 0xffffffffu, &r);
    } else if (m->len == 1 && is_prio) {
        /* byte access to IPRIORITYR: a read-modify-write of its word (no side effects) */
        uint32_t word = (uint32_t)off & ~3u, sh = ((uint32_t)off & 3) * 8;
        err = gic_op(s, vm->ctx, v->idx, space, false, word, GIC_READ32, 0, &r);
        if (!err && m->is_write) {
            uint64_t nw = (r & ~(0xffull << sh)) | (m->data & 0xff) << sh;
            err = gic_op(s, vm->ctx, v->idx, space, false, word, GIC_WRITE32, nw, NULL);
        }
        r = r >> sh & 0xff;
    }
    /* anything else is RAZ/WI, as is an UNDEF from the card */
    if (err < 0 || err == GIC_ST_BADTARGET)
        return err < 0 ? err : -EIO;
    m->data = m->is_write || err ? 0 : r;
    return 0;
}

/* ------------------------------------------------------------------ the CPU interface */
/* a write to ICC_EOIR0/1_EL1 or ICC_DIR_EL1, with the resampling irqfds told when it
 * deactivates (DIR, or an EOI with ICC_CTLR_EL1.EOImode 0) a level-triggered SPI */
static int eoi_write(struct sys *s, struct vm *vm, struct vcpu *v, uint32_t reg, uint64_t val)
{
    uint64_t ctlr = 0;
    bool ack = vgic_resample_served(vm, (uint32_t)val) &&
               (reg == ICC_DIR_EL1 ||
                (!gic_op(s, vm->ctx, v->idx, GIC_ICC, false, ICC_CTLR_EL1, GIC_READ64, 0, &ctlr) &&
                 !(ctlr >> 1 & 1))) &&
               vgic_spi_active_level(vm, (uint32_t)val);
    int err = gic_op(s, vm->ctx, v->idx, GIC_ICC, false, reg, GIC_WRITE64, val, NULL);
    if (!err && ack)
        irqfd_acked(vm, 0, (uint32_t)val - 32);
    return err;
}

/* ioe's vCPU requests: what the vCPU's trapped ICC_* accesses do (include/ioe/ioe.h) */
static int vgic_vcpu_ioctl(struct device *d, struct vcpu *v, unsigned long req, unsigned long arg)
{
    struct vgic *g = to_vgic(d);
    struct sys *s = d->vm->sys;
    unsigned ctx = d->vm->ctx;
    struct ioe_irq irq;
    struct ioe_sysreg sr;
    uint64_t st, val;
    int err;
    if (req != IOE_VCPU_ACK && req != IOE_VCPU_EOI && req != IOE_VCPU_DIR &&
        req != IOE_VCPU_SYSREG && req != IOE_VCPU_SGI)
        return -ENOTTY;
    if (!g->b.initialized)
        return -ENXIO; /* no CPU interface before INIT */
    switch (req) {
    case IOE_VCPU_ACK:
        memset(&irq, 0, sizeof(irq));
        irq.intid = 1023;
        err = gic_op(s, ctx, v->idx, GIC_STATUS, false, 0, GIC_READ32, 0, &st);
        if (!err && st >> 31) {
            irq.group = st >> 24 & 1;
            irq.priority = st >> 16 & 0xff;
            err = gic_op(s, ctx, v->idx, GIC_ICC, false, irq.group ? ICC_IAR1_EL1 : ICC_IAR0_EL1,
                         GIC_READ64, 0, &val);
            irq.intid = (uint32_t)val;
        }
        sys_sync_notifications(s); /* the card notifies every status change */
        if (err)
            return err < 0 ? err : -EIO;
        return copy_to_user(arg, &irq, sizeof(irq));
    case IOE_VCPU_EOI:
    case IOE_VCPU_DIR:
        if (copy_from_user(&irq, arg, sizeof(irq)))
            return -EFAULT;
        if (irq.group > 1)
            return -EINVAL;
        err = eoi_write(s, d->vm, v,
                        req == IOE_VCPU_DIR ? ICC_DIR_EL1
                        : irq.group         ? ICC_EOIR1_EL1
                                            : ICC_EOIR0_EL1,
                        irq.intid);
        sys_sync_notifications(s);
        return err < 0 ? err : err ? -EIO : 0;
    case IOE_VCPU_SYSREG:
        if (copy_from_user(&sr, arg, sizeof(sr)))
            return -EFAULT;
        if (sr.is_write && ((sr.enc & 0xffff) == ICC_EOIR0_EL1 ||
                            (sr.enc & 0xffff) == ICC_EOIR1_EL1 || (sr.enc & 0xffff) == ICC_DIR_EL1))
            err = eoi_write(s, d->vm, v, sr.enc & 0xffff, sr.value);
        else
            err = gic_op(s, ctx, v->idx, GIC_ICC, false, sr.enc & 0xffff,
                         sr.is_write ? GIC_WRITE64 : GIC_READ64, sr.value, &val);
        sys_sync_notifications(s);
        if (err)
            return err < 0 ? err : -ENXIO;
        if (sr.is_write)
            return 0;
        sr.value = val;
        return copy_to_user(arg, &sr, sizeof(sr));
    default: /* IOE_VCPU_SGI */
        if (copy_from_user(&val, arg, sizeof(val)))
            return -EFAULT;
        err = gic_op(s, ctx, v->idx, GIC_ICC, false, ICC_SGI1R_EL1, GIC_WRITE64, val, NULL);
        sys_sync_notifications(s);
        return err < 0 ? err : err ? -EIO : 0;
    }
}

/* the card's presentation status of the vCPU (docs/gic.md, STATUS space) */
int vgic_vcpu_pending(struct device *d, struct vcpu *v, bool *yes)
{
    uint64_t st = 0;
    int err = gic_op(d->vm->sys, d->vm->ctx, v->idx, GIC_STATUS, false, 0, GIC_READ32, 0, &st);
    *yes = !err && (st >> 31 & 1);
    return 0; /* a VM context the card has not configured yet has nothing to present */
}

/* KVM_ARM_VCPU_INIT reset the vCPU's MPIDR: GICR_TYPER's affinity follows it */
static int vgic_vcpu_reset(struct device *d, struct vcpu *v)
{
    (void)v;
    return card_vcpus(to_vgic(d));
}

unsigned vgic_initialized_irqs(struct vm *vm)
{
    const struct device *d = vm->irqchip;
    if (!d || (d->ops != &vgic_v3_ops && d->ops != &vgic_v2_ops))
        return 0;
    const struct vgic_base *b = (const struct vgic_base *)d;
    return b->initialized ? vgic_nr_irqs(b) : 0;
}

static int vgic_vcpu_precreate(struct device *d)
{
    return to_vgic(d)->b.initialized ? -EBUSY : 0; /* kvm_arch_vcpu_precreate */
}

static int vgic_signal_msi(struct device *d, const struct kvm_msi *msi)
{
    return its_signal_msi(d->vm, msi);
}

static const struct irqchip_ops vgic_irqchip = {
    .irq_line = vgic_irq_line,
    .signal_msi = vgic_signal_msi,
    .vcpu_pending = vgic_vcpu_pending,
    .vcpu_ioctl = vgic_vcpu_ioctl,
    .vcpu_precreate = vgic_vcpu_precreate,
    .vcpu_created = vgic_vcpu_created,
    .first_run = vgic_first_run,
    .vcpu_reset = vgic_vcpu_reset,
};

/* vgic_initialized(): the VM's VGIC (v2 or v3) is initialised; its SPI count in *nr_spis */
bool vgic_initialized(struct vm *vm, uint32_t *nr_spis)
{
    unsigned n = vgic_initialized_irqs(vm);
    if (n && nr_spis)
        *nr_spis = n - 32;
    return n != 0;
}

bool vgic_resample_served(struct vm *vm, uint32_t intid)
{
    return intid >= 32 && intid < 1020 && irqfd_resampling(vm, 0, intid - 32);
}

bool vgic_spi_active_level(struct vm *vm, uint32_t intid)
{
    uint64_t active = 0, cfg = 0;
    return !gic_op(vm->sys, vm->ctx, 0, GIC_GICD, false, 0x300 + intid / 32 * 4, GIC_READ32, 0,
                   &active) &&
           (active >> intid % 32 & 1) && /* GICD_ISACTIVER */
           !gic_op(vm->sys, vm->ctx, 0, GIC_GICD, false, 0xc00 + intid / 16 * 4, GIC_READ32, 0,
                   &cfg) &&
           !(cfg >> (intid % 16 * 2 + 1) & 1); /* GICD_ICFGR: level */
}

const struct device_ops vgic_v3_ops = {
    .name = "kvm-arm-vgic-v3",
    .type = KVM_DEV_TYPE_ARM_VGIC_V3,
    .hosts = HOST_BIT(HOST_ARM64),
    .size = sizeof(struct vgic),
    .available = vgic_available,
    .create = vgic_create,
    .set_attr = vgic_set_attr,
    .get_attr = vgic_get_attr,
    .has_attr = vgic_has_attr,
    .mmio = vgic_mmio,
    .irqchip = &vgic_irqchip,
    .irqchip_exists = EEXIST,
};
