/*
 * libFuzzer target: sequences of ioe_ioctl calls on the soft card (the input language is in
 * fuzz_ioctl.h). Every descriptor kind (system, VM, vCPU, device of each family the host
 * personas register) is reached by creating it; requests take payloads from the input at
 * good, NULL, partly mapped, read-only and kernel addresses; descriptors are closed in the
 * middle. What must hold: no crash, no sanitizer report, no hang, and every failure is -1
 * with a positive errno. Memory slots are kept inside the target's guest RAM (a caller
 * handing libioe memory it does not own is outside the ABI: KVM's would fault in the guest).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "fuzz_ioctl.h"

#define PAGE 4096u

/* Guest RAM: FZ_RAM_SIZE bytes aligned to 1 MiB (s390x's memory slots must be), zeroed
 * again before each input. */
#define FZ_RAM_SIZE (2u << 20)
static inline uint8_t *fz_ram(void)
{
    static uint8_t *ram;
    if (!ram) {
        uint8_t *p = mmap(NULL, FZ_RAM_SIZE + (1u << 20), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            __builtin_trap();
        ram = (uint8_t *)(((uintptr_t)p + (1u << 20) - 1) & ~(uintptr_t)((1u << 20) - 1));
    }
    madvise(ram, FZ_RAM_SIZE, MADV_DONTNEED);
    return ram;
}

/* Close every descriptor libioe made, also those an input lost track of (ioe_close is EBADF
 * on the others). */
static inline void fz_close_all(void)
{
    for (int fd = 0; fd < 4096; fd++)
        ioe_close(fd);
}

/* Two arenas (a request's payload, and the attribute value its addr points at), each
 * [read-only page][2 writable pages][unmapped page]. */
struct arena {
    uint8_t *ro, *rw, *none;
};

static struct arena arena_make(void)
{
    uint8_t *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        __builtin_trap();
    mprotect(p + 3 * PAGE, PAGE, PROT_NONE);
    return (struct arena){p, p + PAGE, p + 3 * PAGE};
}

/* A pointer operand (fuzz_ioctl.h, FZ_PTR_*): its payload placed in `a`. */
static uint64_t fz_ptr(struct fz *f, const struct arena *a)
{
    unsigned mode = fz_u8(f) % FZ_PTR_COUNT;
    switch (mode) {
    case FZ_PTR_NULL: return 0;
    case FZ_PTR_KERNEL: return 0xffff800000001000ull;
    case FZ_PTR_RAW: return fz_u64(f);
    default: break;
    }
    size_t len = fz_u16(f) % (FZ_PAYLOAD_MAX + 1);
    if (mode == FZ_PTR_PARTIAL) {
        fz_bytes(f, a->none - len, len);
        return (uint64_t)(uintptr_t)(a->none - len);
    }
    if (mode == FZ_PTR_RDONLY) {
        mprotect(a->ro, PAGE, PROT_READ | PROT_WRITE);
        fz_bytes(f, a->ro, len < PAGE ? len : PAGE);
        mprotect(a->ro, PAGE, PROT_READ);
        return (uint64_t)(uintptr_t)a->ro;
    }
    fz_bytes(f, a->rw, len);
    memset(a->rw + len, 0, 2 * PAGE - len);
    return (uint64_t)(uintptr_t)a->rw;
}

/* A memory slot's host address must be guest RAM of this target: fold it in, keeping the
 * bits that make it unaligned, and keep the slot inside. */
static void fold_memslot(struct kvm_userspace_memory_region *m, uint8_t *ram)
{
    uint64_t off = m->userspace_addr % FZ_RAM_SIZE;
    m->userspace_addr = (uint64_t)(uintptr_t)ram + off;
    uint64_t room = FZ_RAM_SIZE - (off & ~(uint64_t)(PAGE - 1));
    if (m->memory_size > room)
        m->memory_size = room;
}

struct run {
    int fd[FZ_SLOTS];
    unsigned next;
    struct arena payload, value;
    uint8_t *ram;
};

static void keep(struct run *r, int fd)
{
    unsigned i = r->next++ % FZ_SLOTS;
    if (r->fd[i] >= 0)
        ioe_close(r->fd[i]);
    r->fd[i] = fd;
}

static void op_ioctl(struct run *r, struct fz *f)
{
    int fd = r->fd[fz_u8(f) % FZ_SLOTS];
    unsigned idx = fz_u8(f);
    unsigned long req = idx == FZ_REQ_RAW ? fz_u32(f) : fz_requests[idx % FZ_NREQ];
    uint64_t arg = fz_ptr(f, &r->payload);
    if (req == KVM_SET_USER_MEMORY_REGION && arg == (uint64_t)(uintptr_t)r->payload.rw)
        fold_memslot((struct kvm_userspace_memory_region *)r->payload.rw, r->ram);
    else if (req == KVM_SET_USER_MEMORY_REGION && arg && arg != 0xffff800000001000ull)
        return; /* a region at a partial or raw address could be one libioe reads */
    struct kvm_enable_cap *cap = (void *)r->payload.rw;
    if (req == KVM_ENABLE_CAP && arg == (uint64_t)(uintptr_t)cap && cap->args[0] >> 63)
        cap->args[0] = (uint64_t)r->fd[cap->args[0] % FZ_SLOTS];
    errno = 0;
    int ret = ioe_ioctl(fd, req, (unsigned long)arg);
    fz_check(ret);
    if (ret > 0 && (req == KVM_CREATE_VM || req == KVM_CREATE_VCPU))
        keep(r, ret);
    if (ret == 0 && req == KVM_CREATE_DEVICE && arg == (uint64_t)(uintptr_t)r->payload.rw) {
        const struct kvm_create_device *cd = (const void *)r->payload.rw;
        if (!(cd->flags & KVM_CREATE_DEVICE_TEST))
            keep(r, (int)cd->fd);
    }
}

static void op_attr(struct run *r, struct fz *f)
{
    static const unsigned long which[] = {KVM_SET_DEVICE_ATTR, KVM_GET_DEVICE_ATTR,
                                          KVM_HAS_DEVICE_ATTR};
    int fd = r->fd[fz_u8(f) % FZ_SLOTS];
    unsigned long req = which[fz_u8(f) % 3];
    struct kvm_device_attr a = {.group = fz_u32(f), .attr = fz_u64(f)};
    a.addr = fz_ptr(f, &r->value);
    errno = 0;
    fz_check(ioe_ioctl(fd, req, &a));
}

static void op_memslot(struct run *r, struct fz *f)
{
    int fd = r->fd[fz_u8(f) % FZ_SLOTS];
    struct kvm_userspace_memory_region m = {.slot = fz_u16(f), .flags = fz_u8(f)};
    m.guest_phys_addr = (uint64_t)fz_u16(f) * PAGE;
    m.memory_size = (uint64_t)fz_u8(f) * PAGE;
    m.userspace_addr = (uint64_t)fz_u16(f) * PAGE;
    fold_memslot(&m, r->ram);
    errno = 0;
    fz_check(ioe_ioctl(fd, KVM_SET_USER_MEMORY_REGION, &m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run r;
    if (!r.payload.rw) {
        r.payload = arena_make();
        r.value = arena_make();
    }
    r.ram = fz_ram();
    r.next = 0;
    for (unsigned i = 0; i < FZ_SLOTS; i++)
        r.fd[i] = -1;

    struct fz f = {data, size};
    unsigned opens = 0;
    for (unsigned ops = 0; f.n && ops < 256; ops++) {
        switch (fz_u8(&f) % FZ_OP_COUNT) {
        case FZ_OP_OPEN: {
            const char *host = fz_persona[fz_u8(&f) % (sizeof(fz_persona) / sizeof(*fz_persona))];
            if (opens == 2)
                break;
            opens++; /* a card costs milliseconds to make (its LPI state): two will do */
            int fd = ioe_open_host("soft", host, NULL);
            fz_check(fd);
            if (fd >= 0)
                keep(&r, fd);
            break;
        }
        case FZ_OP_IOCTL: op_ioctl(&r, &f); break;
        case FZ_OP_ATTR: op_attr(&r, &f); break;
        case FZ_OP_CLOSE: {
            int *fd = &r.fd[fz_u8(&f) % FZ_SLOTS];
            errno = 0;
            fz_check(ioe_close(*fd));
            *fd = -1;
            break;
        }
        case FZ_OP_MEMSLOT: op_memslot(&r, &f); break;
        }
    }
    fz_close_all();
    return 0;
}
