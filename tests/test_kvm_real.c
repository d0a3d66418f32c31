/*
 * libioe against the running kernel's KVM: the same calls on /dev/kvm and on libioe's
 * x86_64 persona (the soft card), side by side, and every result compared. What an x86
 * kernel offers of the device ABI is KVM_DEV_TYPE_VFIO, so the calls are the device layer's
 * (KVM_CREATE_DEVICE with and without KVM_CREATE_DEVICE_TEST, over every device type, bad
 * pointers, a second device) and the VFIO device's attributes (HAS, SET, GET, unknown
 * groups and attributes, bad pointers and descriptors, ADD and DEL of a file that is not
 * VFIO's); around them the system, VM and vCPU requests the persona shares with x86 KVM
 * (capabilities, memory slots, irqfds and routing without an irqchip, the clock, the TSC
 * offset, unknown requests). Reports SKIP
 * (77) where /dev/kvm cannot be opened or the host is not x86_64.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ioe/ioe.h>

#define BAD_ADDR 0x10ull /* a user pointer that faults */
#define MAX_STEPS 128

/* one side: the kernel's ioctl or libioe's (each -1 with errno on error), as a result or -errno */
struct side {
    const char *name;
    int (*call)(int fd, unsigned long req, void *arg);
    int sys, vm, dev;
    int res[MAX_STEPS];
    const char *what[MAX_STEPS];
    unsigned n;
};

static int kernel_call(int fd, unsigned long req, void *arg)
{
    int r = ioctl(fd, req, arg);
    return r < 0 ? -errno : r;
}

static int ioe_call(int fd, unsigned long req, void *arg)
{
    int r = ioe_ioctl(fd, req, arg);
    return r < 0 ? -errno : r;
}

static void record(struct side *s, const char *what, int res)
{
    if (s->n < MAX_STEPS) {
        s->what[s->n] = what;
        s->res[s->n++] = res;
    }
}

static int attr(struct side *s, unsigned long req, uint32_t group, uint64_t a, uint64_t addr)
{
    struct kvm_device_attr x = {.group = group, .attr = a, .addr = addr};
    return s->call(s->dev, req, &x);
}

/* the device layer: creation over every type, the test flag, flags it ignores, a second VFIO
 * device (one per VM), bad pointers */
static void create_steps(struct side *s, int pipe_rd)
{
    (void)pipe_rd;
    record(s, "CHECK_EXTENSION(DEVICE_CTRL) on the VM",
           s->call(s->vm, KVM_CHECK_EXTENSION, (void *)(uintptr_t)KVM_CAP_DEVICE_CTRL));
    record(s, "CREATE_DEVICE with a bad pointer",
           s->call(s->vm, KVM_CREATE_DEVICE, (void *)BAD_ADDR));
    static const uint32_t types[] = {0,  1,  2,  3,  4,  5,  6,  7,   8,          9,
                                     10, 11, 12, 13, 14, 15, 16, 255, 0x80000000u};
    static char names[sizeof(types) / sizeof(types[0])][48];
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct kvm_create_device cd = {.type = types[i], .flags = KVM_CREATE_DEVICE_TEST};
        snprintf(names[i], sizeof(names[i]), "CREATE_DEVICE(TEST) type %u", types[i]);
        record(s, names[i], s->call(s->vm, KVM_CREATE_DEVICE, &cd));
    }
    struct kvm_create_device cd = {.type = 1000};
    record(s, "CREATE_DEVICE type 1000", s->call(s->vm, KVM_CREATE_DEVICE, &cd));
    /* flags other than TEST are not checked: the device is made */
    cd = (struct kvm_create_device){.type = KVM_DEV_TYPE_VFIO, .flags = 2};
    int r = s->call(s->vm, KVM_CREATE_DEVICE, &cd);
    record(s, "CREATE_DEVICE VFIO, flags 2", r < 0 ? r : 0);
    s->dev = r < 0 ? -1 : (int)cd.fd;
    cd = (struct kvm_create_device){.type = KVM_DEV_TYPE_VFIO};
    record(s, "CREATE_DEVICE VFIO again", s->call(s->vm, KVM_CREATE_DEVICE, &cd));
    cd.flags = KVM_CREATE_DEVICE_TEST;
    record(s, "CREATE_DEVICE(TEST) VFIO after one exists", s->call(s->vm, KVM_CREATE_DEVICE, &cd));
}

