/*
 * A PCI function through VFIO (vfio_dev.h): the type1 container/group path of
 * Documentation/driver-api/vfio.rst, every call through struct ioe_vfio_sys. Debian 12's
 * kernel headers (linux-libc-dev 6.1) have no iommufd.h and no VFIO device cdev ioctls,
 * so the iommufd path is not built (docs/pcie.md, section 6).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "vfio_dev.h"

#define SYSFS_PCI "/sys/bus/pci/devices/"

/* set ioe_last_error() and return err */
static int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
    char msg[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    set_last_error("%s", msg);
    return err;
}

static int sys_ioctl(const struct vfio_dev *d, int fd, unsigned long req, void *arg)
{
    int r = d->sys->ioctl(d->sys->ctx, fd, req, arg);
    return r < 0 ? (errno ? -errno : -EIO) : r;
}

/* DDDD:BB:DD.F in hex (lower case in sysfs); device 0-0x1f, function 0-7 */
static int parse_addr(const char *s, char *out)
{
    static const char shape[] = "xxxx:xx:xx.x";
    if (!s || strlen(s) != sizeof(shape) - 1)
        return -ENODEV;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
            return -ENODEV;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[sizeof(shape) - 1] = '\0';
    if (strtoul(out + 8, NULL, 16) > 0x1f || strtoul(out + 11, NULL, 16) > 7)
        return -ENODEV;
    return 0;
}

/* readlink of SYSFS_PCI<addr><leaf>; the last path component of the target in base */
static int sysfs_link(struct vfio_dev *d, const char *leaf, char *base, size_t n)
{
    char path[128], target[256];
    snprintf(path, sizeof(path), SYSFS_PCI "%s%s", d->addr, leaf);
    ssize_t len = d->sys->readlink(d->sys->ctx, path, target, sizeof(target) - 1);
    if (len < 0)
        return errno ? -errno : -ENOENT;
    target[len] = '\0';
    const char *slash = strrchr(target, '/'), *b = slash ? slash + 1 : target;
    size_t len_b = strlen(b);
    if (len_b >= n)
        return -ENAMETOOLONG;
    memcpy(base, b, len_b + 1);
    return 0;
}

static int sysfs_checks(struct vfio_dev *d)
{
    char base[64];
    /* the group link first: the device's own link is only read to tell why it is missing */
    if (sysfs_link(d, "/iommu_group", base, sizeof(base)) && sysfs_link(d, "", base, sizeof(base)))
        return fail(-ENODEV, "no PCI device %s", d->addr);
    if (sysfs_link(d, "/iommu_group", base, sizeof(base)))
        return fail(-ENODEV,
                    "PCI device %s has no IOMMU group: is the IOMMU off? (intel_iommu=on or "
                    "amd_iommu=on on the kernel command line, and VT-d/AMD-Vi in the firmware)",
                    d->addr);
    char *end;
    unsigned long g = strtoul(base, &end, 10);
    if (end == base || *end || g > 0xffffff)
        return fail(-ENODEV, "PCI device %s: unexpected iommu_group link '%s'", d->addr, base);
    d->group_id = (unsigned)g;
    if (sysfs_link(d, "/driver", base, sizeof(base)))
        return fail(-ENODEV,
                    "PCI device %s is bound to no driver: bind it to vfio-pci "
                    "(echo vfio-pci > " SYSFS_PCI "%s/driver_override, then write %s to "
                    "/sys/bus/pci/drivers/vfio-pci/bind)",
                    d->addr, d->addr, d->addr);
    if (strcmp(base, "vfio-pci") != 0)
        return fail(-EBUSY, "PCI device %s is bound to driver %s, not vfio-pci", d->addr, base);
    return 0;
}

static int open_container(struct vfio_dev *d)
{
    d->container = d->sys->open(d->sys->ctx, "/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (d->container < 0) {
        int e = errno ? errno : ENODEV;
        return fail(e == ENOENT ? -ENODEV : -e,
                    "cannot open /dev/vfio/vfio: %s (is the vfio module loaded?)", strerror(e));
    }
    int v = sys_ioctl(d, d->container, VFIO_GET_API_VERSION, NULL);
    if (v != VFIO_API_VERSION)
        return fail(-ENODEV, "/dev/vfio/vfio: VFIO API version %d, this build speaks %d", v,
                    VFIO_API_VERSION);
    if (sys_ioctl(d, d->container, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) <=
        0)
        return fail(-ENODEV, "/dev/vfio/vfio: no type1v2 IOMMU (vfio_iommu_type1 not loaded?)");
    return 0;
}

