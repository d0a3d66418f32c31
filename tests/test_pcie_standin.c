/*
 * The VFIO stand-in over the PCIe root-complex model and the Verilator model of the PCIe card
 * (sim/pcie, docs/pcie.md), through the seam alone: the call sequence of a user-space VFIO
 * driver (container, group, IOMMU, device, regions, mmap), the card's ID registers over
 * BAR0 and BAR2, DMA through the IOMMU table with the core's DMA probe, the root complex's
 * fault injection seen by the card, MSI-X eventfds with the notification ring, the libioe
 * doorbell, and VFIO's errors.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"
#include "vfio_standin.h"

#include <ioe/card.h>
#include <ioe/pcie_ep.h>
#include <ioe/regs.h>

#define GROUP 7
#define DMA_IOVA 0x100000ull
#define RING_IOVA 0x200000ull
#define WAIT_MS 20000

#define ST_BUSY (1u << IOE_CORE_DMA_STATUS_BUSY_SHIFT)
#define ST_DONE (1u << IOE_CORE_DMA_STATUS_DONE_SHIFT)
#define ST_ERR (1u << IOE_CORE_DMA_STATUS_ERR_SHIFT)

static struct ioe_vfio_sys sys;
static int container = -1, group = -1, device = -1;
static char *bar0, *bar2;
static size_t bar0_len, bar2_len;
static char bdf[16];

static int xioctl(int fd, unsigned long req, void *arg)
{
    return sys.ioctl(sys.ctx, fd, req, arg);
}

/* -1 with errno e */
#define assert_fails(call, e)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        assert_int_equal((call), -1);                                                              \
        assert_int_equal(errno, (e));                                                              \
    } while (0)

static uint32_t rd(char *bar, uint32_t off)
{
    return sys.mmio_read32(sys.ctx, bar + off);
}

static void wr(char *bar, uint32_t off, uint32_t v)
{
    sys.mmio_write32(sys.ctx, bar + off, v);
}

static int setup(void **state)
{
    (void)state;
    struct ioe_vfio_standin_params p = {.group = GROUP};
    p.rc.timeout_ms = WAIT_MS;
    if (ioe_vfio_standin_open(&p, &sys))
        return -1;
    snprintf(bdf, sizeof(bdf), "%s", ioe_vfio_standin_bdf(&sys));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ioe_vfio_standin_close(&sys);
    container = group = device = -1;
    bar0 = bar2 = NULL;
    return 0;
}

