/*
 * Linux KVM's software interrupt injection, measured on this host through /dev/kvm.
 *
 * A minimal VM: one vCPU, an in-kernel irqchip (LAPIC/IOAPIC/PIC), one 64 KiB memory slot
 * at guest-physical 0 holding a hand-assembled 32-bit protected-mode guest. The vCPU starts
 * directly in protected mode (flat segments from a 3-entry GDT the host writes, loaded
 * through KVM_SET_SREGS). The guest writes the IDT gate of VECTOR, loads the IDT, enables
 * its local APIC through the SVR, tells the host it is ready (OUT READY_PORT) and then
 * halts with interrupts enabled. Its handler does OUT SIGNAL_PORT (a KVM_EXIT_IO in the
 * vCPU thread, which timestamps it), writes the LAPIC EOI and goes back to the idle loop
 * (not through IRET: see guest_handler).
 *
 * The vCPU runs in its own thread; the caller's thread injects VECTOR and waits for the
 * signal: (a) KVM_SIGNAL_MSI, (b) write(eventfd) on a KVM_IRQFD bound to a GSI routed (as
 * KVM_SET_GSI_ROUTING MSI) to the same vector. A sample is the CLOCK_MONOTONIC time of the
 * guest's OUT, as seen by the vCPU thread, minus the time right before the injection; it
 * includes the injection syscall, the vCPU's wake-up from HLT, the delivery through the
 * in-kernel LAPIC and the OUT's exit to user space. Injections are KVM_BASELINE_GAP_NS
 * apart, inside KVM's default halt-polling window (kvm.halt_poll_ns, 200 us), so the vCPU
 * thread is usually still polling, not asleep: the best case KVM offers.
 *
 * The vCPU thread is stopped with kvm_run.immediate_exit and SIGUSR2 (a no-op handler is
 * installed for the duration of the call and the previous disposition restored).
 */
#define _GNU_SOURCE
#include "kvm_baseline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)

#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ guest */
#define MEM_SIZE 0x10000u
#define GDT_ADDR 0x0500u  /* null, flat code (selector 0x08), flat data (selector 0x10) */
#define IDTR_ADDR 0x0600u /* 6-byte pseudo-descriptor for LIDT, written by the guest */
#define IDT_ADDR 0x1000u  /* 256 gates; the guest fills only VECTOR's */
#define CODE_ADDR 0x2000u /* entry point */
#define IDLE_ADDR 0x203cu /* the guest's sti; hlt; jmp loop (checked below) */
#define HANDLER_ADDR 0x2080u
#define STACK_TOP 0x8000u
#define VECTOR 0x40u
#define SIGNAL_PORT 0x10u
#define READY_PORT 0x11u
#define GSI 24u /* past the IOAPIC's pins; the only route the VM has after KVM_SET_GSI_ROUTING */

#define WARMUP 5u
#define TIMEOUT_NS 1000000000ull   /* per sample: no signal by then is an error */
#define GAP_NS KVM_BASELINE_GAP_NS /* between samples: the guest is back in HLT */

/* little-endian bytes of a 32-bit immediate / displacement */
#define LE32(x)                                                                                    \
    (uint8_t)((x)&0xff), (uint8_t)(((x) >> 8) & 0xff), (uint8_t)(((x) >> 16) & 0xff),              \
        (uint8_t)(((x) >> 24) & 0xff)
#define GATE_ADDR (IDT_ADDR + VECTOR * 8u)
#define GATE_LO (0x08u << 16 | (HANDLER_ADDR & 0xffffu)) /* selector 0x08, offset[15:0] */
#define GATE_HI ((HANDLER_ADDR & 0xffff0000u) | 0x8e00u) /* offset[31:16], P, DPL0, int32 */
#define LAPIC_SVR 0xfee000f0u
#define LAPIC_EOI 0xfee000b0u

/* 32-bit code at CODE_ADDR; the stack, CS and DS come from KVM_SET_SREGS/KVM_SET_REGS */
// clang-format off
static const uint8_t guest_entry[] = {
    0xc7, 0x05, LE32(GATE_ADDR), LE32(GATE_LO),      /* mov dword [IDT+V*8], GATE_LO       */
    0xc7, 0x05, LE32(GATE_ADDR + 4), LE32(GATE_HI),  /* mov dword [IDT+V*8+4], GATE_HI     */
    0x66, 0xc7, 0x05, LE32(IDTR_ADDR), 0xff, 0x07,   /* mov word [IDTR], 0x07ff (limit)    */
    0xc7, 0x05, LE32(IDTR_ADDR + 2), LE32(IDT_ADDR), /* mov dword [IDTR+2], IDT (base)     */
    0x0f, 0x01, 0x1d, LE32(IDTR_ADDR),               /* lidt [IDTR]                        */
    0xc7, 0x05, LE32(LAPIC_SVR), LE32(0x1ffu),       /* mov dword [SVR], 0x1ff: APIC       */
                                                     /*   software enable, spurious 0xff   */
    0xb0, 0x01,                                      /* mov al, 1                          */
    0xe6, READY_PORT,                                /* out READY_PORT, al: "ready"        */
    /* idle (IDLE_ADDR): */
    0xfb,                                            /* sti                                */
    0xf4,                                            /* hlt (the interrupt arrives here)   */
    0xeb, 0xfc,                                      /* jmp idle (rel8 -4)                 */
};

