/*
 * The wire protocol's codec (driver/src/wire.c, docs/wire.md): round trips of every
 * message, the byte layout of one, bad CRC, bad len, unknown types, payloads that do not
 * fit their type, truncated frames, resynchronisation after garbage, and a seeded run of
 * random corruption in random chunks (--seed N / IOE_TEST_SEED).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "targets.h"
#include "wire.h"

static struct ioe_wire_decoder dec;
static struct ioe_wire_frame frame;

/* Decode exactly one frame from bytes fed one at a time. */
static void decode_one(const uint8_t *buf, int len, struct ioe_wire_msg *out)
{
    ioe_wire_decoder_init(&dec);
    for (int i = 0; i < len; i++) {
        assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 0); /* truncated: wait */
        assert_int_equal(ioe_wire_decoder_push(&dec, buf + i, 1), 1);
    }
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 1);
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 0);
    assert_int_equal(ioe_wire_decoder_pending(&dec), 0);
    assert_int_equal(ioe_wire_unpack(&frame, out), 0);
}

static struct ioe_wire_msg *new_msg(struct ioe_wire_msg *m, uint8_t type, uint16_t seq)
{
    memset(m, 0, sizeof(*m));
    m->type = type;
    m->seq = seq;
    return m;
}

/* Every message type of docs/wire.md, requests and responses, with non-trivial fields. */
static size_t all_messages(struct ioe_wire_msg *m)
{
    size_t k = 0;
    new_msg(&m[k++], IOE_WIRE_HELLO, 1)->u.hello.version = 1;
    struct ioe_wire_msg *h = new_msg(&m[k++], IOE_WIRE_HELLO | IOE_WIRE_RESP, 1);
    h->u.hello.version = 1;
    h->u.hello.id = 0x494f4543;
    h->u.hello.caps = IOE_WIRE_CAP_SIM | IOE_WIRE_CAP_FD_MEMORY;
    h->u.hello.max_payload = 1024;
    strcpy(h->u.hello.name, "ioe-simd soft");
    for (uint32_t n = 1; n <= IOE_WIRE_MAX_OPS; n += 31) {
        struct ioe_wire_msg *b = new_msg(&m[k++], IOE_WIRE_BATCH, (uint16_t)(0x100 + n));
        b->u.batch.poll_timeout_us = 120000000;
        b->u.batch.n = n;
        for (uint32_t i = 0; i < n; i++)
            b->u.batch.op[i] = (struct ioe_wire_op){(uint8_t)(i % 3), 0x1000 + 4 * i,
                                                    0xdead0000 | i, i % 3 == 2 ? 0x10 : 0};
        struct ioe_wire_msg *r = new_msg(&m[k++], IOE_WIRE_BATCH | IOE_WIRE_RESP, b->seq);
        r->u.batch_rsp.status = n == 1 ? -5 : 0;
        r->u.batch_rsp.done = n;
        for (uint32_t i = 0; i < n; i++)
            r->u.batch_rsp.value[i] = 0x80000000u ^ i;
    }
    new_msg(&m[k++], IOE_WIRE_RESET, 7);
    new_msg(&m[k++], IOE_WIRE_FENCE, 14);
    struct ioe_wire_msg *d = new_msg(&m[k++], IOE_WIRE_DMA_MAP, 8);
    d->u.dma_map.iova = 0x123456789abcull;
    d->u.dma_map.size = 0x10000;
    d->u.dma_map.fd_offset = 0x3000;
    d = new_msg(&m[k++], IOE_WIRE_DMA_UNMAP, 9);
    d->u.dma_map.iova = 0xfedcba9876543210ull;
    d->u.dma_map.size = 0x1000;
    new_msg(&m[k++], IOE_WIRE_STEP, 10)->u.step.cycles = 0x100000000ull;
    struct ioe_wire_msg *s = new_msg(&m[k++], IOE_WIRE_STEP | IOE_WIRE_RESP, 10);
    s->u.step_rsp.status = 0;
    s->u.step_rsp.cycle = 0xffffffff00000001ull;
    struct ioe_wire_msg *x = new_msg(&m[k++], IOE_WIRE_MSI, 11);
    x->u.msi.devid = 0xabcdef;
    x->u.msi.data = 0x1234;
    x->u.msi.addr = 0x8080000040ull;
    struct ioe_wire_msg *w = new_msg(&m[k++], IOE_WIRE_WIRED, 12);
    w->u.wired.line = 31;
    w->u.wired.level = 1;
    new_msg(&m[k++], IOE_WIRE_WAIT, 13)->u.wait.timeout_us = 5000000;
    static const uint8_t status_types[] = {IOE_WIRE_RESET,     IOE_WIRE_DMA_MAP, IOE_WIRE_DMA_UNMAP,
                                           IOE_WIRE_MSI,       IOE_WIRE_WIRED,   IOE_WIRE_WAIT,
                                           IOE_WIRE_DMA_WRITE, IOE_WIRE_FENCE};
    for (size_t i = 0; i < sizeof(status_types); i++)
        new_msg(&m[k++], status_types[i] | IOE_WIRE_RESP, (uint16_t)(20 + i))->u.status =
            -(int32_t)i;
    for (uint32_t n = 0; n <= IOE_WIRE_MAX_NOTES; n += IOE_WIRE_MAX_NOTES) {
        struct ioe_wire_msg *no = new_msg(&m[k++], IOE_WIRE_NOTIFY, (uint16_t)(30 + n));
        no->u.notify.n = n;
        for (uint32_t i = 0; i < n; i++)
            no->u.notify.rec[i] =
                (struct ioe_wire_note){(uint8_t)i, (uint8_t)(i * 3), (uint8_t)(i % 3), 1000ull * i};
    }
    new_msg(&m[k++], IOE_WIRE_DMA_READ, 40)->u.dma.addr = 0x7000040;
    struct ioe_wire_msg *dr = new_msg(&m[k++], IOE_WIRE_DMA_READ | IOE_WIRE_RESP, 40);
    dr->u.dma.status = -14;
    dr->u.dma.data = 0x8877665544332211ull;
    struct ioe_wire_msg *dw = new_msg(&m[k++], IOE_WIRE_DMA_WRITE, 41);
    dw->u.dma.addr = 0x7000048;
    dw->u.dma.data = 0x0102030405060708ull;
    dw->u.dma.strb = 0x0f;
    struct ioe_wire_msg *e = new_msg(&m[k++], IOE_WIRE_ERROR, 50);
    e->u.error.code = IOE_WIRE_E_BAD_CRC;
    e->u.error.seq = 49;
    e->u.error.dropped = 3;
    return k;
}

