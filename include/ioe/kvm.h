/*
 * <ioe/kvm.h> - the KVM ABI that libioe speaks.
 *
 * The common part (ioctl numbers, struct kvm_device_attr, struct kvm_create_device,
 * capabilities, ...) comes from the system's <linux/kvm.h>. The arm64 device ABI
 * (VGIC groups, attributes, address types, KVM_IRQ_LINE layout, vCPU attribute
 * groups) is defined here with the kernel's values, because x86's <linux/kvm.h> does
 * not carry it. Every name is KVM's own; on an arm64 system the kernel header
 * provides the same values and these definitions are skipped. The POWER9 XIVE device
 * ABI (KVM_DEV_TYPE_XIVE) is here too, with the values of the powerpc headers.
 */
#ifndef IOE_KVM_H
#define IOE_KVM_H

#include <linux/kvm.h>

/* ---- capabilities */
#ifndef KVM_CAP_ARM_VM_IPA_SIZE
#define KVM_CAP_ARM_VM_IPA_SIZE 165
#endif
#ifndef KVM_VM_TYPE_ARM_IPA_SIZE_MASK
#define KVM_VM_TYPE_ARM_IPA_SIZE_MASK 0xffULL
#define KVM_VM_TYPE_ARM_IPA_SIZE(x) ((x) & KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
#endif

/* ---- device attribute groups (arch/arm64/include/uapi/asm/kvm.h) */
#ifndef KVM_DEV_ARM_VGIC_GRP_ADDR
#define KVM_DEV_ARM_VGIC_GRP_ADDR 0
#define KVM_DEV_ARM_VGIC_GRP_DIST_REGS 1
#define KVM_DEV_ARM_VGIC_GRP_CPU_REGS 2
#define KVM_DEV_ARM_VGIC_GRP_NR_IRQS 3
#define KVM_DEV_ARM_VGIC_GRP_CTRL 4
#define KVM_DEV_ARM_VGIC_GRP_REDIST_REGS 5
#define KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS 6
#define KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO 7
#define KVM_DEV_ARM_VGIC_GRP_ITS_REGS 8
#define KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ 9
#define KVM_DEV_ARM_VGIC_GRP_FEATURES 10

#define KVM_DEV_ARM_VGIC_CPUID_SHIFT 32
#define KVM_DEV_ARM_VGIC_CPUID_MASK (0xffULL << KVM_DEV_ARM_VGIC_CPUID_SHIFT)
#define KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT 32
#define KVM_DEV_ARM_VGIC_V3_MPIDR_MASK (0xffffffffULL << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT)
#define KVM_DEV_ARM_VGIC_OFFSET_SHIFT 0
#define KVM_DEV_ARM_VGIC_OFFSET_MASK (0xffffffffULL << KVM_DEV_ARM_VGIC_OFFSET_SHIFT)
#define KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK (0xffff)
#define KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT 10
#define KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK (0x3fffffULL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT)
#define KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK 0x3ff
#define VGIC_LEVEL_INFO_LINE_LEVEL 0

#define KVM_DEV_ARM_VGIC_CTRL_INIT 0
#define KVM_DEV_ARM_ITS_SAVE_TABLES 1
#define KVM_DEV_ARM_ITS_RESTORE_TABLES 2
#define KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES 3
#define KVM_DEV_ARM_ITS_CTRL_RESET 4

#define KVM_DEV_ARM_VGIC_FEATURE_nASSGIcap 0
#endif

/* ---- GRP_ADDR address types */
#ifndef KVM_VGIC_V2_ADDR_TYPE_DIST
#define KVM_VGIC_V2_ADDR_TYPE_DIST 0
#define KVM_VGIC_V2_ADDR_TYPE_CPU 1
#define KVM_VGIC_V2_DIST_SIZE 0x1000
#define KVM_VGIC_V2_CPU_SIZE 0x2000
#define KVM_VGIC_V3_ADDR_TYPE_DIST 2
#define KVM_VGIC_V3_ADDR_TYPE_REDIST 3
#define KVM_VGIC_ITS_ADDR_TYPE 4
#define KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION 5
#define KVM_VGIC_V3_DIST_SIZE (64 * 1024)
#define KVM_VGIC_V3_REDIST_SIZE (2 * 64 * 1024)
#define KVM_VGIC_V3_ITS_SIZE (2 * 64 * 1024)
#endif

