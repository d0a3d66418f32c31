/*
 * The PCIe root-complex model (sim/pcie/ioe_pcie_rc.cpp): the Verilator model of the PCIe
 * card (rtl: ioe_pcie_7x_shim + ioe_pcie_ep + ioe_top, top module ioe_pcie_card_7x) on a
 * modelled link, seen from the host side. BAR accesses become TLPs on the 7-series
 * AXI4-Stream interface (PG054, 64-bit); the card's memory reads are answered from the
 * IOMMU table (iova -> host virtual address) after a latency, split at the read completion
 * boundary; memory writes into the MSI window (0xFEE00000-0xFEEFFFFF) go to the MSI
 * callback. The card runs in its own thread (free-running, like a board) once started.
 * Every call is thread-safe. 0 / a count, or -errno. docs/pcie.md.
 */
#ifndef IOE_PCIE_RC_H
#define IOE_PCIE_RC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_pcie_rc;

struct ioe_pcie_rc_params {
    uint32_t rtt_ns;        /* DMA read round trip; 0: 550 */
    uint32_t link_gen;      /* 0: 2 */
    uint32_t link_width;    /* lanes; 0: 4 */
    uint32_t mps, mrrs;     /* Max_Payload_Size, Max_Read_Request_Size; 0: 256, 512 */
    uint16_t requester_id;  /* the root port's ID (completer of the card's reads); 0: 0x0000 */
    uint16_t card_id;       /* bus/device/function of the card; 0: 0x0100 (01:00.0) */
    uint32_t timeout_ms;    /* wall-clock bound on one BAR read; 0: 120000 */
    const char *trace_path; /* FST trace of the model, or NULL */
};

int ioe_pcie_rc_open(const struct ioe_pcie_rc_params *p, struct ioe_pcie_rc **out);
void ioe_pcie_rc_close(struct ioe_pcie_rc *rc);
/* card reset (hot reset of the link): the card's state back to reset, IOMMU table kept */
int ioe_pcie_rc_reset(struct ioe_pcie_rc *rc);

/* BAR sizes the card reports (0 for a BAR it lacks) */
uint64_t ioe_pcie_rc_bar_size(struct ioe_pcie_rc *rc, unsigned bar);
/* memory read of n DWs at BAR offset off (non-posted: waits for the completion; -EIO on a
 * UR or CA completion, -ETIMEDOUT when none comes) */
int ioe_pcie_rc_bar_read(struct ioe_pcie_rc *rc, unsigned bar, uint64_t off, uint32_t *dw,
                         size_t n);
/* memory write of n DWs as one TLP (posted: returns when the TLP is on the link) */
int ioe_pcie_rc_bar_write(struct ioe_pcie_rc *rc, unsigned bar, uint64_t off, const uint32_t *dw,
                          size_t n);
/* a memory write from another device on the link (requester_id), e.g. a passthrough
 * device's MSI to the card's device doorbell */
int ioe_pcie_rc_peer_write(struct ioe_pcie_rc *rc, uint16_t requester_id, unsigned bar,
                           uint64_t off, const uint32_t *dw, size_t n);

/* IOMMU: the card reaches host memory [hva, hva+size) at [iova, iova+size). Accesses to
 * IOVAs without a mapping are answered UR (reads) or dropped (writes), as an IOMMU fault.
 * -EEXIST on overlap, -ENOENT when unmapping what is not mapped. */
int ioe_pcie_rc_dma_map(struct ioe_pcie_rc *rc, uint64_t iova, void *hva, uint64_t size);
int ioe_pcie_rc_dma_unmap(struct ioe_pcie_rc *rc, uint64_t iova, uint64_t size);

/* the card's MSI-X capability as the hard block holds it in configuration space: the
 * table size, and the Enable and Function Mask bits (cfg_interrupt_msixenable/msixfm) */
unsigned ioe_pcie_rc_msix_vectors(struct ioe_pcie_rc *rc);
int ioe_pcie_rc_set_msix(struct ioe_pcie_rc *rc, int enable, int function_mask);

/* memory writes of the card into the MSI window: called from the model's thread, which
 * holds the model's lock (the handler must not call back into the model) */
typedef void (*ioe_pcie_rc_msi_fn)(void *arg, uint64_t addr, uint32_t data);
void ioe_pcie_rc_set_msi_handler(struct ioe_pcie_rc *rc, ioe_pcie_rc_msi_fn fn, void *arg);

/* MSI-X messages the card has sent (memory writes into the MSI window); of the last one,
 * the cycle its first beat left the card (s_axis_tx) and the cycle the first beat of the
 * last TLP towards the card before it was taken (m_axis_rx): a doorbell's latency to its
 * MSI-X message when nothing else went to the card in between */
uint64_t ioe_pcie_rc_last_msix(struct ioe_pcie_rc *rc, uint64_t *rx_first, uint64_t *tx_first);
/* peer writes (requests whose requester ID is not the root port's, ioe_pcie_rc_peer_write)
 * followed by an MSI-X message: their count, and of the last, the cycle its first beat was
 * taken and the cycle the first beat of the first MSI-X message after it left the card (a
 * device doorbell's latency, also when the card's table reads were answered or the host
 * accessed the card in between) */
uint64_t ioe_pcie_rc_peer_msix(struct ioe_pcie_rc *rc, uint64_t *rx_first, uint64_t *tx_first);

/* simulated user-clock cycles since open */
uint64_t ioe_pcie_rc_cycles(struct ioe_pcie_rc *rc);

/* faults on the card's next DMA reads (count of them; 0 clears) */
enum ioe_pcie_rc_fault {
    IOE_PCIE_RC_FAULT_NONE = 0,
    IOE_PCIE_RC_FAULT_UR,        /* completion with status UR */
    IOE_PCIE_RC_FAULT_CA,        /* completion with status CA */
    IOE_PCIE_RC_FAULT_TIMEOUT,   /* no completion at all */
    IOE_PCIE_RC_FAULT_POISONED,  /* CplD with the EP bit */
    IOE_PCIE_RC_FAULT_MALFORMED, /* CplD whose length disagrees with its data */
    IOE_PCIE_RC_FAULT_LATE,      /* completions withheld until ioe_pcie_rc_release_late() */
};
int ioe_pcie_rc_inject(struct ioe_pcie_rc *rc, enum ioe_pcie_rc_fault f, unsigned count);
/* send the completions IOE_PCIE_RC_FAULT_LATE withheld, now (as the IOMMU read the memory
 * when the request came); the number of reads they answer */
int ioe_pcie_rc_release_late(struct ioe_pcie_rc *rc);
/* the card's DMA reads seen (memory read requests), since open */
uint64_t ioe_pcie_rc_card_reads(struct ioe_pcie_rc *rc);

#ifdef __cplusplus
}
#endif

#endif
