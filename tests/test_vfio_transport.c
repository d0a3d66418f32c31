/*
 * The VFIO transport (driver/src/transport_vfio.c, vfio_dev.c) against a fake of the seam
 * (struct ioe_vfio_sys) kept in this file: sysfs links, the VFIO ioctls, BARs as plain
 * memory and a few lines of card behaviour at BAR2 (the notification ring's HEAD/TAIL
 * arming rule of docs/pcie.md section 5, written by the test into the ring's host memory).
 * Every open failure with its errno and message, the mapping limit, IOVA ranges from a
 * capability chain with holes, the ring's drain (phase, wrap, TAIL re-arm, a record landing
 * between the last read and the TAIL write), POLL timeouts, and a card that stops answering.
 * The end-to-end run on the Verilator card is the target sim:pcie (sim/pcie/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/card.h>
#include <ioe/ioe.h>
#include <ioe/regs.h>

#include "transport.h"
#include "vfio_dev.h"
#include "vfio_sys.h"

#include <ioe/pcie_ep.h>

#define ADDR "0000:01:00.0"
#define FD_CONTAINER 100
#define FD_GROUP 101
#define FD_DEVICE 102
#define REGION_SHIFT 40    /* region i at offset i << 40 of the device, as vfio-pci */
#define RING_RECORDS 4096u /* the transport's ring (RING_LOG2 12) */

struct fake_map {
    uint64_t iova, size;
    uintptr_t vaddr;
};

struct fake {
    /* sysfs and /dev/vfio */
    bool no_device, no_group, no_container;
    const char *driver; /* NULL: bound to none */
    int group_open_errno;
    int api_version, type1v2, viable;
    int fail_set_container, fail_set_iommu, fail_get_device_fd; /* errno, 0 */
    /* the device */
    uint64_t bar_size[6];
    uint32_t msix_count;
    uint32_t *bar[6];
    uint8_t cfg[256];
    bool removed; /* reads all-ones, as after a surprise removal */
    /* the IOMMU: GET_INFO's answer, mappings, limit */
    _Alignas(8) uint8_t info[512];
    size_t info_len;
    struct fake_map maps[64];
    unsigned nr_maps, dma_limit;
    int irq_fd[2];
    unsigned resets;
    /* the card at BAR2: ring head, tail, armed (docs/pcie.md section 5) */
    uint32_t head, tail;
    bool armed;
    unsigned tail_writes, poke_at_tail; /* push a record just before TAIL write N */
    int open_fds, mmaps;
};

static struct fake F;

static uint32_t *reg2(uint32_t off)
{
    return &F.bar[2][off / 4];
}

static int fk_open(void *ctx, const char *path, int flags)
{
    (void)ctx, (void)flags;
    errno = 0;
    if (!strcmp(path, "/dev/vfio/vfio")) {
        if (F.no_container)
            return errno = ENOENT, -1;
        F.open_fds++;
        return FD_CONTAINER;
    }
    if (!strcmp(path, "/dev/vfio/7")) {
        if (F.group_open_errno)
            return errno = F.group_open_errno, -1;
        F.open_fds++;
        return FD_GROUP;
    }
    return errno = ENOENT, -1;
}

