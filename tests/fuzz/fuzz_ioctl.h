/*
 * The input language of fuzz_ioctl (tests/fuzz/fuzz_ioctl.c), shared with the seed writer
 * (tests/fuzz/make_seeds.c). An input is a sequence of operations, each an FZ_OP_* byte
 * followed by its operands (little endian; a short input reads zeros):
 *
 *   OPEN     persona:u8                        ioe_open_host("soft", fz_persona[i % n]),
 *                                              the first two of an input
 *   IOCTL    slot:u8 req:u8 [raw:u32] ptr      ioe_ioctl(slot's fd, request, pointer)
 *   ATTR     slot:u8 which:u8 group:u32 attr:u64 ptr
 *                                              KVM_{SET,GET,HAS}_DEVICE_ATTR, addr = ptr
 *   CLOSE    slot:u8                           ioe_close(slot's fd)
 *   MEMSLOT  slot:u8 id:u16 flags:u8 gpa_pages:u16 pages:u8 ram_page:u16
 *                                              KVM_SET_USER_MEMORY_REGION over guest RAM
 *
 * req indexes fz_requests; FZ_REQ_RAW takes the request number from the next 4 bytes. ptr
 * is a pointer operand: mode:u8 then, by mode, a payload (len:u16 and len bytes), a count
 * or a raw value (FZ_PTR_*). A successful KVM_CREATE_VM, KVM_CREATE_VCPU or
 * KVM_CREATE_DEVICE (not a test) puts the new descriptor in the next of FZ_SLOTS slots;
 * OPEN does too. Slot numbers are taken modulo FZ_SLOTS. A KVM_ENABLE_CAP payload whose
 * args[0] has bit 63 set names a slot (the device a vCPU connects to): its descriptor is
 * put there.
 */
#ifndef IOE_FUZZ_IOCTL_H
#define IOE_FUZZ_IOCTL_H

#include <ioe/ioe.h>

enum { FZ_OP_OPEN, FZ_OP_IOCTL, FZ_OP_ATTR, FZ_OP_CLOSE, FZ_OP_MEMSLOT, FZ_OP_COUNT };

enum {
    FZ_PTR_BUF,     /* len:u16 bytes, in readable and writable memory */
    FZ_PTR_NULL,    /* 0 */
    FZ_PTR_PARTIAL, /* len:u16 bytes, ending where an unmapped page begins */
    FZ_PTR_KERNEL,  /* an address no process can map */
    FZ_PTR_RDONLY,  /* len:u16 bytes in a read-only page */
    FZ_PTR_RAW,     /* value:u64 passed as it is (an integer argument) */
    FZ_PTR_COUNT
};

#define FZ_SLOTS 8
#define FZ_PAYLOAD_MAX 4096

static const char *const fz_persona[] = {"arm64", "ppc64", "ppc-booke", "s390x", "x86_64"};

/* Every request some descriptor of libioe answers (include/ioe/ioe.h, docs/api.md) */
static const unsigned long fz_requests[] = {
    KVM_GET_API_VERSION,
    KVM_CHECK_EXTENSION,
    KVM_CREATE_VM,
    KVM_GET_VCPU_MMAP_SIZE,
    KVM_CREATE_VCPU,
    KVM_SET_USER_MEMORY_REGION,
    KVM_CREATE_DEVICE,
    KVM_SET_DEVICE_ATTR,
    KVM_GET_DEVICE_ATTR,
    KVM_HAS_DEVICE_ATTR,
    KVM_IRQ_LINE,
    KVM_IRQ_LINE_STATUS,
    KVM_SIGNAL_MSI,
    KVM_SET_GSI_ROUTING,
    KVM_IRQFD,
    KVM_RUN,
    KVM_ENABLE_CAP,
    KVM_GET_ONE_REG,
    KVM_SET_ONE_REG,
    KVM_GET_REG_LIST,
    KVM_ARM_VCPU_INIT,
    KVM_ARM_PREFERRED_TARGET,
    KVM_GET_MP_STATE,
    KVM_SET_MP_STATE,
    KVM_ARM_SDEI_COMMAND,
    KVM_GET_CLOCK,
    KVM_SET_CLOCK,
    KVM_SET_TSC_KHZ,
    KVM_GET_TSC_KHZ,
    KVM_PPC_RTAS_DEFINE_TOKEN,
    KVM_INTERRUPT,
    KVM_S390_IRQ,
    KVM_S390_INTERRUPT,
    KVM_S390_GET_IRQ_STATE,
    KVM_S390_SET_IRQ_STATE,
    KVM_IOEVENTFD,
    KVM_CREATE_IRQCHIP,
    IOE_VCPU_ACK,
    IOE_VCPU_EOI,
    IOE_VCPU_DIR,
    IOE_VCPU_SGI,
    IOE_VCPU_EXIT,
    IOE_VCPU_SYSREG,
    IOE_VCPU_LINE,
    IOE_VCPU_SDEI_CALL,
    IOE_VCPU_SDEI_DELIVER,
    IOE_MMIO,
    IOE_XIVE_TIMA,
    IOE_XIVE_ESB,
    IOE_PPC_HCALL,
    IOE_S390_SET_MASKS,
    IOE_S390_DEQUEUE,
};
#define FZ_NREQ (sizeof(fz_requests) / sizeof(fz_requests[0]))
#define FZ_REQ_RAW 0xff

#endif
