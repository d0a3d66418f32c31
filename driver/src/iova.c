/*
 * The DMA window (docs/architecture.md, "The DMA window"): where the card reaches guest
 * memory. The engines address it as {VM context, guest-physical}; the card's segment table
 * (block dma) turns that into the IOVA at which libioe mapped the memory slot. libioe hands
 * out IOVA from the transport's usable ranges, lowest address first; a slot that crosses
 * the end of a range (a hole, the aperture's top) continues at the start of the next one,
 * one segment per piece. A card without a segment table (NrDmaSegs 0) is reached at
 * ctx << 48 | GPA, the card-internal address itself.
 */
#include <errno.h>
#include <string.h>

#include <ioe/regs.h>

#include "internal.h"

#define PAGE_SZ 4096u
#define GPA_LIMIT (1ull << 48) /* the card's guest-physical addresses are 48 bits */
#define IOVA_VM_SHIFT 48       /* no segment table: card-internal = DMA address */
#define CLEAR_OPS (2 * DMA_WIN_SEGS + 1)

struct piece {
    uint64_t iova, len;
};

/* ------------------------------------------------------------------ the card's table */
static int seg_program(struct sys *s, unsigned i, const struct dma_seg *g)
{
    struct ioe_csr_op ops[11];
    size_t n = 0;
#define W(reg, v) ops[n++] = (struct ioe_csr_op){.kind = IOE_CSR_WRITE, .addr = (reg), .val = (v)}
    W(IOE_DMA_SEG_INDEX, i);
    if (g) {
        W(IOE_DMA_SEG_VM, g->ctx);
        W(IOE_DMA_SEG_GPA_LO, (uint32_t)g->gpa);
        W(IOE_DMA_SEG_GPA_HI, (uint32_t)(g->gpa >> 32));
        W(IOE_DMA_SEG_SIZE_LO, (uint32_t)g->size);
        W(IOE_DMA_SEG_SIZE_HI, (uint32_t)(g->size >> 32));
        W(IOE_DMA_SEG_IOVA_LO, (uint32_t)g->iova);
        W(IOE_DMA_SEG_IOVA_HI, (uint32_t)(g->iova >> 32));
    }
    W(IOE_DMA_SEG_CMD, g ? 1u << IOE_DMA_SEG_CMD_SET_SHIFT : 1u << IOE_DMA_SEG_CMD_CLEAR_SHIFT);
#undef W
    ops[n++] = (struct ioe_csr_op){.kind = IOE_CSR_READ, .addr = IOE_DMA_SEG_VALID};
    int err = ioe_card_batch(s->card, ops, n);
    if (err)
        return err;
    bool valid = ops[n - 1].val >> i & 1;
    return valid == (g != NULL) ? 0 : -EIO; /* the card did not take the entry */
}

int dma_win_init(struct sys *s)
{
    struct dma_window *w = &s->dma;
    memset(w, 0, sizeof(*w));
    w->nr_segs = s->info.dma_segs < DMA_WIN_SEGS ? s->info.dma_segs : DMA_WIN_SEGS;
    if (w->nr_segs) {
        struct ioe_iova_range r[DMA_WIN_RANGES];
        int n = ioe_card_iova_ranges(s->card, r, DMA_WIN_RANGES);
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++) { /* whole pages only */
            uint64_t start = (r[i].start + PAGE_SZ - 1) & ~(uint64_t)(PAGE_SZ - 1);
            uint64_t end = (r[i].last & ~(uint64_t)(PAGE_SZ - 1)) + (PAGE_SZ - 1);
            if (start >= r[i].start && start < end && end <= r[i].last)
                w->ranges[w->nr_ranges++] = (struct ioe_iova_range){start, end};
        }
        /* whatever an earlier user left: every entry invalid, then translate */
        struct ioe_csr_op ops[CLEAR_OPS];
        size_t k = 0;
        for (unsigned i = 0; i < w->nr_segs; i++) {
            ops[k++] =
                (struct ioe_csr_op){.kind = IOE_CSR_WRITE, .addr = IOE_DMA_SEG_INDEX, .val = i};
            ops[k++] = (struct ioe_csr_op){.kind = IOE_CSR_WRITE,
                                           .addr = IOE_DMA_SEG_CMD,
                                           .val = 1u << IOE_DMA_SEG_CMD_CLEAR_SHIFT};
        }
        ops[k++] = (struct ioe_csr_op){
            .kind = IOE_CSR_WRITE, .addr = IOE_DMA_CTRL, .val = 1u << IOE_DMA_CTRL_EN_SHIFT};
        int err = ioe_card_batch(s->card, ops, k);
        if (err)
            return err;
    }
    w->ready = true;
    return 0;
}

/* ------------------------------------------------------------------ IOVA allocation */
static bool iova_busy(const struct dma_window *w, uint64_t iova, uint64_t len)
{
    for (unsigned i = 0; i < w->nr_segs; i++) {
        const struct dma_seg *g = &w->seg[i];
        if (g->used && iova <= g->iova + (g->size - 1) && g->iova <= iova + (len - 1))
            return true;
    }
    return false;
}

