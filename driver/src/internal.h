/*
 * libioe internals: the objects behind ioe descriptors, shared by kvm.c (system, VM
 * and vCPU requests), vgic.c (the KVM_DEV_TYPE_ARM_VGIC_V3 device) and gic_port.c
 * (operations on the card's GIC engine).
 */
#ifndef IOE_INTERNAL_H
#define IOE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ioe/card.h>
#include <ioe/ioe.h>

enum obj_type { OBJ_SYS = 1, OBJ_VM, OBJ_VCPU, OBJ_DEV, OBJ_ITS, OBJ_XIVE };

struct obj {
    enum obj_type type;
    int fd;
    unsigned refs; /* the descriptor itself + objects that depend on this one */
    bool fd_open;
};

struct vm;
/* Every device object (vgic, its_dev, xive_dev) starts with this header. */
struct devobj {
    struct obj o;
    struct vm *vm;
};

/* ---- host personas (persona.c) */
enum host_arch { HOST_ARM64, HOST_PPC64, HOST_PPC_BOOKE, HOST_S390X, HOST_X86_64 };
struct persona {
    const char *name;
    enum host_arch arch;
};
/* The persona named `name` (NULL: $IOE_HOST, else arm64); NULL and *err = -EINVAL with
 * ioe_last_error() set for an unknown name. */
const struct persona *persona_find(const char *name, int *err);
/* ioe_last_error()'s text: fmt with one %s */
void set_last_error(const char *fmt, const char *arg);

struct sys {
    struct obj o;
    const struct persona *host;
    struct ioe_card *card;
    struct ioe_card_info info;
    struct vm *vms[256]; /* by VM context on the card */
    /* what libioe last wrote to the GIC access port's registers (they keep their values):
     * unchanged ones are not written again */
    struct {
        bool valid;
        uint32_t target, offset;
        uint64_t wdata;
    } gic_port;
    /* the same for the ITS access port (its.c) */
    struct {
        bool valid;
        uint32_t target, offset;
        uint64_t wdata;
    } its_port;
};

struct memslot {
    bool used;
    uint32_t flags;
    uint64_t gpa, size, hva;
};

#define MAX_VCPUS 512
#define MAX_RDIST_REGIONS 256

struct rdist_region {
    uint32_t index;
    uint64_t base;
    uint32_t count; /* 0: the legacy REDIST region, sized by the vCPU count */
    uint32_t free_index;
};

struct vgic {
    struct obj o;
    struct vm *vm;
    bool initialized;
    uint32_t nr_spis; /* 0 until NR_IRQS or INIT */
    uint64_t dist_base;
    struct rdist_region regions[MAX_RDIST_REGIONS];
    unsigned nr_regions;
    uint32_t maint_irq;
    uint8_t nassgicap;
};

struct vcpu {
    struct obj o;
    struct vm *vm;
    unsigned idx;     /* creation order = the card's vCPU index */
    uint32_t id;      /* KVM vcpu id */
    uint32_t aff;     /* Aff3..Aff0 in KVM's attr layout */
    uint64_t rd_base; /* IOE_VGIC_ADDR_UNDEF until a redistributor frame is assigned */
    int region;       /* index into vgic->regions, -1 */
    bool has_run, running;
    bool readable;        /* eventfd signalled */
    struct xive_vp *xive; /* XIVE connection (xive.c), or NULL */
};

struct vm {
    struct obj o;
    struct sys *sys;
    unsigned ctx; /* VM context on the card */
    unsigned ipa_bits;
    struct vcpu *vcpus[MAX_VCPUS];
    unsigned nr_vcpus;
    struct memslot slots[IOE_KVM_USER_MEM_SLOTS];
    struct vgic *vgic;
    uint32_t vtimer, ptimer; /* timer PPIs, VM-wide as in recent KVM */
#define MAX_ITS_PER_VM 8
    struct its_dev *its[MAX_ITS_PER_VM]; /* its.c */
    unsigned nr_its;
    struct xive_dev *xive; /* xive.c */
};

/* ---- objects (kvm.c) */
void obj_get(struct obj *o);
void obj_put(struct obj *o);
int obj_install(struct obj *o);
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr_attr);
bool vm_any_vcpu_running(const struct vm *vm);
bool vm_any_vcpu_ran(const struct vm *vm);
uint32_t vcpu_aff_of_id(uint32_t id);
struct vm *sys_vm_of_ctx(struct sys *s, unsigned ctx);

