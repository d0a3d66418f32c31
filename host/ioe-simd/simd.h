/*
 * ioe-simd's parts (ioe-simd.c): the connection handling and the backends that serve one
 * connection each. A backend is a row of the table in ioe-simd.c: a name for --card, a
 * summary, and serve(), which talks to the client through struct simd_conn until the
 * client is gone or the server must stop.
 */
#ifndef IOE_SIMD_H
#define IOE_SIMD_H

#include <stdint.h>

#include "ioe_simcard.h"
#include "wire.h"
#include "wire_link.h"

struct simd_config {
    const struct ioe_simcard_ops *card_ops; /* the simulated card (simcard backend) */
    int free_run;                           /* step the card between requests (ASYNC) */
    int dma_wire;                           /* ask the client for DMA (DMA_WIRE) */
    unsigned timeout_ms;                    /* POLL bound default; FENCE's, DMA answers' bound */
    unsigned dma_latency, dma_outstanding;  /* host-memory model */
    const char *trace_path;                 /* --card sim: waveform */
    char name[IOE_WIRE_NAME_LEN];           /* HELLO's name */
};

struct simd_conn {
    struct wire_link *link; /* the client */
    int listen_fd;          /* for refusing a second client meanwhile */
    uint32_t dropped;       /* frames of the client the backend dropped (its decoder's
                             * drops are added when it returns) */
};

struct simd_backend {
    const char *name, *summary;
    /* Serve one connection: 0 when the client left, -errno when the connection failed,
     * also returns when simd_stopping(). */
    int (*serve)(const struct simd_config *cfg, struct simd_conn *c);
    const struct ioe_simcard_ops *card_ops;
};

/* Wait until the client has bytes (1), timeout_ms passed (0; -1: no bound) or the server
 * must stop (-1). Refuses other clients meanwhile (ERROR BUSY). */
int simd_wait(struct simd_conn *c, int timeout_ms);
/* SIGTERM or SIGINT came: finish the current request and return. */
int simd_stopping(void);

/* Readable when the server must stop (for a backend's own poll) */
int simd_wake_fd(void);

/* The simulated cards (simd_card.c) */
int simd_serve_simcard(const struct simd_config *cfg, struct simd_conn *c);
/* The board's logic, wire bridge included (simd_board.c) */
int simd_serve_board(const struct simd_config *cfg, struct simd_conn *c);
/* --jtag: the card's TAP to OpenOCD's remote_bitbang (simd_jtag.c); the exit status */
int simd_serve_jtag(const char *where, uint32_t idcode, const char *trace_path, int once);

#endif
