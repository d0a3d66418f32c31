/*
 * The PCIe card through VFIO: targets `pci:DDDD:BB:DD.F` (the host's kernel) and, through
 * ioe_transport_vfio_open_sys(), any other implementation of the seam (the root-complex
 * stand-in of `sim:pcie`). vfio_dev.c does the VFIO part; this file adds the card's: BAR
 * sizes and EP_ID, the CSR window in BAR0, the notification ring in host memory with MSI-X
 * vectors 0 and 1 on eventfds, the libioe doorbell in BAR2, and the private IOVA area of
 * the ring. docs/pcie.md, sections 1, 5 and 6.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <ioe/regs.h>

#include "internal.h"
#include "transport.h"
#include "vfio_dev.h"

#include <ioe/pcie_ep.h>

#define RING_LOG2 12u             /* 4096 records, 32 KiB */
#define PRIVATE_IOVA (1ull << 20) /* kept at the top of the IOVA space for the ring */
#define MAX_RANGES 32
#define POLL_CLOCK_EVERY 64 /* POLL reads between two looks at the clock */
#define LINUX_TIMEOUT_MS 1000u

struct dma_map {
    uint64_t iova, size;
};

struct vfio_transport {
    struct ioe_transport base;
    struct vfio_dev dev;
    pthread_mutex_t lock;
    unsigned timeout_ms;
    int dead; /* 0, or the -errno every call answers once the card stopped answering */
    /* notification ring: host memory at ring_iova, `tail` records consumed since enable */
    volatile uint64_t *ring;
    size_t ring_bytes;
    uint64_t ring_iova;
    uint32_t tail;
    int efd[2]; /* MSI-X vectors 0 (ring) and 1 (endpoint errors) */
    bool ring_mapped, ring_on, irqs_on;
    bool wrote; /* a BAR0 write or a doorbell since the last sync */
    /* the container's IOVA ranges less the private area [priv, priv + PRIVATE_IOVA) */
    struct ioe_iova_range ranges[MAX_RANGES + 1];
    size_t nr_ranges;
    struct dma_map *maps; /* the caller's mappings, to answer EEXIST and ENOENT exactly */
    size_t nr_maps, cap_maps;
};

static struct vfio_transport *vt_of(struct ioe_transport *t)
{
    return (struct vfio_transport *)t;
}

static int fail(int err, const char *what, const char *addr)
{
    char msg[200];
    snprintf(msg, sizeof(msg), what, addr);
    set_last_error("%s", msg);
    return err;
}

static uint32_t ep_rd(struct vfio_transport *vt, uint32_t off)
{
    return vfio_dev_rd32(&vt->dev, IOE_PCIE_BAR_EP, off);
}

static void ep_wr(struct vfio_transport *vt, uint32_t off, uint32_t val)
{
    vfio_dev_wr32(&vt->dev, IOE_PCIE_BAR_EP, off, val);
}

/* After an all-ones read: a card that is gone reads all-ones at EP_ID too (a surprise
 * removal, a link down, a stand-in that lost its model). Then every call fails. */
static int check_alive(struct vfio_transport *vt)
{
    if (!vt->dead && ep_rd(vt, IOE_EP_ID) == UINT32_MAX)
        vt->dead = -ENODEV;
    return vt->dead;
}

/* ---------------------------------------------------------------- notification ring */

static uint64_t ring_record(const struct vfio_transport *vt, uint32_t i)
{
    return __atomic_load_n(&vt->ring[i & ((1u << RING_LOG2) - 1)], __ATOMIC_ACQUIRE);
}

/* record i is there when its phase bit is 1 on even passes over the ring, 0 on odd ones */
static bool ring_ready(const struct vfio_transport *vt, uint32_t i)
{
    return (ring_record(vt, i) >> 31 & 1) == (((i >> RING_LOG2) & 1) ^ 1);
}

static void efd_clear(int fd)
{
    uint64_t v;
    ssize_t r = read(fd, &v, sizeof(v)); /* non-blocking: EAGAIN when already clear */
    (void)r;
}

static void efd_set(int fd)
{
    uint64_t one = 1;
    ssize_t r = write(fd, &one, sizeof(one));
    (void)r;
}

