/*
 * The wire protocol's codec (docs/wire.md, wire.h): little-endian fields, CRC-32 of
 * zlib, and a decoder that hunts for sync and resynchronises after a bad frame.
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "wire.h"

/* ---------------------------------------------------------------- byte order */

struct wbuf {
    uint8_t *p;
    size_t n;
};

static void put8(struct wbuf *w, uint8_t v)
{
    w->p[w->n++] = v;
}

static void put16(struct wbuf *w, uint16_t v)
{
    put8(w, (uint8_t)v);
    put8(w, (uint8_t)(v >> 8));
}

static void put32(struct wbuf *w, uint32_t v)
{
    put16(w, (uint16_t)v);
    put16(w, (uint16_t)(v >> 16));
}

static void put64(struct wbuf *w, uint64_t v)
{
    put32(w, (uint32_t)v);
    put32(w, (uint32_t)(v >> 32));
}

static void putz(struct wbuf *w, size_t n)
{
    memset(w->p + w->n, 0, n);
    w->n += n;
}

struct rbuf {
    const uint8_t *p;
    size_t n, at;
};

static uint8_t get8(struct rbuf *r)
{
    return r->p[r->at++];
}

static uint16_t get16(struct rbuf *r)
{
    uint16_t v = get8(r);
    return (uint16_t)(v | get8(r) << 8);
}

static uint32_t get32(struct rbuf *r)
{
    uint32_t v = get16(r);
    return v | (uint32_t)get16(r) << 16;
}

static uint64_t get64(struct rbuf *r)
{
    uint64_t v = get32(r);
    return v | (uint64_t)get32(r) << 32;
}

static void skip(struct rbuf *r, size_t n)
{
    r->at += n;
}