/* The handler of VECTOR at HANDLER_ADDR, entered through a 32-bit interrupt gate (IF=0).
 * It does not IRET: the interrupted context is always the idle loop, so it drops the
 * interrupt frame and jumps back there (STI there re-enables interrupts). KVM's x86
 * instruction emulator implements IRET for real mode only, and on hosts where the
 * guest's privileged instructions are emulated (kvm-pvm: no VMX/SVM) a protected-mode
 * IRET ends in KVM_INTERNAL_ERROR_EMULATION. */
static const uint8_t guest_handler[] = {
    0xe6, SIGNAL_PORT,                               /* out SIGNAL_PORT, al: KVM_EXIT_IO   */
    0xc7, 0x05, LE32(LAPIC_EOI), LE32(0u),           /* mov dword [EOI], 0                 */
    0xbc, LE32(STACK_TOP),                           /* mov esp, STACK_TOP (drop frame)    */
    0xe9, LE32(IDLE_ADDR - (HANDLER_ADDR + 22u)),    /* jmp idle (rel32 from the next insn)*/
};
// clang-format on

_Static_assert(sizeof guest_entry == IDLE_ADDR - CODE_ADDR + 4, "idle loop not at IDLE_ADDR");
_Static_assert(sizeof guest_handler == 22, "handler's jmp displacement assumes 22 bytes");
_Static_assert(CODE_ADDR + sizeof guest_entry <= HANDLER_ADDR, "guest entry overlaps handler");
_Static_assert(HANDLER_ADDR + sizeof guest_handler <= STACK_TOP - 0x100, "guest code too big");

/* ------------------------------------------------------------------ host */
struct vm {
    int kvm, vm, vcpu, efd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;
    bool irqfd_bound;

    pthread_t thread;
    bool thread_started;
    atomic_bool stop, exited;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ready;        /* the guest reached its idle loop */
    uint64_t signals;  /* handler signals seen */
    uint64_t t_signal; /* CLOCK_MONOTONIC ns of the last one */
    int err;           /* vCPU thread failure (-errno), with its reason */
    char err_why[160];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int say(char *why, size_t whylen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *why, size_t whylen, int err, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* the vCPU thread records why it stopped and wakes the injector */
static void vcpu_fail(struct vm *v, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void vcpu_fail(struct vm *v, int err, const char *fmt, ...)
{
    pthread_mutex_lock(&v->mu);
    if (!v->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->err_why, sizeof v->err_why, fmt, ap);
        va_end(ap);
        v->err = err;
    }
    pthread_cond_broadcast(&v->cv);
    pthread_mutex_unlock(&v->mu);
}

static void *vcpu_thread(void *arg)
{
    struct vm *v = arg;
    struct kvm_run *run = v->run;
    sigset_t kick; /* the caller may block it; the stop kick must reach this thread */
    sigemptyset(&kick);
    sigaddset(&kick, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
    while (!atomic_load(&v->stop)) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue; /* kicked: look at stop */
            int e = errno;
            vcpu_fail(v, -e, "KVM_RUN: %s", strerror(e));
            break;
        }
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
            run->io.port == SIGNAL_PORT) {
            uint64_t t = now_ns();
            pthread_mutex_lock(&v->mu);
            v->t_signal = t;
            v->signals++;
            pthread_cond_broadcast(&v->cv);
            pthread_mutex_unlock(&v->mu);
            continue;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == READY_PORT) {
                pthread_mutex_lock(&v->mu);
                v->ready = true;
                pthread_cond_broadcast(&v->cv);
                pthread_mutex_unlock(&v->mu);
                continue;
            }
            vcpu_fail(v, -EIO, "guest: unexpected %s of port 0x%x",
                      run->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN", run->io.port);
            break;
        case KVM_EXIT_INTR: continue;
        case KVM_EXIT_MMIO:
            vcpu_fail(v, -EIO, "guest: unexpected MMIO at 0x%llx (no in-kernel LAPIC?)",
                      (unsigned long long)run->mmio.phys_addr);
            break;
        case KVM_EXIT_SHUTDOWN:
            vcpu_fail(v, -EIO, "guest triple-faulted (KVM_EXIT_SHUTDOWN)");
            break;
        case KVM_EXIT_FAIL_ENTRY:
            vcpu_fail(v, -EIO, "KVM_RUN: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx",
                      (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            break;
        case KVM_EXIT_INTERNAL_ERROR: {
            struct kvm_regs r;
            unsigned long long rip = ioctl(v->vcpu, KVM_GET_REGS, &r) == 0 ? r.rip : ~0ull;
            vcpu_fail(v, -EIO,
                      "KVM_RUN: KVM_EXIT_INTERNAL_ERROR (suberror %u%s) at guest rip 0x%llx",
                      run->internal.suberror,
                      run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                          ? ": KVM could not emulate the guest"
                          : "",
                      rip);
            break;
        }
        default: vcpu_fail(v, -EIO, "KVM_RUN: unexpected exit reason %u", run->exit_reason);
        }
        break;
    }
    atomic_store(&v->exited, true);
    return NULL;
}

static void kick_handler(int sig)
{
    (void)sig;
}

/* Wait until pred holds for v (under v->mu), the vCPU thread fails, or deadline passes. */
static int wait_for(struct vm *v, bool (*pred)(struct vm *, uint64_t), uint64_t arg,
                    uint64_t deadline)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline / 1000000000ull),
                          .tv_nsec = (long)(deadline % 1000000000ull)};
    int ret = 0;
    pthread_mutex_lock(&v->mu);
    while (!pred(v, arg) && !v->err) {
        int e = pthread_cond_timedwait(&v->cv, &v->mu, &ts);
        if (e == ETIMEDOUT) {
            ret = pred(v, arg) ? 0 : -ETIMEDOUT;
            break;
        }
    }
    if (v->err)
        ret = v->err;
    pthread_mutex_unlock(&v->mu);
    return ret;
}