static int fk_close(void *ctx, int fd)
{
    (void)ctx, (void)fd;
    F.open_fds--;
    return 0;
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

static int fk_ioctl_iommu(unsigned long req, void *arg)
{
    if (req == VFIO_IOMMU_GET_INFO) {
        struct vfio_iommu_type1_info *i = arg;
        uint32_t argsz = i->argsz;
        size_t n = argsz < F.info_len ? argsz : F.info_len;
        memcpy(i, F.info, n < sizeof(*i) ? sizeof(*i) : n);
        i->argsz = (uint32_t)F.info_len; /* the room the capabilities need */
        if (argsz < F.info_len)
            i->cap_offset = 0;
        return 0;
    }
    if (req == VFIO_IOMMU_MAP_DMA) {
        struct vfio_iommu_type1_dma_map *m = arg;
        if (m->iova % 4096 || m->size % 4096 || m->vaddr % 4096 || !m->size)
            return errno = EINVAL, -1;
        for (unsigned i = 0; i < F.nr_maps; i++)
            if (overlap(m->iova, m->size, F.maps[i].iova, F.maps[i].size))
                return errno = EEXIST, -1;
        if (F.nr_maps >= F.dma_limit)
            return errno = ENOSPC, -1; /* vfio_iommu_type1: dma_avail exhausted */
        F.maps[F.nr_maps++] = (struct fake_map){m->iova, m->size, (uintptr_t)m->vaddr};
        return 0;
    }
    if (req == VFIO_IOMMU_UNMAP_DMA) {
        struct vfio_iommu_type1_dma_unmap *u = arg;
        uint64_t done = 0;
        for (unsigned i = 0; i < F.nr_maps;)
            if (F.maps[i].iova >= u->iova && F.maps[i].iova + F.maps[i].size <= u->iova + u->size) {
                done += F.maps[i].size;
                F.maps[i] = F.maps[--F.nr_maps];
            } else
                i++;
        u->size = done;
        return 0;
    }
    return errno = ENOTTY, -1;
}

static int fk_ioctl_device(unsigned long req, void *arg)
{
    if (req == VFIO_DEVICE_GET_INFO) {
        struct vfio_device_info *i = arg;
        i->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
        i->num_regions = VFIO_PCI_NUM_REGIONS;
        i->num_irqs = VFIO_PCI_NUM_IRQS;
        return 0;
    }
    if (req == VFIO_DEVICE_GET_REGION_INFO) {
        struct vfio_region_info *r = arg;
        r->offset = (uint64_t)r->index << REGION_SHIFT;
        r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        r->size = r->index < 6 ? F.bar_size[r->index] : 256;
        if (r->index < 6 && r->size)
            r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
        return 0;
    }
    if (req == VFIO_DEVICE_GET_IRQ_INFO) {
        struct vfio_irq_info *i = arg;
        i->flags = VFIO_IRQ_INFO_EVENTFD;
        i->count = i->index == VFIO_PCI_MSIX_IRQ_INDEX ? F.msix_count : 1;
        return 0;
    }
    if (req == VFIO_DEVICE_SET_IRQS) {
        struct vfio_irq_set *s = arg;
        F.irq_fd[0] = F.irq_fd[1] = -1;
        for (uint32_t i = 0; i < s->count && i < 2 && (s->flags & VFIO_IRQ_SET_DATA_EVENTFD); i++)
            memcpy(&F.irq_fd[i], s->data + 4 * i, 4);
        return 0;
    }
    if (req == VFIO_DEVICE_RESET) {
        F.resets++;
        memset(F.bar[0], 0, F.bar_size[0]);
        *reg2(0x1C) = 0;
        return 0;
    }
    return errno = ENOTTY, -1;
}

static int fk_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
    (void)ctx;
    errno = 0;
    if (fd == FD_CONTAINER) {
        if (req == VFIO_GET_API_VERSION)
            return F.api_version;
        if (req == VFIO_CHECK_EXTENSION)
            return (uintptr_t)arg == VFIO_TYPE1v2_IOMMU ? F.type1v2 : 0;
        if (req == VFIO_SET_IOMMU)
            return F.fail_set_iommu ? (errno = F.fail_set_iommu, -1) : 0;
        return fk_ioctl_iommu(req, arg);
    }
    if (fd == FD_GROUP) {
        if (req == VFIO_GROUP_GET_STATUS) {
            ((struct vfio_group_status *)arg)->flags = F.viable ? VFIO_GROUP_FLAGS_VIABLE : 0;
            return 0;
        }
        if (req == VFIO_GROUP_SET_CONTAINER)
            return F.fail_set_container ? (errno = F.fail_set_container, -1) : 0;
        if (req == VFIO_GROUP_GET_DEVICE_FD) {
            if (F.fail_get_device_fd)
                return errno = F.fail_get_device_fd, -1;
            if (strcmp(arg, ADDR))
                return errno = ENODEV, -1;
            F.open_fds++;
            return FD_DEVICE;
        }
        return errno = ENOTTY, -1;
    }
    if (fd == FD_DEVICE)
        return fk_ioctl_device(req, arg);
    return errno = EBADF, -1;
}

static void *fk_mmap(void *ctx, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)ctx, (void)prot, (void)flags;
    uint64_t idx = (uint64_t)off >> REGION_SHIFT;
    if (fd != FD_DEVICE || idx >= 6 || len > F.bar_size[idx])
        return errno = EINVAL, MAP_FAILED;
    F.mmaps++;
    return F.bar[idx];
}

static int fk_munmap(void *ctx, void *addr, size_t len)
{
    (void)ctx, (void)addr, (void)len;
    F.mmaps--;
    return 0;
}

static ssize_t fk_pread(void *ctx, int fd, void *buf, size_t n, off_t off)
{
    (void)ctx, (void)fd;
    uint64_t o = (uint64_t)off - ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << REGION_SHIFT);
    if (o + n > sizeof(F.cfg))
        return errno = EINVAL, -1;
    memcpy(buf, F.cfg + o, n);
    return (ssize_t)n;
}

