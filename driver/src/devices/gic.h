/*
 * The GICv3 family: what the VGICv3 device (vgic_v3.c) and the ITS device (its.c) share,
 * as KVM's vgic and vgic-its do: the card's GIC engine operations, the ICC system-register
 * encodings, and the calls between the two devices.
 */
#ifndef IOE_DEVICES_GIC_H
#define IOE_DEVICES_GIC_H

#include <ioe/regs.h>

#include "internal.h"

/* ---- the GIC engine's access port (docs/gic.md) */
enum gic_space { GIC_GICD = 0, GIC_GICR_RD = 1, GIC_GICR_SGI = 2, GIC_ICC = 3, GIC_STATUS = 4 };
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

/* The VM's VGIC's interrupt count once it is initialised, else 0 (no VGIC, or no INIT):
 * vgic_initialized() and vgic_valid_spi() for the arm64 vCPU attributes */
unsigned vgic_initialized_irqs(struct vm *vm);

/* ---- between the VGIC and the ITS devices */
/* the VM got its first ITS: the card's GIC learns that the VM has one (GICD_TYPER.LPIS) */
int vgic_its_created(struct vm *vm);
/* KVM_SIGNAL_MSI after the generic checks (kvm_set_msi on arm64) */
int its_signal_msi(struct vm *vm, const struct kvm_msi *msi);
/* KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (the GICv3 device): 0 or -errno */
int its_save_pending(struct vm *vm);

#endif
