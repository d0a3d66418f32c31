/*
 * The caller's file descriptors, as KVM sees the files behind them (fdget, struct file):
 * whether one is open, what it is (its /proc/self/fd name), and whether two are the same
 * open file. Used by the requests that take descriptors of other subsystems: KVM_IRQFD
 * (irqfd.c) and the VFIO device (devices/vfio.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

int fd_get(int32_t fd)
{
    return fd >= 0 && fcntl(fd, F_GETFD) >= 0 ? 0 : -EBADF; /* a negative fd is no file */
}

int fd_name(int fd, char *buf, size_t n)
{
    char link[48];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t len = n ? readlink(link, buf, n - 1) : -1;
    if (len < 0)
        return -EBADF;
    buf[len] = '\0';
    return 0;
}

bool fd_same_file(int a, int b)
{
    pid_t self = getpid();
    long r = syscall(SYS_kcmp, self, self, KCMP_FILE, a, b);
    if (r >= 0)
        return r == 0;
    struct stat sa, sb; /* kcmp unavailable: the same inode */
    return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