/* Enable the ring from record 0 (the card resets HEAD, TAIL and the phase) */
static void ring_program(struct vfio_transport *vt)
{
    ep_wr(vt, IOE_EP_NRING_CTRL, 0);
    memset((void *)vt->ring, 0, vt->ring_bytes); /* no phase bit left from an earlier pass */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ep_wr(vt, IOE_EP_NRING_BASE_LO, (uint32_t)vt->ring_iova);
    ep_wr(vt, IOE_EP_NRING_BASE_HI, (uint32_t)(vt->ring_iova >> 32));
    ep_wr(vt, IOE_EP_NRING_LOG2, RING_LOG2);
    ep_wr(vt, IOE_EP_NRING_CTRL, 1);
    vt->ring_on = true;
    vt->tail = 0;
    efd_clear(vt->efd[0]);
}

static int irqs_enable(struct vfio_transport *vt)
{
    int32_t fds[2] = {vt->efd[0], vt->efd[1]};
    int err = vfio_dev_set_irqs(&vt->dev, VFIO_PCI_MSIX_IRQ_INDEX, fds, 2);
    vt->irqs_on = !err;
    return err;
}

static int vt_drain(struct ioe_transport *t, struct ioe_notification *buf, size_t max)
{
    struct vfio_transport *vt = vt_of(t);
    if (max == 0)
        return 0;
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    size_t n = 0;
    while (!err) {
        efd_clear(vt->efd[0]);
        for (; n < max && ring_ready(vt, vt->tail); vt->tail++) {
            uint64_t r = ring_record(vt, vt->tail);
            buf[n++] = (struct ioe_notification){
                .vm = r & 0xff, .vcpu = r >> 8 & 0xff, .src = r >> 16 & 0xf, .cycle = r >> 32};
        }
        ep_wr(vt, IOE_EP_NRING_TAIL,
              vt->tail); /* re-arms vector 0; sends at once if HEAD != TAIL */
        if (n == max) {
            if (ring_ready(vt, vt->tail))
                efd_set(vt->efd[0]); /* records left: the descriptor stays readable */
            break;
        }
        if (!ring_ready(vt, vt->tail)) /* one written between the last read and TAIL */
            break;
    }
    pthread_mutex_unlock(&vt->lock);
    return err ? err : (int)n;
}

static int vt_wait(struct ioe_transport *t, uint64_t timeout_us)
{
    struct vfio_transport *vt = vt_of(t);
    uint64_t start = transport_now_ns(),
             span = timeout_us > UINT64_MAX / 2000u ? UINT64_MAX / 2 : timeout_us * 1000u;
    uint64_t deadline = start + span; /* a timeout of centuries does not wrap */
    for (;;) {
        pthread_mutex_lock(&vt->lock);
        bool ready = ring_ready(vt, vt->tail);
        int err = vt->dead;
        pthread_mutex_unlock(&vt->lock);
        if (err)
            return err;
        if (ready)
            return 1;
        uint64_t now = transport_now_ns();
        if (now >= deadline)
            return 0;
        uint64_t left = deadline - now;
        struct timespec ts = {.tv_sec = (time_t)(left / 1000000000u),
                              .tv_nsec = (long)(left % 1000000000u)};
        struct pollfd p = {.fd = vt->efd[0], .events = POLLIN};
        int r = ppoll(&p, 1, &ts, NULL);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r > 0) /* an interrupt: look at the ring; clear it so a stale one cannot spin */
            efd_clear(vt->efd[0]);
    }
}

static int vt_notify_fd(struct ioe_transport *t)
{
    return vt_of(t)->efd[0];
}

/* The notification fence: the endpoint answers a read of NRING_FENCE once ioe_top's
 * notification stream has been quiet (docs/pcie.md section 5), and its completion cannot
 * pass the ring records written before it, so when the read returns every record of the
 * writes before it is in host memory. Only after writes: a request that only read changed
 * nothing the card notifies. With the ring full the endpoint answers without waiting: 2,
 * the caller drains and syncs again (the card drops nothing; it holds the stream). */
