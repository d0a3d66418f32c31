/*
 * The transport interface of libioe: everything the driver needs from a card, and
 * nothing more. Every backend (soft, sim today; sim over a socket, PCIe/VFIO, USB,
 * JTAG later) fills one of these tables; the layers above never see which it is.
 * Functions return 0 / a count, or a negative errno. Arguments are already checked by
 * card.c (alignment, window bounds, op kinds, NULL pointers, the fd rule of DMA regions).
 * docs/transport.md says what each backend must implement.
 */
#ifndef IOE_TRANSPORT_H
#define IOE_TRANSPORT_H

#include <ioe/card.h>

struct ioe_transport;

struct ioe_transport_ops {
    const char *name;
    void (*close)(struct ioe_transport *t);
    int (*reset)(struct ioe_transport *t);
    /* CSR window: ops[0..n), n >= 1, in order, stopping at the first failure (see
     * ioe_card_batch). One round trip on a remote card; a batch of one is the hot path. */
    int (*batch)(struct ioe_transport *t, struct ioe_csr_op *ops, size_t n);
    /* DMA window: what the card can reach of host memory */
    int (*dma_map)(struct ioe_transport *t, const struct ioe_dma_region *r);
    int (*dma_unmap)(struct ioe_transport *t, uint64_t iova, uint64_t size);
    /* notification stream */
    int (*drain)(struct ioe_transport *t, struct ioe_notification *buf, size_t max);
    int (*wait)(struct ioe_transport *t, uint64_t timeout_us);
    /* descriptor readable while the stream is not empty; NULL: -EOPNOTSUPP */
    int (*notify_fd)(struct ioe_transport *t);
    /* optional, for a card that runs on its own (IOE_CARD_CAP_ASYNC): return once every
     * notification that the accesses before it raised can be taken by drain. 1 when it
     * waited for the card, 0 when nothing was written since the last sync (nothing new to
     * wait for), 2 when the card could not finish (its ring was full): drain, then sync
     * again; -errno. NULL: no such guarantee (the event thread takes them later). */
    int (*sync)(struct ioe_transport *t);
    /* simulated cards only: NULL elsewhere (card.c answers -EOPNOTSUPP) */
    int (*step)(struct ioe_transport *t, uint64_t cycles);
    int (*cycles)(struct ioe_transport *t, uint64_t *cycles);
    int (*msi)(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data);
    int (*set_wired)(struct ioe_transport *t, unsigned line, int level);
    /* optional: the DMA addresses the library may place guest memory at, as inclusive
     * ranges in ascending order (at most max; the count, or -errno). NULL: every address
     * below 2^64. A VFIO card reports its IOMMU's usable ranges (docs/pcie.md). */
    int (*iova_ranges)(struct ioe_transport *t, struct ioe_iova_range *out, size_t max);
    /* optional: device doorbell page `page` serves VM context vm at guest-physical base
     * gpa, so that a device's write at offset o of that page is the MSI {requester ID,
     * base + o, data} of that VM (the PCIe card's BAR4, docs/pcie.md section 3); -EINVAL
     * for a page or context the card lacks. NULL: the card has no device doorbell. */
    int (*doorbell_base)(struct ioe_transport *t, unsigned page, unsigned vm, uint64_t gpa);
};

struct ioe_transport {
    const struct ioe_transport_ops *ops;
    uint32_t caps; /* IOE_CARD_CAP_*, set by the backend at open */
};

/* Backends: open the card `name` (the target up to the colon) with `args` (the part after
 * the colon; NULL when the target has none). -ENODEV for arguments the backend rejects. */
int ioe_transport_simcard_open(const char *name, const char *args,
                               const struct ioe_card_options *opts, struct ioe_transport **out);
/* "sim:unix:PATH" and "sim:spawn[:soft|sim]": the wire protocol to ioe-simd
 * (transport_wire.c) */
int ioe_transport_wire_open_unix(const char *name, const char *args,
                                 const struct ioe_card_options *opts, struct ioe_transport **out);
int ioe_transport_wire_open_spawn(const char *name, const char *args,
                                  const struct ioe_card_options *opts, struct ioe_transport **out);
/* "usb[:SERIAL]": the wire protocol over a board's FT2232H UART (wire_link_usb.c) */
int ioe_transport_usb_open(const char *name, const char *args, const struct ioe_card_options *opts,
                           struct ioe_transport **out);

/* "pci:DDDD:BB:DD.F": the PCIe card through the host's VFIO (transport_vfio.c) */
int ioe_transport_vfio_open(const char *name, const char *args, const struct ioe_card_options *opts,
                            struct ioe_transport **out);
/* the same transport over any implementation of the VFIO seam (driver/src/vfio_sys.h): the
 * kernel's (ioe_vfio_sys_linux) or the root-complex stand-in of "sim:pcie". pci_addr is
 * DDDD:BB:DD.F. docs/pcie.md, section 6. */
struct ioe_vfio_sys;
int ioe_transport_vfio_open_sys(const struct ioe_vfio_sys *sys, const char *pci_addr,
                                const struct ioe_card_options *opts, struct ioe_transport **out);
/* "sim:pcie": that transport over the VFIO stand-in and the root-complex model of the PCIe
 * card's Verilator model, in this process (sim/pcie/pcie_sim_target.c) */
int ioe_transport_pcie_sim_open(const char *name, const char *args,
                                const struct ioe_card_options *opts, struct ioe_transport **out);

/* "jtag[:HOST[:PORT]]": the CSR window through OpenOCD's Tcl RPC server and the card's JTAG
 * debug bridge (transport_jtag.c, docs/jtag.md) */
int ioe_transport_jtag_open(const char *name, const char *args, const struct ioe_card_options *opts,
                            struct ioe_transport **out);

/* Host-memory registry of ioe_mem_alloc() (mem.c): the descriptor and offset of
 * [hva, hva+size) when it lies inside one allocation; -ENOENT otherwise. */
/* ioe_card_batch() for ops libioe builds itself from the register map (the engines'
 * access ports): the same, without the argument checks. */
int card_batch_trusted(struct ioe_card *card, struct ioe_csr_op *ops, size_t n);
/* the transport's sync (above); 0 when it has none */
int card_sync(struct ioe_card *card);
/* the transport's doorbell_base (above); -EOPNOTSUPP when it has none */
int card_doorbell_base(struct ioe_card *card, unsigned page, unsigned vm, uint64_t gpa);

int ioe_mem_lookup(const void *hva, uint64_t size, int *fd, uint64_t *fd_offset);

/* CLOCK_MONOTONIC in nanoseconds: the wall clock of POLL and wait timeouts */
uint64_t transport_now_ns(void);

#endif