static int open_group(struct vfio_dev *d)
{
    char path[48];
    snprintf(path, sizeof(path), "/dev/vfio/%u", d->group_id);
    d->group = d->sys->open(d->sys->ctx, path, O_RDWR | O_CLOEXEC);
    if (d->group < 0) {
        int e = errno ? errno : ENODEV;
        if (e == EACCES || e == EPERM)
            return fail(-EACCES, "no permission on %s (group %u of %s): run as root or chown it",
                        path, d->group_id, d->addr);
        if (e == EBUSY)
            return fail(-EBUSY, "%s is open in another process", path);
        return fail(e == ENOENT ? -ENODEV : -e, "cannot open %s: %s", path, strerror(e));
    }
    struct vfio_group_status st = {.argsz = sizeof(st)};
    int err = sys_ioctl(d, d->group, VFIO_GROUP_GET_STATUS, &st);
    if (err < 0)
        return fail(err, "VFIO_GROUP_GET_STATUS on %s: %s", path, strerror(-err));
    if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
        return fail(-EBUSY,
                    "IOMMU group %u is not viable: bind every device of the group to vfio-pci",
                    d->group_id);
    if ((err = sys_ioctl(d, d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) < 0)
        return fail(err, "VFIO_GROUP_SET_CONTAINER on %s: %s", path, strerror(-err));
    if ((err = sys_ioctl(d, d->container, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU)) <
        0)
        return fail(err, "VFIO_SET_IOMMU (type1v2): %s", strerror(-err));
    return 0;
}

static int region_info(struct vfio_dev *d, unsigned index, struct vfio_region_info *ri)
{
    memset(ri, 0, sizeof(*ri));
    ri->argsz = sizeof(*ri);
    ri->index = index;
    int err = sys_ioctl(d, d->device, VFIO_DEVICE_GET_REGION_INFO, ri);
    return err < 0 ? err : 0;
}

static int open_device(struct vfio_dev *d)
{
    int fd = sys_ioctl(d, d->group, VFIO_GROUP_GET_DEVICE_FD, d->addr);
    if (fd < 0)
        return fail(fd, "VFIO_GROUP_GET_DEVICE_FD %s: %s", d->addr, strerror(-fd));
    d->device = fd;
    struct vfio_device_info info = {.argsz = sizeof(info)};
    int err = sys_ioctl(d, d->device, VFIO_DEVICE_GET_INFO, &info);
    if (err < 0)
        return fail(err, "VFIO_DEVICE_GET_INFO %s: %s", d->addr, strerror(-err));
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
        return fail(-ENODEV, "%s: not a vfio-pci device", d->addr);
    d->dev_flags = info.flags;
    d->num_regions = info.num_regions;
    d->num_irqs = info.num_irqs;
    struct vfio_region_info ri;
    for (unsigned i = 0; i < VFIO_DEV_NR_BARS; i++) {
        if ((err = region_info(d, VFIO_PCI_BAR0_REGION_INDEX + i, &ri)))
            return fail(err, "%s: region info of BAR%u: %s", d->addr, i, strerror(-err));
        d->bar[i] = (struct vfio_bar){.size = ri.size, .offset = ri.offset, .flags = ri.flags};
    }
    if ((err = region_info(d, VFIO_PCI_CONFIG_REGION_INDEX, &ri)))
        return fail(err, "%s: region info of config space: %s", d->addr, strerror(-err));
    d->cfg_offset = ri.offset;
    return 0;
}

int vfio_dev_open(struct vfio_dev *d, const struct ioe_vfio_sys *sys, const char *addr)
{
    memset(d, 0, sizeof(*d));
    d->sys = sys;
    d->container = d->group = d->device = -1;
    if (parse_addr(addr, d->addr))
        return fail(-ENODEV, "'%s' is not a PCI address (DDDD:BB:DD.F, hexadecimal)",
                    addr ? addr : "");
    int err = sysfs_checks(d);
    if (!err)
        err = open_container(d);
    if (!err)
        err = open_group(d);
    if (!err)
        err = open_device(d);
    if (err)
        vfio_dev_close(d);
    return err;
}

void vfio_dev_close(struct vfio_dev *d)
{
    if (!d->sys)
        return;
    for (unsigned i = 0; i < VFIO_DEV_NR_BARS; i++)
        if (d->bar[i].map)
            d->sys->munmap(d->sys->ctx, (void *)d->bar[i].map, d->bar[i].map_len);
    int *fds[] = {&d->device, &d->group, &d->container};
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0)
            d->sys->close(d->sys->ctx, *fds[i]);
    memset(d->bar, 0, sizeof(d->bar));
    d->device = d->group = d->container = -1;
}