static ssize_t fk_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
    (void)ctx, (void)fd;
    uint64_t o = (uint64_t)off - ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << REGION_SHIFT);
    if (o + n > sizeof(F.cfg))
        return errno = EINVAL, -1;
    memcpy(F.cfg + o, buf, n);
    return (ssize_t)n;
}

static void efd_kick(int fd)
{
    uint64_t one = 1;
    assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

/* the card: a record into the ring (phase 1 on the first pass), vector 0 when armed */
static uint64_t *ring_hva(void)
{
    uint64_t base = (uint64_t)*reg2(0x0C) << 32 | *reg2(0x08);
    for (unsigned i = 0; i < F.nr_maps; i++)
        if (F.maps[i].iova == base)
            return (uint64_t *)F.maps[i].vaddr;
    return NULL;
}

static void card_push(uint32_t vm, uint32_t vcpu, uint32_t src, uint32_t cycle)
{
    uint32_t n = 1u << *reg2(0x10);
    assert_true(F.head - F.tail < n); /* the card holds the stream back when full */
    uint64_t phase = ((F.head / n) & 1) ^ 1;
    ring_hva()[F.head % n] = (uint64_t)cycle << 32 | phase << 31 | (uint64_t)(src & 0xf) << 16 |
                             (vcpu & 0xff) << 8 | (vm & 0xff);
    F.head++;
    if (F.armed) {
        F.armed = false;
        efd_kick(F.irq_fd[0]);
    }
}

static uint32_t fk_rd(void *ctx, const volatile void *addr)
{
    (void)ctx;
    if (F.removed)
        return UINT32_MAX;
    if (addr == reg2(0x14) || addr == reg2(0x60)) /* NRING_HEAD, NRING_FENCE */
        return F.head;
    return *(const volatile uint32_t *)addr;
}

static void fk_wr(void *ctx, volatile void *addr, uint32_t val)
{
    (void)ctx;
    if (F.removed)
        return;
    *(volatile uint32_t *)addr = val;
    if (addr == reg2(0x1C) && (val & 1)) {
        F.head = F.tail = 0;
        F.armed = true;
    }
    if (addr == reg2(0x18)) {
        if (++F.tail_writes == F.poke_at_tail) /* lands after the drain's last read */
            card_push(9, 9, 1, 99);
        F.tail = val;
        F.armed = true;
        if (F.head != F.tail) {
            F.armed = false;
            efd_kick(F.irq_fd[0]);
        }
    }
}

static void fk_burst(void *ctx, volatile void *addr, const uint32_t *val, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fk_wr(ctx, (volatile uint32_t *)addr + i, val[i]);
}

static ssize_t fk_readlink(void *ctx, const char *path, char *buf, size_t n)
{
    (void)ctx;
    const char *dev = "/sys/bus/pci/devices/" ADDR;
    const char *t = NULL;
    errno = ENOENT;
    if (F.no_device || strncmp(path, dev, strlen(dev)))
        return -1;
    const char *leaf = path + strlen(dev);
    if (!*leaf)
        t = "../../../devices/pci0000:00/0000:00:01.0/" ADDR;
    else if (!strcmp(leaf, "/iommu_group") && !F.no_group)
        t = "../../../../kernel/iommu_groups/7";
    else if (!strcmp(leaf, "/driver") && F.driver)
        t = F.driver;
    if (!t)
        return -1;
    size_t len = strlen(t) < n ? strlen(t) : n;
    memcpy(buf, t, len);
    return (ssize_t)len;
}

static const struct ioe_vfio_sys fake_sys = {
    .name = "fake",
    .open = fk_open,
    .close = fk_close,
    .ioctl = fk_ioctl,
    .mmap = fk_mmap,
    .munmap = fk_munmap,
    .pread = fk_pread,
    .pwrite = fk_pwrite,
    .mmio_read32 = fk_rd,
    .mmio_write32 = fk_wr,
    .mmio_write_burst = fk_burst,
    .readlink = fk_readlink,
};

/* an IOMMU info answer: a migration capability, the IOVA ranges, DMA_AVAIL */
static void info_with_ranges(const struct vfio_iova_range *r, uint32_t nr, uint32_t avail)
{
    memset(F.info, 0, sizeof(F.info));
    struct vfio_iommu_type1_info *i = (void *)F.info;
    i->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
    i->iova_pgsizes = 4096;
    size_t off = 24;
    i->cap_offset = (uint32_t)off;
    struct vfio_iommu_type1_info_cap_migration mig = {.header = {.id = 2, .version = 1}};
    mig.header.next = (uint32_t)(off + sizeof(mig));
    memcpy(F.info + off, &mig, sizeof(mig));
    off += sizeof(mig);
    struct vfio_iommu_type1_info_cap_iova_range c = {.header = {.id = 1, .version = 1},
                                                     .nr_iovas = nr};
    c.header.next = (uint32_t)(off + sizeof(c) + nr * sizeof(*r));
    memcpy(F.info + off, &c, sizeof(c));
    memcpy(F.info + off + sizeof(c), r, nr * sizeof(*r));
    off = c.header.next;
    struct vfio_iommu_type1_info_dma_avail a = {.header = {.id = 3, .version = 1}, .avail = avail};
    memcpy(F.info + off, &a, sizeof(a));
    F.info_len = off + sizeof(a);
}

/* A healthy card: the q35 ranges of the real-kernel run (below and above the MSI window) */
static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++)
        free(F.bar[i]);
    memset(&F, 0, sizeof(F));
    F.driver = "../../../../bus/pci/drivers/vfio-pci";
    F.api_version = VFIO_API_VERSION;
    F.type1v2 = 1;
    F.viable = 1;
    F.bar_size[0] = IOE_CSR_WINDOW_SIZE;
    F.bar_size[2] = 0x10000;
    F.bar_size[4] = 8 * 4096;
    for (int i = 0; i < 6; i++)
        F.bar[i] = F.bar_size[i] ? calloc(1, F.bar_size[i]) : NULL;
    *reg2(0) = IOE_EP_ID_VALUE;
    F.msix_count = 2;
    F.dma_limit = 65535;
    F.irq_fd[0] = F.irq_fd[1] = -1;
    static const struct vfio_iova_range q35[] = {{0, 0xfedfffff}, {0xfef00000, 0x7fffffffff}};
    info_with_ranges(q35, 2, 65535);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++) {
        free(F.bar[i]);
        F.bar[i] = NULL;
    }
    return 0;
}

