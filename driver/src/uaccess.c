/*
 * Fault-safe copies between libioe and caller memory, as KVM's copy_from_user /
 * copy_to_user: an unreadable or unwritable address gives -EFAULT, never a crash.
 *
 * Two ways, the first where it is known to be safe:
 * - The caller's own stack. Callers of ioe_ioctl usually pass a structure on their stack,
 *   and the part of the calling thread's stack between the current frame and the stack's
 *   top is mapped, readable and writable for as long as this call runs (the frames of the
 *   caller's callers live there). A range inside it is copied with memcpy: no system call.
 *   The stack's bounds come from pthread_getattr_np, once per thread; when this frame is
 *   not inside them (a coroutine's or a signal handler's alternate stack, a sanitizer's
 *   fake stack) or they cannot be had, the second way is taken.
 * - Anything else goes through process_vm_readv/writev on this process, which reports bad
 *   addresses with EFAULT instead of faulting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

/* This process's id, read once (getpid is a system call) and again in a forked child. */
static pid_t self;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void self_refresh(void)
{
    self = getpid();
}

static void self_init(void)
{
    self_refresh();
    pthread_atfork(NULL, NULL, self_refresh);
}

/* The calling thread's stack, [lo, hi); state 0: not looked up yet, -1: unknown. The
 * initial-exec model reads it without a call to __tls_get_addr (24 bytes of the static
 * TLS surplus when libioe is loaded with dlopen). */
static _Thread_local __attribute__((tls_model("initial-exec"))) struct {
    int state;
    uintptr_t lo, hi;
} stack;

static void stack_lookup(void)
{
    pthread_attr_t a;
    void *base;
    size_t size;
    stack.state = -1;
    if (pthread_getattr_np(pthread_self(), &a))
        return;
    if (!pthread_attr_getstack(&a, &base, &size) && size) {
        stack.lo = (uintptr_t)base;
        stack.hi = (uintptr_t)base + size;
        stack.state = 1;
    }
    pthread_attr_destroy(&a);
}

/* Is [addr, addr+len) between this frame and the top of the calling thread's stack? Not
 * inlined, so that its frame lies below every frame of the request. */
__attribute__((noinline)) static bool on_live_stack(uint64_t addr, size_t len)
{
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    if (!stack.state)
        stack_lookup();
    return stack.state > 0 && frame >= stack.lo && frame < stack.hi && addr >= frame &&
           addr < stack.hi && len <= stack.hi - addr;
}

static int xfer(void *local, uint64_t remote, size_t len, bool write)
{
    if (len == 0)
        return 0;
    if (remote == 0 || remote + len < remote)
        return -EFAULT;
    if (on_live_stack(remote, len)) {
        if (write)
            memcpy((void *)(uintptr_t)remote, local, len);
        else
            memcpy(local, (const void *)(uintptr_t)remote, len);
        return 0;
    }
    struct iovec l = {.iov_base = local, .iov_len = len};
    struct iovec r = {.iov_base = (void *)(uintptr_t)remote, .iov_len = len};
    pthread_once(&self_once, self_init);
    ssize_t n =
        write ? process_vm_writev(self, &l, 1, &r, 1, 0) : process_vm_readv(self, &l, 1, &r, 1, 0);
    return n == (ssize_t)len ? 0 : -EFAULT;
}

int copy_from_user(void *dst, uint64_t uaddr, size_t len)
{
    return xfer(dst, uaddr, len, false);
}

int copy_to_user(uint64_t uaddr, const void *src, size_t len)
{
    return xfer((void *)src, uaddr, len, true);
}