static void test_round_trips(void **state)
{
    (void)state;
    static struct ioe_wire_msg m[64], back;
    static uint8_t buf[IOE_WIRE_MAX_FRAME];
    size_t k = all_messages(m);
    unsigned seen = 0;
    for (size_t i = 0; i < k; i++) {
        int len = ioe_wire_pack(&m[i], buf);
        assert_true(len >= (int)(IOE_WIRE_HDR + IOE_WIRE_CRC));
        assert_true(len <= (int)IOE_WIRE_MAX_FRAME);
        assert_int_equal(buf[0], IOE_WIRE_SYNC);
        assert_int_equal(buf[1], m[i].type);
        decode_one(buf, len, &back);
        if (memcmp(&back, &m[i], sizeof(back)) != 0)
            fail_msg("message %zu (%s 0x%02x) changed in a round trip", i,
                     ioe_wire_type_name(m[i].type), m[i].type);
        seen |= 1u << (m[i].type & 0x1f);
    }
    /* names */
    assert_string_equal(ioe_wire_type_name(IOE_WIRE_BATCH | IOE_WIRE_RESP), "BATCH");
    assert_string_equal(ioe_wire_error_name(IOE_WIRE_E_BUSY), "BUSY");
    assert_string_equal(ioe_wire_error_name(99), "?");
    /* counts over the limits are refused */
    struct ioe_wire_msg b;
    new_msg(&b, IOE_WIRE_BATCH, 1)->u.batch.n = IOE_WIRE_MAX_OPS + 1;
    assert_int_equal(ioe_wire_pack(&b, buf), -EINVAL);
    b.u.batch.n = 0;
    assert_int_equal(ioe_wire_pack(&b, buf), -EINVAL);
    new_msg(&b, IOE_WIRE_NOTIFY, 1)->u.notify.n = IOE_WIRE_MAX_NOTES + 1;
    assert_int_equal(ioe_wire_pack(&b, buf), -EINVAL);
    new_msg(&b, 0x55, 1);
    assert_int_equal(ioe_wire_pack(&b, buf), -EINVAL);
    assert_int_equal(ioe_wire_encode(1, 1, buf, IOE_WIRE_MAX_PAYLOAD + 1, buf), -EINVAL);
}

