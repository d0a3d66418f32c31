/* The C model's DMA window: see ioe_dma_xlate.h and rtl/src/ioe_dma_xlate.sv. */
#include "ioe_dma_xlate.h"
#include "ioe_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#define NR_SEGS IOE_PARAM_NR_DMA_SEGS_DEFAULT
#define PFN_BITS 36 /* guest-physical page number: address [47:12] */
#define OFF_MASK ((1ull << 52) - 1)
#define NR_STAGING ((IOE_DMA_SEG_IOVA_HI - IOE_DMA_BASE) / 4 + 1) /* CTRL .. SEG_IOVA_HI */
_Static_assert(IOE_DMA_SEG_VALID > IOE_DMA_SEG_IOVA_HI, "rw registers first in block dma");

struct seg {
    bool valid;
    uint16_t vm;
    uint64_t base, last; /* guest-physical pages, inclusive */
    uint64_t off;        /* IOVA page - guest-physical page, modulo 2^52 */
};

struct ioe_dma_xlate {
    struct ioe_hostmem *mem;
    uint32_t reg[NR_STAGING]; /* rw registers by offset / 4 (SEG_CMD's stays 0) */
    struct seg seg[NR_SEGS];
    uint32_t faults;
    uint64_t fault_addr;
};

struct ioe_dma_xlate *ioe_dma_xlate_create(struct ioe_hostmem *mem)
{
    struct ioe_dma_xlate *x = calloc(1, sizeof(*x));
    if (x)
        x->mem = mem;
    return x;
}

void ioe_dma_xlate_destroy(struct ioe_dma_xlate *x)
{
    free(x);
}

void ioe_dma_xlate_reset(struct ioe_dma_xlate *x)
{
    struct ioe_hostmem *mem = x->mem;
    memset(x, 0, sizeof(*x));
    x->mem = mem;
}

static uint32_t reg(const struct ioe_dma_xlate *x, uint32_t addr)
{
    return x->reg[(addr - IOE_DMA_BASE) / 4];
}

/* SEG_CMD: SET loads entry SEG_INDEX from the staging registers, CLEAR invalidates it */
static void seg_cmd(struct ioe_dma_xlate *x, uint32_t cmd)
{
    bool set = cmd >> IOE_DMA_SEG_CMD_SET_SHIFT & 1, clear = cmd >> IOE_DMA_SEG_CMD_CLEAR_SHIFT & 1;
    uint32_t i = reg(x, IOE_DMA_SEG_INDEX);
    if ((!set && !clear) || i >= NR_SEGS)
        return;
    struct seg *s = &x->seg[i];
    if (!set) {
        s->valid = false;
        return;
    }
    uint64_t base = (uint64_t)reg(x, IOE_DMA_SEG_GPA_HI) << 20 | reg(x, IOE_DMA_SEG_GPA_LO) >> 12;
    uint64_t size = (uint64_t)reg(x, IOE_DMA_SEG_SIZE_HI) << 20 | reg(x, IOE_DMA_SEG_SIZE_LO) >> 12;
    uint64_t iova = (uint64_t)reg(x, IOE_DMA_SEG_IOVA_HI) << 20 | reg(x, IOE_DMA_SEG_IOVA_LO) >> 12;
    s->valid = size && base + size <= 1ull << PFN_BITS;
    s->vm = (uint16_t)reg(x, IOE_DMA_SEG_VM);
    s->base = base;
    s->last = (base + size - 1) & ((1ull << PFN_BITS) - 1);
    s->off = (iova - base) & OFF_MASK;
}

uint32_t ioe_dma_xlate_csr_read(struct ioe_dma_xlate *x, uint32_t off)
{
    uint32_t addr = IOE_DMA_BASE + off, v = 0;
    if (addr <= IOE_DMA_SEG_IOVA_HI)
        return reg(x, addr);
    switch (addr) {
    case IOE_DMA_SEG_VALID:
        for (unsigned i = 0; i < NR_SEGS && i < 32; i++)
            v |= (uint32_t)x->seg[i].valid << i;
        return v;
    case IOE_DMA_FAULTS: return x->faults;
    case IOE_DMA_FAULT_ADDR_LO: return (uint32_t)x->fault_addr;
    case IOE_DMA_FAULT_ADDR_HI: return (uint32_t)(x->fault_addr >> 32);
    default: return 0; /* SEG_CMD reads 0 */
    }
}

void ioe_dma_xlate_csr_write(struct ioe_dma_xlate *x, uint32_t off, uint32_t val)
{
    uint32_t addr = IOE_DMA_BASE + off;
    if (addr == IOE_DMA_SEG_CMD)
        seg_cmd(x, val);
    else if (addr <= IOE_DMA_SEG_IOVA_HI)
        x->reg[off / 4] = val & ioe_reg_wmask(addr);
}

/* The IOVA of card-internal address addr, as the RTL's stage: 0, or -EFAULT (a fault). */
static int xlate(struct ioe_dma_xlate *x, uint64_t addr, uint64_t *iova)
{
    if (!(reg(x, IOE_DMA_CTRL) >> IOE_DMA_CTRL_EN_SHIFT & IOE_DMA_CTRL_EN_MASK)) {
        *iova = addr;
        return 0;
    }
    uint64_t pfn = addr >> 12 & ((1ull << PFN_BITS) - 1);
    for (unsigned i = 0; i < NR_SEGS; i++) {
        const struct seg *s = &x->seg[i];
        if (s->valid && s->vm == addr >> 48 && pfn >= s->base && pfn <= s->last) {
            *iova = ((pfn + s->off) & OFF_MASK) << 12 | (addr & 0xfff);
            return 0;
        }
    }
    x->faults++;
    x->fault_addr = addr & ~7ull;
    return -EFAULT;
}

int ioe_dma_xlate_read(struct ioe_dma_xlate *x, uint64_t addr, void *buf, size_t len)
{
    uint64_t iova;
    return xlate(x, addr, &iova) ? -EFAULT : ioe_hostmem_read(x->mem, iova, buf, len);
}

int ioe_dma_xlate_write(struct ioe_dma_xlate *x, uint64_t addr, const void *buf, size_t len)
{
    uint64_t iova;
    return xlate(x, addr, &iova) ? -EFAULT : ioe_hostmem_write(x->mem, iova, buf, len);
}

struct ioe_dma_rsp ioe_dma_xlate_beat(struct ioe_dma_xlate *x, const struct ioe_dma_req *req)
{
    struct ioe_dma_req r = *req;
    if (xlate(x, req->addr, &r.addr))
        return (struct ioe_dma_rsp){.tag = req->tag, .err = true};
    return ioe_hostmem_beat(x->mem, &r);
}
