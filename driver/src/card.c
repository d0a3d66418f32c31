/*
 * <ioe/card.h> over the transport interface: argument checks, target parsing, 64-bit
 * accesses as batches, DMA regions, and the identification read-out. Nothing here knows
 * which backend it uses.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "internal.h"
#include "transport.h"

struct ioe_card {
    struct ioe_transport *t;
    char backend[128]; /* the target as opened (truncated) */
};

/* The targets of this build: one row per target, in the order `ioectl targets` lists
 * them. A new transport adds a row (its syntax, summary, and open function). Rows may
 * share a name: each is tried in turn until one does not answer -ENODEV (the arguments
 * tell them apart: "sim", "sim:unix:PATH", "sim:spawn"). */
#define IOE_TARGETS(X)                                                                             \
    X("soft", "soft", "C reference model of the card, in this process",                            \
      ioe_transport_simcard_open)                                                                  \
    X("sim", "sim", "Verilator model of the card's RTL, in this process",                          \
      ioe_transport_simcard_open)                                                                  \
    X("sim", "sim:unix:PATH", "the card of ioe-simd on the Unix socket PATH (docs/wire.md)",       \
      ioe_transport_wire_open_unix)                                                                \
    X("sim", "sim:spawn[:soft|sim]", "a private ioe-simd for this card, stopped on close",         \
      ioe_transport_wire_open_spawn)                                                               \
    X("sim", "sim:pcie", "the Verilator model of the PCIe card through VFIO, in this process",     \
      ioe_transport_pcie_sim_open)                                                                 \
    X("usb", "usb[:SERIAL]", "an iCEBreaker board on its FT2232H's USB UART (docs/boards.md)",     \
      ioe_transport_usb_open)                                                                      \
    X("pci", "pci:DDDD:BB:DD.F", "a PCIe board through the host's VFIO (docs/pcie.md)",            \
      ioe_transport_vfio_open)                                                                     \
    X("jtag", "jtag[:HOST[:PORT]]", "the card's JTAG debug bridge through OpenOCD (docs/jtag.md)", \
      ioe_transport_jtag_open)

struct backend {
    const char *name;
    int (*open)(const char *name, const char *args, const struct ioe_card_options *opts,
                struct ioe_transport **out);
};

#define BACKEND_ROW(name, syntax, summary, open) {name, open},
static const struct backend backends[] = {IOE_TARGETS(BACKEND_ROW)};
#undef BACKEND_ROW

#define DESC_ROW(name, syntax, summary, open) {syntax, summary},
static const struct ioe_target_desc target_descs[] = {IOE_TARGETS(DESC_ROW){NULL, NULL}};
#undef DESC_ROW

const struct ioe_target_desc *ioe_card_targets(void)
{
    return target_descs;
}

int ioe_card_open_opts(const char *target, const struct ioe_card_options *opts,
                       struct ioe_card **card)
{
    set_last_error("%s", ""); /* a transport says why it failed, when it can */
    static const struct ioe_card_options none;
    if (!target || !card)
        return -EINVAL;
    if (!opts)
        opts = &none;
    /* name[:arguments] */
    const char *colon = strchr(target, ':');
    size_t len = colon ? (size_t)(colon - target) : strlen(target);
    const char *args = colon ? colon + 1 : NULL;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strlen(backends[i].name) != len || strncmp(target, backends[i].name, len) != 0)
            continue;
        struct ioe_card *c = calloc(1, sizeof(*c));
        if (!c)
            return -ENOMEM;
        int err = backends[i].open(backends[i].name, args, opts, &c->t);
        if (err) {
            free(c);
            if (err == -ENODEV)
                continue; /* not this row's arguments: the next row of the name may take them */
            return err;
        }
        strncpy(c->backend, target, sizeof(c->backend) - 1);
        *card = c;
        return 0;
    }
    return -ENODEV;
}

int ioe_card_open(const char *target, struct ioe_card **card)
{
    return ioe_card_open_opts(target, NULL, card);
}

void ioe_card_close(struct ioe_card *card)
{
    if (!card)
        return;
    card->t->ops->close(card->t);
    free(card);
}

const char *ioe_card_backend(const struct ioe_card *card)
{
    return card->backend;
}

uint32_t ioe_card_caps(const struct ioe_card *card)
{
    return card->t->caps;
}

int ioe_card_reset(struct ioe_card *card)
{
    return card->t->ops->reset(card->t);
}

static int check_csr(uint32_t addr, uint32_t size)
{
    if (addr % size || addr >= IOE_CSR_WINDOW_SIZE || IOE_CSR_WINDOW_SIZE - addr < size)
        return -EINVAL;
    return 0;
}