/* Lay size bytes out from pos in range r onwards, continuing at the start of the next
 * range at each range's end: the pieces (at most max), -EBUSY when one would overlap an
 * allocation, -ENOSPC when more than max pieces are needed, -ENOMEM past the last range. */
static int layout(const struct dma_window *w, unsigned r, uint64_t pos, uint64_t size,
                  struct piece *p, unsigned max)
{
    unsigned k = 0;
    for (; size; r++) {
        if (r == w->nr_ranges)
            return -ENOMEM;
        if (k == max)
            return -ENOSPC;
        if (k)
            pos = w->ranges[r].start;
        uint64_t room = w->ranges[r].last - pos; /* bytes - 1 */
        uint64_t len = size - 1 <= room ? size : room + 1;
        if (iova_busy(w, pos, len))
            return -EBUSY;
        p[k++] = (struct piece){pos, len};
        size -= len;
    }
    return (int)k;
}

/* The lowest layout of size bytes: its piece count, or -ENOSPC (the free entries of the
 * segment table are too few for every layout that fits) or -ENOMEM (no room). */
static int iova_alloc(const struct dma_window *w, uint64_t size, struct piece *p, unsigned max)
{
    int err = -ENOMEM;
    for (unsigned r = 0; r < w->nr_ranges; r++) {
        struct piece tmp[DMA_WIN_SEGS];
        int found = 0;
        /* candidates in r: its start and the end of every allocation inside it */
        for (unsigned c = 0; c <= w->nr_segs; c++) {
            uint64_t pos = w->ranges[r].start;
            if (c < w->nr_segs) {
                const struct dma_seg *g = &w->seg[c];
                if (!g->used || g->iova + (g->size - 1) >= w->ranges[r].last ||
                    g->iova + g->size < pos)
                    continue;
                pos = g->iova + g->size;
            }
            if (found && pos >= p[0].iova)
                continue;
            int n = layout(w, r, pos, size, tmp, max);
            if (n > 0) {
                memcpy(p, tmp, (size_t)n * sizeof(*p));
                found = n;
            } else if (n == -ENOSPC) {
                err = -ENOSPC;
            }
        }
        if (found)
            return found;
    }
    return err;
}

/* ------------------------------------------------------------------ memory slots */
static void slot_release(struct vm *vm, unsigned slot)
{
    struct sys *s = vm->sys;
    for (unsigned i = 0; i < s->dma.nr_segs; i++) {
        struct dma_seg *g = &s->dma.seg[i];
        if (!g->used || g->ctx != vm->ctx || g->slot != slot)
            continue;
        seg_program(s, i, NULL); /* the card stops reaching it before the host unmaps */
        ioe_card_dma_unmap(s->card, g->iova, g->size);
        g->used = false;
    }
}

int dma_win_map(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size, uint64_t hva)
{
    struct sys *s = vm->sys;
    struct dma_window *w = &s->dma;
    void *p = (void *)(uintptr_t)hva;
    if (!w->nr_segs)
        return ioe_card_dma_map(s->card, (uint64_t)vm->ctx << IOVA_VM_SHIFT | gpa, p, size);
    if (gpa >= GPA_LIMIT)
        return 0; /* beyond what the card's engines address */
    if (size > GPA_LIMIT - gpa)
        size = GPA_LIMIT - gpa;
    /* one translation per guest address: a range another slot of the VM (or libioe's own
     * pages in its DMA space, such as XICS's queues) holds is refused, as the host's map
     * refuses an overlap when there is no table */
    for (unsigned i = 0; i < w->nr_segs; i++) {
        const struct dma_seg *g = &w->seg[i];
        if (g->used && g->ctx == vm->ctx && g->slot != slot && gpa < g->gpa + g->size &&
            g->gpa < gpa + size)
            return -EEXIST;
    }
    unsigned free_segs = 0;
    for (unsigned i = 0; i < w->nr_segs; i++)
        free_segs += !w->seg[i].used;
    struct piece pc[DMA_WIN_SEGS];
    int n = iova_alloc(w, size, pc, free_segs);
    if (n < 0)
        return n;
    uint64_t off = 0;
    unsigned e = 0;
    for (int k = 0; k < n; k++) {
        while (w->seg[e].used)
            e++;
        struct dma_seg *g = &w->seg[e];
        *g = (struct dma_seg){true, vm->ctx, slot, gpa + off, pc[k].len, pc[k].iova};
        int err = ioe_card_dma_map(s->card, pc[k].iova, (uint8_t *)p + off, pc[k].len);
        if (!err && (err = seg_program(s, e, g)))
            ioe_card_dma_unmap(s->card, pc[k].iova, pc[k].len);
        if (err) {
            g->used = false;
            slot_release(vm, slot);
            return err;
        }
        off += pc[k].len;
    }
    return 0;
}

void dma_win_unmap(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size)
{
    if (!vm->sys->dma.nr_segs)
        ioe_card_dma_unmap(vm->sys->card, (uint64_t)vm->ctx << IOVA_VM_SHIFT | gpa, size);
    else
        slot_release(vm, slot);
}