/* REDIST_REGION value layout (the kernel keeps these in arch/arm64/kvm/vgic/vgic.h) */
#ifndef KVM_VGIC_V3_RDIST_INDEX_MASK
#define KVM_VGIC_V3_RDIST_INDEX_MASK 0x0000000000000fffULL
#define KVM_VGIC_V3_RDIST_FLAGS_MASK 0x000000000000f000ULL
#define KVM_VGIC_V3_RDIST_FLAGS_SHIFT 12
#define KVM_VGIC_V3_RDIST_BASE_MASK 0x000fffffffff0000ULL
#define KVM_VGIC_V3_RDIST_COUNT_MASK 0xfff0000000000000ULL
#define KVM_VGIC_V3_RDIST_COUNT_SHIFT 52
#endif

/* "address not set" as GRP_ADDR reads it back */
#define IOE_VGIC_ADDR_UNDEF (~0ULL)

/* ---- KVM_IRQ_LINE irq field on arm64 */
#ifndef KVM_ARM_IRQ_TYPE_SHIFT
#define KVM_ARM_IRQ_VCPU2_SHIFT 28
#define KVM_ARM_IRQ_VCPU2_MASK 0xf
#define KVM_ARM_IRQ_TYPE_SHIFT 24
#define KVM_ARM_IRQ_TYPE_MASK 0xf
#define KVM_ARM_IRQ_VCPU_SHIFT 16
#define KVM_ARM_IRQ_VCPU_MASK 0xff
#define KVM_ARM_IRQ_NUM_SHIFT 0
#define KVM_ARM_IRQ_NUM_MASK 0xffff
#define KVM_ARM_IRQ_TYPE_CPU 0
#define KVM_ARM_IRQ_TYPE_SPI 1
#define KVM_ARM_IRQ_TYPE_PPI 2
#define KVM_ARM_IRQ_CPU_IRQ 0
#define KVM_ARM_IRQ_CPU_FIQ 1
#endif

/* ---- vCPU device attributes (Documentation/virt/kvm/devices/vcpu.rst) */
#ifndef KVM_ARM_VCPU_PMU_V3_CTRL
#define KVM_ARM_VCPU_PMU_V3_CTRL 0
#define KVM_ARM_VCPU_PMU_V3_IRQ 0
#define KVM_ARM_VCPU_PMU_V3_INIT 1
#define KVM_ARM_VCPU_PMU_V3_FILTER 2
#define KVM_ARM_VCPU_PMU_V3_SET_PMU 3
#define KVM_ARM_VCPU_TIMER_CTRL 1
#define KVM_ARM_VCPU_TIMER_IRQ_VTIMER 0
#define KVM_ARM_VCPU_TIMER_IRQ_PTIMER 1
#define KVM_ARM_VCPU_PVTIME_CTRL 2
#define KVM_ARM_VCPU_PVTIME_IPA 0
#endif

/* ---- POWER9 XIVE native device (arch/powerpc/include/uapi/asm/kvm.h; Documentation/
 * virt/kvm/devices/xive.rst). KVM_DEV_TYPE_XIVE and KVM_CAP_PPC_IRQ_XIVE are in the
 * common <linux/kvm.h>. */
#ifndef KVM_CAP_PPC_IRQ_XIVE
#define KVM_CAP_PPC_IRQ_XIVE 169
#endif
#ifndef KVM_DEV_XIVE_GRP_CTRL
#define KVM_DEV_XIVE_GRP_CTRL 1
#define KVM_DEV_XIVE_RESET 1
#define KVM_DEV_XIVE_EQ_SYNC 2
#define KVM_DEV_XIVE_NR_SERVERS 3
#define KVM_DEV_XIVE_GRP_SOURCE 2        /* 64-bit source number */
#define KVM_DEV_XIVE_GRP_SOURCE_CONFIG 3 /* 64-bit source number */
#define KVM_DEV_XIVE_GRP_EQ_CONFIG 4     /* 64-bit EQ identifier */
#define KVM_DEV_XIVE_GRP_SOURCE_SYNC 5   /* 64-bit source number */