static uint32_t crc_of(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* ---------------------------------------------------------------- frames */

int ioe_wire_encode(uint8_t type, uint16_t seq, const void *payload, size_t len, uint8_t *out)
{
    if (len > IOE_WIRE_MAX_PAYLOAD)
        return -EINVAL;
    struct wbuf w = {out, 0};
    put8(&w, IOE_WIRE_SYNC);
    put8(&w, type);
    put16(&w, seq);
    put16(&w, (uint16_t)len);
    put16(&w, 0);
    if (len && payload != out + IOE_WIRE_HDR)
        memmove(out + IOE_WIRE_HDR, payload, len);
    w.n += len;
    put32(&w, crc_of(out, IOE_WIRE_HDR + len));
    return (int)w.n;
}

/* ---------------------------------------------------------------- messages */

int ioe_wire_type_known(uint8_t type)
{
    switch (type & ~IOE_WIRE_RESP) {
    case IOE_WIRE_HELLO:
    case IOE_WIRE_BATCH:
    case IOE_WIRE_RESET:
    case IOE_WIRE_FENCE:
    case IOE_WIRE_DMA_MAP:
    case IOE_WIRE_DMA_UNMAP:
    case IOE_WIRE_STEP:
    case IOE_WIRE_MSI:
    case IOE_WIRE_WIRED:
    case IOE_WIRE_WAIT:
    case IOE_WIRE_DMA_READ:
    case IOE_WIRE_DMA_WRITE: return 1;
    case IOE_WIRE_NOTIFY:
    case IOE_WIRE_ERROR: return !(type & IOE_WIRE_RESP); /* never answered */
    default: return 0;
    }
}

/* The payload of m written at w; -EINVAL for a message the codec cannot send. */
static int pack_payload(const struct ioe_wire_msg *m, struct wbuf *w)
{
    int rsp = (m->type & IOE_WIRE_RESP) != 0;
    switch (m->type & ~IOE_WIRE_RESP) {
    case IOE_WIRE_HELLO:
        put16(w, m->u.hello.version);
        put16(w, 0);
        if (rsp) {
            put32(w, m->u.hello.id);
            put32(w, m->u.hello.caps);
            put32(w, m->u.hello.max_payload);
            memcpy(w->p + w->n, m->u.hello.name, IOE_WIRE_NAME_LEN);
            w->n += IOE_WIRE_NAME_LEN;
        }
        return 0;
    case IOE_WIRE_BATCH:
        if (rsp) {
            if (m->u.batch_rsp.done > IOE_WIRE_MAX_OPS)
                return -EINVAL;
            put32(w, (uint32_t)m->u.batch_rsp.status);
            put32(w, m->u.batch_rsp.done);
            for (uint32_t i = 0; i < m->u.batch_rsp.done; i++)
                put32(w, m->u.batch_rsp.value[i]);
            return 0;
        }
        if (m->u.batch.n < 1 || m->u.batch.n > IOE_WIRE_MAX_OPS)
            return -EINVAL;
        put32(w, m->u.batch.poll_timeout_us);
        for (uint32_t i = 0; i < m->u.batch.n; i++) {
            put8(w, m->u.batch.op[i].kind);
            putz(w, 3);
            put32(w, m->u.batch.op[i].addr);
            put32(w, m->u.batch.op[i].a);
            put32(w, m->u.batch.op[i].b);
        }
        return 0;
    case IOE_WIRE_RESET:
    case IOE_WIRE_FENCE:
    case IOE_WIRE_MSI:
    case IOE_WIRE_WIRED:
    case IOE_WIRE_WAIT:
    case IOE_WIRE_DMA_MAP:
    case IOE_WIRE_DMA_UNMAP:
    case IOE_WIRE_DMA_WRITE:
        if (rsp) {
            put32(w, (uint32_t)m->u.status);
            return 0;
        }
        switch (m->type) {
        case IOE_WIRE_RESET:
        case IOE_WIRE_FENCE: return 0;
        case IOE_WIRE_MSI:
            put32(w, m->u.msi.devid);
            put32(w, m->u.msi.data);
            put64(w, m->u.msi.addr);
            return 0;
        case IOE_WIRE_WIRED:
            put32(w, m->u.wired.line);
            put32(w, m->u.wired.level);
            return 0;
        case IOE_WIRE_WAIT: put64(w, m->u.wait.timeout_us); return 0;
        case IOE_WIRE_DMA_WRITE:
            put64(w, m->u.dma.addr);
            put64(w, m->u.dma.data);
            put8(w, m->u.dma.strb);
            putz(w, 7);
            return 0;
        default: /* DMA_MAP, DMA_UNMAP */
            put64(w, m->u.dma_map.iova);
            put64(w, m->u.dma_map.size);
            if (m->type == IOE_WIRE_DMA_MAP)
                put64(w, m->u.dma_map.fd_offset);
            return 0;
        }
    case IOE_WIRE_STEP:
        if (rsp) {
            put32(w, (uint32_t)m->u.step_rsp.status);
            put32(w, 0);
            put64(w, m->u.step_rsp.cycle);
        } else {
            put64(w, m->u.step.cycles);
        }
        return 0;
    case IOE_WIRE_DMA_READ:
        if (rsp) {
            put32(w, (uint32_t)m->u.dma.status);
            put32(w, 0);
            put64(w, m->u.dma.data);
        } else {
            put64(w, m->u.dma.addr);
        }
        return 0;
    case IOE_WIRE_NOTIFY:
        if (rsp || m->u.notify.n > IOE_WIRE_MAX_NOTES)
            return -EINVAL;
        put32(w, m->u.notify.n);
        for (uint32_t i = 0; i < m->u.notify.n; i++) {
            put8(w, m->u.notify.rec[i].vm);
            put8(w, m->u.notify.rec[i].vcpu);
            put8(w, m->u.notify.rec[i].src);
            put8(w, 0);
            put64(w, m->u.notify.rec[i].cycle);
        }
        return 0;
    case IOE_WIRE_ERROR:
        if (rsp)
            return -EINVAL;
        put16(w, m->u.error.code);
        put16(w, m->u.error.seq);
        put32(w, m->u.error.dropped);
        return 0;
    default: return -EINVAL;
    }
}

int ioe_wire_pack(const struct ioe_wire_msg *m, uint8_t *out)
{
    struct wbuf w = {out + IOE_WIRE_HDR, 0};
    int err = pack_payload(m, &w);
    if (err)
        return err;
    return ioe_wire_encode(m->type, m->seq, out + IOE_WIRE_HDR, w.n, out);
}

/* The payload length a frame of its type must have (the count field read where the length
 * depends on it); -1 when none fits. */
static long expected_len(uint8_t type, const struct ioe_wire_frame *f)
{
    int rsp = (type & IOE_WIRE_RESP) != 0;
    switch (type & ~IOE_WIRE_RESP) {
    case IOE_WIRE_HELLO: return rsp ? 16 + IOE_WIRE_NAME_LEN : 4;
    case IOE_WIRE_BATCH:
        if (rsp) {
            uint32_t done = f->len >= 8
                                ? (uint32_t)f->payload[4] | (uint32_t)f->payload[5] << 8 |
                                      (uint32_t)f->payload[6] << 16 | (uint32_t)f->payload[7] << 24
                                : 0;
            return done > IOE_WIRE_MAX_OPS ? -1 : 8 + 4 * (long)done;
        }
        /* 1 to 63 whole ops */
        return f->len >= 20 && (f->len - 4) % 16 == 0 &&
                       (unsigned)(f->len - 4) / 16 <= IOE_WIRE_MAX_OPS
                   ? f->len
                   : -1;
    case IOE_WIRE_RESET:
    case IOE_WIRE_FENCE: return rsp ? 4 : 0;
    case IOE_WIRE_DMA_MAP: return rsp ? 4 : 24;
    case IOE_WIRE_DMA_UNMAP: return rsp ? 4 : 16;
    case IOE_WIRE_STEP: return rsp ? 16 : 8;
    case IOE_WIRE_MSI: return rsp ? 4 : 16;
    case IOE_WIRE_WIRED: return rsp ? 4 : 8;
    case IOE_WIRE_WAIT: return rsp ? 4 : 8;
    case IOE_WIRE_NOTIFY: {
        uint32_t n = f->len >= 4 ? (uint32_t)f->payload[0] | (uint32_t)f->payload[1] << 8 |
                                       (uint32_t)f->payload[2] << 16 | (uint32_t)f->payload[3] << 24
                                 : UINT32_MAX;
        return n > IOE_WIRE_MAX_NOTES ? -1 : 4 + 12 * (long)n;
    }
    case IOE_WIRE_DMA_READ: return rsp ? 16 : 8;
    case IOE_WIRE_DMA_WRITE: return rsp ? 4 : 24;
    case IOE_WIRE_ERROR: return 8;
    default: return -1;
    }
}

int ioe_wire_unpack(const struct ioe_wire_frame *f, struct ioe_wire_msg *m)
{
    if (!ioe_wire_type_known(f->type))
        return -IOE_WIRE_E_BAD_TYPE;
    if (f->len != expected_len(f->type, f))
        return -IOE_WIRE_E_BAD_PAYLOAD;
    memset(m, 0, sizeof(*m));
    m->type = f->type;
    m->seq = f->seq;
    struct rbuf r = {f->payload, f->len, 0};
    int rsp = (f->type & IOE_WIRE_RESP) != 0;
    switch (f->type & ~IOE_WIRE_RESP) {
    case IOE_WIRE_HELLO:
        m->u.hello.version = get16(&r);
        skip(&r, 2);
        if (rsp) {
            m->u.hello.id = get32(&r);
            m->u.hello.caps = get32(&r);
            m->u.hello.max_payload = get32(&r);
            memcpy(m->u.hello.name, r.p + r.at, IOE_WIRE_NAME_LEN);
            m->u.hello.name[IOE_WIRE_NAME_LEN - 1] = 0;
        }
        break;
    case IOE_WIRE_BATCH:
        if (rsp) {
            m->u.batch_rsp.status = (int32_t)get32(&r);
            m->u.batch_rsp.done = get32(&r);
            for (uint32_t i = 0; i < m->u.batch_rsp.done; i++)
                m->u.batch_rsp.value[i] = get32(&r);
            break;
        }
        m->u.batch.poll_timeout_us = get32(&r);
        m->u.batch.n = (uint32_t)(f->len - 4) / 16;
        for (uint32_t i = 0; i < m->u.batch.n; i++) {
            m->u.batch.op[i].kind = get8(&r);
            skip(&r, 3);
            m->u.batch.op[i].addr = get32(&r);
            m->u.batch.op[i].a = get32(&r);
            m->u.batch.op[i].b = get32(&r);
        }
        break;
    case IOE_WIRE_STEP:
        if (rsp) {
            m->u.step_rsp.status = (int32_t)get32(&r);
            skip(&r, 4);
            m->u.step_rsp.cycle = get64(&r);
        } else {
            m->u.step.cycles = get64(&r);
        }
        break;
    case IOE_WIRE_DMA_READ:
        if (rsp) {
            m->u.dma.status = (int32_t)get32(&r);
            skip(&r, 4);
            m->u.dma.data = get64(&r);
        } else {
            m->u.dma.addr = get64(&r);
        }
        break;
    case IOE_WIRE_NOTIFY:
        m->u.notify.n = get32(&r);
        for (uint32_t i = 0; i < m->u.notify.n; i++) {
            m->u.notify.rec[i].vm = get8(&r);
            m->u.notify.rec[i].vcpu = get8(&r);
            m->u.notify.rec[i].src = get8(&r);
            skip(&r, 1);
            m->u.notify.rec[i].cycle = get64(&r);
        }
        break;
    case IOE_WIRE_ERROR:
        m->u.error.code = get16(&r);
        m->u.error.seq = get16(&r);
        m->u.error.dropped = get32(&r);
        break;
    default:
        if (rsp) {
            m->u.status = (int32_t)get32(&r);
            break;
        }
        switch (f->type) {
        case IOE_WIRE_MSI:
            m->u.msi.devid = get32(&r);
            m->u.msi.data = get32(&r);
            m->u.msi.addr = get64(&r);
            break;
        case IOE_WIRE_WIRED:
            m->u.wired.line = get32(&r);
            m->u.wired.level = get32(&r);
            break;
        case IOE_WIRE_WAIT: m->u.wait.timeout_us = get64(&r); break;
        case IOE_WIRE_DMA_WRITE:
            m->u.dma.addr = get64(&r);
            m->u.dma.data = get64(&r);
            m->u.dma.strb = get8(&r);
            break;
        case IOE_WIRE_DMA_MAP:
        case IOE_WIRE_DMA_UNMAP:
            m->u.dma_map.iova = get64(&r);
            m->u.dma_map.size = get64(&r);
            if (f->type == IOE_WIRE_DMA_MAP)
                m->u.dma_map.fd_offset = get64(&r);
            break;
        default: break; /* RESET, FENCE */
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- decoder */

void ioe_wire_decoder_init(struct ioe_wire_decoder *d)
{
    d->start = d->end = 0;
    d->dropped = 0;
    d->skipped = 0;
}

/* Move the unconsumed bytes to the front when less than a frame's room is left. */
static void compact(struct ioe_wire_decoder *d)
{
    if (sizeof(d->buf) - d->end >= IOE_WIRE_MAX_FRAME)
        return;
    memmove(d->buf, d->buf + d->start, d->end - d->start);
    d->end -= d->start;
    d->start = 0;
}

uint8_t *ioe_wire_decoder_space(struct ioe_wire_decoder *d, size_t *room)
{
    compact(d);
    *room = sizeof(d->buf) - d->end;
    return d->buf + d->end;
}

void ioe_wire_decoder_commit(struct ioe_wire_decoder *d, size_t n)
{
    d->end += n;
}

size_t ioe_wire_decoder_push(struct ioe_wire_decoder *d, const void *data, size_t n)
{
    size_t room;
    uint8_t *p = ioe_wire_decoder_space(d, &room);
    if (n > room)
        n = room;
    memcpy(p, data, n);
    d->end += n;
    return n;
}

size_t ioe_wire_decoder_pending(const struct ioe_wire_decoder *d)
{
    return d->end - d->start;
}

int ioe_wire_decoder_next(struct ioe_wire_decoder *d, struct ioe_wire_frame *f)
{
    /* hunt for sync */
    const uint8_t *s = memchr(d->buf + d->start, IOE_WIRE_SYNC, d->end - d->start);
    size_t at = s ? (size_t)(s - d->buf) : d->end;
    d->skipped += at - d->start;
    d->start = at;
    if (d->end - d->start < IOE_WIRE_HDR)
        return 0;
    struct rbuf r = {d->buf + d->start, IOE_WIRE_HDR, 1};
    f->type = get8(&r);
    f->seq = get16(&r);
    f->len = get16(&r);
    f->flags = get16(&r);
    if (f->len > IOE_WIRE_MAX_PAYLOAD) {
        d->dropped++;
        d->start++; /* hunt again after this frame's sync byte */
        return -IOE_WIRE_E_BAD_LEN;
    }
    size_t total = IOE_WIRE_HDR + f->len + IOE_WIRE_CRC;
    if (d->end - d->start < total)
        return 0;
    const uint8_t *p = d->buf + d->start;
    struct rbuf c = {p + IOE_WIRE_HDR + f->len, 4, 0};
    if (get32(&c) != crc_of(p, IOE_WIRE_HDR + f->len)) {
        d->dropped++;
        d->start++;
        return -IOE_WIRE_E_BAD_CRC;
    }
    memcpy(f->payload, p + IOE_WIRE_HDR, f->len);
    d->start += total;
    if (d->start == d->end)
        d->start = d->end = 0;
    return 1;
}

/* ---------------------------------------------------------------- names */

const char *ioe_wire_type_name(uint8_t type)
{
    switch (type & ~IOE_WIRE_RESP) {
    case IOE_WIRE_HELLO: return "HELLO";
    case IOE_WIRE_BATCH: return "BATCH";
    case IOE_WIRE_RESET: return "RESET";
    case IOE_WIRE_DMA_MAP: return "DMA_MAP";
    case IOE_WIRE_DMA_UNMAP: return "DMA_UNMAP";
    case IOE_WIRE_FENCE: return "FENCE";
    case IOE_WIRE_STEP: return "STEP";
    case IOE_WIRE_MSI: return "MSI";
    case IOE_WIRE_WIRED: return "WIRED";
    case IOE_WIRE_WAIT: return "WAIT";
    case IOE_WIRE_NOTIFY: return "NOTIFY";
    case IOE_WIRE_DMA_READ: return "DMA_READ";
    case IOE_WIRE_DMA_WRITE: return "DMA_WRITE";
    case IOE_WIRE_ERROR: return "ERROR";
    default: return "?";
    }
}

const char *ioe_wire_error_name(unsigned code)
{
    static const char *const names[] = {"?",           "BAD_CRC",     "BAD_LEN", "BAD_TYPE",
                                        "BAD_PAYLOAD", "BAD_VERSION", "BUSY",    "OUT_OF_ORDER"};
    return code < sizeof(names) / sizeof(names[0]) ? names[code] : "?";
}
