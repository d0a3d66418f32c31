/*
 * <ioe/card.h> - low-level access to an ioe card through one of libioe's transports.
 *
 * This is the layer below the KVM-compatible API: raw CSR access, the DMA window the
 * card reads and writes host memory through, and the card's notification stream.
 * Simulated cards also take MSIs and wired-line levels here and are advanced in clock
 * cycles. Every function returns 0 (or a count) on success and a negative errno value
 * on failure; nothing here prints or aborts.
 */
#ifndef IOE_CARD_H
#define IOE_CARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_card;

/* Sources on the notification stream (ioe_pkg::notify_src_e). */
enum ioe_notify_src {
    IOE_NOTIFY_SRC_TEST = 0, /* NOTIFY_TEST register */
    IOE_NOTIFY_SRC_GIC = 1,  /* GICv3 CPU interface */
    IOE_NOTIFY_SRC_XIVE = 2, /* XIVE presenter */
};

/* One record of the notification stream: VM context `vm`, vCPU `vcpu` has something to
 * present. `cycle` is the card cycle at which it left the card (simulated cards; 0 on
 * the untimed C model before any step). */
struct ioe_notification {
    uint32_t vm;
    uint32_t vcpu;
    uint32_t src;
    uint64_t cycle;
};

/* Options for ioe_card_open_opts(); zero-initialise and set what you need. */
struct ioe_card_options {
    const char *trace_path;   /* sim: write an FST waveform of the whole run here */
    unsigned dma_latency;     /* sim: host-memory latency in cycles (0: default 200) */
    unsigned dma_outstanding; /* sim: host-memory request limit (0: default 256) */
};

#define IOE_CARD_DEFAULT_DMA_LATENCY 200u
#define IOE_CARD_DEFAULT_DMA_OUTSTANDING 256u

/* Open a card. target: "soft" (C reference model in process) or "sim" (Verilator model
 * of the RTL in process). -ENODEV for an unknown target, -EINVAL for bad options. */
int ioe_card_open(const char *target, struct ioe_card **card);
int ioe_card_open_opts(const char *target, const struct ioe_card_options *opts,
                       struct ioe_card **card);
void ioe_card_close(struct ioe_card *card);
/* Name of the backend ("soft", "sim"). */
const char *ioe_card_backend(const struct ioe_card *card);
/* Put the card back in its reset state (host memory mappings are kept). */
int ioe_card_reset(struct ioe_card *card);

/* CSR window. Addresses are byte offsets, 4-byte aligned (8 for 64-bit accesses, which
 * are two 32-bit accesses, low half first). -EINVAL for a misaligned or out-of-window
 * address, -EIO when the card answers with an error (no register there). */
int ioe_card_read32(struct ioe_card *card, uint32_t addr, uint32_t *val);
int ioe_card_write32(struct ioe_card *card, uint32_t addr, uint32_t val);
int ioe_card_read64(struct ioe_card *card, uint32_t addr, uint64_t *val);
int ioe_card_write64(struct ioe_card *card, uint32_t addr, uint64_t val);

/* DMA window: make [iova, iova+size) of the card's DMA address space reach host memory
 * at hva. -EINVAL for size 0 or a wrapping range, -EEXIST when it overlaps a mapping. */
int ioe_card_dma_map(struct ioe_card *card, uint64_t iova, void *hva, uint64_t size);
/* Remove exactly one earlier mapping. -ENOENT if there is none at [iova, iova+size). */
int ioe_card_dma_unmap(struct ioe_card *card, uint64_t iova, uint64_t size);

/* Notifications: take up to max records; returns how many were taken. */
int ioe_card_drain(struct ioe_card *card, struct ioe_notification *buf, size_t max);
/* Wait until a notification can be drained: 1 when one can, 0 after timeout. On a
 * simulated card the timeout is in card cycles and the card is stepped meanwhile. */
int ioe_card_wait(struct ioe_card *card, uint64_t timeout);

/* Simulated cards only (-EOPNOTSUPP elsewhere). */
int ioe_card_step(struct ioe_card *card, uint64_t cycles);
/* Cycles stepped since the last reset, as counted by the host. */
int ioe_card_cycles(struct ioe_card *card, uint64_t *cycles);
/* Present one MSI on the ingress port and wait until the card accepted it. */
int ioe_card_msi(struct ioe_card *card, uint32_t devid, uint64_t addr, uint32_t data);
/* Drive wired input `line` to `level` (0/1). -EINVAL for a line the card does not have. */
int ioe_card_set_wired(struct ioe_card *card, unsigned line, int level);

/* Identification and build parameters, read from the card's registers. */
struct ioe_card_info {
    uint32_t id;
    uint32_t version; /* major << 16 | minor << 8 | patch */
    uint32_t features;
    uint32_t nr_vms, nr_vcpus, nr_wired, dma_tags;
    uint32_t nr_irqs, lpi_bits;
    uint32_t dev_bits, event_bits, its_cache_entries;
    uint32_t xive_sources;
};
/* -ENODEV when the ID register does not read as an ioe card. */
int ioe_card_info(struct ioe_card *card, struct ioe_card_info *info);

#ifdef __cplusplus
}
#endif

#endif /* IOE_CARD_H */
