/*
 * <ioe/ioe.h> - the KVM-compatible API of libioe.
 *
 * ioe_open() returns a descriptor that behaves like an open /dev/kvm; ioe_ioctl()
 * takes KVM's request numbers and structures (from <ioe/kvm.h>) and answers as
 * ioctl(2) on KVM would: a result >= 0, or -1 with errno set to what KVM sets. Every
 * descriptor is a real file descriptor; a vCPU descriptor is readable (poll, epoll)
 * while the card has an interrupt that may be presented to that vCPU.
 *
 * Requests of KVM that libioe answers (docs/api.md lists the details):
 *   system fd: KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_CREATE_VM
 *   VM fd:     KVM_CHECK_EXTENSION, KVM_CREATE_VCPU, KVM_SET_USER_MEMORY_REGION,
 *              KVM_CREATE_DEVICE, KVM_IRQ_LINE, IOE_MMIO
 *   vCPU fd:   KVM_RUN, KVM_SET/GET/HAS_DEVICE_ATTR (timer PPIs), IOE_VCPU_*,
 *              KVM_ENABLE_CAP (KVM_CAP_PPC_IRQ_XIVE), KVM_GET/SET_ONE_REG
 *              (KVM_REG_PPC_VP_STATE), IOE_XIVE_TIMA, KVM_ENABLE_CAP (KVM_CAP_IRQ_XICS),
 *              KVM_GET/SET_ONE_REG (KVM_REG_PPC_ICP_STATE), IOE_PPC_HCALL
 *   device fd: KVM_SET_DEVICE_ATTR, KVM_GET_DEVICE_ATTR, KVM_HAS_DEVICE_ATTR,
 *              IOE_XIVE_ESB (XIVE device), IOE_ITS_DOORBELL (ITS device)
 */
#ifndef IOE_IOE_H
#define IOE_IOE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include <ioe/card.h>
#include <ioe/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* target: "soft" (C reference model of the card) or "sim" (Verilator model). Returns a
 * descriptor like an open /dev/kvm, or -1 with errno (ENODEV: unknown target). */
int ioe_open(const char *target);
/* ioe_open() with the card's options (<ioe/card.h>; NULL: the defaults), e.g. the host
 * memory latency of a simulated card. -1 with errno EINVAL for options the target does
 * not take (a waveform on "soft"). */
int ioe_open_opts(const char *target, const struct ioe_card_options *opts);
/* ioe_open_opts() on a host persona: the architecture whose KVM libioe answers as
 * ("arm64", "ppc64", "ppc-booke", "s390x", "x86_64"; docs/api.md "Host personas"). It
 * decides KVM_CREATE_VM's type argument, KVM_IRQ_LINE's layout, KVM_CHECK_EXTENSION's
 * answers and which device types exist. host NULL: the environment variable IOE_HOST,
 * else "arm64". ioe_open() and ioe_open_opts() are ioe_open_host(target, NULL, opts).
 * -1 with errno EINVAL for an unknown persona name, ENODEV for an unknown target;
 * ioe_last_error() says which. */
int ioe_open_host(const char *target, const char *host, const struct ioe_card_options *opts);
/* Why the calling thread's last failed ioe_open*() or ioe_card_open*() failed, in words
 * (never NULL; "" when it did not fail, or when the transport had nothing to add to the
 * errno: an unknown target name, say). */
const char *ioe_last_error(void);
/* ioctl(2) on an ioe descriptor. EBADF for a descriptor that is not libioe's. */
int ioe_ioctl(int fd, unsigned long request, ...);
/* Close an ioe descriptor; objects live on while descriptors that need them are open
 * (a VM while its vCPU and device descriptors are open), as in KVM. */
int ioe_close(int fd);
/* The card behind an ioe descriptor (the /dev/kvm-like one, a VM, a vCPU or a device), or
 * NULL with errno EBADF: for management beside running VMs, e.g. reading the card's
 * counters (ioe_card_read32) as `ioectl` does. The card stays libioe's: do not close or
 * reset it; the pointer is valid while the descriptor is open. */