/* the VFIO device's attributes (virt/kvm/vfio.c), with a file that is not VFIO's */
static void attr_steps(struct side *s, int pipe_rd)
{
    int32_t pipe_fd = pipe_rd, neg = -1, closed = 9999;
    static char has[5][40];
    for (unsigned a = 0; a < 5; a++) {
        snprintf(has[a], sizeof(has[a]), "HAS group FILE attr %u", a);
        record(s, has[a], attr(s, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_GROUP, a, BAD_ADDR));
    }
    record(s, "HAS group 2", attr(s, KVM_HAS_DEVICE_ATTR, 2, KVM_DEV_VFIO_GROUP_ADD, BAD_ADDR));
    record(s, "HAS group 0", attr(s, KVM_HAS_DEVICE_ATTR, 0, KVM_DEV_VFIO_GROUP_ADD, BAD_ADDR));
    /* FILE_ADD and FILE_DEL with each payload: a pipe (not VFIO's, never added), -1, a
     * closed descriptor, a pointer that faults */
    const uint64_t payload[] = {(uintptr_t)&pipe_fd, (uintptr_t)&neg, (uintptr_t)&closed, BAD_ADDR};
    static const char *const file_ops[2][4] = {
        {"SET FILE_ADD of a pipe", "SET FILE_ADD of -1", "SET FILE_ADD of a closed descriptor",
         "SET FILE_ADD, bad payload pointer"},
        {"SET FILE_DEL of a pipe never added", "SET FILE_DEL of -1",
         "SET FILE_DEL of a closed descriptor", "SET FILE_DEL, bad payload pointer"},
    };
    for (unsigned op = 0; op < 2; op++)
        for (unsigned i = 0; i < 4; i++)
            record(s, file_ops[op][i],
                   attr(s, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_GROUP,
                        op ? KVM_DEV_VFIO_GROUP_DEL : KVM_DEV_VFIO_GROUP_ADD, payload[i]));
    record(s, "SET SET_SPAPR_TCE (not on x86)",
           attr(s, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE,
                BAD_ADDR));
    record(s, "SET group FILE attr 9",
           attr(s, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_GROUP, 9, BAD_ADDR));
    record(s, "SET group 7", attr(s, KVM_SET_DEVICE_ATTR, 7, KVM_DEV_VFIO_GROUP_ADD, BAD_ADDR));
    record(s, "GET FILE_ADD (no get)",
           attr(s, KVM_GET_DEVICE_ATTR, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD, BAD_ADDR));
    record(s, "GET group 7", attr(s, KVM_GET_DEVICE_ATTR, 7, 0, BAD_ADDR));
    record(s, "SET_DEVICE_ATTR, bad attribute pointer",
           s->call(s->dev, KVM_SET_DEVICE_ATTR, (void *)BAD_ADDR));
    record(s, "HAS_DEVICE_ATTR, bad attribute pointer",
           s->call(s->dev, KVM_HAS_DEVICE_ATTR, (void *)BAD_ADDR));
    record(s, "an unknown device ioctl", s->call(s->dev, _IO(KVMIO, 0x99), NULL));
    record(s, "KVM_RUN on the device", s->call(s->dev, KVM_RUN, NULL));
}

/* the system and VM requests the x86_64 persona shares with the kernel (docs/api.md
 * "Host personas"): capabilities both must answer alike, the irqchip-less interrupt requests,
 * the clock */
