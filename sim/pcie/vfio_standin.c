/*
 * The VFIO stand-in (vfio_standin.h): Linux VFIO's answers in user space, the card behind
 * the root-complex model. One IOMMU group holding one vfio-pci device (the card); any number
 * of containers with the type1 IOMMU. Requests, structures and errnos are <linux/vfio.h>'s,
 * checked in the order the kernel checks them (drivers/vfio: container.c, group.c,
 * vfio_iommu_type1.c, pci/vfio_pci_core.c, pci/vfio_pci_intrs.c).
 *
 * The descriptors handed out are empty memfds the process owns (placeholders), so they never
 * collide with other descriptors. A BAR mapping is an inaccessible reservation of address
 * space; mmio_read32/mmio_write32/mmio_write_burst turn accesses inside it into BAR reads
 * and writes of the model. MSI-X: SET_IRQS programs the card's MSI-X table with one x86 MSI
 * address per vector; the model's MSI handler signals the vector's eventfd.
 *
 * Not modelled: VFIO_UPDATE_VADDR and VFIO_DMA_MAP_FLAG_VADDR, dirty tracking, INTx and MSI
 * (the card has MSI-X only), the ERR and REQ interrupts are stored but never signalled,
 * configuration space beyond the Command register, BAR reads and writes through pread or
 * pwrite that are not whole aligned DWs (EINVAL).
 */
#define _GNU_SOURCE
#include "vfio_standin.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define MSI_WINDOW 0xfee00000ull
#define MSI_WINDOW_LAST 0xfeefffffull
#define PAGE_SZ 4096ull
#define MAX_FDS 64
#define MAX_MAPS 16
#define MAX_VECTORS 256 /* one x86 destination field value per vector */
#define MSIX_BAR 2      /* docs/pcie.md, BAR2 layout */
#define MSIX_TABLE 0x8000u
#define MSIX_ENTRY 16u
#define PGSIZES 0x40201000u                     /* 4 KiB, 2 MiB, 1 GiB: VT-d with superpages */
#define DIRTY_BITMAP_SIZE_MAX 0x10000000ull     /* type1: INT_MAX pages, one bit each */
#define CFG_SIZE 4096u                          /* PCI Express configuration space */
#define REGION(index) ((uint64_t)(index) << 40) /* vfio-pci's region offsets */
#define REGION_INDEX(off) ((uint64_t)(off) >> 40)
#define REGION_POS(off) ((uint64_t)(off) & ((1ull << 40) - 1))
#define ARGSZ_OK(p, type, field) ((p)->argsz >= offsetof(type, field) + sizeof((p)->field))

enum fd_kind { FD_FREE, FD_CONTAINER, FD_GROUP, FD_DEVICE };

struct dma {
    uint64_t iova, size;
};

struct container {
    int refs;  /* container descriptors and the group attached to it */
    int iommu; /* 0 until SET_IOMMU; VFIO_TYPE1_IOMMU or VFIO_TYPE1v2_IOMMU */
    struct dma *dma;
    size_t ndma, cap;
};

struct slot {
    int fd;
    enum fd_kind kind;
    struct container *c; /* FD_CONTAINER */
};

struct bar_map {
    char *base;
    size_t len;
    unsigned bar;
    uint64_t off;
};

struct standin {
    pthread_mutex_t mu; /* everything but the vectors; never taken by the model's thread */
    struct ioe_pcie_rc *rc;
    char bdf[16], group_path[32], sys_dir[64];
    uint64_t aperture_last;
    int msi_hole;
    uint32_t dma_limit;
    struct slot fds[MAX_FDS];
    int group_fd;         /* -1: not open */
    struct container *gc; /* the group's container */
    int devices;          /* open device descriptors */
    uint16_t command;     /* configuration space: Command */
    struct bar_map maps[MAX_MAPS];
    int err_trigger, req_trigger; /* ERR and REQ eventfds (never signalled) */
    /* MSI-X: guarded by irq_mu, which the model's thread takes in msi() */
    pthread_mutex_t irq_mu;
    unsigned nvec;    /* the card's table size */
    unsigned num_ctx; /* vectors enabled; 0: MSI-X off */
    int trigger[MAX_VECTORS];
    uint64_t stray; /* MSI writes no vector claims */
};

/* ------------------------------------------------------------------ helpers */

static int fail(int err)
{
    errno = err;
    return -1;
}

static struct slot *slot_of(struct standin *s, int fd)
{
    for (int i = 0; i < MAX_FDS; i++)
        if (s->fds[i].kind != FD_FREE && s->fds[i].fd == fd)
            return &s->fds[i];
    return NULL;
}

/* a real descriptor the process owns (an empty memfd) stands for each VFIO file */
static int slot_new(struct standin *s, enum fd_kind kind, struct slot **out)
{
    for (int i = 0; i < MAX_FDS; i++) {
        if (s->fds[i].kind != FD_FREE)
            continue;
        static const char *const names[] = {"", "vfio-container", "vfio-group", "vfio-device"};
        int fd = memfd_create(names[kind], MFD_CLOEXEC);
        if (fd < 0)
            return -errno;
        s->fds[i] = (struct slot){fd, kind, NULL};
        *out = &s->fds[i];
        return 0;
    }
    return -EMFILE;
}