static bool is_ready(struct vm *v, uint64_t arg)
{
    (void)arg;
    return v->ready;
}

static bool has_signal(struct vm *v, uint64_t seen)
{
    return v->signals > seen;
}

static void vm_teardown(struct vm *v)
{
    if (v->thread_started) {
        atomic_store(&v->stop, true);
        if (v->run)
            v->run->immediate_exit = 1; /* KVM_RUN entered after this returns at once */
        /* a signal takes the thread out of KVM_RUN (halted guest included); repeat in case
         * one lands between the stop check and the ioctl */
        for (int i = 0; !atomic_load(&v->exited) && i < 10000; i++) {
            pthread_kill(v->thread, SIGUSR2);
            struct timespec d = {0, 1000000};
            nanosleep(&d, NULL);
        }
        pthread_join(v->thread, NULL);
    }
    if (v->irqfd_bound) {
        struct kvm_irqfd irqfd;
        memset(&irqfd, 0, sizeof irqfd);
        irqfd.fd = (uint32_t)v->efd;
        irqfd.gsi = GSI;
        irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
        ioctl(v->vm, KVM_IRQFD, &irqfd);
    }
    if (v->efd >= 0)
        close(v->efd);
    if (v->run)
        munmap(v->run, v->run_size);
    if (v->vcpu >= 0)
        close(v->vcpu);
    if (v->vm >= 0)
        close(v->vm);
    if (v->mem)
        munmap(v->mem, MEM_SIZE);
    if (v->kvm >= 0)
        close(v->kvm);
}

#define FAIL_ERRNO(what) say(why, whylen, -errno, "%s: %s", what, strerror(errno))

static int need_cap(struct vm *v, long cap, const char *name, char *why, size_t whylen)
{
    int r = ioctl(v->kvm, KVM_CHECK_EXTENSION, cap);
    if (r <= 0)
        return say(why, whylen, -ENOTSUP, "/dev/kvm lacks %s", name);
    return 0;
}