static uint64_t region(unsigned index, uint64_t *size, uint32_t *flags)
{
    struct vfio_region_info ri = {.argsz = sizeof(ri), .index = index};
    assert_int_equal(xioctl(device, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
    *size = ri.size;
    *flags = ri.flags;
    return ri.offset;
}

static char *map_bar(unsigned index, size_t *len)
{
    uint64_t size;
    uint32_t flags;
    uint64_t off = region(index, &size, &flags);
    assert_true(flags & VFIO_REGION_INFO_FLAG_MMAP);
    void *p = sys.mmap(sys.ctx, size, PROT_READ | PROT_WRITE, MAP_SHARED, device, (off_t)off);
    assert_ptr_not_equal(p, MAP_FAILED);
    *len = size;
    return p;
}

/* what a user-space VFIO driver does to reach the card: container, group, IOMMU, device,
 * BAR0 and BAR2 mapped */
static void open_card(void)
{
    char link[128];
    char path[96];
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
    ssize_t n = sys.readlink(sys.ctx, path, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = 0;
    assert_string_equal(strrchr(link, '/') + 1, "7");
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
    n = sys.readlink(sys.ctx, path, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = 0;
    assert_string_equal(strrchr(link, '/') + 1, "vfio-pci");

    container = sys.open(sys.ctx, "/dev/vfio/vfio", O_RDWR);
    assert_true(container >= 0);
    assert_int_equal(xioctl(container, VFIO_GET_API_VERSION, NULL), VFIO_API_VERSION);
    assert_int_equal(xioctl(container, VFIO_CHECK_EXTENSION, (void *)VFIO_TYPE1v2_IOMMU), 1);
    assert_int_equal(xioctl(container, VFIO_CHECK_EXTENSION, (void *)VFIO_SPAPR_TCE_IOMMU), 0);
    group = sys.open(sys.ctx, "/dev/vfio/7", O_RDWR);
    assert_true(group >= 0);
    struct vfio_group_status st = {.argsz = sizeof(st)};
    assert_int_equal(xioctl(group, VFIO_GROUP_GET_STATUS, &st), 0);
    assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
    assert_int_equal(xioctl(group, VFIO_GROUP_SET_CONTAINER, &container), 0);
    assert_int_equal(xioctl(group, VFIO_GROUP_GET_STATUS, &st), 0);
    assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET);
    assert_int_equal(xioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), 0);
    device = xioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    assert_true(device >= 0);
    assert_true(fcntl(device, F_GETFD) >= 0); /* a descriptor the process owns */
    bar0 = map_bar(VFIO_PCI_BAR0_REGION_INDEX, &bar0_len);
    bar2 = map_bar(VFIO_PCI_BAR2_REGION_INDEX, &bar2_len);
}

static void test_sequence(void **state)
{
    (void)state;
    open_card();
    struct vfio_device_info di = {.argsz = sizeof(di)};
    assert_int_equal(xioctl(device, VFIO_DEVICE_GET_INFO, &di), 0);
    assert_int_equal(di.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
    assert_int_equal(di.num_regions, VFIO_PCI_NUM_REGIONS);
    assert_int_equal(di.num_irqs, VFIO_PCI_NUM_IRQS);
    /* BARs: sizes, vfio-pci's offsets, flags; BAR1 (the upper half of BAR0) is empty */
    static const struct {
        unsigned index;
        uint64_t size;
    } bars[] = {
        {0, IOE_CSR_WINDOW_SIZE}, {1, 0}, {2, 0x10000}, {4, IOE_PARAM_NR_VMS_DEFAULT * 0x1000}};
    for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
        uint64_t size;
        uint32_t flags;
        assert_int_equal(region(bars[i].index, &size, &flags), (uint64_t)bars[i].index << 40);
        assert_int_equal(size, bars[i].size);
        uint32_t want = size ? VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
                                   VFIO_REGION_INFO_FLAG_MMAP
                             : 0;
        if (bars[i].index == 2)
            want |= VFIO_REGION_INFO_FLAG_CAPS; /* MSI-X table: mappable capability */
        assert_int_equal(flags, want);
    }
    /* the card's identity over both BARs, through the mapping and through pread */
    assert_int_equal(rd(bar2, IOE_EP_ID), IOE_EP_ID_VALUE);
    assert_int_equal(rd(bar0, IOE_CORE_ID), IOE_CORE_ID_RESET);
    assert_int_equal(rd(bar0, IOE_CORE_VERSION), IOE_CORE_VERSION_RESET);
    uint32_t v = 0;
    assert_int_equal(sys.pread(sys.ctx, device, &v, 4, (off_t)(2ull << 40)), 4);
    assert_int_equal(v, IOE_EP_ID_VALUE);
    /* writes land: SCRATCH through the mapping, read back through pread */
    wr(bar0, IOE_CORE_SCRATCH, 0x5a5aa5a5u);
    assert_int_equal(sys.pread(sys.ctx, device, &v, 4, IOE_CORE_SCRATCH), 4);
    assert_int_equal(v, 0x5a5aa5a5u);
    /* IOVA ranges: the 39-bit aperture minus the MSI window */
    char buf[256] = {0};
    struct vfio_iommu_type1_info *info = (void *)buf;
    info->argsz = sizeof(*info);
    assert_int_equal(xioctl(container, VFIO_IOMMU_GET_INFO, info), 0);
    assert_true(info->flags & VFIO_IOMMU_INFO_CAPS);
    assert_true(info->argsz > sizeof(*info) && info->argsz <= sizeof(buf));
    assert_int_equal(xioctl(container, VFIO_IOMMU_GET_INFO, info), 0);
    assert_int_equal(info->cap_offset, sizeof(*info));
    int seen = 0;
    for (uint32_t off = info->cap_offset; off;
         off = ((struct vfio_info_cap_header *)(buf + off))->next) {
        struct vfio_info_cap_header *h = (void *)(buf + off);
        if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
            struct vfio_iommu_type1_info_cap_iova_range *r = (void *)h;
            assert_int_equal(r->nr_iovas, 2);
            assert_int_equal(r->iova_ranges[0].start, 0);
            assert_int_equal(r->iova_ranges[0].end, 0xFEDFFFFFull);
            assert_int_equal(r->iova_ranges[1].start, 0xFEF00000ull);
            assert_int_equal(r->iova_ranges[1].end, (1ull << 39) - 1);
            seen |= 1;
        } else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
            assert_int_equal(((struct vfio_iommu_type1_info_dma_avail *)h)->avail, 65535);
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    /* the token mappings go away on munmap */
    assert_int_equal(sys.munmap(sys.ctx, bar0, bar0_len), 0);
    assert_fails(sys.munmap(sys.ctx, bar0, bar0_len), EINVAL);
    assert_int_equal(sys.close(sys.ctx, device), 0);
    assert_int_equal(sys.close(sys.ctx, group), 0);
    assert_int_equal(sys.close(sys.ctx, container), 0);
    assert_fails(sys.close(sys.ctx, container), EBADF);
}

static void test_vfio_errors(void **state)
{
    (void)state;
    assert_fails(sys.open(sys.ctx, "/dev/vfio/8", O_RDWR), ENOENT);
    container = sys.open(sys.ctx, "/dev/vfio/vfio", O_RDWR);
    group = sys.open(sys.ctx, "/dev/vfio/7", O_RDWR);
    assert_fails(sys.open(sys.ctx, "/dev/vfio/7", O_RDWR), EBUSY);
    /* no IOMMU before a group is in the container; no device before an IOMMU */
    assert_fails(xioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), EINVAL);
    struct vfio_iommu_type1_info info = {.argsz = sizeof(info)};
    assert_fails(xioctl(container, VFIO_IOMMU_GET_INFO, &info), EINVAL);
    int bad = -1;
    assert_fails(xioctl(group, VFIO_GROUP_SET_CONTAINER, &bad), EBADF);
    int other = eventfd(0, EFD_CLOEXEC);
    assert_fails(xioctl(group, VFIO_GROUP_SET_CONTAINER, &other), EINVAL);
    assert_fails(xioctl(group, VFIO_GROUP_UNSET_CONTAINER, NULL), EINVAL);
    assert_int_equal(xioctl(group, VFIO_GROUP_SET_CONTAINER, &container), 0);
    assert_fails(xioctl(group, VFIO_GROUP_SET_CONTAINER, &container), EINVAL);
    assert_fails(xioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf), EINVAL);
    assert_fails(xioctl(container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU), ENODEV);
    assert_int_equal(xioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), 0);
    assert_fails(xioctl(container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), EINVAL);
    assert_fails(xioctl(container, VFIO_DEVICE_GET_INFO, &info), ENOTTY);
    assert_fails(xioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:02:00.0"), ENODEV);
    device = xioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    assert_true(device >= 0);
    assert_fails(xioctl(group, VFIO_GROUP_UNSET_CONTAINER, NULL), EBUSY);
    assert_fails(xioctl(other, VFIO_GET_API_VERSION, NULL), ENOTTY);
    close(other);
    assert_fails(xioctl(other, VFIO_GET_API_VERSION, NULL), EBADF);

    /* argsz below the structure's fixed part; indexes past the end */
    struct vfio_region_info ri = {.argsz = 8, .index = 0};
    assert_fails(xioctl(device, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL);
    ri = (struct vfio_region_info){.argsz = sizeof(ri), .index = VFIO_PCI_VGA_REGION_INDEX};
    assert_fails(xioctl(device, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL);
    ri.index = VFIO_PCI_NUM_REGIONS;
    assert_fails(xioctl(device, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL);
    struct vfio_irq_info ii = {.argsz = sizeof(ii), .index = VFIO_PCI_NUM_IRQS};
    assert_fails(xioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &ii), EINVAL);
    ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
    assert_int_equal(xioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0);
    assert_int_equal(ii.count, 2);
    assert_int_equal(ii.flags, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);

    /* mmap: private mappings, past the BAR, BARs without mmap, non-device files */
    assert_ptr_equal(sys.mmap(sys.ctx, 4096, PROT_READ, MAP_PRIVATE, device, 0), MAP_FAILED);
    assert_int_equal(errno, EINVAL);
    assert_ptr_equal(sys.mmap(sys.ctx, 8192, PROT_READ, MAP_SHARED, device, (2ll << 40) + 0xF000),
                     MAP_FAILED);
    assert_int_equal(errno, EINVAL);
    assert_ptr_equal(sys.mmap(sys.ctx, 4096, PROT_READ, MAP_SHARED, device, 1ll << 40), MAP_FAILED);
    assert_int_equal(errno, EINVAL);
    assert_ptr_equal(sys.mmap(sys.ctx, 4096, PROT_READ, MAP_SHARED, group, 0), MAP_FAILED);
    assert_int_equal(errno, ENODEV);

    /* DMA maps: alignment, overlap, the MSI hole, the aperture, unmapping (v2 rules) */
    size_t len = 0x4000;
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_ptr_not_equal(mem, MAP_FAILED);
    struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
                                         .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                         .vaddr = (uintptr_t)mem,
                                         .iova = DMA_IOVA + 0x800,
                                         .size = len};
    assert_fails(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), EINVAL);
    m.iova = 0xFEE00000ull;
    assert_fails(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), EINVAL);
    m.iova = 1ull << 39;
    assert_fails(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), EINVAL);
    m.iova = DMA_IOVA;
    m.flags = 0;
    assert_fails(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), EINVAL);
    m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    assert_int_equal(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), 0);
    m.iova = DMA_IOVA + 0x1000;
    assert_fails(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), EEXIST);
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .iova = DMA_IOVA + 0x1000, .size = 0x1000};
    assert_fails(xioctl(container, VFIO_IOMMU_UNMAP_DMA, &u), EINVAL); /* cuts a mapping */
    u = (struct vfio_iommu_type1_dma_unmap){.argsz = sizeof(u), .iova = 0x40000000, .size = 0x1000};
    assert_int_equal(xioctl(container, VFIO_IOMMU_UNMAP_DMA, &u), 0);
    assert_int_equal(u.size, 0); /* nothing there: nothing unmapped */
    u = (struct vfio_iommu_type1_dma_unmap){.argsz = sizeof(u), .iova = DMA_IOVA, .size = len};
    assert_int_equal(xioctl(container, VFIO_IOMMU_UNMAP_DMA, &u), 0);
    assert_int_equal(u.size, len);
    munmap(mem, len);

    /* SET_IRQS: flags, ranges, descriptors */
    char sbuf[sizeof(struct vfio_irq_set) + 2 * sizeof(int32_t)];
    struct vfio_irq_set *s = (void *)sbuf;
    *s = (struct vfio_irq_set){.argsz = sizeof(sbuf),
                               .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
                               .index = VFIO_PCI_MSIX_IRQ_INDEX,
                               .start = 1,
                               .count = 2};
    int32_t fds[2] = {-1, -1};
    memcpy(s->data, fds, sizeof(fds));
    assert_fails(xioctl(device, VFIO_DEVICE_SET_IRQS, s), EINVAL); /* past the table */
    s->start = 0;
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER;
    assert_fails(xioctl(device, VFIO_DEVICE_SET_IRQS, s), EINVAL);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK;
    assert_fails(xioctl(device, VFIO_DEVICE_SET_IRQS, s), ENOTTY);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    fds[0] = container; /* not an eventfd */
    memcpy(s->data, fds, sizeof(fds));
    assert_fails(xioctl(device, VFIO_DEVICE_SET_IRQS, s), EINVAL);
    s->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
    assert_fails(xioctl(device, VFIO_DEVICE_SET_IRQS, s), EINVAL); /* MSI-X not enabled */
    assert_fails(xioctl(device, 0x3b7f, NULL), ENOTTY);
}

