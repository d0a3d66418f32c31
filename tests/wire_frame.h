/*
 * Frames of the wire protocol (docs/wire.md) for the board tests: build one, find and
 * parse one in a byte buffer. A stand-in for the host codec, which lives in libioe; the
 * tests switch to it when both are in one tree.
 */
#ifndef IOE_TESTS_WIRE_FRAME_H
#define IOE_TESTS_WIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define WF_SYNC 0xA5u
#define WF_HDR 8u
#define WF_MAX_PAYLOAD 1024u
#define WF_MAX_FRAME (WF_HDR + WF_MAX_PAYLOAD + 4u)

enum {
    WF_HELLO = 0x01,
    WF_BATCH = 0x02,
    WF_RESET = 0x03,
    WF_FENCE = 0x06,
    WF_NOTIFY = 0x20,
    WF_ERROR = 0x7F,
    WF_RESPONSE = 0x80,
};

enum {
    WF_BAD_CRC = 1,
    WF_BAD_LEN,
    WF_BAD_TYPE,
    WF_BAD_PAYLOAD,
    WF_BAD_VERSION,
    WF_BUSY,
    WF_OUT_OF_ORDER
};

struct wf_frame {
    uint8_t type;
    uint16_t seq;
    uint16_t len;
    uint16_t flags;
    uint8_t payload[WF_MAX_PAYLOAD];
};

/* Frame `len` payload bytes into buf (room for WF_HDR + len + 4); returns the frame's size. */
size_t wf_build(uint8_t *buf, uint8_t type, uint16_t seq, const void *payload, uint16_t len);

/* Look for one frame at the start of buf[0..n): bytes before a sync byte are skipped.
 * Returns the bytes consumed (> 0) with *f filled, 0 when more bytes are needed, or
 * -(bytes to drop) when the frame at the sync byte is bad (length over the limit or a
 * wrong checksum: drop the sync byte and look again). */
long wf_parse(const uint8_t *buf, size_t n, struct wf_frame *f);

static inline uint32_t wf_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wf_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

#endif