static int check_op(const struct ioe_csr_op *op)
{
    switch (op->kind) {
    case IOE_CSR_READ:
    case IOE_CSR_WRITE: break;
    case IOE_CSR_POLL:
        if (op->expect & ~op->mask)
            return -EINVAL; /* could never match */
        break;
    default: return -EINVAL;
    }
    return check_csr(op->addr, 4);
}

int ioe_card_batch(struct ioe_card *card, struct ioe_csr_op *ops, size_t n)
{
    if (!ops && n)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int err = check_op(&ops[i]);
        if (err)
            return err;
    }
    return n ? card->t->ops->batch(card->t, ops, n) : 0;
}

int card_batch_trusted(struct ioe_card *card, struct ioe_csr_op *ops, size_t n)
{
    return card->t->ops->batch(card->t, ops, n);
}

/* The single accesses are batches the checks above need not see. */
int ioe_card_read32(struct ioe_card *card, uint32_t addr, uint32_t *val)
{
    struct ioe_csr_op op = {.kind = IOE_CSR_READ, .addr = addr};
    int err = check_csr(addr, 4);
    if (err)
        return err;
    if (!val)
        return -EINVAL;
    err = card->t->ops->batch(card->t, &op, 1);
    *val = op.val; /* also on -EIO: what the card answered (0 for a hole) */
    return err;
}

int ioe_card_write32(struct ioe_card *card, uint32_t addr, uint32_t val)
{
    struct ioe_csr_op op = {.kind = IOE_CSR_WRITE, .addr = addr, .val = val};
    int err = check_csr(addr, 4);
    return err ? err : card->t->ops->batch(card->t, &op, 1);
}

int ioe_card_read64(struct ioe_card *card, uint32_t addr, uint64_t *val)
{
    struct ioe_csr_op ops[2] = {{.kind = IOE_CSR_READ, .addr = addr},
                                {.kind = IOE_CSR_READ, .addr = addr + 4}};
    int err = check_csr(addr, 8);
    if (err)
        return err;
    if (!val)
        return -EINVAL;
    err = card->t->ops->batch(card->t, ops, 2);
    if (!err)
        *val = (uint64_t)ops[1].val << 32 | ops[0].val;
    return err;
}

int ioe_card_write64(struct ioe_card *card, uint32_t addr, uint64_t val)
{
    struct ioe_csr_op ops[2] = {
        {.kind = IOE_CSR_WRITE, .addr = addr, .val = (uint32_t)val},
        {.kind = IOE_CSR_WRITE, .addr = addr + 4, .val = (uint32_t)(val >> 32)}};
    int err = check_csr(addr, 8);
    return err ? err : card->t->ops->batch(card->t, ops, 2);
}

int ioe_card_dma_map_region(struct ioe_card *card, const struct ioe_dma_region *r)
{
    if (!r || !r->hva || r->size == 0 || r->iova + r->size < r->iova ||
        (uintptr_t)r->hva + r->size < (uintptr_t)r->hva)
        return -EINVAL;
    if (r->fd < 0 && (card->t->caps & IOE_CARD_CAP_FD_MEMORY))
        return -EFAULT; /* the card cannot reach memory of this process only */
    return card->t->ops->dma_map(card->t, r);
}

int ioe_card_dma_map(struct ioe_card *card, uint64_t iova, void *hva, uint64_t size)
{
    struct ioe_dma_region r = {.iova = iova, .size = size, .hva = hva, .fd = -1};
    if (!hva || size == 0)
        return -EINVAL;
    if (ioe_mem_lookup(hva, size, &r.fd, &r.fd_offset))
        r.fd = -1;
    return ioe_card_dma_map_region(card, &r);
}

int ioe_card_dma_unmap(struct ioe_card *card, uint64_t iova, uint64_t size)
{
    return card->t->ops->dma_unmap(card->t, iova, size);
}

int ioe_card_iova_ranges(struct ioe_card *card, struct ioe_iova_range *out, size_t max)
{
    if (!out && max)
        return -EINVAL;
    if (card->t->ops->iova_ranges)
        return card->t->ops->iova_ranges(card->t, out, max);
    if (max)
        out[0] = (struct ioe_iova_range){0, UINT64_MAX};
    return 1;
}

int ioe_card_drain(struct ioe_card *card, struct ioe_notification *buf, size_t max)
{
    if (!buf && max)
        return -EINVAL;
    if (max > INT32_MAX)
        max = INT32_MAX;
    return card->t->ops->drain(card->t, buf, max);
}

int card_sync(struct ioe_card *card)
{
    return card->t->ops->sync ? card->t->ops->sync(card->t) : 0;
}

int card_doorbell_base(struct ioe_card *card, unsigned page, unsigned vm, uint64_t gpa)
{
    return card->t->ops->doorbell_base ? card->t->ops->doorbell_base(card->t, page, vm, gpa)
                                       : -EOPNOTSUPP;
}

