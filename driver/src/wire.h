/*
 * The wire protocol of out-of-process cards (docs/wire.md): frame encoder, streaming
 * decoder, and the payloads of every message. One codec, shared by libioe's client
 * transport (transport_wire.c) and ioe-simd's server. Nothing here does I/O: the caller
 * moves bytes (wire_link.h) and feeds them to a decoder.
 *
 * Errors are the negated protocol codes (-IOE_WIRE_E_BAD_CRC ...), so that a receiver can
 * answer a dropped frame with an ERROR frame carrying the code.
 */
#ifndef IOE_WIRE_H
#define IOE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define IOE_WIRE_SYNC 0xA5u
#define IOE_WIRE_VERSION 1u
#define IOE_WIRE_HDR 8u            /* sync type seq len flags */
#define IOE_WIRE_CRC 4u            /* CRC-32 after the payload */
#define IOE_WIRE_MAX_PAYLOAD 1024u /* largest len */
#define IOE_WIRE_MAX_FRAME (IOE_WIRE_HDR + IOE_WIRE_MAX_PAYLOAD + IOE_WIRE_CRC)
#define IOE_WIRE_RESP 0x80u                                    /* type bit of responses */
#define IOE_WIRE_MAX_OPS 63u                                   /* ops of one BATCH */
#define IOE_WIRE_MAX_NOTES ((IOE_WIRE_MAX_PAYLOAD - 4u) / 12u) /* records of one NOTIFY */
#define IOE_WIRE_NAME_LEN 16u                                  /* HELLO's card name */

enum ioe_wire_type {
    IOE_WIRE_HELLO = 0x01,
    IOE_WIRE_BATCH = 0x02,
    IOE_WIRE_RESET = 0x03,
    IOE_WIRE_DMA_MAP = 0x04,
    IOE_WIRE_DMA_UNMAP = 0x05,
    IOE_WIRE_FENCE = 0x06, /* answered once the notification stream is quiet */
    IOE_WIRE_STEP = 0x10,
    IOE_WIRE_MSI = 0x11,
    IOE_WIRE_WIRED = 0x12,
    IOE_WIRE_WAIT = 0x13,
    IOE_WIRE_NOTIFY = 0x20,    /* card -> host, unanswered */
    IOE_WIRE_DMA_READ = 0x21,  /* card -> host, answered 0xA1 */
    IOE_WIRE_DMA_WRITE = 0x22, /* card -> host, answered 0xA2 */
    IOE_WIRE_ERROR = 0x7F,     /* either side */
};

/* ERROR codes */
enum ioe_wire_error {
    IOE_WIRE_E_BAD_CRC = 1,
    IOE_WIRE_E_BAD_LEN = 2,
    IOE_WIRE_E_BAD_TYPE = 3,
    IOE_WIRE_E_BAD_PAYLOAD = 4,
    IOE_WIRE_E_BAD_VERSION = 5,
    IOE_WIRE_E_BUSY = 6,
    IOE_WIRE_E_OUT_OF_ORDER = 7,
};

/* HELLO caps */
#define IOE_WIRE_CAP_SIM (1u << 0)
#define IOE_WIRE_CAP_FD_MEMORY (1u << 1)
#define IOE_WIRE_CAP_DMA_WIRE (1u << 2)
#define IOE_WIRE_CAP_ASYNC (1u << 3)
#define IOE_WIRE_CAP_FENCE (1u << 4)

/* One decoded frame (payload copied out of the decoder). */
struct ioe_wire_frame {
    uint8_t type; /* with IOE_WIRE_RESP on responses */
    uint16_t seq;
    uint16_t len;
    uint16_t flags;
    uint8_t payload[IOE_WIRE_MAX_PAYLOAD];
};

/* One BATCH op as it travels: kind 0 READ, 1 WRITE (a = value), 2 POLL (a = mask,
 * b = expect); the values of enum ioe_csr_kind. */
struct ioe_wire_op {
    uint8_t kind;
    uint32_t addr, a, b;
};

/* One NOTIFY record */
struct ioe_wire_note {
    uint8_t vm, vcpu, src;
    uint64_t cycle;
};

/* Every message, unpacked. `type` selects the member of `u` (docs/wire.md's tables):
 *   HELLO                hello (version only)      HELLO|RESP    hello (all fields)
 *   BATCH                batch                     BATCH|RESP    batch_rsp
 *   RESET, FENCE         (none)                    RESET, FENCE, DMA_MAP, DMA_UNMAP, MSI,
 *   DMA_MAP, DMA_UNMAP   dma_map (fd_offset: MAP)    WIRED, DMA_WRITE |RESP: status
 *   STEP                 step                      STEP|RESP     step_rsp
 *   MSI                  msi                       WAIT|RESP     status (the ready flag)
 *   WIRED                wired                     DMA_READ|RESP dma (status, data)
 *   WAIT                 wait
 *   NOTIFY               notify
 *   DMA_READ, DMA_WRITE  dma (addr; data and strb for WRITE)
 *   ERROR                error */