int vfio_dev_map_bar(struct vfio_dev *d, unsigned bar, size_t len)
{
    if (bar >= VFIO_DEV_NR_BARS || !d->bar[bar].size ||
        !(d->bar[bar].flags & VFIO_REGION_INFO_FLAG_MMAP))
        return -ENODEV;
    if (!len)
        len = d->bar[bar].size;
    if (len > d->bar[bar].size)
        return -EINVAL;
    void *p = d->sys->mmap(d->sys->ctx, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->device,
                           (off_t)d->bar[bar].offset);
    if (p == MAP_FAILED)
        return errno ? -errno : -EIO;
    d->bar[bar].map = p;
    d->bar[bar].map_len = len;
    return 0;
}

uint32_t vfio_dev_rd32(const struct vfio_dev *d, unsigned bar, uint64_t off)
{
    return d->sys->mmio_read32(d->sys->ctx, (const volatile char *)d->bar[bar].map + off);
}

void vfio_dev_wr32(const struct vfio_dev *d, unsigned bar, uint64_t off, uint32_t val)
{
    d->sys->mmio_write32(d->sys->ctx, (volatile char *)d->bar[bar].map + off, val);
}

int vfio_dev_cfg_read(struct vfio_dev *d, unsigned off, void *buf, size_t n)
{
    ssize_t r = d->sys->pread(d->sys->ctx, d->device, buf, n, (off_t)(d->cfg_offset + off));
    return r == (ssize_t)n ? 0 : r < 0 && errno ? -errno : -EIO;
}

int vfio_dev_cfg_write(struct vfio_dev *d, unsigned off, const void *buf, size_t n)
{
    ssize_t r = d->sys->pwrite(d->sys->ctx, d->device, buf, n, (off_t)(d->cfg_offset + off));
    return r == (ssize_t)n ? 0 : r < 0 && errno ? -errno : -EIO;
}

int vfio_dev_enable_master(struct vfio_dev *d)
{
    uint16_t cmd;
    int err = vfio_dev_cfg_read(d, PCI_COMMAND, &cmd, sizeof(cmd));
    if (err)
        return err;
    if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) ==
        (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
        return 0;
    cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER; /* vfio-pci leaves bus mastering off */
    return vfio_dev_cfg_write(d, PCI_COMMAND, &cmd, sizeof(cmd));
}

int vfio_dev_dma_map(struct vfio_dev *d, uint64_t iova, void *hva, uint64_t size)
{
    struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
                                         .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                         .vaddr = (uintptr_t)hva,
                                         .iova = iova,
                                         .size = size};
    int err = sys_ioctl(d, d->container, VFIO_IOMMU_MAP_DMA, &m);
    return err < 0 ? err : 0;
}

int vfio_dev_dma_unmap(struct vfio_dev *d, uint64_t iova, uint64_t size, uint64_t *unmapped)
{
    struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .iova = iova, .size = size};
    int err = sys_ioctl(d, d->container, VFIO_IOMMU_UNMAP_DMA, &u);
    if (err < 0)
        return err;
    if (unmapped)
        *unmapped = u.size;
    return 0;
}

static int default_ranges(struct ioe_iova_range *out, size_t max)
{
    static const struct ioe_iova_range def[] = {{0, VFIO_DEV_MSI_START - 1},
                                                {VFIO_DEV_MSI_LAST + 1, VFIO_DEV_DEFAULT_TOP}};
    size_t n = max < 2 ? max : 2;
    memcpy(out, def, n * sizeof(*out));
    return (int)n;
}