static void vm_steps(struct side *s, int pipe_rd)
{
    record(s, "GET_API_VERSION", s->call(s->sys, KVM_GET_API_VERSION, 0));
    record(s, "an unknown system request", s->call(s->sys, _IO(KVMIO, 0x7f), 0));
    static const struct {
        long cap;
        const char *what;
    } caps[] = {
        {KVM_CAP_USER_MEMORY, "CHECK_EXTENSION(USER_MEMORY)"},
        {KVM_CAP_DESTROY_MEMORY_REGION_WORKS, "CHECK_EXTENSION(DESTROY_MEMORY_REGION_WORKS)"},
        {KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, "CHECK_EXTENSION(JOIN_MEMORY_REGIONS_WORKS)"},
        {KVM_CAP_DEVICE_CTRL, "CHECK_EXTENSION(DEVICE_CTRL)"},
        {KVM_CAP_CHECK_EXTENSION_VM, "CHECK_EXTENSION(CHECK_EXTENSION_VM)"},
        {KVM_CAP_ENABLE_CAP_VM, "CHECK_EXTENSION(ENABLE_CAP_VM)"},
        {KVM_CAP_VCPU_ATTRIBUTES, "CHECK_EXTENSION(VCPU_ATTRIBUTES)"},
        {KVM_CAP_SIGNAL_MSI, "CHECK_EXTENSION(SIGNAL_MSI)"},
        {KVM_CAP_IRQFD, "CHECK_EXTENSION(IRQFD)"},
        {KVM_CAP_IRQFD_RESAMPLE, "CHECK_EXTENSION(IRQFD_RESAMPLE)"},
        {KVM_CAP_IRQ_ROUTING, "CHECK_EXTENSION(IRQ_ROUTING)"},
        {KVM_CAP_GET_TSC_KHZ, "CHECK_EXTENSION(GET_TSC_KHZ)"},
        {KVM_CAP_ADJUST_CLOCK, "CHECK_EXTENSION(ADJUST_CLOCK)"},
        {KVM_CAP_ARM_VM_IPA_SIZE, "CHECK_EXTENSION(ARM_VM_IPA_SIZE)"},
        {KVM_CAP_PPC_IRQ_XIVE, "CHECK_EXTENSION(PPC_IRQ_XIVE)"},
        {KVM_CAP_S390_IRQCHIP, "CHECK_EXTENSION(S390_IRQCHIP)"},
        {-1, "CHECK_EXTENSION(-1)"},
    };
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        record(s, caps[i].what, s->call(s->vm, KVM_CHECK_EXTENSION, (void *)caps[i].cap));
    record(s, "an unknown VM request", s->call(s->vm, _IO(KVMIO, 0x7f), 0));
    struct kvm_enable_cap cap = {.cap = 999};
    record(s, "VM ENABLE_CAP of an unknown capability", s->call(s->vm, KVM_ENABLE_CAP, &cap));
    cap = (struct kvm_enable_cap){.cap = KVM_CAP_ARM_NISV_TO_USER};
    record(s, "VM ENABLE_CAP(ARM_NISV_TO_USER)", s->call(s->vm, KVM_ENABLE_CAP, &cap));
    record(s, "VM ENABLE_CAP, bad pointer", s->call(s->vm, KVM_ENABLE_CAP, (void *)BAD_ADDR));
    struct kvm_irq_level line = {.irq = 5, .level = 1};
    record(s, "IRQ_LINE without an irqchip", s->call(s->vm, KVM_IRQ_LINE, &line));
    record(s, "IRQ_LINE_STATUS without an irqchip", s->call(s->vm, KVM_IRQ_LINE_STATUS, &line));
    record(s, "IRQ_LINE, bad pointer", s->call(s->vm, KVM_IRQ_LINE, (void *)BAD_ADDR));
    record(s, "IRQ_LINE_STATUS, bad pointer",
           s->call(s->vm, KVM_IRQ_LINE_STATUS, (void *)BAD_ADDR));
    struct kvm_msi msi = {.address_lo = 0xfee00000, .data = 0x30};
    record(s, "SIGNAL_MSI without an irqchip", s->call(s->vm, KVM_SIGNAL_MSI, &msi));
    int efd = eventfd(0, EFD_CLOEXEC);
    struct kvm_irqfd irqfd = {.fd = (uint32_t)efd, .gsi = 5};
    record(s, "IRQFD without an irqchip", s->call(s->vm, KVM_IRQFD, &irqfd));
    irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
    record(s, "IRQFD deassign of none", s->call(s->vm, KVM_IRQFD, &irqfd));
    irqfd = (struct kvm_irqfd){.fd = (uint32_t)efd,
                               .gsi = 5,
                               .flags = KVM_IRQFD_FLAG_RESAMPLE,
                               .resamplefd = (uint32_t)efd};
    record(s, "IRQFD resample without an irqchip", s->call(s->vm, KVM_IRQFD, &irqfd));
    irqfd.flags = 1u << 5;
    record(s, "IRQFD, an unknown flag", s->call(s->vm, KVM_IRQFD, &irqfd));
    record(s, "IRQFD, bad pointer", s->call(s->vm, KVM_IRQFD, (void *)BAD_ADDR));
    irqfd = (struct kvm_irqfd){.fd = (uint32_t)-1, .gsi = 5, .flags = KVM_IRQFD_FLAG_RESAMPLE};
    record(s, "IRQFD resample, no descriptor", s->call(s->vm, KVM_IRQFD, &irqfd));
    irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
    record(s, "IRQFD deassign, no descriptor", s->call(s->vm, KVM_IRQFD, &irqfd));
    irqfd.fd = (uint32_t)pipe_rd;
    record(s, "IRQFD deassign of a pipe", s->call(s->vm, KVM_IRQFD, &irqfd));
    close(efd);
    struct kvm_irq_routing routing = {.nr = 0};
    record(s, "SET_GSI_ROUTING without an irqchip", s->call(s->vm, KVM_SET_GSI_ROUTING, &routing));
    record(s, "SET_GSI_ROUTING, bad pointer",
           s->call(s->vm, KVM_SET_GSI_ROUTING, (void *)BAD_ADDR));
    struct kvm_clock_data clk = {0};
    record(s, "GET_CLOCK", s->call(s->vm, KVM_GET_CLOCK, &clk));
    record(s, "GET_CLOCK, bad pointer", s->call(s->vm, KVM_GET_CLOCK, (void *)BAD_ADDR));
    struct kvm_clock_data bad_flags = {.clock = clk.clock, .flags = 1u << 7};
    record(s, "SET_CLOCK, an unknown flag", s->call(s->vm, KVM_SET_CLOCK, &bad_flags));
    record(s, "SET_CLOCK, bad pointer", s->call(s->vm, KVM_SET_CLOCK, (void *)BAD_ADDR));
}

