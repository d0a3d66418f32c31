/*
 * C reference model of the ioe card (see ioe_model.h). Register semantics follow
 * rtl/regmap/ioe.toml; the generated <ioe/regs.h> gives the addresses and fields.
 */
#include "ioe_model.h"

#include "ioe_dma_xlate.h"
#include "ioe_gic.h"
#include "ioe_fw_image.h"
#include "ioe_its.h"
#include "ioe_mgmt.h"
#include "ioe_xive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#define NOTIFY_CHUNK 64

struct ioe_model {
    struct ioe_hostmem *mem;
    struct ioe_gic *gic;
    struct ioe_its *its;
    struct ioe_xive *xive;
    struct ioe_dma_xlate *dma;
    struct ioe_mgmt *mgmt;
    uint64_t cycle;
    /* core block */
    uint32_t scratch, cycle_hi;
    uint32_t msi_count, msi_devid, msi_addr_lo, msi_addr_hi, msi_data;
    uint32_t wired;
    uint32_t notify_count;
    uint32_t dma_addr_lo, dma_addr_hi, dma_wdata_lo, dma_wdata_hi;
    uint32_t dma_status;
    uint64_t dma_rdata;
    /* notification stream as the host receives it */
    struct ioe_notification *notes;
    size_t nr_notes, cap_notes;
};

static int push_note(struct ioe_model *m, uint32_t vm, uint32_t vcpu, uint32_t src);

static void gic_notify(void *ctx, unsigned vm, unsigned vcpu)
{
    push_note(ctx, vm, vcpu, IOE_NOTIFY_SRC_GIC);
}

static void engine_notify(void *ctx, unsigned vm, unsigned vcpu, unsigned src)
{
    push_note(ctx, vm, vcpu, src);
}

static void mgmt_notify(void *ctx)
{
    push_note(ctx, 0, 0, IOE_NOTIFY_SRC_MGMT);
}

static int read32(struct ioe_model *m, uint32_t addr, uint32_t *val);
static int write32(struct ioe_model *m, uint32_t addr, uint32_t val);

/* the management core's accesses to the register bus */
static int mgmt_bus_read(void *ctx, uint32_t addr, uint32_t *val)
{
    return read32(ctx, addr, val);
}

static int mgmt_bus_write(void *ctx, uint32_t addr, uint32_t val)
{
    return write32(ctx, addr, val);
}

int ioe_model_open(const struct ioe_simcard_config *cfg, struct ioe_model **out)
{
    if (!cfg || !cfg->mem)
        return -EINVAL;
    struct ioe_model *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->mem = cfg->mem;
    m->gic = ioe_gic_create(gic_notify, m);
    m->dma = ioe_dma_xlate_create(m->mem);
    struct ioe_engine_env env = {m->dma, &m->cycle, engine_notify, m};
    m->its = m->gic ? ioe_its_create(&env, m->gic) : NULL;
    m->xive = ioe_xive_create(&env);
    m->mgmt = ioe_mgmt_create((struct ioe_rv32_bus){mgmt_bus_read, mgmt_bus_write, m}, mgmt_notify,
                              m, &m->cycle);
    if (!m->gic || !m->its || !m->xive || !m->dma || !m->mgmt) {
        ioe_mgmt_destroy(m->mgmt);
        ioe_dma_xlate_destroy(m->dma);
        ioe_gic_destroy(m->gic);
        ioe_its_destroy(m->its);
        ioe_xive_destroy(m->xive);
        free(m);
        return -ENOMEM;
    }
    ioe_mgmt_set_image(m->mgmt, ioe_fw_image, (uint32_t)ioe_fw_image_words);
    ioe_model_reset(m);
    *out = m;
    return 0;
}

void ioe_model_close(struct ioe_model *m)
{
    if (!m)
        return;
    ioe_gic_destroy(m->gic);
    ioe_its_destroy(m->its);
    ioe_xive_destroy(m->xive);
    ioe_dma_xlate_destroy(m->dma);
    ioe_mgmt_destroy(m->mgmt);
    free(m->notes);
    free(m);
}

void ioe_model_reset(struct ioe_model *m)
{
    struct ioe_hostmem *mem = m->mem;
    struct ioe_gic *gic = m->gic;
    struct ioe_its *its = m->its;
    struct ioe_xive *xive = m->xive;
    struct ioe_dma_xlate *dma = m->dma;
    struct ioe_mgmt *mgmt = m->mgmt;
    struct ioe_notification *notes = m->notes;
    size_t cap = m->cap_notes;
    memset(m, 0, sizeof(*m));
    m->mem = mem;
    m->gic = gic;
    m->its = its;
    m->xive = xive;
    m->dma = dma;
    m->mgmt = mgmt;
    m->notes = notes;
    m->cap_notes = cap;
    m->scratch = IOE_CORE_SCRATCH_RESET;
    ioe_gic_reset(gic);
    ioe_its_reset(its);
    ioe_xive_reset(xive);
    ioe_dma_xlate_reset(dma);
    ioe_mgmt_reset(mgmt);
}

