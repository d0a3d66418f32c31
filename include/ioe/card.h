/*
 * <ioe/card.h> - low-level access to an ioe card through one of libioe's transports.
 *
 * This is the layer below the KVM-compatible API: raw CSR access (one register at a time
 * or in batches that travel as one round trip), the DMA window the card reads and writes
 * host memory through, and the card's notification stream (drained by the caller, and
 * signalled on a file descriptor). Simulated cards also take MSIs and wired-line levels
 * here and are advanced in clock cycles. Every function returns 0 (or a count) on success
 * and a negative errno value on failure; nothing here prints or aborts. docs/transport.md
 * describes the transports behind this API.
 *
 * Threads: a card is used by one thread at a time, unless it was opened with free_run (then
 * the backend serialises every call with its mutex, and a clock thread advances the card
 * between calls).
 */
#ifndef IOE_CARD_H
#define IOE_CARD_H

#include <stdbool.h>
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
    IOE_NOTIFY_SRC_MGMT = 3, /* management core: the mailbox answered (<ioe/fw.h>) */
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

/* An inclusive range of DMA addresses (IOVAs). */
struct ioe_iova_range {
    uint64_t start, last;
};

#define IOE_CARD_MAX_IOVA_HOLES 4

/* Options for ioe_card_open_opts(); zero-initialise and set what you need. */
struct ioe_card_options {
    const char *trace_path;   /* sim: write an FST waveform of the whole run here */
    unsigned dma_latency;     /* sim: host-memory latency in cycles (0: default 200) */
    unsigned dma_outstanding; /* sim: host-memory request limit (0: default 256) */
    /* Wall-clock limit of one POLL operation of ioe_card_batch(), in milliseconds (0: the
     * target's default; IOE_CARD_DEFAULT_TIMEOUT_MS on the simulated cards, generous because
     * the Verilator model runs ~0.4 Mcycles/s and ITS command queues at 200-cycle memory
     * latency run long). */
    unsigned timeout_ms;
    /* soft, sim: let the card run on its own. A clock thread of the backend steps the card
     * (64 cycles at a time) whenever no call is in progress, so notifications arrive
     * between calls and ioe_card_notify_fd() becomes readable by itself; the card then
     * reports IOE_CARD_CAP_ASYNC. Without it a simulated card advances only inside calls. */
    bool free_run;
    /* soft, sim: the host IOMMU the simulated card sits behind. DMA regions may be mapped
     * only below 2^iova_bits (0: 64; else 12..63) and outside the holes (any order, start
     * <= last; at most IOE_CARD_MAX_IOVA_HOLES), like VFIO's usable IOVA ranges: a region
     * elsewhere is refused with -EINVAL. ioe_card_iova_ranges() reports what is left, and
     * libioe places guest memory there. Other values: -EINVAL at open. */
    unsigned iova_bits;
    unsigned nr_iova_holes;
    struct ioe_iova_range iova_holes[IOE_CARD_MAX_IOVA_HOLES];
};

#define IOE_CARD_DEFAULT_DMA_LATENCY 200u
#define IOE_CARD_DEFAULT_DMA_OUTSTANDING 256u
#define IOE_CARD_DEFAULT_TIMEOUT_MS 120000u

/* Targets are named "name[:arguments]". This build knows "soft" (C reference model in
 * process), "sim" (Verilator model of the RTL in process), "sim:unix:PATH" (the card of
 * ioe-simd on a Unix socket, docs/wire.md) and "sim:spawn[:soft|sim]" (a private ioe-simd
 * started for the card and stopped on close). ioe_card_targets() lists them. */
struct ioe_target_desc {
    const char *syntax;  /* how to write the target, e.g. "sim" or "pci:DDDD:BB:DD.F" */
    const char *summary; /* one line */
};
/* Every target this build can open, ending with a {NULL, NULL} entry. Static storage. */
const struct ioe_target_desc *ioe_card_targets(void);

/* Open a card. -ENODEV for an unknown target, a known one with arguments it does not
 * take ("soft:x") or bad arguments, or a card that is not there; -EINVAL for bad options.
 * ioe_last_error() (<ioe/ioe.h>) says what a transport looked for and did not find. */
int ioe_card_open(const char *target, struct ioe_card **card);
int ioe_card_open_opts(const char *target, const struct ioe_card_options *opts,
                       struct ioe_card **card);
void ioe_card_close(struct ioe_card *card);
/* The target the card was opened with ("soft", "sim", "sim:unix:PATH"; at most 127
 * characters). */
const char *ioe_card_backend(const struct ioe_card *card);
/* Put the card back in its reset state (host memory mappings are kept). */
int ioe_card_reset(struct ioe_card *card);

/* What the card's transport can do. Operations a card lacks answer -EOPNOTSUPP.
 *   STEP       ioe_card_step() and ioe_card_cycles()
 *   MSI        ioe_card_msi(): direct MSI injection
 *   WIRED      ioe_card_set_wired()
 *   ASYNC      the card advances and notifies between calls: watch ioe_card_notify_fd()
 *   FD_MEMORY  DMA regions must be backed by a file descriptor (the card runs in another
 *              process): see ioe_mem_alloc() and ioe_card_dma_map_region() */
#define IOE_CARD_CAP_STEP (1u << 0)
#define IOE_CARD_CAP_MSI (1u << 1)
#define IOE_CARD_CAP_WIRED (1u << 2)
#define IOE_CARD_CAP_ASYNC (1u << 3)
#define IOE_CARD_CAP_FD_MEMORY (1u << 4)
uint32_t ioe_card_caps(const struct ioe_card *card);

/* CSR window. Addresses are byte offsets, 4-byte aligned (8 for 64-bit accesses, which
 * are two 32-bit accesses, low half first, in one batch). -EINVAL for a misaligned or
 * out-of-window address, -EIO when the card answers with an error (no register there). */
