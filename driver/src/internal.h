/*
 * libioe internals: the objects behind ioe descriptors (system, VM, vCPU, device), the
 * interfaces a device family and a host persona fill in, and the services they share
 * (the card engines' access ports, notifications, user-memory copies).
 *
 *   api.c       descriptors, ioe_open* / ioe_ioctl / ioe_close, system requests
 *   vm.c        VM objects and requests      vcpu.c     vCPU objects and requests
 *   device.c    the table of device types, device descriptors, one irqchip per VM
 *   persona.c   host personas                arch_arm64.c  what only arm64 KVM does
 *   engine_port.c  the card's engine access ports   notify.c  vCPU readability
 *   devices/    one file per device family (vgic_v3.c, its.c, xive.c)
 */
#ifndef IOE_INTERNAL_H
#define IOE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ioe/card.h>
#include <ioe/ioe.h>
#include <ioe/kick.h>

/* ------------------------------------------------------------------ descriptors (api.c) */
struct obj;
struct obj_ops {
    int (*ioctl)(struct obj *o, unsigned long req, unsigned long arg);
    void (*closed)(struct obj *o);     /* the descriptor was closed */
    void (*free)(struct obj *o);       /* the last reference went (refcounted objects) */
    struct sys *(*sys)(struct obj *o); /* the system descriptor this object belongs to */
};

struct obj {
    const struct obj_ops *ops;
    int fd;
    unsigned refs; /* the descriptor itself + objects that depend on this one */
    bool fd_open;
};

void obj_get(struct obj *o);
void obj_put(struct obj *o);
/* Give o a descriptor (an eventfd, so that it can be polled); the fd or -errno. */
int obj_install(struct obj *o);
/* The object behind an open libioe descriptor, or NULL. */
struct obj *obj_lookup(int fd);
/* the lock every request runs under */
void api_lock(void);
void api_unlock(void);

/* ------------------------------------------------------------------ host personas */
enum host_arch { HOST_ARM64, HOST_PPC64, HOST_PPC_BOOKE, HOST_S390X, HOST_X86_64 };
#define HOST_BIT(a) (1u << (a))

struct sys;
struct vm;
struct vcpu;
struct kvm_enable_cap;

/* KVM_IRQFD and KVM_SET_GSI_ROUTING as an architecture's KVM does them (irqfd.c) */
struct irq_route;
struct persona_irqfd {
    bool irqchip;  /* an in-kernel irqchip: kvm_arch_irqfd_allowed, _can_set_irq_routing */
    bool resample; /* KVM_IRQFD_FLAG_RESAMPLE allowed */
    bool inatomic; /* kvm_arch_set_irq_inatomic sets level 1 from the eventfd's wakeup */
    bool (*intc_ready)(struct vm *vm); /* kvm_arch_intc_initialized; NULL: always */
    /* kvm_set_routing_entry: r's type and GSI are set; NULL: no route is valid */
    int (*set_route)(struct vm *vm, struct irq_route *r, const struct kvm_irq_routing_entry *ue);
    void (*set_irq)(struct vm *vm, uint32_t gsi, int level); /* kvm_set_irq */
    /* kvm_irq_map_chip_pin: the GSI whose route names (irqchip, pin), -1 for none; NULL: the
     * architecture never acknowledges to irqfds (RESAMPLE's resamplefd is never signalled) */
    int (*chip_gsi)(struct vm *vm, uint32_t irqchip, uint32_t pin);
};
extern const struct persona_irqfd irqfd_arm64, irqfd_ppc64, irqfd_ppc_booke, irqfd_s390x,
    irqfd_no_irqchip;