/* KVM_SET_USER_MEMORY_REGION's checks (kvm_set_memory_region), on a slot number both allow */
static void memory_steps(struct side *s, void *ram)
{
    const uint64_t mb = 1ull << 20;
    static const struct {
        uint32_t slot, flags;
        uint64_t gpa, size, uoff;
        const char *what;
    } steps[] = {
        {1, 0, 0x100000, mb, 0, "a region"},
        {2, 1u << 7, 0x400000, mb, 0, "an unknown flag"},
        {2, 0, 0x400000, mb + 1, 0, "a size that is not page-aligned"},
        {2, 0, 0x400800, mb, 0, "a guest address that is not page-aligned"},
        {2, 0, 0x400000, mb, 0x800, "a user address that is not page-aligned"},
        {2, 0, 0x180000, mb, 0, "a region over slot 1"},
        {2, 0, ~0ull << 12, mb, 0, "a region that wraps"},
        {1, 0, 0x800000, mb, 0, "slot 1 moved"},
        {1, KVM_MEM_READONLY, 0x800000, mb, 0, "slot 1 made read-only"},
        {1, 0, 0x800000, 0, 0, "slot 1 deleted"},
        {3, 0, 0x800000, 0, 0, "a slot that does not exist deleted"},
        {2u | 1u << 16, 0, 0x400000, mb, 0, "address space 1"},
        {2u | 2u << 16, 0, 0x400000, mb, 0, "address space 2"},
    };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct kvm_userspace_memory_region r = {
            .slot = steps[i].slot,
            .flags = steps[i].flags,
            .guest_phys_addr = steps[i].gpa,
            .memory_size = steps[i].size,
            .userspace_addr = (uintptr_t)ram + steps[i].uoff,
        };
        record(s, steps[i].what, s->call(s->vm, KVM_SET_USER_MEMORY_REGION, &r));
    }
    record(s, "SET_USER_MEMORY_REGION, bad pointer",
           s->call(s->vm, KVM_SET_USER_MEMORY_REGION, (void *)BAD_ADDR));
}

