/*
 * The seam under libioe's VFIO transport (transport_vfio.c): every call it makes into the
 * kernel. vfio_sys_linux.c fills it with the real system calls; the stand-in of the
 * `sim:pcie` target (sim/pcie/vfio_standin.c) answers the same calls from the PCIe
 * root-complex model. A BAR mapping is touched only through mmio_read32/mmio_write32.
 * Return values and errno follow the system calls they stand for (-1 and errno set).
 * docs/pcie.md, section 6.
 */
#ifndef IOE_VFIO_SYS_H
#define IOE_VFIO_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ioe_vfio_sys {
    const char *name; /* "linux", "standin" */
    int (*open)(void *ctx, const char *path, int flags);
    int (*close)(void *ctx, int fd);
    int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
    void *(*mmap)(void *ctx, size_t len, int prot, int flags, int fd, off_t off);
    int (*munmap)(void *ctx, void *addr, size_t len);
    ssize_t (*pread)(void *ctx, int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t n, off_t off);
    uint32_t (*mmio_read32)(void *ctx, const volatile void *addr);
    void (*mmio_write32)(void *ctx, volatile void *addr, uint32_t val);
    /* a burst of n DWs in one write (one TLP where the host can: the doorbell) */
    void (*mmio_write_burst)(void *ctx, volatile void *addr, const uint32_t *val, size_t n);
    /* sysfs path lookups of the target (iommu_group link, driver link); path into buf */
    ssize_t (*readlink)(void *ctx, const char *path, char *buf, size_t n);
    void *ctx;
};

/* the real system calls */
extern const struct ioe_vfio_sys ioe_vfio_sys_linux;

#endif