/* What a host's KVM answers as that architecture's KVM does (persona.c, arch_*.c). */
struct persona {
    const char *name;
    enum host_arch arch;
    /* KVM_CREATE_VM's type argument: 0, or -EINVAL (sets the VM's IPA size on arm64) */
    int (*vm_type)(struct vm *vm, unsigned long type);
    /* KVM_CHECK_EXTENSION beyond the generic memory capabilities (vm may be NULL) */
    long (*check_extension)(struct sys *s, struct vm *vm, long ext);
    /* KVM_IRQ_LINE when the VM's interrupt controller does not take it */
    int (*irq_line)(struct vm *vm, uint32_t irq, uint32_t level);
    /* KVM_IRQ_LINE_STATUS is KVM_IRQ_LINE with the structure copied back, its status set
     * by the irqchip's line_status (arm64 leaves it as it was; x86_64 has no irqchip here).
     * false: the persona's unknown-request errno (s390 has no KVM_IRQ_LINE at all). */
    bool irq_line_status;
    const struct persona_irqfd *irqfd;
    /* architecture requests of the VM and vCPU descriptors; -ENOTTY: not one of them */
    int (*vm_ioctl)(struct vm *vm, unsigned long req, unsigned long arg);
    int (*vcpu_ioctl)(struct vcpu *v, unsigned long req, unsigned long arg);
    /* kvm_arch_prepare_memory_region: a slot created or moved (flags_only false) or whose
     * flags change; 0 or -errno (NULL: nothing to check) */
    int (*prepare_memory_region)(struct vm *vm, const struct kvm_userspace_memory_region *m,
                                 bool flags_only);
    /* a vCPU was created / enters KVM_RUN for the first time: run_check before the
     * irqchip's checks, first_run after them */
    void (*vcpu_init)(struct vcpu *v);
    int (*run_check)(struct vcpu *v);
    int (*first_run)(struct vcpu *v);
    /* the vCPU has something of the architecture's own to take (arm64: an SDEI event),
     * besides what its interrupt controller presents: its descriptor is readable */
    bool (*vcpu_pending)(struct vcpu *v);
    /* the VM goes away (before its vCPUs are freed): the persona's own state of both */
    void (*vm_free)(struct vm *vm);
    /* the errno of requests the architecture does not have (kvm_arch_*_ioctl's default) */
    int enotty_sys, enotty_vm, enotty_vcpu;
};

/* The persona named `name` (NULL: $IOE_HOST, else arm64); NULL and -EINVAL in *err, with
 * ioe_last_error() saying why, for an unknown name. */
const struct persona *persona_find(const char *name, int *err);
/* ioe_last_error()'s text: fmt with one %s */
void set_last_error(const char *fmt, const char *arg);
extern const struct persona persona_arm64, persona_s390x;
/* the capabilities every persona answers alike (KVM_CAP_DEVICE_CTRL, vCPU limits) */
long persona_caps_common(struct sys *s, long ext);

/* ------------------------------------------------------------------ the card's engines */
enum engine { ENGINE_GIC, ENGINE_ITS, ENGINE_XIVE, ENGINE_COUNT };
#define ENGINE_ST_UNDEF 1
#define ENGINE_ST_BADTARGET 2

/* ------------------------------------------------------------------ system, VM, vCPU */
/* The card's DMA window (iova.c): its segment table and the IOVA handed out. */
#define DMA_WIN_SEGS 32   /* segment-table entries libioe uses at most (NrDmaSegs <= 32) */
#define DMA_WIN_RANGES 16 /* usable IOVA ranges libioe takes from the transport */
struct dma_window {
    bool ready;       /* dma_win_init has run */
    unsigned nr_segs; /* entries of the card's table (0: none, the card-internal layout) */
    unsigned nr_ranges;
    struct ioe_iova_range ranges[DMA_WIN_RANGES]; /* whole pages, ascending */
    struct dma_seg {
        bool used;
        unsigned ctx, slot; /* VM context and memory slot */
        uint64_t gpa, size, iova;
    } seg[DMA_WIN_SEGS]; /* entry i = the card's entry i */
};

struct sys {
    struct obj o;
    struct ioe_card *card;
    struct ioe_card_info info;
    const struct persona *host;
    struct vm *vms[256]; /* by VM context on the card */
    struct dma_window dma;
    struct sys_events *events; /* event thread of a card that notifies on its own */
    /* what libioe last wrote to each engine port's registers (they keep their values):
     * unchanged ones are not written again */
    struct engine_port_cache {
        bool valid;
        uint32_t target, offset;
        uint64_t wdata;
    } port[ENGINE_COUNT];
};