/* len bytes of fresh host memory the card reaches at iova */
static void *map_host(size_t len, uint64_t iova)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_ptr_not_equal(p, MAP_FAILED);
    struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
                                         .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                         .vaddr = (uintptr_t)p,
                                         .iova = iova,
                                         .size = len};
    assert_int_equal(xioctl(container, VFIO_IOMMU_MAP_DMA, &m), 0);
    return p;
}

/* one DMA probe request; returns DMA_STATUS once BUSY is clear */
static uint32_t probe(uint64_t iova, int write, uint64_t wdata)
{
    wr(bar0, IOE_CORE_DMA_ADDR_LO, (uint32_t)iova);
    wr(bar0, IOE_CORE_DMA_ADDR_HI, (uint32_t)(iova >> 32));
    wr(bar0, IOE_CORE_DMA_WDATA_LO, (uint32_t)wdata);
    wr(bar0, IOE_CORE_DMA_WDATA_HI, (uint32_t)(wdata >> 32));
    wr(bar0, IOE_CORE_DMA_CMD,
       1u << IOE_CORE_DMA_CMD_GO_SHIFT | (uint32_t)write << IOE_CORE_DMA_CMD_WRITE_SHIFT |
           0xffu << IOE_CORE_DMA_CMD_STRB_SHIFT);
    uint32_t st = ST_BUSY;
    for (int i = 0; i < 20000 && (st & ST_BUSY); i++) {
        st = rd(bar0, IOE_CORE_DMA_STATUS);
        assert_int_not_equal(st, UINT32_MAX); /* the read itself failed */
    }
    assert_int_equal(st & ST_BUSY, 0);
    return st;
}