static int vt_sync(struct ioe_transport *t)
{
    struct vfio_transport *vt = vt_of(t);
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    if (!err && vt->wrote) {
        uint32_t head = ep_rd(vt, IOE_EP_NRING_FENCE);
        if (head == UINT32_MAX)
            err = check_alive(vt);
        /* a full ring (HEAD - TAIL = its size): the endpoint answered at once, holding the
         * stream back; what it holds is written once the caller drains: 2, sync again */
        bool full = !err && head - vt->tail >= 1u << RING_LOG2;
        vt->wrote = full;
        if (!err)
            err = full ? 2 : 1;
    }
    pthread_mutex_unlock(&vt->lock);
    return err;
}

/* ---------------------------------------------------------------- CSR window */

static int poll_op(struct vfio_transport *vt, struct ioe_csr_op *op)
{
    uint64_t deadline = transport_now_ns() + (uint64_t)vt->timeout_ms * 1000000u;
    for (unsigned reads = 1;; reads++) {
        op->val = vfio_dev_rd32(&vt->dev, IOE_PCIE_BAR_CSR, op->addr);
        if (op->val == UINT32_MAX && check_alive(vt))
            return vt->dead;
        if ((op->val & op->mask) == op->expect)
            return 0;
        if (reads % POLL_CLOCK_EVERY == 0 && transport_now_ns() >= deadline)
            return -ETIMEDOUT;
    }
}

static int vt_batch(struct ioe_transport *t, struct ioe_csr_op *ops, size_t n)
{
    struct vfio_transport *vt = vt_of(t);
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    for (size_t i = 0; i < n && !err; i++) {
        struct ioe_csr_op *op = &ops[i];
        switch (op->kind) {
        case IOE_CSR_READ:
            op->val = vfio_dev_rd32(&vt->dev, IOE_PCIE_BAR_CSR, op->addr);
            if (op->val == UINT32_MAX)
                err = check_alive(vt);
            break;
        case IOE_CSR_WRITE:
            vfio_dev_wr32(&vt->dev, IOE_PCIE_BAR_CSR, op->addr, op->val);
            vt->wrote = true;
            break;
        case IOE_CSR_POLL: err = poll_op(vt, op); break;
        default: err = -EINVAL;
        }
    }
    pthread_mutex_unlock(&vt->lock);
    return err;
}

/* ---------------------------------------------------------------- DMA */

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
    return a < b + bsize && b < a + asize;
}

static int vt_dma_map(struct ioe_transport *t, const struct ioe_dma_region *r)
{
    struct vfio_transport *vt = vt_of(t);
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    if (!err && overlaps(r->iova, r->size, vt->ring_iova, PRIVATE_IOVA))
        err = -EEXIST; /* the ring's area */
    for (size_t i = 0; i < vt->nr_maps && !err; i++)
        if (overlaps(r->iova, r->size, vt->maps[i].iova, vt->maps[i].size))
            err = -EEXIST;
    if (!err && vt->nr_maps == vt->cap_maps) {
        size_t cap = vt->cap_maps ? 2 * vt->cap_maps : 16;
        struct dma_map *m = realloc(vt->maps, cap * sizeof(*m));
        if (!m)
            err = -ENOMEM;
        else {
            vt->maps = m;
            vt->cap_maps = cap;
        }
    }
    /* the kernel's answers: EINVAL for what is not page-aligned, ENOSPC at the container's
     * mapping limit (vfio_iommu_type1's dma_entry_limit), EFAULT for memory it cannot pin */
    if (!err)
        err = vfio_dev_dma_map(&vt->dev, r->iova, r->hva, r->size);
    if (!err)
        vt->maps[vt->nr_maps++] = (struct dma_map){r->iova, r->size};
    pthread_mutex_unlock(&vt->lock);
    return err;
}