struct memslot {
    bool used;
    uint32_t flags;
    uint64_t gpa, size, hva;
};

#define MAX_VCPUS 512

struct vcpu {
    struct obj o;
    struct vm *vm;
    unsigned idx; /* creation order = the card's vCPU index */
    uint32_t id;  /* KVM vcpu id */
    uint32_t aff; /* arm64: MPIDR Aff3..Aff0 in KVM's attr layout */
    bool has_run, running;
    bool readable;        /* eventfd signalled */
    bool kick_only;       /* the VMM waits on the kick block only: no eventfd (notify.c) */
    struct ioe_kick kick; /* IOE_REQ_IRQ when it is found readable (kick.c) */
    void *irq;            /* the VM's interrupt controller's state of this vCPU, or NULL */
    union {
        struct arm64_vcpu {
            bool initialized; /* KVM_ARM_VCPU_INIT done (VCPU_INITIALIZED) */
            uint32_t mp_state;
            int pmu_irq;            /* 0: not set */
            bool pmu_created;       /* PMU_V3_INIT done */
            uint64_t pvtime;        /* stolen-time IPA, ~0: not set */
            struct sdei_vcpu *sdei; /* sdei.c, or NULL */
        } arm64;
        struct x86_vcpu {
            uint64_t tsc_offset; /* KVM_VCPU_TSC_OFFSET */
        } x86;
    } arch;
};

struct device;

struct vm {
    struct obj o;
    struct sys *sys;
    unsigned ctx; /* VM context on the card */
    unsigned ipa_bits;
    struct vcpu *vcpus[MAX_VCPUS];
    unsigned nr_vcpus;
    struct memslot slots[IOE_KVM_USER_MEM_SLOTS];
    struct device *devices; /* every device of the VM, in creation order */
    struct device *irqchip; /* the device that is the VM's interrupt controller, or NULL */
    struct vm_irq *irq;     /* GSI routes and irqfds (irqfd.c), NULL until the first */
    union {
        struct {
            uint32_t timer_ppi[4];         /* VTIMER, PTIMER, HVTIMER, HPTIMER: VM-wide */
            bool features_set;             /* KVM_ARCH_FLAG_VCPU_FEATURES_CONFIGURED */
            uint32_t features;             /* the VM's vCPU features (POWER_OFF excluded) */
            bool pmu_filtered;             /* a PMU_V3_FILTER was set: pmu_filter holds */
            uint8_t pmu_filter[65536 / 8]; /* allowed events (ARMv8.1+: 16-bit event space) */
            struct sdei_vm *sdei;          /* sdei.c, or NULL */
        } arm64;
        struct {
            unsigned nr_rtas; /* KVM's rtas_tokens list, in definition order */
            struct {
                uint8_t call; /* index in xics.c's in-kernel RTAS calls */
                uint64_t token;
            } rtas[16];
        } ppc64;
        struct s390_vm {
            uint64_t cpuid, mem_limit, epoch;
            uint16_t ibc;
            uint8_t epdx;
            bool use_cmma, migration_mode, aes_kw, dea_kw;
            uint8_t fac_mask[2048], fac_list[2048]; /* STFLE layout, MSB-0 bit numbering */
            struct kvm_s390_vm_cpu_feat cpu_feat;
            struct kvm_s390_vm_cpu_subfunc subfuncs;
            uint8_t aes_wrapping_key_mask[32], dea_wrapping_key_mask[24];
        } s390;
        struct {
            int64_t kvmclock_offset; /* kvmclock = base ns + offset */
        } x86;
    } arch;
};

/* The DMA window (iova.c, docs/architecture.md): clear the card's segment table and turn
 * translation on (before the first VM); make a memory slot reachable by the card at IOVA
 * from the transport's usable ranges, or not any more. 0 or -errno: -ENOSPC when the
 * segment table has too few free entries, -ENOMEM when the IOVA ranges have no room. */