int ioe_card_read32(struct ioe_card *card, uint32_t addr, uint32_t *val);
int ioe_card_write32(struct ioe_card *card, uint32_t addr, uint32_t val);
int ioe_card_read64(struct ioe_card *card, uint32_t addr, uint64_t *val);
int ioe_card_write64(struct ioe_card *card, uint32_t addr, uint64_t val);

/* Batched register access: several 32-bit operations in one transport call, so that one
 * engine operation is one round trip on a remote card. */
enum ioe_csr_kind { IOE_CSR_READ = 0, IOE_CSR_WRITE = 1, IOE_CSR_POLL = 2 };
struct ioe_csr_op {
    uint32_t kind;   /* enum ioe_csr_kind */
    uint32_t addr;   /* byte offset in the CSR window, 4-byte aligned */
    uint32_t val;    /* WRITE: the value written; READ, POLL: the value read */
    uint32_t mask;   /* POLL only */
    uint32_t expect; /* POLL only: wait for (value & mask) == expect */
};
/* Perform ops[0..n) in order, in one transport call. READ fills val; WRITE writes val; POLL
 * reads addr until (value & mask) == expect and leaves the last value read in val, or fails
 * with -ETIMEDOUT after the card's timeout (ioe_card_options.timeout_ms, wall clock; a
 * simulated card is stepped one cycle between reads). Stops at the first failing op and
 * returns its -errno (the ops before it took effect, the ones after were not sent); 0 when
 * all succeeded. Argument errors are found before anything is sent: -EINVAL for a
 * misaligned or out-of-window address, an unknown kind, a POLL whose expect has bits
 * outside mask (it could never match), or ops NULL with n > 0. n == 0 does nothing. */
int ioe_card_batch(struct ioe_card *card, struct ioe_csr_op *ops, size_t n);

/* DMA window: a region of the card's DMA address space [iova, iova+size) that reaches
 * host memory at hva. A card in another process reaches it through fd (mapped at
 * fd_offset for hva); fd is -1 for memory that is not backed by a file descriptor. */
struct ioe_dma_region {
    uint64_t iova, size;
    void *hva;
    int fd;
    uint64_t fd_offset;
};
/* Map host memory at hva. When [hva, hva+size) lies inside one ioe_mem_alloc() allocation,
 * its descriptor and offset go with the region; otherwise the region has fd -1.
 * -EINVAL for hva NULL, size 0 or a wrapping range, -EEXIST when it overlaps a mapping,
 * -EFAULT when the card needs file-backed memory (IOE_CARD_CAP_FD_MEMORY) and hva is not
 * in such an allocation. */
int ioe_card_dma_map(struct ioe_card *card, uint64_t iova, void *hva, uint64_t size);
/* Map a region the caller describes (e.g. a VMM's memfd-backed RAM). The same errors, and
 * -EFAULT for a region with fd < 0 on an IOE_CARD_CAP_FD_MEMORY card. The card does not
 * take ownership of fd; keep it open while the region is mapped. */
int ioe_card_dma_map_region(struct ioe_card *card, const struct ioe_dma_region *region);
/* Remove exactly one earlier mapping. -ENOENT if there is none at [iova, iova+size). */
int ioe_card_dma_unmap(struct ioe_card *card, uint64_t iova, uint64_t size);
/* The IOVAs DMA regions may be mapped at (the host IOMMU's usable ranges): up to max
 * inclusive ranges in ascending order into out; returns how many it wrote, or -errno. A
 * transport that reports none has one range, [0, 2^64-1]. */
int ioe_card_iova_ranges(struct ioe_card *card, struct ioe_iova_range *out, size_t max);

/* Host memory that every card can reach, in or out of process: size bytes (rounded up to
 * whole pages) of a memfd mapped shared, zero-filled. NULL with errno set on failure
 * (EINVAL for size 0). libioe remembers the allocation (thread-safe) so that
 * ioe_card_dma_map() finds its descriptor. */
void *ioe_mem_alloc(size_t size);
/* Free an ioe_mem_alloc() allocation (p as returned). -EINVAL for any other pointer. Unmap
 * it from every card first. */
int ioe_mem_free(void *p);

/* Notifications: take up to max records; returns how many were taken. */
int ioe_card_drain(struct ioe_card *card, struct ioe_notification *buf, size_t max);
/* Wait until a notification can be drained: 1 when one can, 0 after timeout_us
 * microseconds of wall clock (0: just look). A simulated card is stepped one cycle at a
 * time meanwhile, so the wait ends in the cycle the record arrives. To wait a number of
 * card cycles, use ioe_card_step() and ioe_card_drain(). */
int ioe_card_wait(struct ioe_card *card, uint64_t timeout_us);
/* A descriptor (owned by the card; do not read it, close it or write to it) that polls
 * readable (POLLIN) while notifications wait to be drained, and stops being readable when
 * ioe_card_drain() empties the stream. Without IOE_CARD_CAP_ASYNC it changes only inside
 * calls on the card (e.g. the write that produced a notification); with it, also between
 * calls. The first call creates it. -EOPNOTSUPP where the transport has none. */
int ioe_card_notify_fd(struct ioe_card *card);

/* Simulated cards only (IOE_CARD_CAP_STEP, _MSI, _WIRED; -EOPNOTSUPP elsewhere). */
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
    uint32_t dma_segs; /* DMA window segment-table entries (0: no translation stage) */
};
/* -ENODEV when the ID register does not read as an ioe card. */
int ioe_card_info(struct ioe_card *card, struct ioe_card_info *info);

#ifdef __cplusplus
}
#endif

#endif /* IOE_CARD_H */