/* The byte layout of docs/wire.md, field by field, for one request. */
static void test_layout(void **state)
{
    (void)state;
    struct ioe_wire_msg m;
    uint8_t buf[IOE_WIRE_MAX_FRAME];
    new_msg(&m, IOE_WIRE_BATCH, 0x1234);
    m.u.batch.poll_timeout_us = 0x11223344;
    m.u.batch.n = 1;
    m.u.batch.op[0] = (struct ioe_wire_op){2, 0x0a0b0c0d, 0xff00, 0x5600};
    int len = ioe_wire_pack(&m, buf);
    static const uint8_t want[] = {0xA5, 0x02, 0x34, 0x12, 20,   0,    0,    0,    0x44, 0x33,
                                   0x22, 0x11, 2,    0,    0,    0,    0x0d, 0x0c, 0x0b, 0x0a,
                                   0x00, 0xff, 0,    0,    0x00, 0x56, 0,    0};
    assert_int_equal(len, sizeof(want) + 4);
    assert_memory_equal(buf, want, sizeof(want));
    uint32_t crc = (uint32_t)buf[28] | (uint32_t)buf[29] << 8 | (uint32_t)buf[30] << 16 |
                   (uint32_t)buf[31] << 24;
    /* CRC-32 (IEEE) of the header and payload: zlib's value for these bytes, checked
     * against a bitwise computation */
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < sizeof(want); i++) {
        c ^= want[i];
        for (int b = 0; b < 8; b++)
            c = c & 1 ? c >> 1 ^ 0xedb88320u : c >> 1;
    }
    assert_int_equal(crc, ~c);
}

