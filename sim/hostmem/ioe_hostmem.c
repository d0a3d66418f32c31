/* Host-memory model: see ioe_hostmem.h. */
#include "ioe_hostmem.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct region {
    uint64_t iova, size;
    uint8_t *hva;
};

struct inflight {
    uint64_t due;
    bool passable; /* later responses may pass it (a reordered or lost response) */
    struct ioe_dma_rsp rsp;
};

struct ioe_hostmem {
    struct region *regions;
    size_t nr_regions, cap_regions;
    unsigned latency, max_outstanding;
    struct inflight *ring; /* max_outstanding entries, FIFO */
    unsigned head, count;
    struct ioe_hostmem_stats stats;
    ioe_hostmem_remote_fn remote; /* NULL: the regions */
    void *remote_ctx;
    uint64_t last;                                        /* aperture: [0, last] */
    struct ioe_iova_range holes[IOE_CARD_MAX_IOVA_HOLES]; /* ascending */
    size_t nr_holes;
    struct ioe_hostmem_fault faults[IOE_HOSTMEM_MAX_FAULTS];
    size_t nr_faults;
    struct ioe_hostmem *older; /* the list of live models, newest first */
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ioe_hostmem *live;

struct ioe_hostmem *ioe_hostmem_newest(void)
{
    pthread_mutex_lock(&live_lock);
    struct ioe_hostmem *hm = live;
    pthread_mutex_unlock(&live_lock);
    return hm;
}

struct ioe_hostmem *ioe_hostmem_create(unsigned latency, unsigned max_outstanding)
{
    if (max_outstanding == 0)
        return NULL;
    struct ioe_hostmem *hm = calloc(1, sizeof(*hm));
    if (!hm)
        return NULL;
    hm->ring = calloc(max_outstanding, sizeof(*hm->ring));
    if (!hm->ring) {
        free(hm);
        return NULL;
    }
    hm->latency = latency;
    hm->max_outstanding = max_outstanding;
    hm->last = UINT64_MAX;
    pthread_mutex_lock(&live_lock);
    hm->older = live;
    live = hm;
    pthread_mutex_unlock(&live_lock);
    return hm;
}

void ioe_hostmem_destroy(struct ioe_hostmem *hm)
{
    if (!hm)
        return;
    pthread_mutex_lock(&live_lock);
    struct ioe_hostmem **p = &live;
    while (*p != hm)
        p = &(*p)->older;
    *p = hm->older;
    pthread_mutex_unlock(&live_lock);
    free(hm->regions);
    free(hm->ring);
    free(hm);
}

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
    return a < b + bsz && b < a + asz;
}

int ioe_hostmem_set_aperture(struct ioe_hostmem *hm, unsigned bits,
                             const struct ioe_iova_range *holes, size_t n)
{
    if (bits < 12 || bits > 64 || n > IOE_CARD_MAX_IOVA_HOLES)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (holes[i].start > holes[i].last)
            return -EINVAL;
    hm->last = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    hm->nr_holes = 0;
    for (size_t i = 0; i < n; i++) { /* insertion sort by start */
        size_t j = hm->nr_holes++;
        for (; j > 0 && hm->holes[j - 1].start > holes[i].start; j--)
            hm->holes[j] = hm->holes[j - 1];
        hm->holes[j] = holes[i];
    }
    return 0;
}

size_t ioe_hostmem_ranges(const struct ioe_hostmem *hm, struct ioe_iova_range *out, size_t max)
{
    size_t n = 0;
    uint64_t pos = 0; /* the lowest address not yet in a range or a hole */
    for (size_t i = 0; i < hm->nr_holes && hm->holes[i].start <= hm->last; i++) {
        const struct ioe_iova_range *h = &hm->holes[i];
        if (h->start > pos && n < max)
            out[n++] = (struct ioe_iova_range){pos, h->start - 1};
        if (h->last >= hm->last)
            return n; /* the hole reaches the top of the aperture */
        if (h->last + 1 > pos)
            pos = h->last + 1;
    }
    if (n < max)
        out[n++] = (struct ioe_iova_range){pos, hm->last};
    return n;
}

/* Is [iova, iova + size) inside the aperture and clear of every hole? */
static bool in_aperture(const struct ioe_hostmem *hm, uint64_t iova, uint64_t size)
{
    uint64_t last = iova + size - 1;
    if (last > hm->last)
        return false;
    for (size_t i = 0; i < hm->nr_holes; i++)
        if (iova <= hm->holes[i].last && hm->holes[i].start <= last)
            return false;
    return true;
}