int vfio_parse_iommu_info(const void *buf, size_t len, struct ioe_iova_range *out, size_t max,
                          uint32_t *dma_avail)
{
    struct vfio_iommu_type1_info info = {0};
    const unsigned char *base = buf;
    bool found = false;
    size_t n = 0;
    if (dma_avail)
        *dma_avail = UINT32_MAX;
    if (len < offsetof(struct vfio_iommu_type1_info, cap_offset) + sizeof(info.cap_offset))
        return -EPROTO;
    memcpy(&info, buf, len < sizeof(info) ? len : sizeof(info));
    uint32_t off = (info.flags & VFIO_IOMMU_INFO_CAPS) ? info.cap_offset : 0;
    while (off) {
        struct vfio_info_cap_header h;
        /* each capability lies inside the answer, after the header and after the one
         * before it (so the walk ends) */
        if (off < sizeof(info) || len < sizeof(h) || off > len - sizeof(h))
            return -EPROTO;
        memcpy(&h, base + off, sizeof(h));
        if (h.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE && !found) {
            struct vfio_iommu_type1_info_cap_iova_range c;
            if (off > len - sizeof(c))
                return -EPROTO;
            memcpy(&c, base + off, sizeof(c));
            size_t room = (len - off - sizeof(c)) / sizeof(struct vfio_iova_range);
            if (c.nr_iovas > room)
                return -EPROTO;
            uint64_t prev_end = 0;
            for (uint32_t i = 0; i < c.nr_iovas; i++) {
                struct vfio_iova_range r;
                memcpy(&r, base + off + sizeof(c) + i * sizeof(r), sizeof(r));
                if (r.end < r.start || (i && r.start <= prev_end))
                    return -EPROTO; /* ascending and disjoint, as the kernel builds them */
                prev_end = r.end;
                if (n < max)
                    out[n++] = (struct ioe_iova_range){r.start, r.end};
            }
            found = true;
        } else if (h.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL && dma_avail) {
            struct vfio_iommu_type1_info_dma_avail a;
            if (off > len - sizeof(a))
                return -EPROTO;
            memcpy(&a, base + off, sizeof(a));
            *dma_avail = a.avail;
        }
        if (h.next && h.next <= off)
            return -EPROTO;
        off = h.next;
    }
    return found ? (int)n : default_ranges(out, max);
}

int vfio_dev_iova_ranges(struct vfio_dev *d, struct ioe_iova_range *out, size_t max,
                         uint32_t *dma_avail)
{
    struct vfio_iommu_type1_info first = {.argsz = sizeof(first)};
    int err = sys_ioctl(d, d->container, VFIO_IOMMU_GET_INFO, &first);
    if (err < 0)
        return err;
    if (!(first.flags & VFIO_IOMMU_INFO_CAPS) || first.argsz <= sizeof(first))
        return vfio_parse_iommu_info(&first, sizeof(first), out, max, dma_avail);
    /* the kernel said how much room its capabilities need: ask again with that much */
    size_t len = first.argsz;
    if (len > 1u << 20)
        return -EPROTO;
    struct vfio_iommu_type1_info *info = calloc(1, len);
    if (!info)
        return -ENOMEM;
    info->argsz = (uint32_t)len;
    err = sys_ioctl(d, d->container, VFIO_IOMMU_GET_INFO, info);
    if (err >= 0)
        err =
            vfio_parse_iommu_info(info, len < info->argsz ? len : info->argsz, out, max, dma_avail);
    free(info);
    return err;
}

int vfio_dev_irq_count(struct vfio_dev *d, unsigned index, uint32_t *count)
{
    struct vfio_irq_info ii = {.argsz = sizeof(ii), .index = index};
    int err = sys_ioctl(d, d->device, VFIO_DEVICE_GET_IRQ_INFO, &ii);
    if (err < 0)
        return err;
    *count = (ii.flags & VFIO_IRQ_INFO_EVENTFD) ? ii.count : 0;
    return 0;
}

int vfio_dev_set_irqs(struct vfio_dev *d, unsigned index, const int32_t *fds, uint32_t n)
{
    size_t sz = sizeof(struct vfio_irq_set) + n * sizeof(int32_t);
    struct vfio_irq_set *s = calloc(1, sz);
    if (!s)
        return -ENOMEM;
    s->argsz = (uint32_t)sz;
    s->flags =
        (n ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = index;
    s->count = n;
    if (n)
        memcpy(s->data, fds, n * sizeof(int32_t));
    int err = sys_ioctl(d, d->device, VFIO_DEVICE_SET_IRQS, s);
    free(s);
    return err < 0 ? err : 0;
}

int vfio_dev_reset(struct vfio_dev *d)
{
    if (!(d->dev_flags & VFIO_DEVICE_FLAGS_RESET))
        return -ENOTTY;
    int err = sys_ioctl(d, d->device, VFIO_DEVICE_RESET, NULL);
    return err < 0 ? err : 0;
}
