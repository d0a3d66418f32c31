/*
 * The seam of vfio_sys.h filled with the real system calls: what `pci:DDDD:BB:DD.F` runs
 * on. BAR mappings are touched with volatile 32-bit loads and stores; the doorbell burst
 * is one 16-byte store on x86-64 (one 4-DW memory write TLP to uncached MMIO).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "vfio_sys.h"

static int lx_open(void *ctx, const char *path, int flags)
{
    (void)ctx;
    return open(path, flags);
}

static int lx_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static int lx_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
    (void)ctx;
    return ioctl(fd, request, arg);
}

static void *lx_mmap(void *ctx, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)ctx;
    return mmap(NULL, len, prot, flags, fd, off);
}

static int lx_munmap(void *ctx, void *addr, size_t len)
{
    (void)ctx;
    return munmap(addr, len);
}

static ssize_t lx_pread(void *ctx, int fd, void *buf, size_t n, off_t off)
{
    (void)ctx;
    return pread(fd, buf, n, off);
}

static ssize_t lx_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
    (void)ctx;
    return pwrite(fd, buf, n, off);
}

static uint32_t lx_mmio_read32(void *ctx, const volatile void *addr)
{
    (void)ctx;
    return *(const volatile uint32_t *)addr;
}

static void lx_mmio_write32(void *ctx, volatile void *addr, uint32_t val)
{
    (void)ctx;
    *(volatile uint32_t *)addr = val;
}

static void lx_mmio_write_burst(void *ctx, volatile void *addr, const uint32_t *val, size_t n)
{
    (void)ctx;
    volatile uint32_t *p = addr;
    size_t i = 0;
#if defined(__x86_64__)
    if (n >= 4 && (uintptr_t)addr % 16 == 0) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)val);
        _mm_store_si128((__m128i *)(void *)(uintptr_t)p, v); /* one 16-byte store */
        i = 4;
    }
#endif
    for (; i < n; i++)
        p[i] = val[i];
}

static ssize_t lx_readlink(void *ctx, const char *path, char *buf, size_t n)
{
    (void)ctx;
    return readlink(path, buf, n);
}

const struct ioe_vfio_sys ioe_vfio_sys_linux = {
    .name = "linux",
    .open = lx_open,
    .close = lx_close,
    .ioctl = lx_ioctl,
    .mmap = lx_mmap,
    .munmap = lx_munmap,
    .pread = lx_pread,
    .pwrite = lx_pwrite,
    .mmio_read32 = lx_mmio_read32,
    .mmio_write32 = lx_mmio_write32,
    .mmio_write_burst = lx_mmio_write_burst,
    .readlink = lx_readlink,
    .ctx = NULL,
};