static void slot_free(struct slot *sl)
{
    close(sl->fd);
    *sl = (struct slot){-1, FD_FREE, NULL};
}

/* -EBADF for a closed descriptor, -EINVAL for one that is not an eventfd */
static int check_eventfd(int fd)
{
    char link[64], target[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (fd < 0 || n < 0)
        return -EBADF;
    target[n] = 0;
    return strcmp(target, "anon_inode:[eventfd]") == 0 ? 0 : -EINVAL;
}

static uint64_t vec_addr(unsigned v)
{
    return MSI_WINDOW | (uint64_t)v << 12; /* destination ID field [19:12] */
}

/* ------------------------------------------------------------------ MSI-X */

static void msi(void *arg, uint64_t addr, uint32_t data)
{
    struct standin *s = arg;
    pthread_mutex_lock(&s->irq_mu);
    unsigned v = (unsigned)((addr - MSI_WINDOW) >> 12);
    if (v < s->num_ctx && addr == vec_addr(v) && data == v && s->trigger[v] >= 0)
        eventfd_write(s->trigger[v], 1);
    else
        s->stray++;
    pthread_mutex_unlock(&s->irq_mu);
}

/* program entry v of the card's table: masked unless unmask */
static int msix_entry(struct standin *s, unsigned v, int unmask)
{
    uint64_t a = vec_addr(v);
    uint32_t e[4] = {(uint32_t)a, (uint32_t)(a >> 32), v, unmask ? 0u : 1u};
    return ioe_pcie_rc_bar_write(s->rc, MSIX_BAR, MSIX_TABLE + MSIX_ENTRY * v, e, 4);
}

/* the table as the host's MSI-X code leaves it: enabled, entries written, the vectors with
 * an eventfd unmasked (irq_mu not held: the model's thread may be delivering) */
static int msix_program(struct standin *s)
{
    pthread_mutex_lock(&s->irq_mu);
    unsigned n = s->num_ctx;
    int on[MAX_VECTORS];
    for (unsigned v = 0; v < n; v++)
        on[v] = s->trigger[v] >= 0;
    pthread_mutex_unlock(&s->irq_mu);
    if (!n)
        return ioe_pcie_rc_set_msix(s->rc, 0, 0);
    int err = ioe_pcie_rc_set_msix(s->rc, 1, 1);
    for (unsigned v = 0; v < s->nvec && !err; v++)
        err = msix_entry(s, v, v < n && on[v]);
    return err ? err : ioe_pcie_rc_set_msix(s->rc, 1, 0);
}

static void msix_disable(struct standin *s)
{
    pthread_mutex_lock(&s->irq_mu);
    for (unsigned v = 0; v < s->num_ctx; v++) {
        if (s->trigger[v] >= 0)
            close(s->trigger[v]);
        s->trigger[v] = -1;
    }
    s->num_ctx = 0;
    pthread_mutex_unlock(&s->irq_mu);
    msix_program(s);
}

/* ------------------------------------------------------------------ containers */

static struct container *container_get(struct container *c)
{
    c->refs++;
    return c;
}

static void container_unmap_all(struct standin *s, struct container *c)
{
    for (size_t i = 0; i < c->ndma; i++)
        ioe_pcie_rc_dma_unmap(s->rc, c->dma[i].iova, c->dma[i].size);
    c->ndma = 0;
}

static void container_put(struct standin *s, struct container *c)
{
    if (--c->refs)
        return;
    container_unmap_all(s, c);
    free(c->dma);
    free(c);
}

/* the group leaves its container; the last group takes the IOMMU with it (type1 release) */
static void group_detach(struct standin *s)
{
    struct container *c = s->gc;
    if (!c)
        return;
    s->gc = NULL;
    container_unmap_all(s, c);
    c->iommu = 0;
    container_put(s, c);
}

static int c_api_version(struct standin *s, struct slot *sl, void *arg)
{
    (void)s, (void)sl, (void)arg;
    return VFIO_API_VERSION;
}

static int c_check_extension(struct standin *s, struct slot *sl, void *arg)
{
    (void)s;
    switch ((unsigned long)arg) {
    case VFIO_TYPE1_IOMMU:
    case VFIO_TYPE1v2_IOMMU:
    case VFIO_UNMAP_ALL: return 1;
    case VFIO_DMA_CC_IOMMU: return sl->c->iommu != 0;
    default: return 0;
    }
}

static int c_set_iommu(struct standin *s, struct slot *sl, void *arg)
{
    if (s->gc != sl->c || sl->c->iommu)
        return -EINVAL;
    unsigned long type = (unsigned long)arg;
    if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
        return -ENODEV;
    sl->c->iommu = (int)type;
    return 0;
}

/* usable IOVA ranges: the aperture minus the MSI hole */
static unsigned iova_ranges(const struct standin *s, struct vfio_iova_range *r)
{
    if (!s->msi_hole || s->aperture_last < MSI_WINDOW) {
        r[0] = (struct vfio_iova_range){0, s->aperture_last};
        return 1;
    }
    r[0] = (struct vfio_iova_range){0, MSI_WINDOW - 1};
    if (s->aperture_last <= MSI_WINDOW_LAST)
        return 1;
    r[1] = (struct vfio_iova_range){MSI_WINDOW_LAST + 1, s->aperture_last};
    return 2;
}

static int c_iommu_info(struct standin *s, struct slot *sl, void *arg)
{
    struct vfio_iommu_type1_info *info = arg;
    if (!ARGSZ_OK(info, struct vfio_iommu_type1_info, iova_pgsizes))
        return -EINVAL;
    size_t minsz = info->argsz < sizeof(*info) ? info->argsz : sizeof(*info);
    struct vfio_iommu_type1_info out = {.argsz = info->argsz,
                                        .flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
                                        .iova_pgsizes = PGSIZES};
    /* the capability chain in type1's order: migration, DMA available, IOVA ranges */
    struct vfio_iova_range r[2];
    unsigned nr = iova_ranges(s, r);
    struct vfio_iommu_type1_info_cap_migration mig = {
        .header = {VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1, 0},
        .pgsize_bitmap = PGSIZES & -PGSIZES,
        .max_dirty_bitmap_size = DIRTY_BITMAP_SIZE_MAX};
    struct vfio_iommu_type1_info_dma_avail avail = {
        .header = {VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, 0},
        .avail = s->dma_limit - (uint32_t)sl->c->ndma};
    struct vfio_iommu_type1_info_cap_iova_range iova = {
        .header = {VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 0}, .nr_iovas = nr};
    size_t mig_sz = (sizeof(mig) + 7) & ~7ul, avail_sz = (sizeof(avail) + 7) & ~7ul;
    size_t iova_sz = sizeof(iova) + nr * sizeof(r[0]);
    size_t caps = mig_sz + avail_sz + iova_sz;
    if (info->argsz < sizeof(*info) + caps) {
        out.argsz = (uint32_t)(sizeof(*info) + caps);
    } else {
        char *p = (char *)info + sizeof(*info);
        mig.header.next = (uint32_t)(sizeof(*info) + mig_sz);
        avail.header.next = (uint32_t)(sizeof(*info) + mig_sz + avail_sz);
        memset(p, 0, caps);
        memcpy(p, &mig, sizeof(mig));
        memcpy(p + mig_sz, &avail, sizeof(avail));
        memcpy(p + mig_sz + avail_sz, &iova, sizeof(iova));
        memcpy(p + mig_sz + avail_sz + sizeof(iova), r, nr * sizeof(r[0]));
        out.cap_offset = sizeof(*info);
    }
    memcpy(info, &out, minsz);
    return 0;
}

static struct dma *dma_find(struct container *c, uint64_t iova, uint64_t size)
{
    for (size_t i = 0; i < c->ndma; i++)
        if (iova < c->dma[i].iova + c->dma[i].size && c->dma[i].iova < iova + size)
            return &c->dma[i];
    return NULL;
}

static int iova_valid(const struct standin *s, uint64_t first, uint64_t last)
{
    struct vfio_iova_range r[2];
    unsigned nr = iova_ranges(s, r);
    for (unsigned i = 0; i < nr; i++)
        if (first >= r[i].start && last <= r[i].end)
            return 1;
    return 0;
}

static int c_map_dma(struct standin *s, struct slot *sl, void *arg)
{
    struct vfio_iommu_type1_dma_map *m = arg;
    struct container *c = sl->c;
    const uint32_t mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    if (!ARGSZ_OK(m, struct vfio_iommu_type1_dma_map, size) || (m->flags & ~mask))
        return -EINVAL;
    if (!(m->flags & mask))
        return -EINVAL;
    uint64_t pg = PGSIZES & -PGSIZES;
    if (!m->size || ((m->size | m->iova | m->vaddr) & (pg - 1)))
        return -EINVAL;
    if (m->iova + m->size - 1 < m->iova || m->vaddr + m->size - 1 < m->vaddr)
        return -EINVAL;
    if (dma_find(c, m->iova, m->size))
        return -EEXIST;
    if (c->ndma >= s->dma_limit)
        return -ENOSPC;
    if (!iova_valid(s, m->iova, m->iova + m->size - 1))
        return -EINVAL;
    if (c->ndma == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct dma *d = realloc(c->dma, cap * sizeof(*d));
        if (!d)
            return -ENOMEM;
        c->dma = d, c->cap = cap;
    }
    int err = ioe_pcie_rc_dma_map(s->rc, m->iova, (void *)(uintptr_t)m->vaddr, m->size);
    if (err)
        return err;
    c->dma[c->ndma++] = (struct dma){m->iova, m->size};
    return 0;
}

static int c_unmap_dma(struct standin *s, struct slot *sl, void *arg)
{
    struct vfio_iommu_type1_dma_unmap *u = arg;
    struct container *c = sl->c;
    if (!ARGSZ_OK(u, struct vfio_iommu_type1_dma_unmap, size) ||
        (u->flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
        return -EINVAL;
    uint64_t pg = PGSIZES & -PGSIZES, iova = u->iova, size = u->size;
    if (iova & (pg - 1))
        return -EINVAL;
    int all = (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) != 0;
    if (all) {
        if (iova || size)
            return -EINVAL;
        size = UINT64_MAX;
    } else if (!size || (size & (pg - 1)) || iova + size - 1 < iova) {
        return -EINVAL;
    }
    if (c->iommu == VFIO_TYPE1v2_IOMMU && !all) {
        /* v2: a range may not cut a mapping */
        struct dma *d = dma_find(c, iova, 1);
        if (d && d->iova != iova)
            return -EINVAL;
        d = dma_find(c, iova + size - 1, 1);
        if (d && d->iova + d->size != iova + size)
            return -EINVAL;
    }
    uint64_t unmapped = 0;
    for (size_t i = 0; i < c->ndma;) {
        struct dma *d = &c->dma[i];
        if (d->iova >= iova && d->iova + d->size - 1 <= iova + (size - 1)) {
            ioe_pcie_rc_dma_unmap(s->rc, d->iova, d->size);
            unmapped += d->size;
            *d = c->dma[--c->ndma];
        } else {
            i++;
        }
    }
    u->size = unmapped;
    return 0;
}

/* ------------------------------------------------------------------ the group */

static int g_status(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    struct vfio_group_status *st = arg;
    if (!ARGSZ_OK(st, struct vfio_group_status, flags))
        return -EINVAL;
    st->flags = VFIO_GROUP_FLAGS_VIABLE;
    if (s->gc)
        st->flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
    return 0;
}

static int g_set_container(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    int fd = *(const int *)arg;
    if (fd < 0 || fcntl(fd, F_GETFD) < 0)
        return -EBADF;
    if (s->gc)
        return -EINVAL;
    struct slot *c = slot_of(s, fd);
    if (!c || c->kind != FD_CONTAINER)
        return -EINVAL;
    s->gc = container_get(c->c);
    return 0;
}

static int g_unset_container(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl, (void)arg;
    if (!s->gc)
        return -EINVAL;
    if (s->devices)
        return -EBUSY;
    group_detach(s);
    return 0;
}

static int g_get_device_fd(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    if (strncmp(arg, s->bdf, sizeof(s->bdf)) != 0)
        return -ENODEV;
    if (!s->gc || !s->gc->iommu)
        return -EINVAL;
    struct slot *d;
    int err = slot_new(s, FD_DEVICE, &d);
    if (err)
        return err;
    s->devices++;
    return d->fd;
}

/* ------------------------------------------------------------------ the device */

static uint64_t region_size(struct standin *s, unsigned index)
{
    if (index == VFIO_PCI_CONFIG_REGION_INDEX)
        return CFG_SIZE;
    return index <= VFIO_PCI_BAR5_REGION_INDEX ? ioe_pcie_rc_bar_size(s->rc, index) : 0;
}

static int d_info(struct standin *s, struct slot *sl, void *arg)
{
    (void)s, (void)sl;
    struct vfio_device_info *info = arg;
    if (!ARGSZ_OK(info, struct vfio_device_info, num_irqs))
        return -EINVAL;
    info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
    info->num_regions = VFIO_PCI_NUM_REGIONS;
    info->num_irqs = VFIO_PCI_NUM_IRQS;
    return 0;
}

static int d_region_info(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    struct vfio_region_info *ri = arg;
    if (!ARGSZ_OK(ri, struct vfio_region_info, offset))
        return -EINVAL;
    unsigned i = ri->index;
    if (i == VFIO_PCI_VGA_REGION_INDEX || i >= VFIO_PCI_NUM_REGIONS)
        return -EINVAL; /* no VGA */
    ri->offset = REGION(i);
    ri->size = region_size(s, i);
    ri->flags = 0;
    ri->cap_offset = 0;
    if (!ri->size)
        return 0;
    ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    if (i == VFIO_PCI_CONFIG_REGION_INDEX)
        return 0;
    ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
    if (i != MSIX_BAR)
        return 0;
    /* the MSI-X table's BAR may be mapped whole (interrupt remapping) */
    struct vfio_info_cap_header cap = {VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, 0};
    ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
    if (ri->argsz < sizeof(*ri) + sizeof(cap)) {
        ri->argsz = sizeof(*ri) + sizeof(cap);
    } else {
        memcpy((char *)ri + sizeof(*ri), &cap, sizeof(cap));
        ri->cap_offset = sizeof(*ri);
    }
    return 0;
}

static unsigned irq_count(struct standin *s, unsigned index)
{
    switch (index) {
    case VFIO_PCI_MSIX_IRQ_INDEX: return s->nvec;
    case VFIO_PCI_ERR_IRQ_INDEX:
    case VFIO_PCI_REQ_IRQ_INDEX: return 1;
    default: return 0; /* no INTx pin, no MSI capability */
    }
}

static int d_irq_info(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    struct vfio_irq_info *ii = arg;
    if (!ARGSZ_OK(ii, struct vfio_irq_info, count) || ii->index >= VFIO_PCI_NUM_IRQS)
        return -EINVAL;
    ii->flags = VFIO_IRQ_INFO_EVENTFD;
    if (ii->index == VFIO_PCI_INTX_IRQ_INDEX)
        ii->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    else
        ii->flags |= VFIO_IRQ_INFO_NORESIZE;
    ii->count = irq_count(s, ii->index);
    return 0;
}

/* vectors [start, start+count) get fds[] (-1: none); on a failure the ones set here are
 * cleared again */
static int msix_set_block(struct standin *s, unsigned start, unsigned count, const int32_t *fds)
{
    if (start >= s->num_ctx || start + count > s->num_ctx)
        return -EINVAL;
    int err = 0;
    unsigned j = 0;
    for (; j < count && !err; j++) {
        int fd = fds[j], dup_fd = -1;
        if (fd >= 0 && !(err = check_eventfd(fd)) && (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
            err = -errno;
        if (err)
            break;
        pthread_mutex_lock(&s->irq_mu);
        if (s->trigger[start + j] >= 0)
            close(s->trigger[start + j]);
        s->trigger[start + j] = dup_fd;
        pthread_mutex_unlock(&s->irq_mu);
    }
    if (err) {
        pthread_mutex_lock(&s->irq_mu);
        for (unsigned i = 0; i < j; i++) {
            if (s->trigger[start + i] >= 0)
                close(s->trigger[start + i]);
            s->trigger[start + i] = -1;
        }
        pthread_mutex_unlock(&s->irq_mu);
    }
    int perr = msix_program(s);
    return err ? err : perr;
}

static int msix_trigger(struct standin *s, const struct vfio_irq_set *h)
{
    uint32_t data = h->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    if (s->num_ctx && !h->count && data == VFIO_IRQ_SET_DATA_NONE) {
        msix_disable(s);
        return 0;
    }
    if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
        const int32_t *fds = (const int32_t *)h->data;
        if (s->num_ctx)
            return msix_set_block(s, h->start, h->count, fds);
        pthread_mutex_lock(&s->irq_mu);
        s->num_ctx = h->start + h->count;
        pthread_mutex_unlock(&s->irq_mu);
        int err = msix_set_block(s, h->start, h->count, fds);
        if (err)
            msix_disable(s);
        return err;
    }
    if (!s->num_ctx)
        return -EINVAL;
    pthread_mutex_lock(&s->irq_mu);
    for (unsigned i = h->start; i < h->start + h->count && i < s->num_ctx; i++)
        if (s->trigger[i] >= 0 && (data == VFIO_IRQ_SET_DATA_NONE || h->data[i - h->start]))
            eventfd_write(s->trigger[i], 1);
    pthread_mutex_unlock(&s->irq_mu);
    return 0;
}

/* ERR and REQ: one eventfd each, kept until replaced or released */
static int single_trigger(int *slot, const struct vfio_irq_set *h)
{
    uint32_t data = h->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    if (h->start != 0 || h->count > 1)
        return -EINVAL;
    if (!h->count && data == VFIO_IRQ_SET_DATA_NONE) {
        if (*slot >= 0)
            close(*slot);
        *slot = -1;
        return 0;
    }
    if (data != VFIO_IRQ_SET_DATA_EVENTFD) {
        if (*slot >= 0 && (data == VFIO_IRQ_SET_DATA_NONE || h->data[0]))
            eventfd_write(*slot, 1);
        return 0;
    }
    int fd = *(const int32_t *)h->data, dup_fd = -1;
    if (fd >= 0) {
        int err = check_eventfd(fd);
        if (err)
            return err;
        if ((dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
            return -errno;
    }
    if (*slot >= 0)
        close(*slot);
    *slot = dup_fd;
    return 0;
}

static int d_set_irqs(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl;
    struct vfio_irq_set *h = arg;
    const size_t minsz = offsetof(struct vfio_irq_set, count) + sizeof(h->count);
    if (h->argsz < minsz || h->index >= VFIO_PCI_NUM_IRQS || h->count >= UINT32_MAX - h->start ||
        (h->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)))
        return -EINVAL;
    unsigned max = irq_count(s, h->index);
    if (max && h->start + h->count > max)
        return -EINVAL;
    size_t size;
    switch (h->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_NONE: size = 0; break;
    case VFIO_IRQ_SET_DATA_BOOL: size = 1; break;
    case VFIO_IRQ_SET_DATA_EVENTFD: size = sizeof(int32_t); break;
    default: return -EINVAL;
    }
    if (size && (h->argsz - minsz < h->count * size || !h->count))
        return -EINVAL;
    if ((h->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) != VFIO_IRQ_SET_ACTION_TRIGGER)
        return -ENOTTY; /* no mask/unmask of MSI-X, ERR or REQ */
    switch (h->index) {
    case VFIO_PCI_MSIX_IRQ_INDEX: return msix_trigger(s, h);
    case VFIO_PCI_ERR_IRQ_INDEX: return single_trigger(&s->err_trigger, h);
    case VFIO_PCI_REQ_IRQ_INDEX: return single_trigger(&s->req_trigger, h);
    default: return -EINVAL; /* INTx and MSI: the card has neither */
    }
}

static int d_reset(struct standin *s, struct slot *sl, void *arg)
{
    (void)sl, (void)arg;
    int err = ioe_pcie_rc_reset(s->rc);
    /* the PCI core restores the saved MSI-X state after a function reset */
    return err ? err : msix_program(s);
}

/* ------------------------------------------------------------------ dispatch */

struct req {
    unsigned long request;
    int (*fn)(struct standin *s, struct slot *sl, void *arg);
    int needs_iommu; /* container requests passed to the type1 driver */
};

static const struct req container_reqs[] = {
    {VFIO_GET_API_VERSION, c_api_version, 0}, {VFIO_CHECK_EXTENSION, c_check_extension, 0},
    {VFIO_SET_IOMMU, c_set_iommu, 0},         {VFIO_IOMMU_GET_INFO, c_iommu_info, 1},
    {VFIO_IOMMU_MAP_DMA, c_map_dma, 1},       {VFIO_IOMMU_UNMAP_DMA, c_unmap_dma, 1},
};
static const struct req group_reqs[] = {
    {VFIO_GROUP_GET_STATUS, g_status, 0},
    {VFIO_GROUP_SET_CONTAINER, g_set_container, 0},
    {VFIO_GROUP_UNSET_CONTAINER, g_unset_container, 0},
    {VFIO_GROUP_GET_DEVICE_FD, g_get_device_fd, 0},
};
static const struct req device_reqs[] = {
    {VFIO_DEVICE_GET_INFO, d_info, 0},         {VFIO_DEVICE_GET_REGION_INFO, d_region_info, 0},
    {VFIO_DEVICE_GET_IRQ_INFO, d_irq_info, 0}, {VFIO_DEVICE_SET_IRQS, d_set_irqs, 0},
    {VFIO_DEVICE_RESET, d_reset, 0},
};

static const struct {
    const struct req *reqs;
    size_t n;
} tables[] = {
    [FD_CONTAINER] = {container_reqs, sizeof(container_reqs) / sizeof(container_reqs[0])},
    [FD_GROUP] = {group_reqs, sizeof(group_reqs) / sizeof(group_reqs[0])},
    [FD_DEVICE] = {device_reqs, sizeof(device_reqs) / sizeof(device_reqs[0])},
};

static int sys_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
    struct standin *s = ctx;
    pthread_mutex_lock(&s->mu);
    struct slot *sl = slot_of(s, fd);
    int ret;
    if (!sl) {
        ret = fcntl(fd, F_GETFD) < 0 ? -EBADF : -ENOTTY;
    } else {
        const struct req *r = NULL;
        for (size_t i = 0; i < tables[sl->kind].n; i++)
            if (tables[sl->kind].reqs[i].request == request)
                r = &tables[sl->kind].reqs[i];
        if (sl->kind == FD_CONTAINER && (!r || r->needs_iommu) && !sl->c->iommu)
            ret = -EINVAL; /* no IOMMU driver to pass it to */
        else if (!r)
            ret = -ENOTTY;
        else if (!arg && request != VFIO_GET_API_VERSION && request != VFIO_CHECK_EXTENSION &&
                 request != VFIO_SET_IOMMU && request != VFIO_DEVICE_RESET &&
                 request != VFIO_GROUP_UNSET_CONTAINER)
            ret = -EFAULT;
        else
            ret = r->fn(s, sl, arg);
    }
    pthread_mutex_unlock(&s->mu);
    return ret < 0 ? fail(-ret) : ret;
}

/* ------------------------------------------------------------------ files */

static int sys_open(void *ctx, const char *path, int flags)
{
    (void)flags;
    struct standin *s = ctx;
    if (!path)
        return fail(EFAULT);
    pthread_mutex_lock(&s->mu);
    struct slot *sl = NULL;
    int err = 0;
    if (strcmp(path, "/dev/vfio/vfio") == 0) {
        struct container *c = calloc(1, sizeof(*c));
        if (!c)
            err = -ENOMEM;
        else if ((err = slot_new(s, FD_CONTAINER, &sl)))
            free(c);
        else
            sl->c = container_get(c);
    } else if (strcmp(path, s->group_path) == 0) {
        err = s->group_fd >= 0 ? -EBUSY : slot_new(s, FD_GROUP, &sl);
        if (!err)
            s->group_fd = sl->fd;
    } else {
        err = -ENOENT;
    }
    int fd = err ? -1 : sl->fd;
    pthread_mutex_unlock(&s->mu);
    return err ? fail(-err) : fd;
}

/* the group's container stays while the group or a device is open */
static void group_maybe_release(struct standin *s)
{
    if (s->group_fd < 0 && !s->devices)
        group_detach(s);
}

static void close_slot(struct standin *s, struct slot *sl)
{
    switch (sl->kind) {
    case FD_CONTAINER: container_put(s, sl->c); break;
    case FD_GROUP:
        s->group_fd = -1;
        group_maybe_release(s);
        break;
    case FD_DEVICE:
        if (--s->devices == 0) { /* vfio-pci's close: interrupts off, the function reset */
            msix_disable(s);
            ioe_pcie_rc_reset(s->rc);
            s->command = 0;
        }
        group_maybe_release(s);
        break;
    default: break;
    }
    slot_free(sl);
}

static int sys_close(void *ctx, int fd)
{
    struct standin *s = ctx;
    pthread_mutex_lock(&s->mu);
    struct slot *sl = slot_of(s, fd);
    if (sl)
        close_slot(s, sl);
    pthread_mutex_unlock(&s->mu);
    return sl ? 0 : fail(EBADF);
}

static ssize_t sys_readlink(void *ctx, const char *path, char *buf, size_t n)
{
    struct standin *s = ctx;
    char link[128];
    const char *leaf =
        path && strncmp(path, s->sys_dir, strlen(s->sys_dir)) == 0 ? path + strlen(s->sys_dir) : "";
    if (path && strcmp(path, s->sys_dir) == 0)
        snprintf(link, sizeof(link), "../../../devices/pci0000:00/0000:00:01.0/%s", s->bdf);
    else if (strcmp(leaf, "/iommu_group") == 0)
        snprintf(link, sizeof(link), "../../../../kernel/iommu_groups/%s",
                 s->group_path + strlen("/dev/vfio/"));
    else if (strcmp(leaf, "/driver") == 0)
        snprintf(link, sizeof(link), "../../../../bus/pci/drivers/vfio-pci");
    else
        return fail(ENOENT);
    size_t len = strlen(link);
    if (len > n)
        len = n;
    memcpy(buf, link, len);
    return (ssize_t)len;
}

/* ------------------------------------------------------------------ BAR access */

/* pread/pwrite on the device: BARs in whole DWs, the MSI-X table hidden as vfio-pci hides
 * it (reads all-ones, writes dropped), configuration space's Command register */
static ssize_t region_rw(struct standin *s, int fd, void *buf, size_t n, off_t off, int write)
{
    pthread_mutex_lock(&s->mu);
    struct slot *sl = slot_of(s, fd);
    pthread_mutex_unlock(&s->mu);
    if (!sl || sl->kind != FD_DEVICE)
        return fail(sl ? EINVAL : EBADF);
    uint64_t index = REGION_INDEX(off), pos = REGION_POS(off), size = region_size(s, index);
    if (off < 0 || index >= VFIO_PCI_NUM_REGIONS || pos >= size)
        return fail(EINVAL);
    if (n > size - pos)
        n = size - pos;
    if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        uint8_t *b = buf;
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < n; i++) {
            uint64_t p = pos + i;
            int cmd = p == 4 || p == 5;
            if (write && cmd)
                s->command = (uint16_t)((s->command & ~(0xffu << 8 * (p - 4))) |
                                        (unsigned)b[i] << 8 * (p - 4));
            else if (!write)
                b[i] = cmd ? (uint8_t)(s->command >> 8 * (p - 4)) : 0;
        }
        pthread_mutex_unlock(&s->mu);
        return (ssize_t)n;
    }
    if ((pos | n) & 3)
        return fail(EINVAL);
    uint64_t x0 = index == MSIX_BAR ? MSIX_TABLE : 0, x1 = x0 + MSIX_ENTRY * s->nvec;
    for (size_t i = 0; i < n; i += 4) {
        uint64_t p = pos + i;
        uint32_t dw;
        int err = 0;
        if (index == MSIX_BAR && p >= x0 && p < x1) {
            dw = UINT32_MAX;
        } else if (write) {
            memcpy(&dw, (char *)buf + i, 4);
            err = ioe_pcie_rc_bar_write(s->rc, (unsigned)index, p, &dw, 1);
        } else {
            err = ioe_pcie_rc_bar_read(s->rc, (unsigned)index, p, &dw, 1);
        }
        if (err)
            return fail(-err);
        if (!write)
            memcpy((char *)buf + i, &dw, 4);
    }
    return (ssize_t)n;
}

static ssize_t sys_pread(void *ctx, int fd, void *buf, size_t n, off_t off)
{
    return region_rw(ctx, fd, buf, n, off, 0);
}

static ssize_t sys_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
    return region_rw(ctx, fd, (void *)buf, n, off, 1);
}

static void *sys_mmap(void *ctx, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)prot;
    struct standin *s = ctx;
    pthread_mutex_lock(&s->mu);
    struct slot *sl = slot_of(s, fd);
    int err = 0;
    uint64_t index = REGION_INDEX(off), pos = REGION_POS(off);
    if (!sl)
        err = fcntl(fd, F_GETFD) < 0 ? EBADF : ENODEV;
    else if (sl->kind != FD_DEVICE)
        err = ENODEV; /* container and group files have no mmap */
    else if (!len || (off & (PAGE_SZ - 1)) || off < 0)
        err = EINVAL;
    else if (index >= VFIO_PCI_NUM_REGIONS || !(flags & MAP_SHARED))
        err = EINVAL;
    else if (index > VFIO_PCI_BAR5_REGION_INDEX || !region_size(s, index))
        err = EINVAL;
    else if (pos + ((len + PAGE_SZ - 1) & ~(PAGE_SZ - 1)) >
             ((region_size(s, index) + PAGE_SZ - 1) & ~(PAGE_SZ - 1)))
        err = EINVAL;
    struct bar_map *m = NULL;
    for (int i = 0; !err && i < MAX_MAPS && !m; i++)
        if (!s->maps[i].base)
            m = &s->maps[i];
    if (!err && !m)
        err = ENOMEM;
    void *base = MAP_FAILED;
    if (!err) {
        base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED)
            err = errno;
        else
            *m = (struct bar_map){base, len, (unsigned)index, pos};
    }
    pthread_mutex_unlock(&s->mu);
    if (err)
        errno = err;
    return base;
}

