/*
 * A PCI function through VFIO, over the seam of vfio_sys.h: the part of libioe's VFIO
 * transport that knows nothing of the ioe card, so it also drives other devices (the
 * real-kernel test drives QEMU's edu device with it). Container/group/device, region
 * info and BAR mappings, config space, DMA mappings, IOVA ranges, interrupts as eventfds,
 * reset. Functions return 0 or -errno; vfio_dev_open sets ioe_last_error() on failure.
 * docs/pcie.md, section 6.
 */
#ifndef IOE_VFIO_DEV_H
#define IOE_VFIO_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"
#include "vfio_sys.h"

#define VFIO_DEV_NR_BARS 6

struct vfio_bar {
    volatile void *map; /* mmap of [0, map_len) of the BAR, or NULL */
    size_t map_len;
    uint64_t size;   /* the region's size (0: no such BAR) */
    uint64_t offset; /* the region's offset in the device descriptor */
    uint32_t flags;  /* VFIO_REGION_INFO_FLAG_* */
};

struct vfio_dev {
    const struct ioe_vfio_sys *sys;
    int container, group, device; /* -1 when not open */
    unsigned group_id;
    char addr[16]; /* DDDD:BB:DD.F */
    uint32_t dev_flags, num_regions, num_irqs;
    struct vfio_bar bar[VFIO_DEV_NR_BARS];
    uint64_t cfg_offset; /* the config region's offset */
};

/* Open the function at `addr` (DDDD:BB:DD.F, hex): the sysfs checks, the container with a
 * TYPE1v2 IOMMU, the group, the device descriptor, the region info of every BAR and of
 * config space. -ENODEV (no such device, no IOMMU group, no driver or not vfio-pci, API or
 * IOMMU type missing), -EACCES (no permission on /dev/vfio/N), -EBUSY (the group is not
 * viable or in use), else the errno of the failing call; ioe_last_error() says which. */
int vfio_dev_open(struct vfio_dev *d, const struct ioe_vfio_sys *sys, const char *addr);
void vfio_dev_close(struct vfio_dev *d);

/* mmap the first len bytes of BAR `bar` (0: all of it). -ENODEV for a BAR the function
 * lacks or that cannot be mmapped, -EINVAL for len past its size. */
int vfio_dev_map_bar(struct vfio_dev *d, unsigned bar, size_t len);
/* 32-bit MMIO at `off` of a mapped BAR (the caller checks off) */
uint32_t vfio_dev_rd32(const struct vfio_dev *d, unsigned bar, uint64_t off);
void vfio_dev_wr32(const struct vfio_dev *d, unsigned bar, uint64_t off, uint32_t val);

/* config space: n bytes at off; set the memory-space and bus-master bits of PCI_COMMAND */
int vfio_dev_cfg_read(struct vfio_dev *d, unsigned off, void *buf, size_t n);
int vfio_dev_cfg_write(struct vfio_dev *d, unsigned off, const void *buf, size_t n);
int vfio_dev_enable_master(struct vfio_dev *d);

/* VFIO_IOMMU_MAP_DMA (read and write) and UNMAP_DMA; *unmapped gets the bytes the kernel
 * unmapped (0 when nothing was mapped there). -ENOSPC at the container's mapping limit. */
int vfio_dev_dma_map(struct vfio_dev *d, uint64_t iova, void *hva, uint64_t size);
int vfio_dev_dma_unmap(struct vfio_dev *d, uint64_t iova, uint64_t size, uint64_t *unmapped);

/* The usable IOVA ranges of the container (VFIO_IOMMU_GET_INFO's IOVA-range capability;
 * without it VFIO_DEV_DEFAULT_RANGES), at most max; the count or -errno. *dma_avail (may
 * be NULL) gets the mappings left (the DMA_AVAIL capability), or UINT32_MAX unknown. */
int vfio_dev_iova_ranges(struct vfio_dev *d, struct ioe_iova_range *out, size_t max,
                         uint32_t *dma_avail);
/* Parse the capability chain of a VFIO_IOMMU_GET_INFO answer of `len` bytes; the same
 * results. -EPROTO for a malformed chain. Exposed for the unit test. */
int vfio_parse_iommu_info(const void *info, size_t len, struct ioe_iova_range *out, size_t max,
                          uint32_t *dma_avail);

/* The default when the kernel reports no ranges: a 39-bit address space (the narrowest
 * VT-d parts) without the x86 MSI window 0xFEE00000-0xFEEFFFFF. */
#define VFIO_DEV_DEFAULT_TOP ((1ull << 39) - 1)
#define VFIO_DEV_MSI_START 0xFEE00000ull
#define VFIO_DEV_MSI_LAST 0xFEEFFFFFull

/* Interrupts of index `index` (VFIO_PCI_MSI_IRQ_INDEX, _MSIX_): VFIO_DEVICE_GET_IRQ_INFO's
 * count; and trigger vectors [0, n) on the eventfds fds[0..n) (n 0: disable them all). */
int vfio_dev_irq_count(struct vfio_dev *d, unsigned index, uint32_t *count);
int vfio_dev_set_irqs(struct vfio_dev *d, unsigned index, const int32_t *fds, uint32_t n);

/* VFIO_DEVICE_RESET (-ENOTTY when the device cannot be reset) */
int vfio_dev_reset(struct vfio_dev *d);

#endif