int ioe_hostmem_map(struct ioe_hostmem *hm, uint64_t iova, void *hva, uint64_t size)
{
    if (!hva || size == 0 || iova + size < iova || !in_aperture(hm, iova, size))
        return -EINVAL;
    for (size_t i = 0; i < hm->nr_regions; i++)
        if (overlaps(iova, size, hm->regions[i].iova, hm->regions[i].size))
            return -EEXIST;
    if (hm->nr_regions == hm->cap_regions) {
        size_t cap = hm->cap_regions ? hm->cap_regions * 2 : 8;
        struct region *r = realloc(hm->regions, cap * sizeof(*r));
        if (!r)
            return -ENOMEM;
        hm->regions = r;
        hm->cap_regions = cap;
    }
    hm->regions[hm->nr_regions++] = (struct region){iova, size, hva};
    return 0;
}

int ioe_hostmem_unmap(struct ioe_hostmem *hm, uint64_t iova, uint64_t size)
{
    for (size_t i = 0; i < hm->nr_regions; i++) {
        if (hm->regions[i].iova == iova && hm->regions[i].size == size) {
            hm->regions[i] = hm->regions[--hm->nr_regions];
            return 0;
        }
    }
    return -ENOENT;
}

int ioe_hostmem_add_fault(struct ioe_hostmem *hm, const struct ioe_hostmem_fault *f)
{
    if (f->start > f->last || !(f->dirs & (IOE_HOSTMEM_READS | IOE_HOSTMEM_WRITES)) ||
        f->kind > IOE_HOSTMEM_FAULT_REORDER)
        return -EINVAL;
    if (hm->nr_faults == IOE_HOSTMEM_MAX_FAULTS)
        return -ENOSPC;
    hm->faults[hm->nr_faults++] = *f;
    return 0;
}

void ioe_hostmem_clear_faults(struct ioe_hostmem *hm)
{
    hm->nr_faults = 0;
}

/* The first fault on an access of [iova, iova + len) in direction `write`, or NULL */
static const struct ioe_hostmem_fault *fault_of(const struct ioe_hostmem *hm, bool write,
                                                uint64_t iova, size_t len)
{
    unsigned dir = write ? IOE_HOSTMEM_WRITES : IOE_HOSTMEM_READS;
    for (size_t i = 0; i < hm->nr_faults; i++) {
        const struct ioe_hostmem_fault *f = &hm->faults[i];
        if ((f->dirs & dir) && len && iova <= f->last && f->start <= iova + (len - 1))
            return f;
    }
    return NULL;
}

/* A functional access the faults make fail (an error, or a completion that never comes) */
static bool fails(struct ioe_hostmem *hm, bool write, uint64_t iova, size_t len)
{
    const struct ioe_hostmem_fault *f = fault_of(hm, write, iova, len);
    if (!f || (f->kind != IOE_HOSTMEM_FAULT_ERROR && f->kind != IOE_HOSTMEM_FAULT_TIMEOUT))
        return false;
    hm->stats.faulted++;
    return true;
}

int ioe_hostmem_iova_of(const struct ioe_hostmem *hm, const void *hva, uint64_t *iova)
{
    const uint8_t *p = hva;
    for (size_t i = 0; i < hm->nr_regions; i++) {
        const struct region *r = &hm->regions[i];
        if (p >= r->hva && (uint64_t)(p - r->hva) < r->size) {
            *iova = r->iova + (uint64_t)(p - r->hva);
            return 0;
        }
    }
    return -ENOENT;
}

/* Host pointer for [iova, iova+len) if one region holds all of it. */
static uint8_t *lookup(struct ioe_hostmem *hm, uint64_t iova, size_t len)
{
    for (size_t i = 0; i < hm->nr_regions; i++) {
        const struct region *r = &hm->regions[i];
        if (iova >= r->iova && iova - r->iova < r->size && len <= r->size - (iova - r->iova))
            return r->hva + (iova - r->iova);
    }
    return NULL;
}

void ioe_hostmem_set_remote(struct ioe_hostmem *hm, ioe_hostmem_remote_fn beat, void *ctx)
{
    hm->remote = beat;
    hm->remote_ctx = ctx;
}

/* A functional access through the remote beat function, one aligned 8-byte word at a
 * time. */
static int remote_access(struct ioe_hostmem *hm, bool write, uint64_t iova, uint8_t *buf,
                         size_t len)
{
    while (len) {
        uint64_t word = iova & ~(uint64_t)7, data = 0;
        unsigned off = (unsigned)(iova & 7), n = 8 - off < len ? 8 - off : (unsigned)len;
        uint8_t strb = 0;
        for (unsigned i = 0; i < n; i++) {
            if (write)
                data |= (uint64_t)buf[i] << (8 * (off + i));
            strb |= (uint8_t)(1u << (off + i));
        }
        if (hm->remote(hm->remote_ctx, write, word, &data, strb))
            return -EFAULT;
        if (!write)
            for (unsigned i = 0; i < n; i++)
                buf[i] = (uint8_t)(data >> (8 * (off + i)));
        iova += n;
        buf += n;
        len -= n;
    }
    return 0;
}