static void test_bad_frames(void **state)
{
    (void)state;
    uint8_t buf[2 * IOE_WIRE_MAX_FRAME], good[64];
    struct ioe_wire_msg m, back;
    new_msg(&m, IOE_WIRE_STEP, 77)->u.step.cycles = 5;
    int glen = ioe_wire_pack(&m, good);

    /* bad CRC: dropped and counted; the next frame decodes */
    ioe_wire_decoder_init(&dec);
    memcpy(buf, good, (size_t)glen);
    buf[10] ^= 0x40;
    memcpy(buf + glen, good, (size_t)glen);
    assert_int_equal(ioe_wire_decoder_push(&dec, buf, 2 * (size_t)glen), 2 * (size_t)glen);
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), -IOE_WIRE_E_BAD_CRC);
    assert_int_equal(frame.seq, 77); /* the header, for the ERROR answer */
    assert_int_equal(dec.dropped, 1);
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 1);
    assert_int_equal(ioe_wire_unpack(&frame, &back), 0);
    assert_int_equal(back.u.step.cycles, 5);

    /* bad len: refused from the header alone */
    ioe_wire_decoder_init(&dec);
    uint8_t hdr[8] = {IOE_WIRE_SYNC, IOE_WIRE_BATCH, 1, 0, 0x01, 0x04, 0, 0}; /* 1025 */
    ioe_wire_decoder_push(&dec, hdr, sizeof(hdr));
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), -IOE_WIRE_E_BAD_LEN);
    assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 0);
    assert_int_equal(dec.dropped, 1);

    /* unknown types, and responses of messages that are never answered */
    static const uint8_t bad_types[] = {0x00,
                                        0x07,
                                        0x14,
                                        0x23,
                                        0x55,
                                        0x7e,
                                        IOE_WIRE_NOTIFY | IOE_WIRE_RESP,
                                        IOE_WIRE_ERROR | IOE_WIRE_RESP};
    for (size_t i = 0; i < sizeof(bad_types); i++) {
        int len = ioe_wire_encode(bad_types[i], 3, NULL, 0, buf);
        ioe_wire_decoder_init(&dec);
        ioe_wire_decoder_push(&dec, buf, (size_t)len);
        assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 1);
        assert_int_equal(ioe_wire_unpack(&frame, &back), -IOE_WIRE_E_BAD_TYPE);
    }

    /* payloads that do not fit their type */
    struct {
        uint8_t type;
        size_t len;
        uint32_t first; /* the first 4 payload bytes (a count) */
    } bad[] = {
        {IOE_WIRE_HELLO, 3, 1},
        {IOE_WIRE_HELLO, 5, 1},
        {IOE_WIRE_HELLO | IOE_WIRE_RESP, 20, 1},
        {IOE_WIRE_BATCH, 4, 0},                     /* no op */
        {IOE_WIRE_BATCH, 4 + 16 + 1, 0},            /* part of an op */
        {IOE_WIRE_BATCH | IOE_WIRE_RESP, 8 + 4, 2}, /* done says 2 values, len has 1 */
        {IOE_WIRE_BATCH | IOE_WIRE_RESP, 8, 0},     /* first is status: done is 0: ok below */
        {IOE_WIRE_RESET, 4, 0},
        {IOE_WIRE_FENCE, 4, 0},
        {IOE_WIRE_FENCE | IOE_WIRE_RESP, 0, 0},
        {IOE_WIRE_STEP, 4, 0},
        {IOE_WIRE_NOTIFY, 4 + 12, 2},
        {IOE_WIRE_NOTIFY, 4, 86},
        {IOE_WIRE_DMA_WRITE, 16, 0},
        {IOE_WIRE_ERROR, 4, 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t payload[64] = {0};
        uint32_t f = bad[i].first;
        size_t at = (bad[i].type & 0x7f) == IOE_WIRE_BATCH && (bad[i].type & IOE_WIRE_RESP) ? 4 : 0;
        payload[at] = (uint8_t)f;
        payload[at + 1] = (uint8_t)(f >> 8);
        int len = ioe_wire_encode(bad[i].type, 4, payload, bad[i].len, buf);
        ioe_wire_decoder_init(&dec);
        ioe_wire_decoder_push(&dec, buf, (size_t)len);
        assert_int_equal(ioe_wire_decoder_next(&dec, &frame), 1);
        int want = bad[i].type == (IOE_WIRE_BATCH | IOE_WIRE_RESP) && bad[i].first == 0
                       ? 0
                       : -IOE_WIRE_E_BAD_PAYLOAD;
        if (ioe_wire_unpack(&frame, &back) != want)
            fail_msg("payload case %zu (%s, %zu bytes)", i, ioe_wire_type_name(bad[i].type),
                     bad[i].len);
    }
}