/* Layout of the 64-bit source attribute values */
#define KVM_XIVE_LEVEL_SENSITIVE (1ULL << 0)
#define KVM_XIVE_LEVEL_ASSERTED (1ULL << 1)

/* Layout of the 64-bit source configuration attribute values */
#define KVM_XIVE_SOURCE_PRIORITY_SHIFT 0
#define KVM_XIVE_SOURCE_PRIORITY_MASK 0x7
#define KVM_XIVE_SOURCE_SERVER_SHIFT 3
#define KVM_XIVE_SOURCE_SERVER_MASK 0xfffffff8ULL
#define KVM_XIVE_SOURCE_MASKED_SHIFT 32
#define KVM_XIVE_SOURCE_MASKED_MASK 0x100000000ULL
#define KVM_XIVE_SOURCE_EISN_SHIFT 33
#define KVM_XIVE_SOURCE_EISN_MASK 0xfffffffe00000000ULL

/* Layout of the 64-bit EQ identifier */
#define KVM_XIVE_EQ_PRIORITY_SHIFT 0
#define KVM_XIVE_EQ_PRIORITY_MASK 0x7
#define KVM_XIVE_EQ_SERVER_SHIFT 3
#define KVM_XIVE_EQ_SERVER_MASK 0xfffffff8ULL

/* Layout of EQ configuration values (64 bytes) */
struct kvm_ppc_xive_eq {
    __u32 flags;
    __u32 qshift;
    __u64 qaddr;
    __u32 qtoggle;
    __u32 qindex;
    __u8 pad[40];
};

#define KVM_XIVE_EQ_ALWAYS_NOTIFY 0x00000001

/* mmap offsets of the device fd, in host pages */
#define KVM_XIVE_TIMA_PAGE_OFFSET 0
#define KVM_XIVE_ESB_PAGE_OFFSET 4
#endif

/* KVM_IRQ_LINE levels besides 0 and 1 (arch/powerpc/include/uapi/asm/kvm.h) */
#ifndef KVM_INTERRUPT_SET
#define KVM_INTERRUPT_SET -1U
#define KVM_INTERRUPT_UNSET -2U
#define KVM_INTERRUPT_SET_LEVEL -3U
#endif

/* vCPU one-reg: the TIMA OS ring (QW1) bytes 0-7 in the first u64, big-endian */
#ifndef KVM_REG_PPC_VP_STATE
#define KVM_REG_PPC_VP_STATE (KVM_REG_PPC | KVM_REG_SIZE_U128 | 0x8d)
#endif

/* ESB page offsets and PQ values (arch/powerpc/include/asm/xive-regs.h): loads on the
 * EOI/management page of a source; XIVE_ESB_STORE_EOI is a store. */
#ifndef XIVE_ESB_GET
#define XIVE_ESB_STORE_EOI 0x400
#define XIVE_ESB_LOAD_EOI 0x000
#define XIVE_ESB_GET 0x800
#define XIVE_ESB_SET_PQ_00 0xc00
#define XIVE_ESB_SET_PQ_01 0xd00
#define XIVE_ESB_SET_PQ_10 0xe00
#define XIVE_ESB_SET_PQ_11 0xf00
#define XIVE_ESB_VAL_P 0x2
#define XIVE_ESB_VAL_Q 0x1
#define XIVE_ESB_INVALID 0xff
#endif