static struct ioe_transport *open_ok(unsigned timeout_ms)
{
    struct ioe_card_options o = {.timeout_ms = timeout_ms};
    struct ioe_transport *t = NULL;
    assert_int_equal(ioe_transport_vfio_open_sys(&fake_sys, ADDR, &o, &t), 0);
    assert_non_null(t);
    assert_int_equal(t->caps, IOE_CARD_CAP_ASYNC | IOE_CARD_CAP_MSI);
    return t;
}

static void close_ok(struct ioe_transport *t)
{
    t->ops->close(t);
    assert_int_equal(F.open_fds, 0); /* every descriptor and mapping given back */
    assert_int_equal(F.mmaps, 0);
}

/* ---------------------------------------------------------------- open failures */

struct open_case {
    const char *name;
    void (*arrange)(void);
    const char *addr;
    int err;
    const char *msg;
};

static void a_none(void) {}
static void a_no_device(void)
{
    F.no_device = true;
}
static void a_no_group(void)
{
    F.no_group = true;
}
static void a_no_driver(void)
{
    F.driver = NULL;
}
static void a_nvme(void)
{
    F.driver = "../../../../bus/pci/drivers/nvme";
}
static void a_no_container(void)
{
    F.no_container = true;
}
static void a_api(void)
{
    F.api_version = 1;
}
static void a_type1(void)
{
    F.type1v2 = 0;
}
static void a_perm(void)
{
    F.group_open_errno = EACCES;
}
static void a_busy(void)
{
    F.group_open_errno = EBUSY;
}
static void a_viable(void)
{
    F.viable = 0;
}
static void a_container(void)
{
    F.fail_set_container = EPERM;
}
static void a_iommu(void)
{
    F.fail_set_iommu = EINVAL;
}
static void a_devfd(void)
{
    F.fail_get_device_fd = EBUSY;
}
static void a_bar(void)
{
    F.bar_size[2] = 0x1000;
}
static void a_bar4(void)
{
    F.bar_size[4] = 0;
}
static void a_ep_id(void)
{
    *reg2(0) = 0x12345678;
}
static void a_gone(void)
{
    F.removed = true;
}
static void a_msix(void)
{
    F.msix_count = 1;
}
static void a_ranges(void)
{
    static const struct vfio_iova_range small[] = {{0x1000, 0xfffff}};
    info_with_ranges(small, 1, 10);
}