void ioe_model_step(struct ioe_model *m, uint64_t cycles)
{
    while (cycles--) {
        m->cycle++;
        ioe_mgmt_tick(m->mgmt); /* the management core: one instruction per cycle */
    }
}

uint64_t ioe_model_cycles(const struct ioe_model *m)
{
    return m->cycle;
}

static uint32_t param_regs(uint32_t addr)
{
    switch (addr) {
    case IOE_CORE_PARAM_CTX: return IOE_CORE_PARAM_CTX_RESET;
    case IOE_CORE_PARAM_GIC: return IOE_CORE_PARAM_GIC_RESET;
    case IOE_CORE_PARAM_ITS: return IOE_CORE_PARAM_ITS_RESET;
    case IOE_CORE_PARAM_DMA: return IOE_CORE_PARAM_DMA_RESET;
    case IOE_CORE_PARAM_MGMT: return IOE_CORE_PARAM_MGMT_RESET;
    default: return IOE_CORE_PARAM_XIVE_RESET;
    }
}

/* Is addr a register of the map? */
static bool defined(uint32_t addr)
{
#define X(blk, name, a, acc, rst, wm, fl) case a:
    switch (addr) {
        IOE_REG_LIST(X)
        return true;
    default: return false;
    }
#undef X
}

/* read32/write32 are static (so that ioe_model_batch calls them directly, not through the
 * shared library's PLT) behind the exported functions */
static int read32(struct ioe_model *m, uint32_t addr, uint32_t *val)
{
    uint32_t v = 0;
    if (!defined(addr)) {
        *val = 0;
        return -EIO;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_GIC_BASE >> IOE_CSR_BLOCK_SHIFT) {
        *val = ioe_gic_csr_read(m->gic, addr - IOE_GIC_BASE);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_ITS_BASE >> IOE_CSR_BLOCK_SHIFT) {
        *val = ioe_its_csr_read(m->its, addr - IOE_ITS_BASE);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_XIVE_BASE >> IOE_CSR_BLOCK_SHIFT) {
        *val = ioe_xive_csr_read(m->xive, addr - IOE_XIVE_BASE);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_DMA_BASE >> IOE_CSR_BLOCK_SHIFT) {
        *val = ioe_dma_xlate_csr_read(m->dma, addr - IOE_DMA_BASE);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_MGMT_BASE >> IOE_CSR_BLOCK_SHIFT) {
        *val = ioe_mgmt_csr_read(m->mgmt, addr - IOE_MGMT_BASE);
        return 0;
    }
    switch (addr) {
    case IOE_CORE_ID: v = IOE_CORE_ID_RESET; break;
    case IOE_CORE_VERSION: v = IOE_CORE_VERSION_RESET; break;
    /* the default parameter set; its GIC engine has the GICv2 mode */
    case IOE_CORE_FEATURES:
        v = IOE_CORE_FEATURES_RESET | 1u << IOE_CORE_FEATURES_GICV2_SHIFT;
        break;
    case IOE_CORE_SCRATCH: v = m->scratch; break;
    case IOE_CORE_CYCLE_LO:
        v = (uint32_t)m->cycle;
        m->cycle_hi = (uint32_t)(m->cycle >> 32);
        break;
    case IOE_CORE_CYCLE_HI: v = m->cycle_hi; break;
    case IOE_CORE_PARAM_CTX:
    case IOE_CORE_PARAM_GIC:
    case IOE_CORE_PARAM_ITS:
    case IOE_CORE_PARAM_XIVE:
    case IOE_CORE_PARAM_DMA:
    case IOE_CORE_PARAM_MGMT: v = param_regs(addr); break;
    case IOE_CORE_MSI_COUNT: v = m->msi_count; break;
    case IOE_CORE_MSI_LAST_DEVID: v = m->msi_devid; break;
    case IOE_CORE_MSI_LAST_ADDR_LO: v = m->msi_addr_lo; break;
    case IOE_CORE_MSI_LAST_ADDR_HI: v = m->msi_addr_hi; break;
    case IOE_CORE_MSI_LAST_DATA: v = m->msi_data; break;
    case IOE_CORE_WIRED_LEVEL: v = m->wired; break;
    case IOE_CORE_NOTIFY_COUNT: v = m->notify_count; break;
    case IOE_CORE_NOTIFY_DROP: v = 0; break; /* the host side never backs up */
    case IOE_CORE_DMA_ADDR_LO: v = m->dma_addr_lo; break;
    case IOE_CORE_DMA_ADDR_HI: v = m->dma_addr_hi; break;
    case IOE_CORE_DMA_WDATA_LO: v = m->dma_wdata_lo; break;
    case IOE_CORE_DMA_WDATA_HI: v = m->dma_wdata_hi; break;
    case IOE_CORE_DMA_STATUS: v = m->dma_status; break;
    case IOE_CORE_DMA_RDATA_LO: v = (uint32_t)m->dma_rdata; break;
    case IOE_CORE_DMA_RDATA_HI: v = (uint32_t)(m->dma_rdata >> 32); break;
    case IOE_CORE_DMA_LATENCY: v = 0; break; /* untimed */
    default: v = 0; break;                   /* write-only registers read 0 */
    }
    *val = v;
    return 0;
}