struct ioe_wire_msg {
    uint8_t type;
    uint16_t seq;
    union {
        struct {
            uint16_t version;
            uint32_t id, caps, max_payload;
            char name[IOE_WIRE_NAME_LEN];
        } hello;
        struct {
            uint32_t poll_timeout_us, n;
            struct ioe_wire_op op[IOE_WIRE_MAX_OPS];
        } batch;
        struct {
            int32_t status;
            uint32_t done;
            uint32_t value[IOE_WIRE_MAX_OPS];
        } batch_rsp;
        int32_t status;
        struct {
            uint64_t iova, size, fd_offset;
        } dma_map;
        struct {
            uint64_t cycles;
        } step;
        struct {
            int32_t status;
            uint64_t cycle;
        } step_rsp;
        struct {
            uint32_t devid, data;
            uint64_t addr;
        } msi;
        struct {
            uint32_t line, level;
        } wired;
        struct {
            uint64_t timeout_us;
        } wait;
        struct {
            uint32_t n;
            struct ioe_wire_note rec[IOE_WIRE_MAX_NOTES];
        } notify;
        struct {
            int32_t status; /* responses */
            uint64_t addr, data;
            uint8_t strb;
        } dma;
        struct {
            uint16_t code, seq;
            uint32_t dropped;
        } error;
    } u;
};

/* Encode one frame of `len` (<= IOE_WIRE_MAX_PAYLOAD) payload bytes into out (room for
 * IOE_WIRE_HDR + len + IOE_WIRE_CRC bytes). Returns the frame's size, -EINVAL for len over
 * the limit. */
int ioe_wire_encode(uint8_t type, uint16_t seq, const void *payload, size_t len, uint8_t *out);

/* Pack a message into a frame (out: IOE_WIRE_MAX_FRAME bytes). Returns the frame's size,
 * -EINVAL for a type the codec does not know or counts over their limits. */
int ioe_wire_pack(const struct ioe_wire_msg *m, uint8_t *out);

/* Unpack a decoded frame. 0, -IOE_WIRE_E_BAD_TYPE for an unknown type,
 * -IOE_WIRE_E_BAD_PAYLOAD when the payload's length does not fit the type. */
int ioe_wire_unpack(const struct ioe_wire_frame *f, struct ioe_wire_msg *m);

/* Is `type` (with or without IOE_WIRE_RESP) a message of the protocol? */
int ioe_wire_type_known(uint8_t type);

/* Streaming decoder: append received bytes, take frames out. */
struct ioe_wire_decoder {
    uint8_t buf[2 * IOE_WIRE_MAX_FRAME];
    size_t start, end; /* unconsumed bytes: buf[start..end) */
    uint32_t dropped;  /* frames dropped (bad CRC, bad len) so far */
    uint64_t skipped;  /* bytes skipped while hunting for sync */
};

void ioe_wire_decoder_init(struct ioe_wire_decoder *d);
/* Where to receive into and how many bytes fit there (always >= IOE_WIRE_MAX_FRAME), then
 * ioe_wire_decoder_commit() the count received. */
uint8_t *ioe_wire_decoder_space(struct ioe_wire_decoder *d, size_t *room);
void ioe_wire_decoder_commit(struct ioe_wire_decoder *d, size_t n);
/* Copy bytes in (as space + commit); returns how many were taken (stops when full: take
 * frames out with ioe_wire_decoder_next and push the rest). */
size_t ioe_wire_decoder_push(struct ioe_wire_decoder *d, const void *data, size_t n);
/* The next frame: 1 with *f filled; 0 when more bytes are needed; -IOE_WIRE_E_BAD_LEN or
 * -IOE_WIRE_E_BAD_CRC for a dropped frame (f->type and f->seq hold its header, for the
 * ERROR answer; counted in `dropped`), after which the decoder hunts again from the byte
 * after the dropped frame's sync byte. Types are not checked here (ioe_wire_unpack). */
int ioe_wire_decoder_next(struct ioe_wire_decoder *d, struct ioe_wire_frame *f);
/* Bytes waiting in the decoder (a partial frame). */
size_t ioe_wire_decoder_pending(const struct ioe_wire_decoder *d);

/* Names for messages: "HELLO", "BAD_CRC" ... ("?" when unknown). */
const char *ioe_wire_type_name(uint8_t type);
const char *ioe_wire_error_name(unsigned code);

#endif
