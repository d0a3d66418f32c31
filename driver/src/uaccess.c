/*
 * Fault-safe copies between libioe and caller memory, as KVM's copy_from_user /
 * copy_to_user: an unreadable or unwritable address gives -EFAULT, never a crash. The
 * copy goes through process_vm_readv/writev on this process, which reports bad
 * addresses with EFAULT instead of faulting.
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

static int xfer(void *local, uint64_t remote, size_t len, bool write)
{
    if (len == 0)
        return 0;
    if (remote == 0 || remote + len < remote)
        return -EFAULT;
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