int ioe_hostmem_read(struct ioe_hostmem *hm, uint64_t iova, void *buf, size_t len)
{
    if (fails(hm, false, iova, len))
        return -EFAULT;
    if (hm->remote)
        return remote_access(hm, false, iova, buf, len);
    uint8_t *p = lookup(hm, iova, len);
    if (!p)
        return -EFAULT;
    memcpy(buf, p, len);
    return 0;
}

int ioe_hostmem_write(struct ioe_hostmem *hm, uint64_t iova, const void *buf, size_t len)
{
    if (fails(hm, true, iova, len))
        return -EFAULT;
    if (hm->remote)
        return remote_access(hm, true, iova, (uint8_t *)buf, len);
    uint8_t *p = lookup(hm, iova, len);
    if (!p)
        return -EFAULT;
    memcpy(p, buf, len);
    return 0;
}

struct ioe_dma_rsp ioe_hostmem_beat(struct ioe_hostmem *hm, const struct ioe_dma_req *req)
{
    struct ioe_dma_rsp rsp = {.tag = req->tag};
    if (fails(hm, req->write, req->addr, 8)) {
        rsp.err = true;
        hm->stats.errors++;
        return rsp;
    }
    if (hm->remote) {
        uint64_t data = req->wdata;
        rsp.err = (req->addr & 7) ||
                  hm->remote(hm->remote_ctx, req->write, req->addr, &data, req->wstrb) != 0;
        rsp.rdata = req->write || rsp.err ? 0 : data;
        if (rsp.err)
            hm->stats.errors++;
        else if (req->write)
            hm->stats.writes++;
        else
            hm->stats.reads++;
        return rsp;
    }
    uint8_t *p = (req->addr & 7) ? NULL : lookup(hm, req->addr, 8);
    if (!p) {
        rsp.err = true;
        hm->stats.errors++;
        return rsp;
    }
    if (req->write) {
        for (unsigned i = 0; i < 8; i++)
            if (req->wstrb & (1u << i))
                p[i] = (uint8_t)(req->wdata >> (8 * i));
        hm->stats.writes++;
    } else {
        for (unsigned i = 0; i < 8; i++)
            rsp.rdata |= (uint64_t)p[i] << (8 * i);
        hm->stats.reads++;
    }
    return rsp;
}

bool ioe_hostmem_can_accept(const struct ioe_hostmem *hm)
{
    return hm->count < hm->max_outstanding;
}

void ioe_hostmem_submit(struct ioe_hostmem *hm, const struct ioe_dma_req *req, uint64_t now)
{
    if (!ioe_hostmem_can_accept(hm))
        return; /* the port's ready was low: the card did not hand over a request */
    struct inflight *f = &hm->ring[(hm->head + hm->count) % hm->max_outstanding];
    const struct ioe_hostmem_fault *fault = fault_of(hm, req->write, req->addr, 8);
    f->due = now + hm->latency;
    f->passable = false;
    f->rsp = ioe_hostmem_beat(hm, req);
    hm->count++;
    if (!fault || fault->kind == IOE_HOSTMEM_FAULT_ERROR)
        return; /* beat counted it */
    if (fault->kind != IOE_HOSTMEM_FAULT_TIMEOUT)
        hm->stats.faulted++;
    f->due += fault->delay;
    f->passable = fault->kind != IOE_HOSTMEM_FAULT_LATE;
    if (fault->kind == IOE_HOSTMEM_FAULT_TIMEOUT)
        f->due = UINT64_MAX;
}

/* Responses come in order, except that one a fault holds back (passable) lets the later
 * ones pass. */
int ioe_hostmem_poll(struct ioe_hostmem *hm, uint64_t now, struct ioe_dma_rsp *rsp)
{
    for (unsigned i = 0; i < hm->count; i++) {
        struct inflight *f = &hm->ring[(hm->head + i) % hm->max_outstanding];
        if (f->due > now && f->passable)
            continue;
        if (f->due > now)
            return 0;
        *rsp = f->rsp;
        for (unsigned j = i; j > 0; j--) /* close the gap from the head's side */
            hm->ring[(hm->head + j) % hm->max_outstanding] =
                hm->ring[(hm->head + j - 1) % hm->max_outstanding];
        hm->head = (hm->head + 1) % hm->max_outstanding;
        hm->count--;
        return 1;
    }
    return 0;
}

void ioe_hostmem_flush(struct ioe_hostmem *hm)
{
    hm->head = 0;
    hm->count = 0;
}

unsigned ioe_hostmem_latency(const struct ioe_hostmem *hm)
{
    return hm->latency;
}

void ioe_hostmem_get_stats(const struct ioe_hostmem *hm, struct ioe_hostmem_stats *st)
{
    *st = hm->stats;
}