static const struct open_case open_cases[] = {
    {"bad address", a_none, "0000:01:00", -ENODEV, "is not a PCI address"},
    {"bad function", a_none, "0000:01:00.8", -ENODEV, "is not a PCI address"},
    {"no device", a_no_device, ADDR, -ENODEV, "no PCI device 0000:01:00.0"},
    {"other device", a_none, "0000:02:00.0", -ENODEV, "no PCI device 0000:02:00.0"},
    {"no IOMMU group", a_no_group, ADDR, -ENODEV, "has no IOMMU group: is the IOMMU off?"},
    {"no driver", a_no_driver, ADDR, -ENODEV, "is bound to no driver"},
    {"other driver", a_nvme, ADDR, -EBUSY, "is bound to driver nvme, not vfio-pci"},
    {"no container", a_no_container, ADDR, -ENODEV, "cannot open /dev/vfio/vfio"},
    {"API version", a_api, ADDR, -ENODEV, "VFIO API version 1"},
    {"no type1v2", a_type1, ADDR, -ENODEV, "no type1v2 IOMMU"},
    {"no permission", a_perm, ADDR, -EACCES, "no permission on /dev/vfio/7"},
    {"group busy", a_busy, ADDR, -EBUSY, "/dev/vfio/7 is open in another process"},
    {"not viable", a_viable, ADDR, -EBUSY, "IOMMU group 7 is not viable"},
    {"set container", a_container, ADDR, -EPERM, "VFIO_GROUP_SET_CONTAINER"},
    {"set iommu", a_iommu, ADDR, -EINVAL, "VFIO_SET_IOMMU"},
    {"device fd", a_devfd, ADDR, -EBUSY, "VFIO_GROUP_GET_DEVICE_FD 0000:01:00.0"},
    {"BAR2 size", a_bar, ADDR, -ENODEV, "is not an ioe card: its BARs"},
    {"no BAR4", a_bar4, ADDR, -ENODEV, "is not an ioe card: its BARs"},
    {"EP_ID", a_ep_id, ADDR, -ENODEV, "EP_ID reads 0x12345678, not 0x10e00c1e"},
    {"all-ones", a_gone, ADDR, -EIO, "EP_ID reads 0xffffffff"},
    {"one MSI-X vector", a_msix, ADDR, -ENODEV, "no MSI-X with two vectors"},
    {"no room for the ring", a_ranges, ADDR, -ENOSPC, "no IOVA range can hold"},
};

static void test_open_failures(void **state)
{
    for (size_t i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]); i++) {
        const struct open_case *c = &open_cases[i];
        setup(state);
        c->arrange();
        struct ioe_card_options o = {0};
        struct ioe_transport *t = NULL;
        int err = ioe_transport_vfio_open_sys(&fake_sys, c->addr, &o, &t);
        if (err != c->err || !strstr(ioe_last_error(), c->msg))
            fail_msg("%s: got %d '%s', want %d '%s'", c->name, err, ioe_last_error(), c->err,
                     c->msg);
        assert_null(t);
        assert_int_equal(F.open_fds, 0);
        assert_int_equal(F.mmaps, 0);
        assert_int_equal(F.nr_maps, 0);
    }
}

/* the real seam on this machine: no such device (CI has none) */
static void test_open_real_missing(void **state)
{
    (void)state;
    struct ioe_card *c = NULL;
    assert_int_equal(ioe_card_open("pci:0000:ff:1f.7", &c), -ENODEV);
    assert_non_null(strstr(ioe_last_error(), "no PCI device 0000:ff:1f.7"));
    assert_int_equal(ioe_card_open("pci", &c), -ENODEV);
    assert_int_equal(ioe_card_open("pci:", &c), -ENODEV);
    assert_int_equal(ioe_card_open("pci:xyz", &c), -ENODEV);
    struct ioe_card_options o = {.dma_latency = 5};
    assert_int_equal(ioe_card_open_opts("pci:0000:ff:1f.7", &o, &c), -EINVAL);
}

/* ---------------------------------------------------------------- a working card */

static void test_open_state(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(0);
    uint16_t cmd;
    memcpy(&cmd, F.cfg + 4, 2);
    assert_int_equal(cmd & 6, 6);        /* memory space and bus master */
    assert_int_equal(*reg2(0x1C), 1);    /* ring enabled */
    assert_int_equal(*reg2(0x10), 12);   /* 4096 records */
    assert_int_equal(*reg2(0x0C), 0x7f); /* the ring at the top of the space */
    assert_int_equal(*reg2(0x08), 0xfff00000u);
    assert_true(F.irq_fd[0] >= 0 && F.irq_fd[1] >= 0);
    assert_int_equal(t->ops->notify_fd(t), F.irq_fd[0]);
    assert_int_equal(F.nr_maps, 1);
    close_ok(t);
    assert_int_equal(F.nr_maps, 0);
    assert_int_equal(*reg2(0x1C), 0);
}