/* TIMA: the OS ring (QW1) and its special operations (asm/xive-regs.h) */
#ifndef TM_QW1_OS
#define TM_QW1_OS 0x010
#define TM_NSR 0x0
#define TM_CPPR 0x1
#define TM_IPB 0x2
#define TM_LSMFB 0x3
#define TM_ACK_CNT 0x4
#define TM_INC 0x5
#define TM_AGE 0x6
#define TM_PIPR 0x7
#define TM_WORD2 0x8
#define TM_QW1_NSR_EO 0x80
#define TM_SPC_ACK_OS_REG 0x810
#define TM_SPC_SET_OS_PENDING 0x812
#endif

/* ---- s390 VM attributes (Documentation/virt/kvm/devices/vm.rst, arch/s390/include/uapi/asm/kvm.h) */
#ifndef KVM_S390_VM_MEM_CTRL
#define KVM_S390_VM_MEM_CTRL 0
#define KVM_S390_VM_TOD 1
#define KVM_S390_VM_CRYPTO 2
#define KVM_S390_VM_CPU_MODEL 3
#define KVM_S390_VM_MIGRATION 4
#define KVM_S390_VM_CPU_TOPOLOGY 5

#define KVM_S390_VM_MEM_ENABLE_CMMA 0
#define KVM_S390_VM_MEM_CLR_CMMA 1
#define KVM_S390_VM_MEM_LIMIT_SIZE 2
#define KVM_S390_NO_MEM_LIMIT (~0ULL)

#define KVM_S390_VM_TOD_LOW 0
#define KVM_S390_VM_TOD_HIGH 1
#define KVM_S390_VM_TOD_EXT 2
struct kvm_s390_vm_tod_clock {
    __u8 epoch_idx;
    __u64 tod; /* Eventually the TOD ext is followed by the TOD */
};

#define KVM_S390_VM_CPU_PROCESSOR 0
#define KVM_S390_VM_CPU_MACHINE 1
#define KVM_S390_VM_CPU_PROCESSOR_FEAT 2
#define KVM_S390_VM_CPU_MACHINE_FEAT 3
#define KVM_S390_VM_CPU_PROCESSOR_SUBFUNC 4
#define KVM_S390_VM_CPU_MACHINE_SUBFUNC 5
#define KVM_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST 6
#define KVM_S390_VM_CPU_MACHINE_UV_FEAT_GUEST 7

struct kvm_s390_vm_cpu_processor {
    __u64 cpuid;
    __u16 ibc;
    __u8 pad[6];
    __u64 fac_list[256];
};
struct kvm_s390_vm_cpu_machine {
    __u64 cpuid;
    __u32 ibc;
    __u8 pad[4];
    __u64 fac_mask[256];
    __u64 fac_list[256];
};
#define KVM_S390_VM_CPU_FEAT_NR_BITS 1024
#define KVM_S390_VM_CPU_FEAT_ESOP 0
#define KVM_S390_VM_CPU_FEAT_SIEF2 1
#define KVM_S390_VM_CPU_FEAT_64BSCAO 2
#define KVM_S390_VM_CPU_FEAT_SIIF 3
#define KVM_S390_VM_CPU_FEAT_GPERE 4
#define KVM_S390_VM_CPU_FEAT_GSLS 5
#define KVM_S390_VM_CPU_FEAT_IB 6
#define KVM_S390_VM_CPU_FEAT_CEI 7
#define KVM_S390_VM_CPU_FEAT_IBS 8
#define KVM_S390_VM_CPU_FEAT_SKEY 9
#define KVM_S390_VM_CPU_FEAT_CMMA 10
#define KVM_S390_VM_CPU_FEAT_PFMFI 11
#define KVM_S390_VM_CPU_FEAT_SIGPIF 12
#define KVM_S390_VM_CPU_FEAT_KSS 13
struct kvm_s390_vm_cpu_feat {
    __u64 feat[16];
};
struct kvm_s390_vm_cpu_subfunc {
    __u8 plo[32], ptff[16], kmac[16], kmc[16], km[16], kimd[16], klmd[16], pckmo[16];
    __u8 kmctr[16], kmf[16], kmo[16], pcc[16], ppno[16], kma[16], kdsa[16];
    __u8 sortl[32], dfltcc[32];
    __u8 reserved[1728];
};
struct kvm_s390_vm_cpu_uv_feat {
    __u64 feat;
};