static void test_dma_and_faults(void **state)
{
    (void)state;
    open_card();
    size_t len = 0x2000;
    uint64_t *mem = map_host(len, DMA_IOVA);
    mem[3] = 0x0123456789abcdefull;
    /* a read of host memory through the IOMMU, and a write */
    assert_int_equal(probe(DMA_IOVA + 24, 0, 0), ST_DONE);
    assert_int_equal(rd(bar0, IOE_CORE_DMA_RDATA_LO), 0x89abcdefu);
    assert_int_equal(rd(bar0, IOE_CORE_DMA_RDATA_HI), 0x01234567u);
    uint32_t lat = rd(bar0, IOE_CORE_DMA_LATENCY);
    assert_true(lat >= 138); /* at least the modelled round trip */
    assert_int_equal(probe(DMA_IOVA + 0x1008, 1, 0xfeedfacecafef00dull), ST_DONE);
    assert_int_equal(rd(bar0, IOE_CORE_DMA_STATUS),
                     ST_DONE); /* the write is posted; read flushes */
    assert_int_equal(mem[0x201], 0xfeedfacecafef00dull);
    /* an IOVA without a mapping: the root complex answers UR */
    uint32_t errs = rd(bar2, IOE_EP_CNT_CPL_ERROR);
    assert_int_equal(probe(DMA_IOVA + len, 0, 0), ST_DONE | ST_ERR);
    assert_int_equal(rd(bar2, IOE_EP_CNT_CPL_ERROR), errs + 1);
    /* injected faults on the next read, then a good read again */
    static const struct {
        enum ioe_pcie_rc_fault f;
        uint32_t counter;
    } faults[] = {{IOE_PCIE_RC_FAULT_UR, IOE_EP_CNT_CPL_ERROR},
                  {IOE_PCIE_RC_FAULT_CA, IOE_EP_CNT_CPL_ERROR},
                  {IOE_PCIE_RC_FAULT_POISONED, IOE_EP_CNT_POISONED},
                  {IOE_PCIE_RC_FAULT_MALFORMED, IOE_EP_CNT_MALFORMED},
                  {IOE_PCIE_RC_FAULT_TIMEOUT, IOE_EP_CNT_CPL_TIMEOUT}};
    wr(bar2, IOE_EP_CPL_TIMEOUT_US, 20); /* 5000 cycles */
    struct ioe_pcie_rc *rc = ioe_vfio_standin_rc(&sys);
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        uint32_t before = rd(bar2, faults[i].counter);
        assert_int_equal(ioe_pcie_rc_inject(rc, faults[i].f, 1), 0);
        assert_int_equal(probe(DMA_IOVA + 24, 0, 0), ST_DONE | ST_ERR);
        assert_int_equal(rd(bar2, faults[i].counter), before + 1);
        assert_int_equal(probe(DMA_IOVA + 24, 0, 0), ST_DONE);
        assert_int_equal(rd(bar0, IOE_CORE_DMA_RDATA_LO), 0x89abcdefu);
    }
    assert_int_equal(ioe_pcie_rc_inject(rc, (enum ioe_pcie_rc_fault)99, 1), -EINVAL);
    /* unmapped again: the same read fails */
    struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .iova = DMA_IOVA, .size = len};
    assert_int_equal(xioctl(container, VFIO_IOMMU_UNMAP_DMA, &u), 0);
    assert_int_equal(probe(DMA_IOVA + 24, 0, 0), ST_DONE | ST_ERR);
    munmap(mem, len);
}

