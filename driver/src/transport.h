/*
 * The transport interface of libioe: everything the driver needs from a card, and
 * nothing more. Every backend (soft, sim today; sim over a socket, PCIe/VFIO, USB,
 * JTAG later) fills one of these tables; the layers above never see which it is.
 * Functions return 0 / a count, or a negative errno. Arguments are already checked by
 * card.c (alignment, window bounds, NULL pointers).
 */
#ifndef IOE_TRANSPORT_H
#define IOE_TRANSPORT_H

#include <ioe/card.h>

struct ioe_transport;

struct ioe_transport_ops {
    const char *name;
    void (*close)(struct ioe_transport *t);
    int (*reset)(struct ioe_transport *t);
    /* CSR window, 32-bit accesses (64-bit values are split by card.c) */
    int (*read32)(struct ioe_transport *t, uint32_t addr, uint32_t *val);
    int (*write32)(struct ioe_transport *t, uint32_t addr, uint32_t val);
    /* DMA window: what the card can reach of host memory */
    int (*dma_map)(struct ioe_transport *t, uint64_t iova, void *hva, uint64_t size);
    int (*dma_unmap)(struct ioe_transport *t, uint64_t iova, uint64_t size);
    /* notification stream */
    int (*drain)(struct ioe_transport *t, struct ioe_notification *buf, size_t max);
    int (*wait)(struct ioe_transport *t, uint64_t timeout);
    /* simulated cards only: NULL elsewhere (card.c answers -EOPNOTSUPP) */
    int (*step)(struct ioe_transport *t, uint64_t cycles);
    int (*cycles)(struct ioe_transport *t, uint64_t *cycles);
    int (*msi)(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data);
    int (*set_wired)(struct ioe_transport *t, unsigned line, int level);
};

struct ioe_transport {
    const struct ioe_transport_ops *ops;
};

/* Backends: open the card named by the part of the target after the backend's name. */
int ioe_transport_simcard_open(const char *target, const struct ioe_card_options *opts,
                               struct ioe_transport **out);

#endif