#define KVM_S390_VM_CRYPTO_ENABLE_AES_KW 0
#define KVM_S390_VM_CRYPTO_ENABLE_DEA_KW 1
#define KVM_S390_VM_CRYPTO_DISABLE_AES_KW 2
#define KVM_S390_VM_CRYPTO_DISABLE_DEA_KW 3
#define KVM_S390_VM_CRYPTO_ENABLE_APIE 4
#define KVM_S390_VM_CRYPTO_DISABLE_APIE 5

#define KVM_S390_VM_MIGRATION_STOP 0
#define KVM_S390_VM_MIGRATION_START 1
#define KVM_S390_VM_MIGRATION_STATUS 2
#endif

/* ---- KVM_DEV_TYPE_FLIC (Documentation/virt/kvm/devices/s390_flic.rst, arch/s390/include/uapi/asm/kvm.h) */
#ifndef KVM_DEV_FLIC_GET_ALL_IRQS
#define KVM_DEV_FLIC_GET_ALL_IRQS 1
#define KVM_DEV_FLIC_ENQUEUE 2
#define KVM_DEV_FLIC_CLEAR_IRQS 3
#define KVM_DEV_FLIC_APF_ENABLE 4
#define KVM_DEV_FLIC_APF_DISABLE_WAIT 5
#define KVM_DEV_FLIC_ADAPTER_REGISTER 6
#define KVM_DEV_FLIC_ADAPTER_MODIFY 7
#define KVM_DEV_FLIC_CLEAR_IO_IRQ 8
#define KVM_DEV_FLIC_AISM 9
#define KVM_DEV_FLIC_AIRQ_INJECT 10
#define KVM_DEV_FLIC_AISM_ALL 11
#define KVM_S390_MAX_FLOAT_IRQS 266250
#define KVM_S390_FLIC_MAX_BUFFER 0x2000000

struct kvm_s390_io_adapter {
    __u32 id;
    __u8 isc;
    __u8 maskable;
    __u8 swap;
    __u8 flags;
};
#define KVM_S390_ADAPTER_SUPPRESSIBLE 0x01

struct kvm_s390_ais_req {
    __u8 isc;
    __u16 mode;
};
struct kvm_s390_ais_all {
    __u8 simm;
    __u8 nimm;
};

#define KVM_S390_IO_ADAPTER_MASK 1
#define KVM_S390_IO_ADAPTER_MAP 2
#define KVM_S390_IO_ADAPTER_UNMAP 3
struct kvm_s390_io_adapter_req {
    __u32 id;
    __u8 type;
    __u8 mask;
    __u16 pad0;
    __u64 addr;
};
#endif
#ifndef KVM_S390_AIS_MODE_ALL /* arch/s390/include/asm/kvm_host.h */
#define KVM_S390_AIS_MODE_ALL 0
#define KVM_S390_AIS_MODE_SINGLE 1
#endif

/* Limits KVM applies on arm64 */
#define IOE_KVM_MAX_VCPU_IDS 512 /* KVM_MAX_VCPU_IDS = KVM_MAX_VCPUS on arm64 */
#define IOE_KVM_USER_MEM_SLOTS 512
#define IOE_KVM_PHYS_SHIFT_DEFAULT 40 /* IPA size of a type-0 VM */
#define IOE_KVM_PHYS_SHIFT_MIN 32

/* ---- KVM_DEV_TYPE_VFIO: the FILE names of Linux 6.6 (the values of the GROUP ones) */
#ifndef KVM_DEV_VFIO_FILE
#define KVM_DEV_VFIO_FILE KVM_DEV_VFIO_GROUP
#define KVM_DEV_VFIO_FILE_ADD KVM_DEV_VFIO_GROUP_ADD
#define KVM_DEV_VFIO_FILE_DEL KVM_DEV_VFIO_GROUP_DEL
#endif

#endif /* IOE_KVM_H */