static int vt_dma_unmap(struct ioe_transport *t, uint64_t iova, uint64_t size)
{
    struct vfio_transport *vt = vt_of(t);
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead ? vt->dead : -ENOENT;
    for (size_t i = 0; i < vt->nr_maps && err == -ENOENT; i++) {
        if (vt->maps[i].iova != iova || vt->maps[i].size != size)
            continue;
        uint64_t done = 0;
        err = vfio_dev_dma_unmap(&vt->dev, iova, size, &done);
        if (!err && done != size)
            err = -EIO; /* the kernel did not have what we mapped */
        if (!err)
            vt->maps[i] = vt->maps[--vt->nr_maps];
    }
    pthread_mutex_unlock(&vt->lock);
    return err;
}

static int vt_iova_ranges(struct ioe_transport *t, struct ioe_iova_range *out, size_t max)
{
    struct vfio_transport *vt = vt_of(t);
    size_t n = vt->nr_ranges < max ? vt->nr_ranges : max;
    memcpy(out, vt->ranges, n * sizeof(*out));
    return (int)n;
}

/* The kernel's ranges less the private area: the top PRIVATE_IOVA of the highest range
 * (aligned to its size) holds the ring. */
static int take_private_area(struct vfio_transport *vt, const struct ioe_iova_range *r, size_t n)
{
    if (n == 0)
        return -ENOSPC;
    const struct ioe_iova_range *top = &r[n - 1];
    uint64_t priv = (top->last - (PRIVATE_IOVA - 1)) & ~(PRIVATE_IOVA - 1);
    if (top->last < PRIVATE_IOVA - 1 || priv < top->start)
        return -ENOSPC;
    memcpy(vt->ranges, r, n * sizeof(*r));
    vt->nr_ranges = n;
    if (priv == top->start)
        vt->nr_ranges--; /* the area is the whole range */
    else
        vt->ranges[n - 1].last = priv - 1;
    if (priv + PRIVATE_IOVA - 1 < top->last) /* above the aligned area: still usable */
        vt->ranges[vt->nr_ranges++] = (struct ioe_iova_range){priv + PRIVATE_IOVA, top->last};
    vt->ring_iova = priv;
    return 0;
}

/* ---------------------------------------------------------------- MSI, reset, close */

/* page's DB_BASE and DB_PAGE_VM (BAR2 0x30..0x3C); the card ignores a page it lacks, which
 * reads back 0 */
static int db_base_set(struct vfio_transport *vt, unsigned page, unsigned vm, uint64_t gpa)
{
    ep_wr(vt, IOE_EP_DB_PAGE, page);
    ep_wr(vt, IOE_EP_DB_BASE_LO, (uint32_t)gpa);
    ep_wr(vt, IOE_EP_DB_BASE_HI, (uint32_t)(gpa >> 32));
    ep_wr(vt, IOE_EP_DB_PAGE_VM, vm);
    uint32_t lo = ep_rd(vt, IOE_EP_DB_BASE_LO), hi = ep_rd(vt, IOE_EP_DB_BASE_HI);
    uint32_t v = ep_rd(vt, IOE_EP_DB_PAGE_VM);
    if (lo == UINT32_MAX && hi == UINT32_MAX && check_alive(vt))
        return vt->dead;
    return ((uint64_t)hi << 32 | lo) == gpa && v == vm ? 0 : -EINVAL;
}

/* every device doorbell page answers no VM's MSI frame until an ITS takes it (page p back
 * to VM context p, its reset value) */
static void db_base_clear(struct vfio_transport *vt)
{
    for (uint64_t v = 0; v < vt->dev.bar[IOE_PCIE_BAR_DB].size / IOE_PCIE_DB_PAGE_SIZE && v < 256;
         v++)
        if (db_base_set(vt, (unsigned)v, (unsigned)v, 0) && vt->dead)
            break;
}

static int vt_doorbell_base(struct ioe_transport *t, unsigned page, unsigned vm, uint64_t gpa)
{
    struct vfio_transport *vt = vt_of(t);
    if (page > 0xff || page >= vt->dev.bar[IOE_PCIE_BAR_DB].size / IOE_PCIE_DB_PAGE_SIZE ||
        vm > 0xff)
        return -EINVAL;
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead ? vt->dead : db_base_set(vt, page, vm, gpa);
    pthread_mutex_unlock(&vt->lock);
    return err;
}