static void test_batch(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(50);
    F.bar[0][0x40 / 4] = 0xabcd;
    struct ioe_csr_op ops[3] = {
        {.kind = IOE_CSR_WRITE, .addr = 0x10, .val = 0x1234},
        {.kind = IOE_CSR_READ, .addr = 0x40},
        {.kind = IOE_CSR_POLL, .addr = 0x10, .mask = 0xff00, .expect = 0x1200},
    };
    assert_int_equal(t->ops->batch(t, ops, 3), 0);
    assert_int_equal(F.bar[0][0x10 / 4], 0x1234);
    assert_int_equal(ops[1].val, 0xabcd);
    assert_int_equal(ops[2].val, 0x1234);
    /* a POLL that never matches: -ETIMEDOUT after timeout_ms, the ops after it not sent */
    struct ioe_csr_op two[2] = {{.kind = IOE_CSR_POLL, .addr = 0x10, .mask = 1, .expect = 1},
                                {.kind = IOE_CSR_WRITE, .addr = 0x14, .val = 7}};
    assert_int_equal(t->ops->batch(t, two, 2), -ETIMEDOUT);
    assert_int_equal(F.bar[0][0x14 / 4], 0);
    /* an all-ones register of a live card is a value, not a fault */
    F.bar[0][0x40 / 4] = UINT32_MAX;
    assert_int_equal(t->ops->batch(t, &ops[1], 1), 0);
    assert_int_equal(ops[1].val, UINT32_MAX);
    close_ok(t);
}

static void test_removed(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(60000);
    F.removed = true;
    struct ioe_csr_op rd = {.kind = IOE_CSR_READ, .addr = 0};
    assert_int_equal(t->ops->batch(t, &rd, 1), -ENODEV);
    /* a POLL on a gone card ends at once, not after the timeout */
    struct ioe_csr_op poll = {.kind = IOE_CSR_POLL, .addr = 0, .mask = 1, .expect = 0};
    assert_int_equal(t->ops->batch(t, &poll, 1), -ENODEV);
    struct ioe_notification n;
    assert_int_equal(t->ops->drain(t, &n, 1), -ENODEV);
    assert_int_equal(t->ops->wait(t, 1000000), -ENODEV);
    assert_int_equal(t->ops->msi(t, 1, 2, 3), -ENODEV);
    assert_int_equal(t->ops->reset(t), -ENODEV);
    close_ok(t);
}

static void test_dma_limit(void **state)
{
    (void)state;
    F.dma_limit = 3; /* the ring's mapping and two more */
    struct ioe_transport *t = open_ok(0);
    void *mem = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    struct ioe_dma_region r = {.iova = 0x10000, .size = 4096, .hva = mem, .fd = -1};
    assert_int_equal(t->ops->dma_map(t, &r), 0);
    r.iova = 0x20000;
    assert_int_equal(t->ops->dma_map(t, &r), 0);
    r.iova = 0x30000;
    assert_int_equal(t->ops->dma_map(t, &r), -ENOSPC); /* the container's limit */
    r.iova = 0x20000;
    assert_int_equal(t->ops->dma_map(t, &r), -EEXIST);
    r.iova = 0x7ffff00000ull; /* the ring's private area */
    assert_int_equal(t->ops->dma_map(t, &r), -EEXIST);
    r.iova = 0x40800; /* not page-aligned: the kernel's EINVAL */
    assert_int_equal(t->ops->dma_map(t, &r), -EINVAL);
    assert_int_equal(t->ops->dma_unmap(t, 0x10000, 8192), -ENOENT); /* not one mapping */
    assert_int_equal(t->ops->dma_unmap(t, 0x50000, 4096), -ENOENT);
    assert_int_equal(t->ops->dma_unmap(t, 0x10000, 4096), 0);
    assert_int_equal(t->ops->dma_unmap(t, 0x10000, 4096), -ENOENT);
    r.iova = 0x30000;
    assert_int_equal(t->ops->dma_map(t, &r), 0); /* room again */
    close_ok(t);
    munmap(mem, 4 * 4096);
}