/* a vCPU: its creation and the TSC offset attribute (vcpu.rst, KVM_VCPU_TSC_CTRL) */
static void vcpu_steps(struct side *s)
{
    int vcpu = s->call(s->vm, KVM_CREATE_VCPU, 0);
    record(s, "CREATE_VCPU 0", vcpu < 0 ? vcpu : 0);
    int again = s->call(s->vm, KVM_CREATE_VCPU, 0);
    record(s, "CREATE_VCPU 0 again", again < 0 ? again : 0);
    if (vcpu < 0)
        return;
    int khz = s->call(vcpu, KVM_GET_TSC_KHZ, 0);
    record(s, "GET_TSC_KHZ is positive", khz > 0 ? 1 : khz);
    uint64_t off = 0;
    struct kvm_device_attr a = {
        .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uintptr_t)&off};
    record(s, "vCPU HAS TSC_OFFSET", s->call(vcpu, KVM_HAS_DEVICE_ATTR, &a));
    record(s, "vCPU GET TSC_OFFSET", s->call(vcpu, KVM_GET_DEVICE_ATTR, &a));
    record(s, "vCPU SET TSC_OFFSET", s->call(vcpu, KVM_SET_DEVICE_ATTR, &a));
    a.addr = BAD_ADDR;
    record(s, "vCPU SET TSC_OFFSET, bad payload", s->call(vcpu, KVM_SET_DEVICE_ATTR, &a));
    record(s, "vCPU GET TSC_OFFSET, bad payload", s->call(vcpu, KVM_GET_DEVICE_ATTR, &a));
    a.attr = 1;
    record(s, "vCPU HAS TSC_CTRL attr 1", s->call(vcpu, KVM_HAS_DEVICE_ATTR, &a));
    a.group = 7;
    record(s, "vCPU HAS group 7", s->call(vcpu, KVM_HAS_DEVICE_ATTR, &a));
    record(s, "vCPU HAS, bad attribute pointer",
           s->call(vcpu, KVM_HAS_DEVICE_ATTR, (void *)BAD_ADDR));
    record(s, "an unknown vCPU request", s->call(vcpu, _IO(KVMIO, 0x7f), 0));
}

static void run(struct side *s, int pipe_rd, void *ram)
{
    s->vm = s->call(s->sys, KVM_CREATE_VM, 0);
    record(s, "CREATE_VM", s->vm < 0 ? s->vm : 0);
    if (s->vm < 0)
        return;
    vm_steps(s, pipe_rd);
    memory_steps(s, ram);
    create_steps(s, pipe_rd);
    if (s->dev >= 0)
        attr_steps(s, pipe_rd);
    vcpu_steps(s);
}

int main(void)
{
    struct utsname u;
    if (uname(&u) || strcmp(u.machine, "x86_64")) {
        printf("SKIP: the host is not x86_64 (%s)\n", u.machine);
        return 77;
    }
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        printf("SKIP: /dev/kvm: %s\n", strerror(errno));
        return 77;
    }
    int ioe = ioe_open_host("soft", "x86_64", NULL);
    if (ioe < 0) {
        printf("FAIL: ioe_open_host(soft, x86_64): %s\n", ioe_last_error());
        return 1;
    }
    int p[2];
    if (pipe(p)) {
        perror("pipe");
        return 1;
    }
    /* a descriptor number that is closed for both sides */
    close(9999);
    static struct side k = {.name = "kernel", .call = kernel_call, .dev = -1};
    static struct side l = {.name = "libioe", .call = ioe_call, .dev = -1};
    k.sys = kvm;
    l.sys = ioe;
    /* guest memory for each side (the soft card maps what it is given) */
    void *ram[2];
    for (int i = 0; i < 2; i++) {
        ram[i] = mmap(NULL, 2u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ram[i] == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
    }
    run(&k, p[0], ram[0]);
    run(&l, p[0], ram[1]);
    int bad = 0;
    unsigned n = k.n > l.n ? k.n : l.n;
    for (unsigned i = 0; i < n; i++) {
        int kr = i < k.n ? k.res[i] : 1, lr = i < l.n ? l.res[i] : 1;
        const char *what = i < k.n ? k.what[i] : l.what[i];
        bool same = kr == lr;
        printf("%s %-45s kernel %4d (%s)  libioe %4d (%s)\n", same ? "ok  " : "DIFF", what, kr,
               kr < 0 ? strerrorname_np(-kr) : "-", lr, lr < 0 ? strerrorname_np(-lr) : "-");
        bad += !same;
    }
    printf("%u calls on each side, %d differ (kernel %s)\n", n, bad, u.release);
    return bad ? 1 : 0;
}