struct ioe_card *ioe_card_of(int fd);

/* ---- ioe's own requests (magic 0xE0, not used by KVM) */
#define IOEIO 0xE0

/* What IOE_VCPU_ACK returns: the interrupt as ICC_IAR1_EL1 / ICC_IAR0_EL1 would. */
struct ioe_irq {
    __u32 intid;   /* 1023 (spurious) when nothing may be presented */
    __u8 priority; /* its priority */
    __u8 group;    /* 0 or 1 */
    __u8 pad[2];
};

/* A guest-view access to a frame of the VM (GICD, GICR, ITS). */
struct ioe_mmio {
    __u64 gpa;
    __u32 len; /* 1, 2, 4 or 8 */
    __u8 is_write;
    __u8 pad[3];
    __u64 data; /* in: value to write; out: value read (little-endian, low bytes) */
};

/* A guest-view access of the vCPU to an ICC_*_EL1 system register (the hypervisor
 * forwards the vCPU's trapped MSR/MRS). enc = Op0[15:14] Op1[13:11] CRn[10:7] CRm[6:3]
 * Op2[2:0], as in KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS. */
struct ioe_sysreg {
    __u32 enc;
    __u8 is_write;
    __u8 pad[3];
    __u64 value; /* in: value to write; out: value read */
};

/* vCPU fd: acknowledge the interrupt that may be presented (reads ICC_IAR0/1_EL1 of its
 * group). Fills struct ioe_irq; intid 1023 when there is none. */
#define IOE_VCPU_ACK _IOR(IOEIO, 0x01, struct ioe_irq)
/* vCPU fd: complete an interrupt: writes ICC_EOIR<group>_EL1 with intid (priority
 * drop, and deactivation when ICC_CTLR_EL1.EOImode is 0). */
#define IOE_VCPU_EOI _IOW(IOEIO, 0x02, struct ioe_irq)
/* vCPU fd: deactivate (ICC_DIR_EL1), for EOImode 1. */
#define IOE_VCPU_DIR _IOW(IOEIO, 0x03, struct ioe_irq)
/* vCPU fd: the vCPU writes ICC_SGI1R_EL1 (arg: pointer to the __u64 value). */
#define IOE_VCPU_SGI _IOW(IOEIO, 0x04, __u64)
/* vCPU fd: the vCPU leaves KVM_RUN (returns to userspace); the -EBUSY rules of
 * "running" vCPUs no longer count it. KVM_RUN enters the running state again. */
#define IOE_VCPU_EXIT _IO(IOEIO, 0x05)
/* vCPU fd: guest-view ICC system-register access; ENXIO for an encoding the card's
 * CPU interface does not have. */
#define IOE_VCPU_SYSREG _IOWR(IOEIO, 0x06, struct ioe_sysreg)
/* The level of a line the hypervisor's own emulation drives into the VGIC of an arm64 VM
 * (docs/api.md "vCPU lines"): the vCPU's PMU overflow line or one of its timers'. */
struct ioe_vcpu_line {
    __u32 line;  /* IOE_LINE_* */
    __u32 level; /* 0 or 1 */
};
#define IOE_LINE_PMU 0
#define IOE_LINE_VTIMER 1
#define IOE_LINE_PTIMER 2
#define IOE_LINE_HVTIMER 3
#define IOE_LINE_HPTIMER 4
/* vCPU fd: set the level of the vCPU's line; the guest sees its interrupt as any PPI (or,
 * for a PMU on an SPI, that SPI) of the card's GIC. */