/* ---- user memory (uaccess.c): 0 or -EFAULT, never a crash */
int copy_from_user(void *dst, uint64_t uaddr, size_t len);
int copy_to_user(uint64_t uaddr, const void *src, size_t len);

/* ---- the card's GIC engine (gic_port.c) */
enum gic_space { GIC_GICD = 0, GIC_GICR_RD = 1, GIC_GICR_SGI = 2, GIC_ICC = 3, GIC_STATUS = 4 };
enum gic_code {
    GIC_READ32 = 1,
    GIC_WRITE32,
    GIC_READ64,
    GIC_WRITE64,
    GIC_LINE,
    GIC_VM_CONFIG,
    GIC_VCPU_CONFIG,
    GIC_VM_RESET
};
#define GIC_ST_UNDEF 1
#define GIC_ST_BADTARGET 2
/* One operation. Returns 0, GIC_ST_UNDEF, GIC_ST_BADTARGET, or a negative errno from the
 * transport. *rdata may be NULL. */
int gic_op(struct sys *s, unsigned vm, unsigned vcpu, enum gic_space space, bool uaccess,
           uint32_t offset, enum gic_code code, uint64_t wdata, uint64_t *rdata);
/* Drain the card's notifications and bring every vCPU descriptor's readability up to
 * date. */
void sys_sync_notifications(struct sys *s);
/* Re-read one vCPU's presentation status and update its descriptor. */
int vcpu_refresh(struct vcpu *v);

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

/* ---- the VGIC device (vgic.c) */
int vgic_create(struct vm *vm, uint32_t type, bool test_only, int *fd_out);
int vgic_device_ioctl(struct vgic *g, unsigned long req, uint64_t arg);
void vgic_release(struct vgic *g);
/* first-run checks (KVM_RUN) */
int vgic_map_resources(struct vgic *g);
/* the VM got its first ITS: the card's VM_CONFIG must say so (GICD_TYPER.LPIS) */
int vgic_its_created(struct vgic *g);
/* redistributor assignment for a vCPU created after regions exist */
int vgic_vcpu_created(struct vgic *g, struct vcpu *v);
/* Guest-view MMIO on the GICD/GICR frames: 0, or -ENXIO outside them. */
int vgic_mmio(struct vgic *g, struct ioe_mmio *m);
int vgic_irq_line(struct vm *vm, uint32_t irq, uint32_t level);

/* ---- the ITS device (its.c) */
struct its_dev {
    struct obj o;
    struct vm *vm;
    unsigned idx;  /* the card's ITS instance, bound to vm->ctx */
    uint64_t base; /* frame GPA, IOE_VGIC_ADDR_UNDEF until GRP_ADDR */
};
int its_create(struct vm *vm, bool test_only, int *fd_out);
int its_device_ioctl(struct its_dev *d, unsigned long req, uint64_t arg);
/* the VM goes away: free its ITS devices */
void its_vm_release(struct vm *vm);
/* Guest-view MMIO on an ITS frame: 0, or -ENXIO outside every ITS frame of the VM. */
int its_mmio(struct vm *vm, struct ioe_mmio *m);
/* KVM_SIGNAL_MSI after the generic checks (kvm_set_msi on arm64). */
struct kvm_msi;
int its_signal_msi(struct vm *vm, const struct kvm_msi *msi);
/* KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (the GICv3 device): 0 or -errno */
int its_save_pending(struct vm *vm);

/* ---- the XIVE device (xive.c) */
/* the card has XIVE sources: KVM_CHECK_EXTENSION(KVM_CAP_PPC_IRQ_XIVE) */
bool xive_card_supported(const struct sys *s);
int xive_create(struct vm *vm, bool test_only, int *fd_out);
int xive_device_ioctl(struct xive_dev *d, unsigned long req, uint64_t arg);
void xive_vm_release(struct vm *vm);
/* vCPU / VM requests the XIVE device serves; -ENOTTY for any other request */
int xive_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg);
int xive_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg);
/* KVM_IRQ_LINE on a VM with a XIVE device */
int xive_irq_line(struct vm *vm, uint32_t irq, uint32_t level);
/* Has the card an exception pending (NSR set) for a XIVE-connected vCPU? */
int xive_vcpu_pending(struct vcpu *v, bool *pending);

#endif