static int wait_fd(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, WAIT_MS);
    uint64_t v = 0;
    if (n == 1 && read(fd, &v, sizeof(v)) == sizeof(v))
        return (int)v;
    return 0;
}

static void test_msix_ring(void **state)
{
    (void)state;
    open_card();
    /* the ring: 16 records in host memory */
    size_t len = 0x1000;
    uint64_t *ring = map_host(len, RING_IOVA);
    /* both vectors to eventfds */
    int efd[2] = {eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    char sbuf[sizeof(struct vfio_irq_set) + sizeof(efd)];
    struct vfio_irq_set *s = (void *)sbuf;
    *s = (struct vfio_irq_set){.argsz = sizeof(sbuf),
                               .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
                               .index = VFIO_PCI_MSIX_IRQ_INDEX,
                               .start = 0,
                               .count = 2};
    memcpy(s->data, efd, sizeof(efd));
    assert_int_equal(xioctl(device, VFIO_DEVICE_SET_IRQS, s), 0);
    /* a user trigger through SET_IRQS reaches the eventfd without the card */
    struct vfio_irq_set t = {.argsz = sizeof(t),
                             .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
                             .index = VFIO_PCI_MSIX_IRQ_INDEX,
                             .start = 1,
                             .count = 1};
    assert_int_equal(xioctl(device, VFIO_DEVICE_SET_IRQS, &t), 0);
    assert_int_equal(wait_fd(efd[1]), 1);

    wr(bar2, IOE_EP_NRING_BASE_LO, (uint32_t)RING_IOVA);
    wr(bar2, IOE_EP_NRING_BASE_HI, 0);
    wr(bar2, IOE_EP_NRING_LOG2, 4);
    wr(bar2, IOE_EP_NRING_CTRL, 1);
    assert_int_equal(rd(bar2, IOE_EP_NRING_HEAD), 0);
    /* a notification through CSR writes: NOTIFY_TEST for VM 3, vCPU 5 */
    wr(bar0, IOE_CORE_NOTIFY_TEST, 3u << IOE_CORE_NOTIFY_TEST_VM_SHIFT | 5u);
    assert_int_equal(wait_fd(efd[0]), 1);
    assert_int_equal(rd(bar2, IOE_EP_NRING_HEAD), 1);
    uint64_t r = ring[0];
    assert_int_equal(r & 0xff, 3);
    assert_int_equal((r >> 8) & 0xff, 5);
    assert_int_equal((r >> 16) & 0xf, IOE_NOTIFY_SRC_TEST);
    assert_int_equal((r >> 31) & 1, 1); /* phase of the first pass */
    /* disarmed until TAIL is written: a second record, no second message */
    wr(bar0, IOE_CORE_NOTIFY_TEST, 1u << IOE_CORE_NOTIFY_TEST_VM_SHIFT | 2u);
    assert_int_equal(rd(bar2, IOE_EP_NRING_HEAD), 2);
    uint64_t cnt = 0;
    assert_int_equal(read(efd[0], &cnt, sizeof(cnt)), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal((ring[1] >> 8) & 0xff, 2);
    wr(bar2, IOE_EP_NRING_TAIL, 1); /* HEAD != TAIL: the vector fires at once */
    assert_int_equal(wait_fd(efd[0]), 1);

    /* the libioe doorbell: one 4-DW write presents an MSI on the ingress port */
    uint32_t count = rd(bar0, IOE_CORE_MSI_COUNT), db = rd(bar2, IOE_EP_CNT_DOORBELL);
    uint32_t d[4] = {0x12345678u, 0x9u, 0x4242u, 0x77u};
    sys.mmio_write_burst(sys.ctx, bar2 + IOE_EP_DB_ADDR_LO, d, 4);
    assert_int_equal(rd(bar0, IOE_CORE_MSI_COUNT), count + 1);
    assert_int_equal(rd(bar2, IOE_EP_CNT_DOORBELL), db + 1);
    assert_int_equal(rd(bar0, IOE_CORE_MSI_LAST_DEVID), 0x4242u);
    assert_int_equal(rd(bar0, IOE_CORE_MSI_LAST_ADDR_LO), 0x12345678u);
    assert_int_equal(rd(bar0, IOE_CORE_MSI_LAST_ADDR_HI), 0x9u);
    assert_int_equal(rd(bar0, IOE_CORE_MSI_LAST_DATA), 0x77u);

    /* MSI-X off: the card's messages stop reaching the eventfds */
    t = (struct vfio_irq_set){.argsz = sizeof(t),
                              .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
                              .index = VFIO_PCI_MSIX_IRQ_INDEX};
    assert_int_equal(xioctl(device, VFIO_DEVICE_SET_IRQS, &t), 0);
    wr(bar2, IOE_EP_NRING_TAIL, 2);
    wr(bar0, IOE_CORE_NOTIFY_TEST, 0);
    assert_int_equal(rd(bar2, IOE_EP_NRING_HEAD), 3);
    assert_int_equal(read(efd[0], &cnt, sizeof(cnt)), -1);
    close(efd[0]);
    close(efd[1]);
    munmap(ring, len);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* MSIs through a doorbell: n writes of dws DWs each at bar/off as fast as the host can post
 * them; the card's cycles until its MSI count shows them all */
static double msi_rate(unsigned bar, uint32_t off, const uint32_t *d, size_t dws, unsigned n)
{
    struct ioe_pcie_rc *rc = ioe_vfio_standin_rc(&sys);
    uint32_t start = rd(bar0, IOE_CORE_MSI_COUNT);
    uint64_t c0 = ioe_pcie_rc_cycles(rc);
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(ioe_pcie_rc_peer_write(rc, 0x0200, bar, off, d, dws), 0);
    uint32_t got = start;
    for (int i = 0; i < 100000 && got - start < n; i++)
        got = rd(bar0, IOE_CORE_MSI_COUNT);
    assert_int_equal(got - start, n);
    uint64_t cycles = ioe_pcie_rc_cycles(rc) - c0;
    return n / (cycles / 250e6);
}

/* the numbers of docs/pcie.md section 7: a BAR read's round trip, MSIs per second through
 * both doorbells against the link's limit for their writes (Gen2 x4: 8 bytes per cycle,
 * a TLP is its header, payload and 8 bytes of framing) */
/* The VFIO transport programs the device doorbell's bases (BAR2 DB_BASE): every VM context's
 * cleared at open (a base left by an earlier user answers no MSI), one set by doorbell_base
 * (libioe's ITS sets its VM's when it gets its address), a context the card lacks refused. */
static uint64_t db_base(struct ioe_pcie_rc *rc, unsigned vm)
{
    uint32_t sel = vm, d[2] = {0, 0};
    assert_int_equal(ioe_pcie_rc_bar_write(rc, 2, IOE_EP_DB_BASE_VM, &sel, 1), 0);
    assert_int_equal(ioe_pcie_rc_bar_read(rc, 2, IOE_EP_DB_BASE_LO, d, 2), 0);
    return (uint64_t)d[1] << 32 | d[0];
}

static void test_doorbell_base(void **state)
{
    (void)state;
    struct ioe_pcie_rc *rc = ioe_vfio_standin_rc(&sys);
    unsigned pages = (unsigned)(ioe_pcie_rc_bar_size(rc, 4) / 4096);
    assert_true(pages >= 2);
    uint32_t left[4] = {pages - 1, 0x12345000, 0x1, 0};
    assert_int_equal(ioe_pcie_rc_bar_write(rc, 2, IOE_EP_DB_BASE_VM, left, 3), 0);
    assert_int_equal(db_base(rc, pages - 1), 0x112345000ull);
    struct ioe_card_options o = {.timeout_ms = WAIT_MS};
    struct ioe_transport *t;
    assert_int_equal(ioe_transport_vfio_open_sys(&sys, bdf, &o, &t), 0);
    assert_int_equal(db_base(rc, pages - 1), 0);
    assert_int_equal(t->ops->doorbell_base(t, 1, 1, 0x08090000), 0);
    assert_int_equal(db_base(rc, 1), 0x08090000);
    assert_int_equal(db_base(rc, 0), 0);
    /* a page for another VM context than its index (a VM's second ITS) */
    assert_int_equal(t->ops->doorbell_base(t, 0, 1, 0x080b0000), 0);
    assert_int_equal(db_base(rc, 0), 0x080b0000);
    uint32_t pvm = 0;
    assert_int_equal(ioe_pcie_rc_bar_read(rc, 2, IOE_EP_DB_PAGE_VM, &pvm, 1), 0);
    assert_int_equal(pvm, 1);
    assert_int_equal(t->ops->doorbell_base(t, pages, 0, 0x08090000), -EINVAL);
    assert_int_equal(t->ops->doorbell_base(t, 256, 0, 0x08090000), -EINVAL);
    assert_int_equal(t->ops->doorbell_base(t, 0, 256, 0x08090000), -EINVAL);
    t->ops->close(t);
}

static void test_measure(void **state)
{
    (void)state;
    open_card();
    struct ioe_pcie_rc *rc = ioe_vfio_standin_rc(&sys);
    const unsigned reads = 200;
    uint64_t c0 = ioe_pcie_rc_cycles(rc);
    double t0 = now_s();
    for (unsigned i = 0; i < reads; i++)
        assert_int_equal(rd(bar2, IOE_EP_ID), IOE_EP_ID_VALUE);
    double wall = (now_s() - t0) / reads;
    double cyc = (double)(ioe_pcie_rc_cycles(rc) - c0) / reads;
    c0 = ioe_pcie_rc_cycles(rc);
    for (unsigned i = 0; i < reads; i++)
        assert_int_equal(rd(bar0, IOE_CORE_ID), IOE_CORE_ID_RESET);
    double cyc0 = (double)(ioe_pcie_rc_cycles(rc) - c0) / reads;
    /* NRING_FENCE with a quiet notification stream: libioe's end-of-request fence */
    c0 = ioe_pcie_rc_cycles(rc);
    t0 = now_s();
    for (unsigned i = 0; i < reads; i++)
        rd(bar2, IOE_EP_NRING_FENCE);
    double fwall = (now_s() - t0) / reads;
    double fcyc = (double)(ioe_pcie_rc_cycles(rc) - c0) / reads;
    /* a 1-DW read and its CplD are 3 and 4 DWs: 20 and 24 bytes on the link */
    assert_true(cyc >= (20 + 24) / 8.0);
    printf("BAR2 read round trip: %.1f cycles (%.0f ns simulated), %.1f us wall; BAR0: %.1f "
           "cycles; NRING_FENCE (quiet stream): %.1f cycles, %.1f us wall\n",
           cyc, cyc * 4, wall * 1e6, cyc0, fcyc, fwall * 1e6);

    /* device doorbell: 1-DW writes to BAR4 page 0 (3-DW header: 24 bytes, 3 cycles) */
    const unsigned n = 2000;
    uint32_t one = 0x1234;
    wr(bar2, 0x0030, 0); /* IOE_EP_DB_BASE_VM */
    double dev = msi_rate(4, 0x40, &one, 1, n);
    double dev_limit = 250e6 / 3;
    /* libioe doorbell: one 4-DW write to BAR2 0x20 (28 bytes + 8: 4.5 cycles) */
    uint32_t db[4] = {0x10040, 0, 0x0300, 7};
    double lib = msi_rate(2, IOE_EP_DB_ADDR_LO, db, 4, n);
    double lib_limit = 250e6 / 4.5;
    printf("device doorbell: %.2f M MSIs/s (link limit %.2f M/s); libioe doorbell: %.2f M "
           "MSIs/s (link limit %.2f M/s)\n",
           dev / 1e6, dev_limit / 1e6, lib / 1e6, lib_limit / 1e6);
    assert_true(dev <= dev_limit * 1.01);
    assert_true(lib <= lib_limit * 1.01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vfio_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_and_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msix_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doorbell_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
    };
    return cmocka_run_group_tests_name("pcie_standin", tests, NULL, NULL);
}