static int set_cpuid(struct vm *v, char *why, size_t whylen)
{
    for (unsigned nent = 64; nent <= 4096; nent *= 2) {
        size_t sz = sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
        struct kvm_cpuid2 *c = calloc(1, sz);
        if (!c)
            return say(why, whylen, -ENOMEM, "out of memory");
        c->nent = nent;
        if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
            int e = errno;
            free(c);
            if (e == E2BIG)
                continue;
            return say(why, whylen, -e, "KVM_GET_SUPPORTED_CPUID: %s", strerror(e));
        }
        int r = ioctl(v->vcpu, KVM_SET_CPUID2, c);
        int e = errno;
        free(c);
        if (r < 0)
            return say(why, whylen, -e, "KVM_SET_CPUID2: %s", strerror(e));
        return 0;
    }
    return say(why, whylen, -E2BIG, "KVM_GET_SUPPORTED_CPUID: too many entries");
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
    memset(s, 0, sizeof *s);
    s->base = 0;
    s->limit = 0xffffffffu;
    s->selector = sel;
    s->type = type;
    s->present = 1;
    s->dpl = 0;
    s->db = 1;
    s->s = 1;
    s->l = 0;
    s->g = 1;
}

static int vm_setup(struct vm *v, char *why, size_t whylen)
{
    if ((v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
        return FAIL_ERRNO("open /dev/kvm");
    int api = ioctl(v->kvm, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION)
        return say(why, whylen, -ENOTSUP, "KVM_GET_API_VERSION: %d, want %d", api, KVM_API_VERSION);
    int err;
    if ((err = need_cap(v, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", why, whylen)) ||
        (err = need_cap(v, KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI", why, whylen)) ||
        (err = need_cap(v, KVM_CAP_IRQFD, "KVM_CAP_IRQFD", why, whylen)) ||
        (err = need_cap(v, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", why, whylen)) ||
        (err = need_cap(v, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", why, whylen)))
        return err;

    if ((v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0)) < 0)
        return FAIL_ERRNO("KVM_CREATE_VM");
    /* Intel needs a TSS area below 4 GiB for real-mode emulation; harmless elsewhere */
    if (ioctl(v->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0)
        ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    if (ioctl(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
        return FAIL_ERRNO("KVM_CREATE_IRQCHIP");

    v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v->mem == MAP_FAILED) {
        v->mem = NULL;
        return FAIL_ERRNO("mmap guest memory");
    }
    static const uint64_t gdt[3] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
    memcpy(v->mem + GDT_ADDR, gdt, sizeof gdt);
    memcpy(v->mem + CODE_ADDR, guest_entry, sizeof guest_entry);
    memcpy(v->mem + HANDLER_ADDR, guest_handler, sizeof guest_handler);
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = MEM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)v->mem,
    };
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return FAIL_ERRNO("KVM_SET_USER_MEMORY_REGION");

    if ((v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0)) < 0)
        return FAIL_ERRNO("KVM_CREATE_VCPU");
    int run_size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        return run_size < 0 ? FAIL_ERRNO("KVM_GET_VCPU_MMAP_SIZE")
                            : say(why, whylen, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE: %d", run_size);
    v->run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        return FAIL_ERRNO("mmap kvm_run");
    }
    v->run_size = (size_t)run_size;
    if ((err = set_cpuid(v, why, whylen)))
        return err;

    /* straight into 32-bit protected mode with flat segments, paging off */
    struct kvm_sregs sr;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0)
        return FAIL_ERRNO("KVM_GET_SREGS");
    seg(&sr.cs, 0x08, 0xb); /* execute/read, accessed */
    seg(&sr.ds, 0x10, 0x3); /* read/write, accessed */
    sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
    sr.gdt.base = GDT_ADDR;
    sr.gdt.limit = 3 * 8 - 1;
    sr.cr0 |= 1; /* PE */
    if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0)
        return FAIL_ERRNO("KVM_SET_SREGS");
    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    r.rip = CODE_ADDR;
    r.rsp = STACK_TOP;
    r.rflags = 0x2;
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
        return FAIL_ERRNO("KVM_SET_REGS");

    /* GSI -> MSI(VECTOR) route, and an eventfd bound to it */
    struct {
        struct kvm_irq_routing hdr;
        struct kvm_irq_routing_entry e[1];
    } rt;
    memset(&rt, 0, sizeof rt);
    rt.hdr.nr = 1;
    rt.e[0].gsi = GSI;
    rt.e[0].type = KVM_IRQ_ROUTING_MSI;
    rt.e[0].u.msi.address_lo = 0xfee00000u; /* destination APIC ID 0, physical */
    rt.e[0].u.msi.address_hi = 0;
    rt.e[0].u.msi.data = VECTOR; /* fixed delivery, edge */
    if (ioctl(v->vm, KVM_SET_GSI_ROUTING, &rt) < 0)
        return FAIL_ERRNO("KVM_SET_GSI_ROUTING");
    if ((v->efd = eventfd(0, EFD_CLOEXEC)) < 0)
        return FAIL_ERRNO("eventfd");
    struct kvm_irqfd irqfd;
    memset(&irqfd, 0, sizeof irqfd);
    irqfd.fd = (uint32_t)v->efd;
    irqfd.gsi = GSI;
    if (ioctl(v->vm, KVM_IRQFD, &irqfd) < 0)
        return FAIL_ERRNO("KVM_IRQFD");
    v->irqfd_bound = true;
    return 0;
}

enum method { M_MSI, M_IRQFD };

static int inject(struct vm *v, enum method m, char *why, size_t whylen)
{
    if (m == M_MSI) {
        struct kvm_msi msi;
        memset(&msi, 0, sizeof msi);
        msi.address_lo = 0xfee00000u;
        msi.data = VECTOR;
        int r = ioctl(v->vm, KVM_SIGNAL_MSI, &msi);
        if (r < 0)
            return FAIL_ERRNO("KVM_SIGNAL_MSI");
        if (r == 0)
            return say(why, whylen, -EIO, "KVM_SIGNAL_MSI: not delivered (guest APIC disabled)");
        return 0;
    }
    uint64_t one = 1;
    if (write(v->efd, &one, sizeof one) != (ssize_t)sizeof one)
        return FAIL_ERRNO("write eventfd");
    return 0;
}

/* out: injection to the guest's signal; call_out (if not NULL): the injection call alone */
static int measure(struct vm *v, enum method m, uint64_t *out, uint64_t *call_out, unsigned n,
                   char *why, size_t whylen)
{
    const char *name = m == M_MSI ? "KVM_SIGNAL_MSI" : "KVM_IRQFD";
    for (unsigned i = 0; i < WARMUP + n; i++) {
        pthread_mutex_lock(&v->mu);
        uint64_t seen = v->signals;
        pthread_mutex_unlock(&v->mu);
        uint64_t t0 = now_ns();
        int err = inject(v, m, why, whylen);
        uint64_t t_ret = now_ns();
        if (err)
            return err;
        if (call_out && i >= WARMUP)
            call_out[i - WARMUP] = t_ret - t0;
        err = wait_for(v, has_signal, seen, t0 + TIMEOUT_NS);
        if (err == -ETIMEDOUT)
            return say(why, whylen, err, "guest did not signal within 1 s (%s, injection %u)", name,
                       i);
        if (err)
            return say(why, whylen, err, "%s", v->err_why);
        pthread_mutex_lock(&v->mu);
        uint64_t t1 = v->t_signal;
        pthread_mutex_unlock(&v->mu);
        if (i >= WARMUP)
            out[i - WARMUP] = t1 - t0;
        struct timespec d = {0, GAP_NS};
        nanosleep(&d, NULL);
    }
    return 0;
}

int kvm_baseline_run(struct kvm_baseline *b, char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    if (!b || (b->n && (!b->msi_ns || !b->msi_call_ns || !b->irqfd_ns)))
        return say(why, whylen, -EINVAL, "kvm_baseline_run: bad arguments");

    struct vm v;
    memset(&v, 0, sizeof v);
    v.kvm = v.vm = v.vcpu = v.efd = -1;
    atomic_init(&v.stop, false);
    atomic_init(&v.exited, false);
    pthread_mutex_init(&v.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&v.cv, &ca);
    pthread_condattr_destroy(&ca);

    /* the kick that takes the vCPU thread out of KVM_RUN: a handler, not the default
     * action (which would end the process); restored afterwards */
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kick_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, &old_sa);

    int err = vm_setup(&v, why, whylen);
    if (!err) {
        int e = pthread_create(&v.thread, NULL, vcpu_thread, &v);
        if (e)
            err = say(why, whylen, -e, "pthread_create: %s", strerror(e));
        else
            v.thread_started = true;
    }
    if (!err) {
        err = wait_for(&v, is_ready, 0, now_ns() + TIMEOUT_NS);
        if (err == -ETIMEDOUT)
            say(why, whylen, err, "guest did not start within 1 s");
        else if (err)
            say(why, whylen, err, "%s", v.err_why);
    }
    if (!err)
        err = measure(&v, M_MSI, b->msi_ns, b->msi_call_ns, b->n, why, whylen);
    if (!err)
        err = measure(&v, M_IRQFD, b->irqfd_ns, NULL, b->n, why, whylen);

    vm_teardown(&v);
    sigaction(SIGUSR2, &old_sa, NULL);
    pthread_cond_destroy(&v.cv);
    pthread_mutex_destroy(&v.mu);
    return err;
}

#else /* not x86 */

int kvm_baseline_run(struct kvm_baseline *b, char *why, size_t whylen)
{
    (void)b;
    if (why && whylen)
        snprintf(why, whylen, "the KVM baseline guest is x86 code; this host is not x86");
    return -ENOTSUP;
}

#endif