static void test_iova_ranges(void **state)
{
    (void)state;
    static const struct vfio_iova_range holes[] = {
        {0, 0xfedfffff}, {0xfef00000, 0xffffffff}, {0x100000000ull, 0x3fffffffffull}};
    info_with_ranges(holes, 3, 100);
    struct ioe_transport *t = open_ok(0);
    struct ioe_iova_range r[8];
    assert_int_equal(t->ops->iova_ranges(t, r, 8), 3);
    assert_true(r[0].start == 0 && r[0].last == 0xfedfffff);
    assert_true(r[1].start == 0xfef00000 && r[1].last == 0xffffffff);
    assert_true(r[2].start == 0x100000000ull && r[2].last == 0x3fffefffffull); /* less 1 MiB */
    assert_int_equal(*reg2(0x0C), 0x3f);
    assert_int_equal(*reg2(0x08), 0xfff00000u);
    assert_int_equal(t->ops->iova_ranges(t, r, 1), 1);
    close_ok(t);

    /* the top range ends off a 1 MiB boundary: the ring's area is aligned below it and
     * what lies above it stays usable */
    static const struct vfio_iova_range odd[] = {{0x1000, 0x123456fff}};
    info_with_ranges(odd, 1, 100);
    t = open_ok(0);
    assert_int_equal(t->ops->iova_ranges(t, r, 8), 2);
    assert_true(r[0].start == 0x1000 && r[0].last == 0x1232fffff);
    assert_true(r[1].start == 0x123400000 && r[1].last == 0x123456fff);
    close_ok(t);
}

static void test_parse_info(void **state)
{
    (void)state;
    struct ioe_iova_range r[4];
    uint32_t avail;
    static const struct vfio_iova_range two[] = {{0x1000, 0x1fff}, {0x4000, 0x7fff}};
    info_with_ranges(two, 2, 42);
    assert_int_equal(vfio_parse_iommu_info(F.info, F.info_len, r, 4, &avail), 2);
    assert_int_equal(avail, 42);
    assert_true(r[1].start == 0x4000 && r[1].last == 0x7fff);
    /* no capabilities: 39 bits less the MSI window */
    struct vfio_iommu_type1_info plain = {.argsz = sizeof(plain), .flags = VFIO_IOMMU_INFO_PGSIZES};
    assert_int_equal(vfio_parse_iommu_info(&plain, sizeof(plain), r, 4, &avail), 2);
    assert_int_equal(avail, UINT32_MAX);
    assert_true(r[0].start == 0 && r[0].last == 0xfedfffff);
    assert_true(r[1].start == 0xfef00000 && r[1].last == 0x7fffffffffull);
    /* malformed chains: a loop, a capability past the end, ranges out of order, a count
     * larger than the answer */
    struct vfio_iommu_type1_info *i = (void *)F.info;
    struct vfio_info_cap_header *h = (void *)(F.info + i->cap_offset);
    uint32_t next = h->next;
    h->next = i->cap_offset;
    assert_int_equal(vfio_parse_iommu_info(F.info, F.info_len, r, 4, NULL), -EPROTO);
    h->next = (uint32_t)F.info_len;
    assert_int_equal(vfio_parse_iommu_info(F.info, F.info_len, r, 4, NULL), -EPROTO);
    h->next = next;
    static const struct vfio_iova_range back[] = {{0x4000, 0x7fff}, {0x1000, 0x1fff}};
    info_with_ranges(back, 2, 1);
    assert_int_equal(vfio_parse_iommu_info(F.info, F.info_len, r, 4, NULL), -EPROTO);
    info_with_ranges(two, 2, 1);
    assert_int_equal(vfio_parse_iommu_info(F.info, F.info_len - 40, r, 4, NULL), -EPROTO);
    assert_int_equal(vfio_parse_iommu_info(F.info, 8, r, 4, NULL), -EPROTO);
}

