/*
 * The GIC family: what the VGICv3 (vgic_v3.c), VGICv2 (vgic_v2.c) and ITS (its.c) devices
 * share, as KVM's vgic, vgic-kvm-device and vgic-its do: the card's GIC engine operations,
 * the ICC system-register encodings, the bookkeeping both VGICs keep, and the calls between
 * the devices.
 */
#ifndef IOE_DEVICES_GIC_H
#define IOE_DEVICES_GIC_H

#include <ioe/regs.h>

#include "internal.h"

/* ---- the GIC engine's access port (docs/gic.md) */
enum gic_space {
    GIC_GICD = 0,
    GIC_GICR_RD = 1,
    GIC_GICR_SGI = 2,
    GIC_ICC = 3,
    GIC_STATUS = 4,
    GIC_GICC = 5 /* the GICv2 CPU interface */
};
/* VM_CONFIG WDATA_LO: interrupt count [15:0], vCPU count [23:16], ITS [24], GICv2 [25] */
#define GIC_CFG_VCPUS_SHIFT 16
#define GIC_CFG_ITS_SHIFT 24
#define GIC_CFG_V2_SHIFT 25
enum gic_code {
    GIC_READ32 = 1,
    GIC_WRITE32,
    GIC_READ64,
    GIC_WRITE64,
    GIC_LINE,
    GIC_VM_CONFIG,
    GIC_VCPU_CONFIG,
    GIC_VM_RESET,
    GIC_VM_SET_ITS
};
#define GIC_ST_UNDEF ENGINE_ST_UNDEF
#define GIC_ST_BADTARGET ENGINE_ST_BADTARGET

/* One GIC operation: 0, GIC_ST_UNDEF, GIC_ST_BADTARGET or -errno. *rdata may be NULL;
 * 32-bit operations leave its high half 0. */
static inline int gic_op(struct sys *s, unsigned vm, unsigned vcpu, enum gic_space space,
                         bool uaccess, uint32_t offset, enum gic_code code, uint64_t wdata,
                         uint64_t *rdata)
{
    uint32_t target = vm << IOE_GIC_TARGET_VM_SHIFT | vcpu << IOE_GIC_TARGET_VCPU_SHIFT |
                      (uint32_t)space << IOE_GIC_TARGET_SPACE_SHIFT |
                      (uint32_t)uaccess << IOE_GIC_TARGET_UACCESS_SHIFT;
    return engine_op(s, ENGINE_GIC, target, offset, code, wdata, rdata,
                     code == GIC_READ64 || code == GIC_WRITE64);
}

/* 0, or -EIO for a BADTARGET (the card refused what libioe checked), or the -errno */
static inline int vgic_card_err(int err)
{
    return err < 0 ? err : err == GIC_ST_BADTARGET ? -EIO : 0;
}

/* ---- ICC system-register encodings */
#define SYSREG_ENC(op0, op1, crn, crm, op2)                                                        \
    ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR_EL1 SYSREG_ENC(3, 0, 4, 6, 0)
#define ICC_IAR0_EL1 SYSREG_ENC(3, 0, 12, 8, 0)
#define ICC_EOIR0_EL1 SYSREG_ENC(3, 0, 12, 8, 1)
#define ICC_BPR0_EL1 SYSREG_ENC(3, 0, 12, 8, 3)
#define ICC_AP0R0_EL1 SYSREG_ENC(3, 0, 12, 8, 4)
#define ICC_AP0R1_EL1 SYSREG_ENC(3, 0, 12, 8, 5)
#define ICC_AP0R2_EL1 SYSREG_ENC(3, 0, 12, 8, 6)
#define ICC_AP0R3_EL1 SYSREG_ENC(3, 0, 12, 8, 7)
#define ICC_AP1R0_EL1 SYSREG_ENC(3, 0, 12, 9, 0)
#define ICC_AP1R1_EL1 SYSREG_ENC(3, 0, 12, 9, 1)
#define ICC_AP1R2_EL1 SYSREG_ENC(3, 0, 12, 9, 2)
#define ICC_AP1R3_EL1 SYSREG_ENC(3, 0, 12, 9, 3)
#define ICC_DIR_EL1 SYSREG_ENC(3, 0, 12, 11, 1)
#define ICC_SGI1R_EL1 SYSREG_ENC(3, 0, 12, 11, 5)
#define ICC_IAR1_EL1 SYSREG_ENC(3, 0, 12, 12, 0)
#define ICC_EOIR1_EL1 SYSREG_ENC(3, 0, 12, 12, 1)
#define ICC_BPR1_EL1 SYSREG_ENC(3, 0, 12, 12, 3)
#define ICC_CTLR_EL1 SYSREG_ENC(3, 0, 12, 12, 4)
#define ICC_SRE_EL1 SYSREG_ENC(3, 0, 12, 12, 5)
#define ICC_IGRPEN0_EL1 SYSREG_ENC(3, 0, 12, 12, 6)
#define ICC_IGRPEN1_EL1 SYSREG_ENC(3, 0, 12, 12, 7)

