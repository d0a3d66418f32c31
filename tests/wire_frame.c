/* Frames of the wire protocol for the board tests (wire_frame.h). */
#include "wire_frame.h"

#include <string.h>
#include <zlib.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

size_t wf_build(uint8_t *buf, uint8_t type, uint16_t seq, const void *payload, uint16_t len)
{
    buf[0] = WF_SYNC;
    buf[1] = type;
    put16(buf + 2, seq);
    put16(buf + 4, len);
    put16(buf + 6, 0);
    if (len)
        memcpy(buf + WF_HDR, payload, len);
    uint32_t crc = (uint32_t)crc32(0L, buf, WF_HDR + len);
    wf_put32(buf + WF_HDR + len, crc);
    return WF_HDR + len + 4u;
}

long wf_parse(const uint8_t *buf, size_t n, struct wf_frame *f)
{
    size_t s = 0;
    while (s < n && buf[s] != WF_SYNC)
        s++;
    if (s == n)
        return s ? -(long)s : 0;
    if (s)
        return -(long)s; /* garbage before the sync byte */
    if (n < WF_HDR)
        return 0;
    uint16_t len = get16(buf + 4);
    if (len > WF_MAX_PAYLOAD)
        return -1;
    if (n < WF_HDR + len + 4u)
        return 0;
    if ((uint32_t)crc32(0L, buf, WF_HDR + len) != wf_get32(buf + WF_HDR + len))
        return -1;
    f->type = buf[1];
    f->seq = get16(buf + 2);
    f->len = len;
    f->flags = get16(buf + 6);
    memcpy(f->payload, buf + WF_HDR, len);
    return (long)(WF_HDR + len + 4u);
}