#define IOE_VCPU_LINE _IOW(IOEIO, 0x08, struct ioe_vcpu_line)
/* ---- SDEI (docs/api.md "SDEI"): the guest's SDEI calls and the delivery of its events */
/* A vCPU context as SDEI saves and restores it (struct kvm_sdei_vcpu_regs_state). */
struct ioe_sdei_ctx {
    __u64 regs[18]; /* x0..x17 */
    __u64 pc;
    __u64 pstate;
};
/* IOE_VCPU_SDEI_CALL: in: the vCPU at its SMC/HVC (x0 the function id, x1.. the
 * arguments); out: what the vCPU continues with, as `action` says. */
struct ioe_sdei_call {
    struct ioe_sdei_ctx ctx;
    __u32 action; /* IOE_SDEI_* */
    __u32 pad;
    __u64 elr, spsr; /* IOE_SDEI_RESUME: ELR_EL1 and SPSR_EL1 of the IRQ exception taken */
};
#define IOE_SDEI_RETURN 0  /* x0..x3 hold the results; continue after the call */
#define IOE_SDEI_RESTORE 1 /* EVENT_COMPLETE: the whole context is the interrupted one */
#define IOE_SDEI_RESUME                                                                            \
    2 /* COMPLETE_AND_RESUME: the interrupted registers, pc the resume                             \
       * address, an IRQ exception taken (elr, spsr) */
/* vCPU fd: serve the guest's SDEI call (the DEN0054 function ids 0xC4000020..0xC4000032) */
#define IOE_VCPU_SDEI_CALL _IOWR(IOEIO, 0x09, struct ioe_sdei_call)
/* vCPU fd: take the SDEI event the vCPU should run now, if any: in: the vCPU's current
 * context (saved for COMPLETE); out: the handler's entry context. Returns 1 when an event
 * was delivered, 0 when none may be (the descriptor's readability is then the IRQs'). */
#define IOE_VCPU_SDEI_DELIVER _IOWR(IOEIO, 0x0a, struct ioe_sdei_ctx)
/* VM fd: guest-view access to a registered frame; ENXIO outside every frame. */
#define IOE_MMIO _IOWR(IOEIO, 0x10, struct ioe_mmio)

/* ---- KVM_DEV_TYPE_XIVE: what KVM gives through mmap() of the device fd, which an ioe
 * descriptor cannot offer (docs/api.md, "KVM_DEV_TYPE_XIVE"). */

/* A load or store on the ESB pages of the XIVE device (KVM's mapping at
 * KVM_XIVE_ESB_PAGE_OFFSET): page 2n is source n's trigger page, page 2n+1 its EOI and
 * management page; offset is the byte offset in the 64 KiB page, decoded like the
 * hardware (offset & 0xfff: XIVE_ESB_LOAD_EOI, XIVE_ESB_GET, XIVE_ESB_SET_PQ_xx, ...). */
struct ioe_xive_esb {
    __u64 page;
    __u32 offset;
    __u8 is_store;
    __u8 pad[3];
    __u64 data; /* store: the value (ignored by the ESB); load: the 8-byte value read */
};

/* An access of the vCPU to its TIMA OS page (KVM's mapping at KVM_XIVE_TIMA_PAGE_OFFSET,
 * page 2): loads of the QW1 bytes (TM_QW1_OS + TM_NSR .. TM_PIPR, 1, 2, 4 or 8 bytes,
 * naturally aligned), TM_SPC_ACK_OS_REG (2-byte load), stores of TM_QW1_OS + TM_CPPR and
 * TM_SPC_SET_OS_PENDING (1 byte). Other offsets read 0 and ignore stores. */
struct ioe_xive_tima {
    __u32 offset;
    __u8 len; /* 1, 2, 4 or 8 */
    __u8 is_store;
    __u8 pad[2];
    __u64 data; /* store: the value; load: the value read (big-endian bytes as a number) */
};

/* vCPU fd: TIMA OS page access; ENXIO when the vCPU is not connected to a XIVE device
 * (KVM_ENABLE_CAP KVM_CAP_PPC_IRQ_XIVE). */