static int push_note(struct ioe_model *m, uint32_t vm, uint32_t vcpu, uint32_t src)
{
    if (m->nr_notes == m->cap_notes) {
        size_t cap = m->cap_notes + NOTIFY_CHUNK;
        struct ioe_notification *n = realloc(m->notes, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        m->notes = n;
        m->cap_notes = cap;
    }
    m->notes[m->nr_notes++] = (struct ioe_notification){vm, vcpu, src, m->cycle};
    m->notify_count++;
    return 0;
}

static void dma_probe(struct ioe_model *m, uint32_t cmd)
{
    if (!(cmd >> IOE_CORE_DMA_CMD_GO_SHIFT & IOE_CORE_DMA_CMD_GO_MASK))
        return;
    bool write = cmd >> IOE_CORE_DMA_CMD_WRITE_SHIFT & IOE_CORE_DMA_CMD_WRITE_MASK;
    struct ioe_dma_req req = {
        .tag = 0,
        .write = write,
        .addr = (uint64_t)m->dma_addr_hi << 32 | (m->dma_addr_lo & ~7u),
        .wdata = (uint64_t)m->dma_wdata_hi << 32 | m->dma_wdata_lo,
        .wstrb = write ? (uint8_t)(cmd >> IOE_CORE_DMA_CMD_STRB_SHIFT) : 0,
    };
    struct ioe_dma_rsp rsp = ioe_dma_xlate_beat(m->dma, &req);
    if (!write && !rsp.err)
        m->dma_rdata = rsp.rdata;
    m->dma_status = 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT | (uint32_t)rsp.err
                                                               << IOE_CORE_DMA_STATUS_ERR_SHIFT;
}

static int write32(struct ioe_model *m, uint32_t addr, uint32_t val)
{
    if (!defined(addr))
        return -EIO;
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_GIC_BASE >> IOE_CSR_BLOCK_SHIFT) {
        ioe_gic_csr_write(m->gic, addr - IOE_GIC_BASE, val);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_ITS_BASE >> IOE_CSR_BLOCK_SHIFT) {
        ioe_its_csr_write(m->its, addr - IOE_ITS_BASE, val);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_XIVE_BASE >> IOE_CSR_BLOCK_SHIFT) {
        ioe_xive_csr_write(m->xive, addr - IOE_XIVE_BASE, val);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_DMA_BASE >> IOE_CSR_BLOCK_SHIFT) {
        ioe_dma_xlate_csr_write(m->dma, addr - IOE_DMA_BASE, val);
        return 0;
    }
    if (addr >> IOE_CSR_BLOCK_SHIFT == IOE_MGMT_BASE >> IOE_CSR_BLOCK_SHIFT) {
        ioe_mgmt_csr_write(m->mgmt, addr - IOE_MGMT_BASE, val);
        return 0;
    }
    switch (addr) {
    case IOE_CORE_SCRATCH: m->scratch = val; break;
    case IOE_CORE_NOTIFY_TEST:
        return push_note(m, val >> IOE_CORE_NOTIFY_TEST_VM_SHIFT & IOE_CORE_NOTIFY_TEST_VM_MASK,
                         val >> IOE_CORE_NOTIFY_TEST_VCPU_SHIFT & IOE_CORE_NOTIFY_TEST_VCPU_MASK,
                         IOE_NOTIFY_SRC_TEST);
    case IOE_CORE_DMA_ADDR_LO:
        m->dma_addr_lo = val & (IOE_CORE_DMA_ADDR_LO_ADDR_MASK << IOE_CORE_DMA_ADDR_LO_ADDR_SHIFT);
        break;
    case IOE_CORE_DMA_ADDR_HI: m->dma_addr_hi = val; break;
    case IOE_CORE_DMA_WDATA_LO: m->dma_wdata_lo = val; break;
    case IOE_CORE_DMA_WDATA_HI: m->dma_wdata_hi = val; break;
    case IOE_CORE_DMA_CMD: dma_probe(m, val); break;
    default: break; /* read-only registers ignore writes */
    }
    return 0;
}