int dma_win_init(struct sys *s);
int dma_win_map(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size, uint64_t hva);
void dma_win_unmap(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size);

/* a new VM's own state and the card's VM context (vm->ctx, ->sys and the persona's
 * vm_type fields set); 0 or -errno */
int vm_init(struct vm *vm);
struct vm *sys_vm_of_ctx(struct sys *s, unsigned ctx);
bool vm_any_vcpu_running(const struct vm *vm);
bool vm_any_vcpu_ran(const struct vm *vm);
/* Is [gpa, gpa+size) guest RAM of one KVM_SET_USER_MEMORY_REGION slot? */
bool vm_gpa_in_ram(const struct vm *vm, uint64_t gpa, uint64_t size);
/* the VMM's address of guest RAM [gpa, gpa+size) in one slot, or NULL */
void *vm_gpa_hva(const struct vm *vm, uint64_t gpa, uint64_t size);
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr_attr);
long vm_check_extension(struct sys *s, struct vm *vm, long ext);
int vcpu_create(struct vm *vm, unsigned long id);

/* ------------------------------------------------------------------ fdget.c */
int fd_get(int32_t fd);                   /* 0 for an open descriptor, else -EBADF */
int fd_name(int fd, char *buf, size_t n); /* its /proc/self/fd name; -EBADF */
bool fd_same_file(int a, int b);          /* one open file (kcmp), else one inode */

/* ------------------------------------------------------------------ irqfd.c */
#define IOE_KVM_MAX_IRQ_ROUTES 4096 /* KVM_MAX_IRQ_ROUTES: KVM_CAP_IRQ_ROUTING's answer */
/* KVM_SET_GSI_ROUTING and KVM_IRQFD as the VM's persona's KVM answers them (x86_64: as
 * KVM without an in-kernel irqchip: its checks, then EINVAL) */
int vm_set_gsi_routing(struct vm *vm, uint64_t uptr);
int vm_irqfd(struct vm *vm, uint64_t uptr);
void vm_irq_destroy(struct vm *vm); /* the VM goes; called with the API lock held */
/* kvm_notify_acked_irq, for the interrupt controllers: the guest completed (irqchip, pin).
 * irqfd_resampling says whether a resampling irqfd serves it (a caller may skip the work
 * of finding out whether the completion counts); irqfd_acked lowers that GSI and signals
 * its resamplefds (irqfd_resampler_ack). */
bool irqfd_resampling(struct vm *vm, uint32_t irqchip, uint32_t pin);
void irqfd_acked(struct vm *vm, uint32_t irqchip, uint32_t pin);

/* ------------------------------------------------------------------ devices (device.c) */
struct kvm_device_attr;
struct kvm_msi;

/* The VM's interrupt controller: hooks of the device that provides it. NULL hooks: the
 * request is not the interrupt controller's (the persona answers). */
struct irqchip_ops {
    int (*irq_line)(struct device *d, uint32_t irq, uint32_t level); /* KVM_IRQ_LINE */
    /* KVM_IRQ_LINE_STATUS's status where the architecture's KVM sets it (powerpc: what
     * kvm_set_irq returned); NULL: the caller's value is copied back as it was (arm64) */
    int32_t (*line_status)(struct device *d, uint32_t irq);
    int (*signal_msi)(struct device *d, const struct kvm_msi *msi);   /* KVM_SIGNAL_MSI */
    int (*vcpu_pending)(struct device *d, struct vcpu *v, bool *yes); /* has something */
    /* vCPU requests of the interrupt controller (the CPU interface); -ENOTTY: not one */
    int (*vcpu_ioctl)(struct device *d, struct vcpu *v, unsigned long req, unsigned long arg);
    int (*vcpu_precreate)(struct device *d);               /* KVM_CREATE_VCPU may go on? */
    int (*vcpu_created)(struct device *d, struct vcpu *v); /* a vCPU was created */
    int (*first_run)(struct device *d, struct vcpu *v);    /* a vCPU's first KVM_RUN */
    int (*vcpu_reset)(struct device *d, struct vcpu *v);   /* its MPIDR changed (arm64) */
};