int ioe_card_wait(struct ioe_card *card, uint64_t timeout_us)
{
    return card->t->ops->wait(card->t, timeout_us);
}

int ioe_card_notify_fd(struct ioe_card *card)
{
    return card->t->ops->notify_fd ? card->t->ops->notify_fd(card->t) : -EOPNOTSUPP;
}

int ioe_card_step(struct ioe_card *card, uint64_t cycles)
{
    return card->t->ops->step ? card->t->ops->step(card->t, cycles) : -EOPNOTSUPP;
}

int ioe_card_cycles(struct ioe_card *card, uint64_t *cycles)
{
    if (!cycles)
        return -EINVAL;
    return card->t->ops->cycles ? card->t->ops->cycles(card->t, cycles) : -EOPNOTSUPP;
}

int ioe_card_msi(struct ioe_card *card, uint32_t devid, uint64_t addr, uint32_t data)
{
    return card->t->ops->msi ? card->t->ops->msi(card->t, devid, addr, data) : -EOPNOTSUPP;
}

int ioe_card_set_wired(struct ioe_card *card, unsigned line, int level)
{
    if (!card->t->ops->set_wired)
        return -EOPNOTSUPP;
    return card->t->ops->set_wired(card->t, line, level != 0);
}

static uint32_t field(uint32_t v, unsigned shift, uint32_t mask)
{
    return v >> shift & mask;
}

int ioe_card_info(struct ioe_card *card, struct ioe_card_info *info)
{
    uint32_t ctx, gic, its, xive;
    int err;
    if (!info)
        return -EINVAL;
    memset(info, 0, sizeof(*info));
    if ((err = ioe_card_read32(card, IOE_CORE_ID, &info->id)))
        return err;
    if (info->id != IOE_CORE_ID_RESET)
        return -ENODEV;
    if ((err = ioe_card_read32(card, IOE_CORE_VERSION, &info->version)) ||
        (err = ioe_card_read32(card, IOE_CORE_FEATURES, &info->features)) ||
        (err = ioe_card_read32(card, IOE_CORE_PARAM_CTX, &ctx)) ||
        (err = ioe_card_read32(card, IOE_CORE_PARAM_GIC, &gic)) ||
        (err = ioe_card_read32(card, IOE_CORE_PARAM_ITS, &its)) ||
        (err = ioe_card_read32(card, IOE_CORE_PARAM_XIVE, &xive)))
        return err;
    info->nr_vms = field(ctx, IOE_CORE_PARAM_CTX_NR_VMS_SHIFT, IOE_CORE_PARAM_CTX_NR_VMS_MASK);
    info->nr_vcpus =
        field(ctx, IOE_CORE_PARAM_CTX_NR_VCPUS_SHIFT, IOE_CORE_PARAM_CTX_NR_VCPUS_MASK);
    info->nr_wired =
        field(ctx, IOE_CORE_PARAM_CTX_NR_WIRED_SHIFT, IOE_CORE_PARAM_CTX_NR_WIRED_MASK);
    info->dma_tags =
        field(ctx, IOE_CORE_PARAM_CTX_DMA_TAGS_SHIFT, IOE_CORE_PARAM_CTX_DMA_TAGS_MASK);
    info->nr_irqs = field(gic, IOE_CORE_PARAM_GIC_NR_IRQS_SHIFT, IOE_CORE_PARAM_GIC_NR_IRQS_MASK);
    info->lpi_bits =
        field(gic, IOE_CORE_PARAM_GIC_LPI_BITS_SHIFT, IOE_CORE_PARAM_GIC_LPI_BITS_MASK);
    info->dev_bits =
        field(its, IOE_CORE_PARAM_ITS_DEV_BITS_SHIFT, IOE_CORE_PARAM_ITS_DEV_BITS_MASK);
    info->event_bits =
        field(its, IOE_CORE_PARAM_ITS_EVENT_BITS_SHIFT, IOE_CORE_PARAM_ITS_EVENT_BITS_MASK);
    info->its_cache_entries =
        field(its, IOE_CORE_PARAM_ITS_CACHE_ENTRIES_SHIFT, IOE_CORE_PARAM_ITS_CACHE_ENTRIES_MASK);
    info->xive_sources =
        field(xive, IOE_CORE_PARAM_XIVE_SOURCES_SHIFT, IOE_CORE_PARAM_XIVE_SOURCES_MASK);
    uint32_t dma = 0; /* a card from before PARAM_DMA answers an error: no segment table */
    if ((err = ioe_card_read32(card, IOE_CORE_PARAM_DMA, &dma)) && err != -EIO)
        return err;
    info->dma_segs = field(dma, IOE_CORE_PARAM_DMA_NR_SEGS_SHIFT, IOE_CORE_PARAM_DMA_NR_SEGS_MASK);
    return 0;
}

uint64_t transport_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