static int sys_munmap(void *ctx, void *addr, size_t len)
{
    struct standin *s = ctx;
    pthread_mutex_lock(&s->mu);
    int err = EINVAL;
    for (int i = 0; i < MAX_MAPS; i++) {
        if (s->maps[i].base && s->maps[i].base == addr && s->maps[i].len == len) {
            munmap(addr, len);
            s->maps[i] = (struct bar_map){0};
            err = 0;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return err ? fail(err) : 0;
}

/* the BAR and offset of n bytes at addr inside a mapping; -1 when none holds them */
static int map_lookup(struct standin *s, const volatile void *addr, size_t n, unsigned *bar,
                      uint64_t *off)
{
    const char *a = (const char *)(uintptr_t)addr;
    int found = -1;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < MAX_MAPS && found < 0; i++) {
        const struct bar_map *m = &s->maps[i];
        if (m->base && a >= m->base && a + n <= m->base + m->len) {
            *bar = m->bar;
            *off = m->off + (uint64_t)(a - m->base);
            found = 0;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* a read nobody answers returns all-ones, as on a real bus */
static uint32_t sys_mmio_read32(void *ctx, const volatile void *addr)
{
    unsigned bar;
    uint64_t off;
    uint32_t v = UINT32_MAX;
    if (map_lookup(ctx, addr, 4, &bar, &off) == 0 &&
        ioe_pcie_rc_bar_read(((struct standin *)ctx)->rc, bar, off, &v, 1) != 0)
        v = UINT32_MAX;
    return v;
}

static void sys_mmio_write_burst(void *ctx, volatile void *addr, const uint32_t *val, size_t n)
{
    unsigned bar;
    uint64_t off;
    if (n && map_lookup(ctx, addr, 4 * n, &bar, &off) == 0)
        ioe_pcie_rc_bar_write(((struct standin *)ctx)->rc, bar, off, val, n);
}

static void sys_mmio_write32(void *ctx, volatile void *addr, uint32_t val)
{
    sys_mmio_write_burst(ctx, addr, &val, 1);
}

/* ------------------------------------------------------------------ the table */

int ioe_vfio_standin_open(const struct ioe_vfio_standin_params *p, struct ioe_vfio_sys *out)
{
    static const struct ioe_vfio_standin_params dflt;
    if (!out)
        return -EINVAL;
    if (!p)
        p = &dflt;
    unsigned bits = p->iova_bits ? p->iova_bits : 39;
    if (bits < 32 || bits > 64)
        return -EINVAL;
    struct standin *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    int err = ioe_pcie_rc_open(&p->rc, &s->rc);
    if (err) {
        free(s);
        return err;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->irq_mu, NULL);
    for (int i = 0; i < MAX_FDS; i++)
        s->fds[i].fd = -1;
    for (int i = 0; i < MAX_VECTORS; i++)
        s->trigger[i] = -1;
    s->group_fd = s->err_trigger = s->req_trigger = -1;
    s->aperture_last = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    s->msi_hole = !p->no_msi_hole;
    s->dma_limit = p->dma_entry_limit ? p->dma_entry_limit : 65535;
    s->nvec = ioe_pcie_rc_msix_vectors(s->rc);
    if (s->nvec > MAX_VECTORS)
        s->nvec = MAX_VECTORS;
    uint16_t id = p->rc.card_id ? p->rc.card_id : 0x0100;
    snprintf(s->bdf, sizeof(s->bdf), "0000:%02x:%02x.%x", id >> 8, (id >> 3) & 0x1f, id & 7);
    snprintf(s->group_path, sizeof(s->group_path), "/dev/vfio/%u", p->group);
    snprintf(s->sys_dir, sizeof(s->sys_dir), "/sys/bus/pci/devices/%s", s->bdf);
    ioe_pcie_rc_set_msi_handler(s->rc, msi, s);
    *out = (struct ioe_vfio_sys){.name = "standin",
                                 .open = sys_open,
                                 .close = sys_close,
                                 .ioctl = sys_ioctl,
                                 .mmap = sys_mmap,
                                 .munmap = sys_munmap,
                                 .pread = sys_pread,
                                 .pwrite = sys_pwrite,
                                 .mmio_read32 = sys_mmio_read32,
                                 .mmio_write32 = sys_mmio_write32,
                                 .mmio_write_burst = sys_mmio_write_burst,
                                 .readlink = sys_readlink,
                                 .ctx = s};
    return 0;
}

void ioe_vfio_standin_close(struct ioe_vfio_sys *sys)
{
    struct standin *s = sys ? sys->ctx : NULL;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    /* devices first, then the group, then containers: the kernel's order of release */
    for (enum fd_kind k = FD_DEVICE; k >= FD_CONTAINER; k--)
        for (int i = 0; i < MAX_FDS; i++)
            if (s->fds[i].kind == k)
                close_slot(s, &s->fds[i]);
    for (int i = 0; i < MAX_MAPS; i++)
        if (s->maps[i].base)
            munmap(s->maps[i].base, s->maps[i].len);
    pthread_mutex_unlock(&s->mu);
    ioe_pcie_rc_set_msi_handler(s->rc, NULL, NULL);
    ioe_pcie_rc_close(s->rc);
    if (s->err_trigger >= 0)
        close(s->err_trigger);
    if (s->req_trigger >= 0)
        close(s->req_trigger);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->irq_mu);
    free(s);
    sys->ctx = NULL;
}

struct ioe_pcie_rc *ioe_vfio_standin_rc(const struct ioe_vfio_sys *sys)
{
    return sys && sys->ctx ? ((struct standin *)sys->ctx)->rc : NULL;
}

const char *ioe_vfio_standin_bdf(const struct ioe_vfio_sys *sys)
{
    return sys && sys->ctx ? ((struct standin *)sys->ctx)->bdf : NULL;
}