/* A family's attribute group: its accessors (NULL: -ENXIO), for device_ops.groups. */
struct attr_group {
    uint32_t group;
    int (*set)(struct device *d, const struct kvm_device_attr *a);
    int (*get)(struct device *d, const struct kvm_device_attr *a);
    int (*has)(struct device *d, const struct kvm_device_attr *a);
};

/* A device type, as Linux's struct kvm_device_ops. */
struct device_ops {
    const char *name;
    uint32_t type;  /* KVM_DEV_TYPE_* */
    unsigned hosts; /* HOST_BIT()s of the personas whose KVM has the type */
    size_t size;    /* the family's object, which starts with struct device */
    /* the card has what the type needs (else the type is not registered: ENODEV) */
    bool (*available)(const struct sys *s);
    /* KVM_CREATE_DEVICE after the generic checks; d is zeroed but for the header */
    int (*create)(struct device *d);
    /* the device is on the VM's list (KVM's ->init) */
    void (*init)(struct device *d);
    /* the descriptor was closed (KVM's ->release); NULL: the device lives until the VM goes */
    void (*release)(struct device *d);
    /* the VM goes away (its vCPUs are gone already) */
    void (*destroy)(struct device *d);
    /* KVM_{SET,GET,HAS}_DEVICE_ATTR with the attribute copied in: either a table of
     * attribute groups (an unknown group is -ENXIO) or accessors (NULL: -EPERM) */
    const struct attr_group *groups;
    size_t nr_groups;
    int (*set_attr)(struct device *d, const struct kvm_device_attr *a);
    int (*get_attr)(struct device *d, const struct kvm_device_attr *a);
    int (*has_attr)(struct device *d, const struct kvm_device_attr *a);
    /* any other request on the device descriptor; NULL: -ENOTTY */
    int (*ioctl)(struct device *d, unsigned long req, unsigned long arg);
    /* guest MMIO on the device's frames: -ENXIO outside them */
    int (*mmio)(struct device *d, struct ioe_mmio *m);
    /* a device that is the VM's interrupt controller (one per VM) */
    const struct irqchip_ops *irqchip;
    int irqchip_exists; /* its create's errno when the VM has an interrupt controller */
    /* KVM_ENABLE_CAP(vcpu_cap) on a vCPU connects it to a device of this type */
    uint32_t vcpu_cap;
    int (*connect_vcpu)(struct device *d, struct vcpu *v, const struct kvm_enable_cap *cap);
};

struct device {
    struct obj o;
    const struct device_ops *ops;
    struct vm *vm;
    struct device *next; /* in vm->devices */
};

/* The device families (devices/); device.c's table lists them. */
extern const struct device_ops vgic_v3_ops, its_ops, xive_ops, xics_ops, flic_ops, kvm_vfio_ops,
    mpic20_ops, mpic42_ops;
extern const struct device_ops vgic_v2_ops;
/* the VM's VGIC (v2 or v3) is initialised (KVM's vgic_initialized); its SPI count in
 * *nr_spis */
bool vgic_initialized(struct vm *vm, uint32_t *nr_spis);

/* KVM_SET_GSI_ROUTING on ppc-booke: the MPIC's routes (devices/mpic.c) */
int mpic_set_gsi_routing(struct vm *vm, uint64_t uptr);
int mpic_chip_gsi(struct vm *vm, uint32_t irqchip, uint32_t pin); /* kvm_irq_map_chip_pin */
/* set_adapter_int for an irqfd's s390 adapter route (devices/flic.c): the indicator bits
 * set in guest RAM, the adapter interrupt queued on the VM's FLIC; 1 injected, 0 not
 * needed (summary already set, adapter masked), -1 no FLIC, adapter or RAM, else -errno */