/* Garbage (sync bytes in it too) before and between frames: every frame is found. */
static void test_resync(void **state)
{
    (void)state;
    static uint8_t stream[8192];
    size_t n = 0;
    static const uint8_t junk[] = {0x00, 0xA5, 0xA5, 0x13, 0x00, 0x05, 0xA5, 0x02, 0x09};
    struct ioe_wire_msg m, back;
    for (int f = 0; f < 10; f++) {
        memcpy(stream + n, junk, (size_t)(f % 4) * 2 + 1);
        n += (size_t)(f % 4) * 2 + 1;
        new_msg(&m, IOE_WIRE_WIRED, (uint16_t)(500 + f))->u.wired.line = (uint32_t)f;
        n += (size_t)ioe_wire_pack(&m, stream + n);
    }
    ioe_wire_decoder_init(&dec);
    ioe_wire_decoder_push(&dec, stream, n);
    ioe_wire_decoder_push(&dec, (uint8_t[IOE_WIRE_MAX_FRAME]){0}, IOE_WIRE_MAX_FRAME);
    int got = 0, r;
    while ((r = ioe_wire_decoder_next(&dec, &frame)) != 0) {
        if (r < 0)
            continue;
        assert_int_equal(ioe_wire_unpack(&frame, &back), 0);
        assert_int_equal(back.u.wired.line, got);
        got++;
    }
    assert_int_equal(got, 10);
    assert_true(dec.skipped > 0);
}

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Random frames, random bytes corrupted, fed in random chunks: exactly the frames that were
 * not touched come out, in order, and every damaged one is dropped. */
static void test_random_corruption(void **state)
{
    (void)state;
    rng = tt_seed(0x5eed) | 1;
    enum { FRAMES = 3000 };
    static uint8_t stream[FRAMES * 96 + IOE_WIRE_MAX_FRAME];
    static size_t start[FRAMES], len[FRAMES];
    static bool hit[FRAMES];
    size_t n = 0;
    struct ioe_wire_msg m, back;
    for (int f = 0; f < FRAMES; f++) {
        new_msg(&m, IOE_WIRE_BATCH | IOE_WIRE_RESP, (uint16_t)f);
        m.u.batch_rsp.done = rnd() % 16;
        for (uint32_t i = 0; i < m.u.batch_rsp.done; i++)
            m.u.batch_rsp.value[i] = rnd();
        start[f] = n;
        len[f] = (size_t)ioe_wire_pack(&m, stream + n);
        n += len[f];
        if (rnd() % 8 == 0) { /* corrupt one to three bytes of this frame */
            hit[f] = true;
            for (unsigned k = 1 + rnd() % 3; k; k--)
                stream[start[f] + rnd() % len[f]] ^= (uint8_t)(1 + rnd() % 255);
        }
    }
    memset(stream + n, 0, IOE_WIRE_MAX_FRAME); /* flush a header that claims a long payload */
    n += IOE_WIRE_MAX_FRAME;
    ioe_wire_decoder_init(&dec);
    size_t fed = 0;
    int expect = 0, intact = 0, got = 0;
    for (int f = 0; f < FRAMES; f++)
        intact += !hit[f];
    for (;;) {
        int r = ioe_wire_decoder_next(&dec, &frame);
        if (r == 0) {
            if (fed == n)
                break;
            size_t chunk = 1 + rnd() % 200;
            fed += ioe_wire_decoder_push(&dec, stream + fed, chunk < n - fed ? chunk : n - fed);
            continue;
        }
        if (r < 0)
            continue;
        while (expect < FRAMES && hit[expect])
            expect++;
        assert_true(expect < FRAMES);
        if (frame.seq != expect)
            fail_msg("decoded seq %u, expected the next intact frame %d", frame.seq, expect);
        assert_int_equal(ioe_wire_unpack(&frame, &back), 0);
        assert_int_equal(IOE_WIRE_HDR + frame.len + IOE_WIRE_CRC, len[expect]);
        expect++;
        got++;
    }
    printf("%d frames, %d damaged, %u dropped, %d decoded\n", FRAMES, FRAMES - intact, dec.dropped,
           got);
    assert_int_equal(got, intact);
    assert_true(dec.dropped > 0);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),       cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bad_frames),        cmocka_unit_test(test_resync),
        cmocka_unit_test(test_random_corruption),
    };
    return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