/* ---- what VGICv2 and VGICv3 keep alike (KVM's struct vgic_dist outside the interrupt
 * state); both devices start with it */
struct vgic_base {
    struct device dev;
    bool initialized;
    uint32_t nr_spis; /* 0 until NR_IRQS or INIT */
    uint64_t dist_base;
};

static inline unsigned vgic_nr_irqs(const struct vgic_base *b)
{
    return b->nr_spis + 32;
}

/* The first INTID a distributor offset's per-interrupt register covers; 0 for the other
 * registers (the HAS_ATTR check that the interrupt exists, vgic_get_mmio_region's) */
static inline uint64_t gicd_first_intid(uint64_t off)
{
    return off >= 0x6000 && off < 0x8000 ? (off - 0x6000) / 8
           : off >= 0x80 && off < 0x400  ? (off & 0x7f) * 8
           : off >= 0x400 && off < 0xc00 ? (off & 0x3ff)
           : off >= 0xc00 && off < 0xd00 ? (off - 0xc00) * 4
           : off >= 0xd00 && off < 0xd80 ? (off - 0xd00) * 8
                                         : 0;
}

/* kvm_vgic_create's checks (a model allows max_vcpus); dist_base becomes undefined */
int vgic_create_checks(struct device *d, unsigned max_vcpus);
/* vgic_check_iorange: cur is the address set so far (IOE_VGIC_ADDR_UNDEF: none) */
int vgic_check_iorange(const struct vm *vm, uint64_t cur, uint64_t addr, uint64_t align,
                       uint64_t size);
/* GRP_NR_IRQS set / get */
int vgic_nr_irqs_set(struct vgic_base *b, uint64_t uaddr);
int vgic_nr_irqs_get(struct vgic_base *b, uint64_t uaddr);
/* vgic_init's default interrupt count when NR_IRQS was not set */
void vgic_default_spis(struct vgic_base *b);
/* KVM_IRQ_LINE up to kvm_vgic_inject_irq: the INTID and, for a PPI, its vCPU */
int vgic_irq_line_decode(struct vm *vm, uint32_t irq, unsigned *num, struct vcpu **v);
/* kvm_vgic_inject_irq on an initialised VGIC: a LINE operation */
int vgic_inject(struct vgic_base *b, struct vcpu *v, unsigned num, uint32_t level);
/* irqchip_ops.vcpu_pending: the card's presentation status of the vCPU */
int vgic_vcpu_pending(struct device *d, struct vcpu *v, bool *yes);

/* The VM's VGIC's interrupt count once it is initialised, else 0 (no VGIC, or no INIT):
 * vgic_initialized() and vgic_valid_spi() for the arm64 vCPU attributes */
unsigned vgic_initialized_irqs(struct vm *vm);
/* KVM's EOI maintenance (vgic_v[23]_fold_lr_state, kvm_notify_acked_irq) signals the
 * resampling irqfds of a level-triggered SPI the guest deactivates. Before the guest's
 * write: does a resampling irqfd serve intid (no card access), and is the SPI active and
 * level-triggered on the card (two distributor reads)? */
bool vgic_resample_served(struct vm *vm, uint32_t intid);
bool vgic_spi_active_level(struct vm *vm, uint32_t intid);

/* ---- between the VGIC and the ITS devices */
/* the VM got its first ITS: the card's GIC learns that the VM has one (GICD_TYPER.LPIS) */
int vgic_its_created(struct vm *vm);
/* KVM_SIGNAL_MSI after the generic checks (kvm_set_msi on arm64) */
int its_signal_msi(struct vm *vm, const struct kvm_msi *msi);
/* KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (the GICv3 device): 0 or -errno */
int its_save_pending(struct vm *vm);

#endif