int flic_adapter_irq(struct vm *vm, const struct kvm_irq_routing_s390_adapter *r);

int device_create(struct vm *vm, uint64_t uptr);                   /* KVM_CREATE_DEVICE */
void vm_destroy_devices(struct vm *vm);                            /* the VM goes away */
int vm_irqchip_check(struct vm *vm, const struct device_ops *ops); /* 0 or ops' errno */
/* the VM's devices of one type: for (d = NULL; (d = vm_next_device(vm, ops, d));) */
struct device *vm_next_device(struct vm *vm, const struct device_ops *ops, struct device *d);
unsigned vm_count_devices(struct vm *vm, const struct device_ops *ops);
/* guest MMIO: the first device whose frame holds m->gpa; -ENXIO when none does */
int vm_mmio(struct vm *vm, struct ioe_mmio *m);
/* KVM_ENABLE_CAP of a vCPU with a device-connecting capability; -ENOTTY: not one */
int vcpu_connect_cap(struct vcpu *v, const struct kvm_enable_cap *cap);

/* ------------------------------------------------------------------ engine ports */
/* One operation on engine e's access port (docs/gic.md, its.md, xive.md): TARGET, OFFSET,
 * WDATA, OP, wait while STATUS.BUSY, RDATA. Returns 0, ENGINE_ST_UNDEF,
 * ENGINE_ST_BADTARGET, or a negative errno from the transport (-ETIMEDOUT when the engine
 * stays busy past the card's timeout). *rdata (may be NULL) gets RDATA_HI:RDATA_LO, or
 * RDATA_LO alone when !rdata64. */
int engine_op(struct sys *s, enum engine e, uint32_t target, uint32_t offset, uint32_t code,
              uint64_t wdata, uint64_t *rdata, bool rdata64);

/* Clear the card's VM context `ctx` (the GIC engine's VM_RESET, which clears the ITS
 * engine's LPI state of the context too): 0, ENGINE_ST_* or -errno. */
int card_vm_reset(struct sys *s, unsigned ctx);

/* ------------------------------------------------------------------ notifications */
/* Drain the card's notifications and bring every notified vCPU descriptor's readability up
 * to date. Called after every request that may change what a vCPU has to present. */
void sys_sync_notifications(struct sys *s);
/* Re-read one vCPU's presentation status and update its descriptor. */
int vcpu_refresh(struct vcpu *v);
/* Stop (on) or resume keeping the descriptor's readability (ioe_vcpu_kick_only). */
int vcpu_set_kick_only(struct vcpu *v, bool on);
/* start/stop the event thread of a card that notifies on its own (notify.c) */
int sys_events_start(struct sys *s);
void sys_events_stop(struct sys *s);

/* ------------------------------------------------------------------ ppc64 */
/* KVM_PPC_RTAS_DEFINE_TOKEN (xics.c, whose calls the tokens name) */
int xics_rtas_define_token(struct vm *vm, uint64_t uptr);

/* ------------------------------------------------------------------ arm64 */
struct arm64_irq {
    unsigned type, vidx, num; /* KVM_IRQ_LINE's fields (KVM_ARM_IRQ_*), vidx with vcpu2 */
};
struct arm64_irq arm64_irq_decode(uint32_t irq);
/* arm64_vcpu_attr.c: KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU (attr copied in), the
 * PMU's first-run check, IOE_VCPU_LINE */
int arm64_vcpu_attr(struct vcpu *v, unsigned long req, const struct kvm_device_attr *a);
int arm64_pmu_first_run(struct vcpu *v);
int arm64_vcpu_line(struct vcpu *v, uint64_t uptr);
/* arch_x86_tsc.c: the x86_64 persona's TSC and kvmclock requests */
int x86_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg);
int x86_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg);

/* ------------------------------------------------------------------ user memory */
/* Fault-safe copies (uaccess.c): 0 or -EFAULT, never a crash. */
int copy_from_user(void *dst, uint64_t uaddr, size_t len);
int copy_to_user(uint64_t uaddr, const void *src, size_t len);

#endif