static int vt_msi(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data)
{
    struct vfio_transport *vt = vt_of(t);
    const uint32_t db[4] = {(uint32_t)addr, (uint32_t)(addr >> 32), devid, data};
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    if (!err) {
        const struct ioe_vfio_sys *s = vt->dev.sys;
        s->mmio_write_burst(
            s->ctx, (volatile char *)vt->dev.bar[IOE_PCIE_BAR_EP].map + IOE_EP_DB_ADDR_LO, db, 4);
        vt->wrote = true;
        /* a read flushes the posted write: the card has the MSI when we return */
        if (ep_rd(vt, IOE_EP_ID) == UINT32_MAX)
            err = check_alive(vt);
    }
    pthread_mutex_unlock(&vt->lock);
    return err;
}

static int vt_reset(struct ioe_transport *t)
{
    struct vfio_transport *vt = vt_of(t);
    pthread_mutex_lock(&vt->lock);
    int err = vt->dead;
    /* as QEMU does around a reset: interrupts off, reset, interrupts back */
    if (!err && !(err = vfio_dev_set_irqs(&vt->dev, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0)))
        vt->irqs_on = false;
    if (!err)
        err = vfio_dev_reset(&vt->dev);
    if (!err)
        err = vfio_dev_enable_master(&vt->dev);
    if (!err && ep_rd(vt, IOE_EP_ID) != IOE_EP_ID_VALUE)
        err = check_alive(vt) ? vt->dead : -EIO;
    if (!err) {
        ring_program(vt);
        db_base_clear(vt);
        err = irqs_enable(vt);
    }
    pthread_mutex_unlock(&vt->lock);
    return err;
}

static void vt_free(struct vfio_transport *vt)
{
    if (vt->ring_on && !vt->dead)
        ep_wr(vt, IOE_EP_NRING_CTRL, 0);
    if (vt->irqs_on)
        vfio_dev_set_irqs(&vt->dev, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0);
    if (vt->ring_mapped)
        vfio_dev_dma_unmap(&vt->dev, vt->ring_iova, vt->ring_bytes, NULL);
    if (vt->ring)
        munmap((void *)vt->ring, vt->ring_bytes);
    for (int i = 0; i < 2; i++)
        if (vt->efd[i] >= 0)
            close(vt->efd[i]);
    vfio_dev_close(&vt->dev); /* closing the container drops every DMA mapping */
    pthread_mutex_destroy(&vt->lock);
    free(vt->maps);
    free(vt);
}

static void vt_close(struct ioe_transport *t)
{
    vt_free(vt_of(t));
}

static const struct ioe_transport_ops vfio_transport_ops = {
    .name = "vfio",
    .close = vt_close,
    .reset = vt_reset,
    .batch = vt_batch,
    .dma_map = vt_dma_map,
    .dma_unmap = vt_dma_unmap,
    .drain = vt_drain,
    .wait = vt_wait,
    .notify_fd = vt_notify_fd,
    .sync = vt_sync,
    .msi = vt_msi,
    .iova_ranges = vt_iova_ranges,
    .doorbell_base = vt_doorbell_base,
};

/* ---------------------------------------------------------------- open */

/* the card's checks above the VFIO device: BARs of docs/pcie.md section 1, EP_ID */
static int card_checks(struct vfio_transport *vt)
{
    struct vfio_dev *d = &vt->dev;
    if (d->bar[IOE_PCIE_BAR_CSR].size != IOE_CSR_WINDOW_SIZE ||
        d->bar[IOE_PCIE_BAR_EP].size != IOE_EP_PAGE_SIZE || !d->bar[IOE_PCIE_BAR_DB].size ||
        d->bar[IOE_PCIE_BAR_DB].size % IOE_PCIE_DB_PAGE_SIZE)
        return fail(-ENODEV,
                    "%s is not an ioe card: its BARs 0, 2, 4 are not 1 MiB, 64 KiB and "
                    "whole 4 KiB pages",
                    d->addr);
    int err;
    if ((err = vfio_dev_map_bar(d, IOE_PCIE_BAR_CSR, IOE_CSR_WINDOW_SIZE)) ||
        (err = vfio_dev_map_bar(d, IOE_PCIE_BAR_EP,
                                IOE_EP_MSIX_TABLE /* BAR2 below the MSI-X table */)) ||
        (err = vfio_dev_map_bar(d, IOE_PCIE_BAR_DB, 0)))
        return fail(err, "%s: cannot mmap its BARs", d->addr);
    if ((err = vfio_dev_enable_master(d)))
        return fail(err, "%s: cannot enable bus mastering in PCI_COMMAND", d->addr);
    uint32_t id = ep_rd(vt, IOE_EP_ID);
    if (id != IOE_EP_ID_VALUE) {
        char msg[160];
        snprintf(msg, sizeof(msg), "%%s is not an ioe card: EP_ID reads 0x%08x, not 0x%08x", id,
                 IOE_EP_ID_VALUE);
        return fail(id == UINT32_MAX ? -EIO : -ENODEV, msg, d->addr);
    }
    return 0;
}