#define IOE_XIVE_TIMA _IOWR(IOEIO, 0x07, struct ioe_xive_tima)
/* XIVE device fd: ESB page access; ENXIO for a source that is not initialised
 * (KVM_DEV_XIVE_GRP_SOURCE), EINVAL outside the mapping. */
#define IOE_XIVE_ESB _IOWR(IOEIO, 0x11, struct ioe_xive_esb)
/* ITS device fd: the card's device doorbell for this ITS (PCIe cards, docs/pcie.md section
 * 3): the offset in BAR4 of the page that serves it. A passthrough device whose MSI
 * address the VMM points at page + 0x40 (GITS_TRANSLATER's offset in its frame) has its
 * MSIs translated by this ITS with its requester ID as DeviceID, without the host CPU.
 * ENXIO before the ITS has its address (KVM_VGIC_ITS_ADDR_TYPE); EOPNOTSUPP on a card
 * without device doorbells (every target but the PCIe card); ENOSPC when the card has no
 * page for this ITS's instance. */
#define IOE_ITS_DOORBELL _IOR(IOEIO, 0x12, __u64)

#ifdef __cplusplus
}
#endif

/* ---- ppc64 (KVM_DEV_TYPE_XICS): the guest's XICS hypercalls, which KVM serves in the
 * kernel, forwarded by the hypervisor (docs/api.md, "KVM_DEV_TYPE_XICS"). nr and args are
 * r3 and r4.. of the guest's hcall; ret is what KVM returns in r3 (H_SUCCESS, H_PARAMETER,
 * ...), rets what it leaves in r4.. (H_XIRR: rets[0] = XIRR; H_XIRR_X: also rets[1] = the
 * timebase; H_IPOLL: rets[0] = CPPR << 24 | XISR); H_RTAS runs the in-kernel RTAS calls
 * defined with KVM_PPC_RTAS_DEFINE_TOKEN. */
struct ioe_ppc_hcall {
    __u64 nr;
    __u64 args[9];
    __u64 ret;
    __u64 rets[9];
};
/* vCPU fd: perform the hcall for the vCPU (ENXIO without a XICS device on the VM) */
#define IOE_PPC_HCALL _IOWR(IOEIO, 0x40, struct ioe_ppc_hcall)

/* PAPR hcall numbers and return values (asm/hvcall.h) */
#ifndef H_SUCCESS
#define H_SUCCESS 0
#define H_PARAMETER -4
#define H_UNSUPPORTED -67
#define H_TOO_HARD 9999
#endif
#ifndef H_EOI
#define H_EOI 0x64
#define H_CPPR 0x68
#define H_IPI 0x6c
#define H_IPOLL 0x70
#define H_XIRR 0x74
#define H_XIRR_X 0x2fc
#endif
#ifndef H_RTAS
#define H_RTAS 0xf000 /* KVM's and QEMU's: args[0] = the guest address of struct rtas_args */
#endif

/* ---- s390 (KVM_DEV_TYPE_FLIC): what the SIE does in KVM, requested by the hypervisor.
 * The interruption masks the guest has loaded on the vCPU (PSW mask, control registers 0,
 * 6 and 14) decide which floating interrupts it may take (docs/api.md, "KVM_DEV_TYPE_FLIC").
 * Until they are set, a vCPU takes none. */
struct ioe_s390_masks {
    __u64 psw_mask, cr0, cr6, cr14;
};
/* vCPU fd: the vCPU's interruption masks (ENXIO without a FLIC on the VM) */
#define IOE_S390_SET_MASKS _IOW(IOEIO, 0x30, struct ioe_s390_masks)
/* vCPU fd: take the floating interrupt this vCPU takes next, in s390's priority order,
 * into the struct kvm_s390_irq at arg; returns 1 when it took one, 0 when none is
 * deliverable to it (ENXIO without a FLIC) */
#define IOE_S390_DEQUEUE _IOR(IOEIO, 0x31, struct kvm_s390_irq)

#endif /* IOE_IOE_H */