static bool fd_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static void test_ring(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(0);
    int nfd = t->ops->notify_fd(t);
    struct ioe_notification n[64];
    assert_int_equal(t->ops->wait(t, 0), 0);
    assert_int_equal(t->ops->drain(t, n, 64), 0);
    assert_false(fd_readable(nfd));
    card_push(3, 5, 2, 0xdeadbeef);
    assert_true(fd_readable(nfd));
    assert_int_equal(t->ops->wait(t, 1000), 1);
    assert_int_equal(t->ops->drain(t, n, 64), 1);
    assert_int_equal(n[0].vm, 3);
    assert_int_equal(n[0].vcpu, 5);
    assert_int_equal(n[0].src, 2);
    assert_int_equal(n[0].cycle, 0xdeadbeef);
    assert_int_equal(*reg2(0x18), 1); /* TAIL written */
    assert_false(fd_readable(nfd));
    /* a drain smaller than what waits: the descriptor stays readable */
    for (uint32_t i = 0; i < 10; i++)
        card_push(i, 0, 1, i);
    assert_int_equal(t->ops->drain(t, n, 4), 4);
    assert_true(fd_readable(nfd));
    assert_int_equal(t->ops->drain(t, n, 64), 6);
    assert_int_equal(n[5].vm, 9);
    assert_false(fd_readable(nfd));
    /* around the ring several times: the phase flips at every wrap */
    uint32_t seen = 0;
    for (uint32_t i = 0; i < 3 * RING_RECORDS; i++) {
        card_push(i & 0xff, i >> 8 & 0xff, 0, i);
        if (i % 50 == 49) {
            int k = t->ops->drain(t, n, 64);
            for (int j = 0; j < k; j++, seen++)
                assert_int_equal(n[j].cycle, seen);
        }
    }
    int k;
    while ((k = t->ops->drain(t, n, 64)) > 0)
        for (int j = 0; j < k; j++, seen++)
            assert_int_equal(n[j].cycle, seen);
    assert_int_equal(seen, 3 * RING_RECORDS);
    assert_int_equal(*reg2(0x18), 11 + 3 * RING_RECORDS);
    /* a record written after the drain's last read, before its TAIL write: the write
     * re-arms and fires vector 0, and the drain's re-check takes the record */
    card_push(1, 1, 1, 1);
    F.poke_at_tail = F.tail_writes + 1;
    assert_int_equal(t->ops->drain(t, n, 64), 2);
    assert_int_equal(n[1].cycle, 99);
    assert_int_equal(t->ops->drain(t, n, 64), 0);
    assert_int_equal(t->ops->wait(t, 2000), 0);
    /* the fence with the ring full: answered at once (the card holds the rest back), so
     * sync answers 2 (drain, then sync again) and stays due until a fence finds room */
    struct ioe_csr_op w = {.kind = IOE_CSR_WRITE, .addr = 0x10, .val = 0};
    assert_int_equal(t->ops->sync(t), 0); /* nothing written */
    assert_int_equal(t->ops->batch(t, &w, 1), 0);
    for (uint32_t i = 0; i < RING_RECORDS; i++)
        card_push(1, 2, 1, i);
    assert_int_equal(t->ops->sync(t), 2);
    seen = 0;
    while ((k = t->ops->drain(t, n, 64)) > 0)
        seen += (uint32_t)k;
    assert_int_equal(seen, RING_RECORDS);
    card_push(1, 2, 1, 0); /* what the card held back */
    assert_int_equal(t->ops->sync(t), 1);
    assert_int_equal(t->ops->sync(t), 0);
    assert_int_equal(t->ops->drain(t, n, 64), 1);
    /* reset: FLR, the ring from record 0 again, vectors back on eventfds */
    unsigned resets = F.resets;
    assert_int_equal(t->ops->reset(t), 0);
    assert_int_equal(F.resets, resets + 1);
    assert_int_equal(*reg2(0x1C), 1);
    assert_int_equal(F.irq_fd[0], nfd);
    card_push(7, 7, 7, 7);
    assert_int_equal(t->ops->drain(t, n, 64), 1);
    assert_int_equal(n[0].vm, 7);
    close_ok(t);
}

static void *push_later(void *arg)
{
    (void)arg;
    usleep(50000);
    card_push(4, 2, 1, 42);
    return NULL;
}

/* a wait without a bound ends when the vector fires (the deadline does not wrap) */
static void test_wait_forever(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, push_later, NULL), 0);
    assert_int_equal(t->ops->wait(t, UINT64_MAX), 1);
    pthread_join(th, NULL);
    struct ioe_notification n;
    assert_int_equal(t->ops->drain(t, &n, 1), 1);
    assert_int_equal(n.cycle, 42);
    close_ok(t);
}

static void test_msi(void **state)
{
    (void)state;
    struct ioe_transport *t = open_ok(0);
    assert_int_equal(t->ops->msi(t, 0x42, 0x0001000008030040ull, 0x1234), 0);
    assert_int_equal(*reg2(0x20), 0x08030040u);
    assert_int_equal(*reg2(0x24), 0x00010000u);
    assert_int_equal(*reg2(0x28), 0x42);
    assert_int_equal(*reg2(0x2C), 0x1234);
    close_ok(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_real_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iova_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_forever, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msi, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