int ioe_model_read32(struct ioe_model *m, uint32_t addr, uint32_t *val)
{
    return read32(m, addr, val);
}

int ioe_model_write32(struct ioe_model *m, uint32_t addr, uint32_t val)
{
    return write32(m, addr, val);
}

int ioe_model_msi(struct ioe_model *m, uint32_t devid, uint64_t addr, uint32_t data)
{
    m->msi_count++;
    m->msi_devid = devid;
    m->msi_addr_lo = (uint32_t)addr;
    m->msi_addr_hi = (uint32_t)(addr >> 32);
    m->msi_data = data;
    /* the ITS has precedence when both engines claim the address (as in ioe_top) */
    if (ioe_its_msi_claim(m->its, devid, addr))
        ioe_its_msi(m->its, devid, addr, data);
    else if (ioe_xive_msi_claim(m->xive, devid, addr))
        ioe_xive_msi(m->xive, devid, addr, data);
    return 0;
}

int ioe_model_set_wired(struct ioe_model *m, unsigned line, int level)
{
    if (line >= IOE_PARAM_NR_WIRED_DEFAULT)
        return -EINVAL;
    if (level)
        m->wired |= 1u << line;
    else
        m->wired &= ~(1u << line);
    return 0;
}

size_t ioe_model_drain(struct ioe_model *m, struct ioe_notification *buf, size_t max)
{
    size_t n = m->nr_notes < max ? m->nr_notes : max;
    if (n == 0)
        return 0;
    memcpy(buf, m->notes, n * sizeof(*buf));
    memmove(m->notes, m->notes + n, (m->nr_notes - n) * sizeof(*buf));
    m->nr_notes -= n;
    return n;
}

size_t ioe_model_pending(const struct ioe_model *m)
{
    return m->nr_notes;
}

size_t ioe_model_batch(struct ioe_model *m, struct ioe_csr_op *ops, size_t n, int *err)
{
    *err = 0;
    for (size_t i = 0; i < n; i++) {
        struct ioe_csr_op *op = &ops[i];
        switch (op->kind) {
        case IOE_CSR_WRITE: *err = write32(m, op->addr, op->val); break;
        case IOE_CSR_READ: *err = read32(m, op->addr, &op->val); break;
        default: /* POLL */
            *err = read32(m, op->addr, &op->val);
            if (!*err && (op->val & op->mask) != op->expect)
                return i; /* the transport polls it */
            break;
        }
        if (*err)
            return i;
    }
    return n;
}

/* ------------------------------------------------------------------ simcard table */
static int op_open(const struct ioe_simcard_config *cfg, void **card)
{
    return ioe_model_open(cfg, (struct ioe_model **)card);
}
static void op_close(void *c)
{
    ioe_model_close(c);
}
static void op_reset(void *c)
{
    ioe_model_reset(c);
}
static void op_step(void *c, uint64_t n)
{
    ioe_model_step(c, n);
}
static uint64_t op_cycles(const void *c)
{
    return ioe_model_cycles(c);
}
static int op_read32(void *c, uint32_t a, uint32_t *v)
{
    return ioe_model_read32(c, a, v);
}
static int op_write32(void *c, uint32_t a, uint32_t v)
{
    return ioe_model_write32(c, a, v);
}
static int op_msi(void *c, uint32_t d, uint64_t a, uint32_t v)
{
    return ioe_model_msi(c, d, a, v);
}
static int op_wired(void *c, unsigned l, int v)
{
    return ioe_model_set_wired(c, l, v);
}
static size_t op_drain(void *c, struct ioe_notification *b, size_t n)
{
    return ioe_model_drain(c, b, n);
}
static size_t op_pending(const void *c)
{
    return ioe_model_pending(c);
}

static size_t op_batch(void *c, struct ioe_csr_op *ops, size_t n, int *err)
{
    return ioe_model_batch(c, ops, n, err);
}

const struct ioe_simcard_ops ioe_model_ops = {
    .name = "soft",
    .open = op_open,
    .close = op_close,
    .reset = op_reset,
    .step = op_step,
    .cycles = op_cycles,
    .read32 = op_read32,
    .write32 = op_write32,
    .msi = op_msi,
    .set_wired = op_wired,
    .drain = op_drain,
    .pending = op_pending,
    .batch = op_batch,
};