static int ring_setup(struct vfio_transport *vt)
{
    struct vfio_dev *d = &vt->dev;
    struct ioe_iova_range r[MAX_RANGES];
    int n = vfio_dev_iova_ranges(d, r, MAX_RANGES, NULL);
    if (n < 0)
        return fail(n, "%s: VFIO_IOMMU_GET_INFO failed", d->addr);
    int err = take_private_area(vt, r, (size_t)n);
    if (err)
        return fail(err, "%s: no IOVA range can hold the notification ring", d->addr);
    vt->ring_bytes = (size_t)8 << RING_LOG2;
    /* shared, so a fork() never turns the pinned page copy-on-write under the card */
    void *p = mmap(NULL, vt->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -ENOMEM;
    vt->ring = p;
    if ((err = vfio_dev_dma_map(d, vt->ring_iova, p, vt->ring_bytes)))
        return fail(err, "%s: cannot map the notification ring for DMA", d->addr);
    vt->ring_mapped = true;
    uint32_t vectors = 0;
    if ((err = vfio_dev_irq_count(d, VFIO_PCI_MSIX_IRQ_INDEX, &vectors)) || vectors < 2)
        return fail(err ? err : -ENODEV, "%s: no MSI-X with two vectors", d->addr);
    for (int i = 0; i < 2; i++)
        if ((vt->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
            return -errno;
    ring_program(vt);
    if ((err = irqs_enable(vt)))
        return fail(err, "%s: VFIO_DEVICE_SET_IRQS (MSI-X) failed", d->addr);
    return 0;
}

int ioe_transport_vfio_open_sys(const struct ioe_vfio_sys *sys, const char *pci_addr,
                                const struct ioe_card_options *opts, struct ioe_transport **out)
{
    struct vfio_transport *vt = calloc(1, sizeof(*vt));
    if (!vt)
        return -ENOMEM;
    vt->base.ops = &vfio_transport_ops;
    vt->base.caps = IOE_CARD_CAP_ASYNC | IOE_CARD_CAP_MSI;
    vt->efd[0] = vt->efd[1] = -1;
    vt->timeout_ms = opts && opts->timeout_ms     ? opts->timeout_ms
                     : sys == &ioe_vfio_sys_linux ? LINUX_TIMEOUT_MS
                                                  : IOE_CARD_DEFAULT_TIMEOUT_MS;
    pthread_mutex_init(&vt->lock, NULL);
    int err = vfio_dev_open(&vt->dev, sys, pci_addr);
    if (!err)
        err = card_checks(vt);
    if (!err)
        err = ring_setup(vt);
    if (!err)
        db_base_clear(vt);
    if (err) {
        vt_free(vt);
        return err;
    }
    *out = &vt->base;
    return 0;
}

/* "pci:DDDD:BB:DD.F" */
int ioe_transport_vfio_open(const char *name, const char *args, const struct ioe_card_options *opts,
                            struct ioe_transport **out)
{
    (void)name;
    if (!args || !*args)
        return -ENODEV; /* "pci" and "pci:" name no card: an unknown target */
    if (opts->trace_path || opts->dma_latency || opts->dma_outstanding)
        return -EINVAL; /* options of the simulated cards */
    return ioe_transport_vfio_open_sys(&ioe_vfio_sys_linux, args, opts, out);
}
