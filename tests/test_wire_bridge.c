/*
 * The board's wire bridge (rtl/src/ioe_wire_bridge.sv) in the Verilator model of the
 * board's logic (sim/include/ioe_vbridge.h): frames in, frames out, against docs/wire.md.
 * HELLO first and its answer, BATCH reads / writes / POLLs (a timeout measured in the
 * board's cycles, -EIO for an address without a register, -EINVAL, the first failure
 * stops the batch, 63 ops), RESET, NOTIFY frames from the core's test register and from
 * the GIC engine, ERROR frames for every bad frame with the dropped count, resynchronisation
 * after garbage and after a truncated frame.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ioe_vbridge.h"
#include "wire_frame.h"

#include <ioe/card.h>
#include <ioe/regs.h>

#define CYC_PER_US (IOE_VBRIDGE_CLK_HZ / 1000000u)
#define RX_TIMEOUT_US 2000u /* ioe_wire_card's RxTimeoutUs */
#define WAIT_CYCLES 200000u

enum { OP_READ = 0, OP_WRITE = 1, OP_POLL = 2 };

struct op {
    uint8_t kind;
    uint32_t addr, a, b;
};

static struct ioe_vbridge *vb;
static uint8_t rx[1 << 14];
static size_t rxn;
static uint16_t seqno = 100;
static struct wf_frame notes[64];
static int nnotes;
static int stray_errors;

/* Next frame from the bridge within max_cycles: 0, or -ETIMEDOUT. The card must only
 * ever send good frames. */
static int recv_frame(struct wf_frame *f, uint64_t max_cycles)
{
    for (uint64_t waited = 0;; waited += 64) {
        rxn += ioe_vbridge_take(vb, rx + rxn, sizeof(rx) - rxn);
        long r = wf_parse(rx, rxn, f);
        assert_true(r >= 0);
        if (r > 0) {
            memmove(rx, rx + r, rxn - (size_t)r);
            rxn -= (size_t)r;
            return 0;
        }
        if (waited >= max_cycles)
            return -ETIMEDOUT;
        ioe_vbridge_step(vb, 64);
    }
}

static uint16_t send(uint8_t type, const void *payload, uint16_t len)
{
    static uint8_t buf[WF_MAX_FRAME];
    uint16_t seq = seqno++;
    size_t n = wf_build(buf, type, seq, payload, len);
    ioe_vbridge_put(vb, buf, n);
    return seq;
}

/* The answer to request `seq` (its response or an ERROR naming it); NOTIFY frames that
 * come first are kept in notes[]. */
static void answer(uint16_t seq, struct wf_frame *f)
{
    for (;;) {
        assert_int_equal(recv_frame(f, WAIT_CYCLES), 0);
        if (f->type == WF_NOTIFY) {
            assert_true(nnotes < 64);
            notes[nnotes++] = *f;
            continue;
        }
        if (f->type == WF_ERROR) {
            assert_int_equal(f->len, 8);
            /* an ERROR for a frame this side never sent (a sync byte inside an earlier,
             * dropped frame started a bogus one): a host ignores it, as here */
            if ((f->payload[2] | f->payload[3] << 8) != seq) {
                stray_errors++;
                continue;
            }
        } else {
            assert_int_equal(f->seq, seq);
        }
        return;
    }
}

static void request(uint8_t type, const void *payload, uint16_t len, struct wf_frame *f)
{
    uint16_t seq = send(type, payload, len);
    answer(seq, f);
    if (f->type != WF_ERROR)
        assert_int_equal(f->type, type | WF_RESPONSE);
}

static void expect_error(struct wf_frame *f, unsigned code)
{
    assert_int_equal(f->type, WF_ERROR);
    assert_int_equal(f->payload[0] | f->payload[1] << 8, code);
}

static uint32_t err_dropped(const struct wf_frame *f)
{
    return wf_get32(f->payload + 4);
}

static void hello(void)
{
    uint8_t p[4] = {1, 0, 0, 0};
    struct wf_frame f;
    request(WF_HELLO, p, 4, &f);
    assert_int_equal(f.type, WF_HELLO | WF_RESPONSE);
}

/* Run a batch; returns its status, *done and values[] as answered. */
static int32_t batch(const struct op *ops, unsigned n, uint32_t timeout_us, uint32_t *done,
                     uint32_t *values)
{
    uint8_t p[4 + 63 * 16] = {0};
    wf_put32(p, timeout_us);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *o = p + 4 + 16 * i;
        o[0] = ops[i].kind;
        wf_put32(o + 4, ops[i].addr);
        wf_put32(o + 8, ops[i].a);
        wf_put32(o + 12, ops[i].b);
    }
    struct wf_frame f;
    request(WF_BATCH, p, (uint16_t)(4 + 16 * n), &f);
    assert_int_equal(f.type, WF_BATCH | WF_RESPONSE);
    uint32_t d = wf_get32(f.payload + 4);
    assert_int_equal(f.len, 8 + 4 * d);
    assert_true(d >= 1 && d <= n);
    for (unsigned i = 0; i < d; i++)
        values[i] = wf_get32(f.payload + 8 + 4 * i);
    *done = d;
    return (int32_t)wf_get32(f.payload);
}

static uint32_t rd(uint32_t addr)
{
    struct op o = {OP_READ, addr, 0, 0};
    uint32_t done, v;
    assert_int_equal(batch(&o, 1, 0, &done, &v), 0);
    return v;
}

static void wr(uint32_t addr, uint32_t val)
{
    struct op o = {OP_WRITE, addr, val, 0};
    uint32_t done, v;
    assert_int_equal(batch(&o, 1, 0, &done, &v), 0);
    assert_int_equal(v, 0);
}

static int setup(void **state)
{
    (void)state;
    ioe_vbridge_reset(vb);
    rxn = 0;
    nnotes = 0;
    return 0;
}

/* ------------------------------------------------------------------ HELLO */
static void test_hello(void **state)
{
    (void)state;
    struct wf_frame f;
    uint8_t p[4] = {0};
    /* nothing but HELLO before HELLO */
    request(WF_BATCH, p, 4, &f);
    expect_error(&f, WF_BAD_VERSION);
    request(WF_RESET, NULL, 0, &f);
    expect_error(&f, WF_BAD_VERSION);
    /* version 0: none at or below it */
    request(WF_HELLO, p, 4, &f);
    expect_error(&f, WF_BAD_VERSION);
    request(WF_HELLO, p, 2, &f);
    expect_error(&f, WF_BAD_PAYLOAD);
    assert_int_equal(err_dropped(&f), 4);
    /* a later version: the card answers with 1 */
    p[0] = 7;
    request(WF_HELLO, p, 4, &f);
    assert_int_equal(f.type, WF_HELLO | WF_RESPONSE);
    assert_int_equal(f.len, 32);
    assert_int_equal(f.payload[0] | f.payload[1] << 8, 1);
    assert_int_equal(f.payload[2] | f.payload[3] << 8, 0);
    assert_int_equal(wf_get32(f.payload + 4), IOE_CORE_ID_RESET);
    assert_int_equal(wf_get32(f.payload + 8), 0x18); /* ASYNC, FENCE */
    assert_int_equal(wf_get32(f.payload + 12), 1024);
    char name[17] = {0};
    memcpy(name, f.payload + 16, 16);
    assert_string_equal(name, "ioe-icebreaker");
    for (size_t i = strlen(name); i < 16; i++)
        assert_int_equal(f.payload[16 + i], 0);
    assert_int_equal(ioe_vbridge_drops(vb), 4);
}

/* ------------------------------------------------------------------ BATCH */
static void test_batch_read_write_poll(void **state)
{
    (void)state;
    hello();
    struct op ops[] = {
        {OP_READ, IOE_CORE_ID, 0, 0},      {OP_WRITE, IOE_CORE_SCRATCH, 0x12345678, 0},
        {OP_READ, IOE_CORE_SCRATCH, 0, 0}, {OP_POLL, IOE_CORE_SCRATCH, 0xff00, 0x5600},
        {OP_READ, IOE_CORE_VERSION, 0, 0},
    };
    uint32_t done, v[8];
    assert_int_equal(batch(ops, 5, 1000, &done, v), 0);
    assert_int_equal(done, 5);
    assert_int_equal(v[0], IOE_CORE_ID_RESET);
    assert_int_equal(v[1], 0);
    assert_int_equal(v[2], 0x12345678);
    assert_int_equal(v[3], 0x12345678);
    assert_int_equal(v[4], IOE_CORE_VERSION_RESET);
}

static void test_batch_poll_timeout(void **state)
{
    (void)state;
    hello();
    wr(IOE_CORE_SCRATCH, 5);
    struct op ops[] = {
        {OP_POLL, IOE_CORE_SCRATCH, 1, 0}, /* never: bit 0 is set */
        {OP_WRITE, IOE_CORE_SCRATCH, 7, 0},
    };
    uint32_t done, v[2];
    uint64_t t0 = ioe_vbridge_cycles(vb);
    assert_int_equal(batch(ops, 2, 100, &done, v), -ETIMEDOUT);
    uint64_t took = ioe_vbridge_cycles(vb) - t0;
    assert_int_equal(done, 1);
    assert_int_equal(v[0], 5);
    /* 100 us of the board's clock, plus the frames' own time */
    assert_true(took >= 100 * CYC_PER_US);
    assert_true(took < 100 * CYC_PER_US + 5000);
    assert_int_equal(rd(IOE_CORE_SCRATCH), 5); /* the write after the failure did not run */
    /* timeout 0: one read */
    t0 = ioe_vbridge_cycles(vb);
    assert_int_equal(batch(ops, 1, 0, &done, v), -ETIMEDOUT);
    assert_true(ioe_vbridge_cycles(vb) - t0 < 5000);
    /* a POLL that matches after a while: the GIC access port's BUSY bit */
    struct op gic[] = {
        {OP_WRITE, IOE_GIC_TARGET, 0, 0}, {OP_WRITE, IOE_GIC_OFFSET, 0x0004, 0}, /* GICD_TYPER */
        {OP_WRITE, IOE_GIC_OP, 1, 0},                                            /* READ32 */
        {OP_POLL, IOE_GIC_STATUS, 1, 0},  {OP_READ, IOE_GIC_RDATA_LO, 0, 0},
    };
    uint32_t g[5];
    assert_int_equal(batch(gic, 5, 1000, &done, g), 0);
    assert_int_equal(done, 5);
    assert_int_equal(g[3] & 1, 0);
}

static void test_batch_errors(void **state)
{
    (void)state;
    hello();
    wr(IOE_CORE_SCRATCH, 1);
    uint32_t done, v[4];
    /* block 2 (ITS) is not in the small set: no register there */
    struct op eio[] = {
        {OP_WRITE, IOE_CORE_SCRATCH, 2, 0},
        {OP_READ, 0x2000, 0, 0},
        {OP_WRITE, IOE_CORE_SCRATCH, 3, 0},
    };
    assert_int_equal(batch(eio, 3, 0, &done, v), -EIO);
    assert_int_equal(done, 2);
    assert_int_equal(rd(IOE_CORE_SCRATCH), 2);
    struct op weio = {OP_WRITE, 0x3000, 1, 0};
    assert_int_equal(batch(&weio, 1, 0, &done, v), -EIO);
    struct op peio = {OP_POLL, 0x2004, 1, 1};
    assert_int_equal(batch(&peio, 1, 1000, &done, v), -EIO);
    /* ops the card cannot run: -EINVAL, nothing sent to the card */
    struct op inval[][2] = {
        {{OP_READ, IOE_CORE_ID, 0, 0}, {3, IOE_CORE_SCRATCH, 0, 0}},
        {{OP_READ, IOE_CORE_ID, 0, 0}, {OP_WRITE, IOE_CORE_SCRATCH + 2, 9, 0}},
        {{OP_READ, IOE_CORE_ID, 0, 0}, {OP_WRITE, 0x100000 + IOE_CORE_SCRATCH, 9, 0}},
    };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(batch(inval[i], 2, 0, &done, v), -EINVAL);
        assert_int_equal(done, 2);
        assert_int_equal(v[0], IOE_CORE_ID_RESET);
        assert_int_equal(v[1], 0);
    }
    assert_int_equal(rd(IOE_CORE_SCRATCH), 2);
}

static void test_batch_sizes(void **state)
{
    (void)state;
    hello();
    struct op ops[63];
    uint32_t done, v[63];
    for (unsigned i = 0; i < 63; i++) {
        ops[i] = (struct op){i % 2 ? OP_READ : OP_WRITE, IOE_CORE_SCRATCH, i, 0};
    }
    assert_int_equal(batch(ops, 63, 0, &done, v), 0);
    assert_int_equal(done, 63);
    for (unsigned i = 1; i < 63; i += 2)
        assert_int_equal(v[i], i - 1);
    /* no ops, a partial op, 63.5 ops, no timeout; 64 ops are over the length limit */
    uint8_t p[4 + 64 * 16] = {0};
    struct wf_frame f;
    uint16_t bad[] = {4, 21, 1020, 3};
    for (int i = 0; i < 4; i++) {
        request(WF_BATCH, p, bad[i], &f);
        expect_error(&f, WF_BAD_PAYLOAD);
    }
    request(WF_BATCH, p, 4 + 16 * 64, &f);
    expect_error(&f, WF_BAD_LEN);
}

/* ------------------------------------------------------------------ RESET */
static void test_reset(void **state)
{
    (void)state;
    hello();
    wr(IOE_CORE_SCRATCH, 0xaa);
    struct wf_frame f;
    request(WF_RESET, NULL, 0, &f);
    assert_int_equal(f.len, 4);
    assert_int_equal(wf_get32(f.payload), 0);
    /* the card is back at its reset values; the bridge kept the HELLO */
    assert_int_equal(rd(IOE_CORE_SCRATCH), IOE_CORE_SCRATCH_RESET);
    uint8_t one = 0;
    request(WF_RESET, &one, 1, &f);
    expect_error(&f, WF_BAD_PAYLOAD);
}

/* ------------------------------------------------------------------ notifications */
static void wait_notes(int n)
{
    struct wf_frame f;
    while (nnotes < n) {
        assert_int_equal(recv_frame(&f, WAIT_CYCLES), 0);
        assert_int_equal(f.type, WF_NOTIFY);
        notes[nnotes++] = f;
    }
}

static void check_note(const struct wf_frame *f, unsigned vm, unsigned vcpu, unsigned src)
{
    assert_int_equal(f->type, WF_NOTIFY);
    assert_int_equal(f->len, 16);
    assert_int_equal(wf_get32(f->payload), 1);
    assert_int_equal(f->payload[4], vm);
    assert_int_equal(f->payload[5], vcpu);
    assert_int_equal(f->payload[6], src);
    assert_int_equal(f->payload[7], 0);
}

static void test_notify_test_register(void **state)
{
    (void)state;
    hello();
    /* three records in one batch: every one arrives, each in its own NOTIFY frame, in order */
    struct op ops[] = {
        {OP_WRITE, IOE_CORE_NOTIFY_TEST, 0x0102, 0},
        {OP_WRITE, IOE_CORE_NOTIFY_TEST, 0x0304, 0},
        {OP_WRITE, IOE_CORE_NOTIFY_TEST, 0x0506, 0},
    };
    uint32_t done, v[3];
    assert_int_equal(batch(ops, 3, 0, &done, v), 0);
    wait_notes(3);
    check_note(&notes[0], 1, 2, IOE_NOTIFY_SRC_TEST);
    check_note(&notes[1], 3, 4, IOE_NOTIFY_SRC_TEST);
    check_note(&notes[2], 5, 6, IOE_NOTIFY_SRC_TEST);
    uint64_t c0 = wf_get32(notes[0].payload + 8) | (uint64_t)wf_get32(notes[0].payload + 12) << 32;
    uint64_t c2 = wf_get32(notes[2].payload + 8) | (uint64_t)wf_get32(notes[2].payload + 12) << 32;
    assert_true(c0 > 0 && c2 > c0);
    assert_true(c2 <= ioe_vbridge_cycles(vb));
    /* card sequence numbers count up */
    assert_int_equal((uint16_t)(notes[1].seq - notes[0].seq), 1);
    assert_int_equal((uint16_t)(notes[2].seq - notes[1].seq), 1);
    assert_int_equal(rd(IOE_CORE_NOTIFY_COUNT), 3);
}

/* FENCE (the notification fence): sent right behind a BATCH that raises records, before
 * that batch is answered, it is answered with 0 after every one of them; a payload is
 * BAD_PAYLOAD. */
static void test_fence(void **state)
{
    (void)state;
    hello();
    uint8_t p[4 + 3 * 16] = {0};
    for (unsigned i = 0; i < 3; i++) {
        p[4 + 16 * i] = OP_WRITE;
        wf_put32(p + 4 + 16 * i + 4, IOE_CORE_NOTIFY_TEST);
        wf_put32(p + 4 + 16 * i + 8, 0x0100 * (i + 1) + i);
    }
    uint16_t sb = send(WF_BATCH, p, sizeof(p));
    uint16_t sf = send(WF_FENCE, NULL, 0);
    struct wf_frame f;
    nnotes = 0;
    answer(sb, &f);
    assert_int_equal(f.type, WF_BATCH | WF_RESPONSE);
    answer(sf, &f);
    assert_int_equal(f.type, WF_FENCE | WF_RESPONSE);
    assert_int_equal(f.len, 4);
    assert_int_equal(wf_get32(f.payload), 0);
    assert_int_equal(nnotes, 3);
    for (unsigned i = 0; i < 3; i++)
        check_note(&notes[i], i + 1, i, IOE_NOTIFY_SRC_TEST);
    /* quiet: answered without a record */
    nnotes = 0;
    request(WF_FENCE, NULL, 0, &f);
    assert_int_equal(wf_get32(f.payload), 0);
    assert_int_equal(nnotes, 0);
    request(WF_FENCE, p, 4, &f);
    expect_error(&f, WF_BAD_PAYLOAD);
}

/* More records than the core's 8-deep notification FIFO holds while the link is busy with
 * the ones before: the FIFO fills and wraps, the records it took arrive in order, and the
 * rest are counted in NOTIFY_DROP. */
static void test_notify_fifo_full(void **state)
{
    (void)state;
    hello();
    struct op ops[63];
    for (unsigned i = 0; i < 63; i++)
        ops[i] = (struct op){OP_WRITE, IOE_CORE_NOTIFY_TEST, i << 8 | (255 - i), 0};
    uint32_t done, v[63];
    assert_int_equal(batch(ops, 63, 0, &done, v), 0);
    assert_int_equal(done, 63);
    uint32_t dropped = rd(IOE_CORE_NOTIFY_DROP);
    assert_true(dropped >= 1 && 63 - dropped > 8);
    wait_notes((int)(63 - dropped));
    struct wf_frame f;
    assert_int_equal(recv_frame(&f, 20000), -ETIMEDOUT);
    for (int i = 0; i < nnotes; i++) {
        check_note(&notes[i], notes[i].payload[4], 255 - notes[i].payload[4], IOE_NOTIFY_SRC_TEST);
        if (i > 0)
            assert_true(notes[i].payload[4] > notes[i - 1].payload[4]);
    }
    assert_int_equal(notes[0].payload[4], 0);
    assert_int_equal(rd(IOE_CORE_NOTIFY_COUNT), 63 - dropped);
}

/* The board's card has no DMA probe (no host memory behind the wire): FEATURES says so, and
 * the probe's registers read as zero whatever is written to them. */
static void test_no_dma_probe(void **state)
{
    (void)state;
    hello();
    assert_int_equal(rd(IOE_CORE_FEATURES), 1u << IOE_CORE_FEATURES_CYCLE_SHIFT |
                                                1u << IOE_CORE_FEATURES_NOTIFY_TEST_SHIFT |
                                                1u << IOE_CORE_FEATURES_GIC_SHIFT);
    wr(IOE_CORE_DMA_ADDR_LO, 0x1000);
    wr(IOE_CORE_DMA_WDATA_HI, 0xdeadbeef);
    wr(IOE_CORE_DMA_CMD, 1u << IOE_CORE_DMA_CMD_GO_SHIFT);
    assert_int_equal(rd(IOE_CORE_DMA_ADDR_LO), 0);
    assert_int_equal(rd(IOE_CORE_DMA_WDATA_HI), 0);
    assert_int_equal(rd(IOE_CORE_DMA_STATUS), 0);
    assert_int_equal(rd(IOE_CORE_DMA_LATENCY), 0);
    assert_int_equal(rd(IOE_CORE_ID), IOE_CORE_ID_RESET);
    assert_int_equal(rd(IOE_CORE_SCRATCH), 0); /* no alias below the probe's registers */
    /* past the probe's last register, as on a card with the probe: no register */
    struct op past = {OP_READ, IOE_CORE_DMA_LATENCY + 4, 0, 0};
    uint32_t done, v;
    assert_int_equal(batch(&past, 1, 0, &done, &v), -EIO);
}

/* One operation of the GIC's access port as one batch: TARGET, OFFSET, WDATA, OP, POLL
 * STATUS until not busy, then RDATA. */
static uint32_t gic_op(uint32_t space, uint32_t off, uint64_t wdata, uint32_t code)
{
    struct op ops[] = {
        {OP_WRITE, IOE_GIC_TARGET, space << 16, 0},
        {OP_WRITE, IOE_GIC_OFFSET, off, 0},
        {OP_WRITE, IOE_GIC_WDATA_LO, (uint32_t)wdata, 0},
        {OP_WRITE, IOE_GIC_WDATA_HI, (uint32_t)(wdata >> 32), 0},
        {OP_WRITE, IOE_GIC_OP, code, 0},
        {OP_POLL, IOE_GIC_STATUS, 1, 0},
        {OP_READ, IOE_GIC_RDATA_LO, 0, 0},
    };
    uint32_t done, v[7];
    assert_int_equal(batch(ops, 7, 1000, &done, v), 0);
    assert_int_equal(v[5] & 0xfu, 1u << IOE_GIC_STATUS_DONE_SHIFT); /* no UNDEF, no BADTARGET */
    return v[6];
}

static void test_notify_gic(void **state)
{
    (void)state;
    enum { WRITE32 = 2, WRITE64 = 4, VM_CONFIG = 6, VCPU_CONFIG = 7, GICD = 0, ICC = 3 };
    const uint32_t icc_pmr = 3u << 14 | 4 << 7 | 6 << 3,
                   icc_igrpen1 = 3u << 14 | 12 << 7 | 12 << 3 | 7;
    hello();
    gic_op(0, 0, 64 | 1u << 16, VM_CONFIG);                /* VM 0: 64 interrupts, one vCPU */
    gic_op(0, 0, (uint64_t)(1u << 16) << 32, VCPU_CONFIG); /* vCPU 0 at 0.0.0.0, Last */
    gic_op(GICD, 0x0000, 2, WRITE32);                      /* EnableGrp1 */
    gic_op(ICC, icc_igrpen1, 1, WRITE64);
    gic_op(ICC, icc_pmr, 0xf8, WRITE64);
    gic_op(GICD, 0x400 + 32, 0x40u << 8, WRITE32); /* priority of SPI 33 */
    gic_op(GICD, 0x100 + 4, 1u << 1, WRITE32);     /* enable SPI 33 */
    gic_op(GICD, 0x6000 + 8 * 33, 0, WRITE64);     /* route to 0.0.0.0 */
    ioe_vbridge_step(vb, 2000);
    nnotes = 0;
    gic_op(GICD, 0x200 + 4, 1u << 1, WRITE32); /* pending: vCPU 0 has something to present */
    wait_notes(1);
    check_note(&notes[0], 0, 0, IOE_NOTIFY_SRC_GIC);
    /* nothing more without a change */
    struct wf_frame f;
    assert_int_equal(recv_frame(&f, 20000), -ETIMEDOUT);
}

static void test_wired(void **state)
{
    (void)state;
    hello();
    assert_int_equal(ioe_vbridge_set_wired(vb, 2, 1), 0);
    assert_int_equal(ioe_vbridge_set_wired(vb, IOE_PARAM_NR_WIRED_SMALL, 1), -EINVAL);
    ioe_vbridge_step(vb, 10);
    assert_int_equal(rd(IOE_CORE_WIRED_LEVEL), 1u << 2);
    assert_int_equal(ioe_vbridge_set_wired(vb, 2, 0), 0);
    ioe_vbridge_step(vb, 10);
    assert_int_equal(rd(IOE_CORE_WIRED_LEVEL), 0);
}

/* ------------------------------------------------------------------ bad frames */
static void test_bad_frames(void **state)
{
    (void)state;
    hello();
    uint8_t buf[WF_MAX_FRAME];
    struct wf_frame f;
    uint8_t p[4] = {1, 0, 0, 0};
    /* bad checksum */
    uint16_t seq = seqno++;
    size_t n = wf_build(buf, WF_HELLO, seq, p, 4);
    buf[n - 1] ^= 0x40;
    ioe_vbridge_put(vb, buf, n);
    answer(seq, &f);
    expect_error(&f, WF_BAD_CRC);
    assert_int_equal(err_dropped(&f), 1);
    /* length over the limit: answered as soon as the header is in */
    seq = seqno++;
    wf_build(buf, WF_BATCH, seq, NULL, 0);
    buf[4] = 0x01;
    buf[5] = 0x04; /* 1025 */
    ioe_vbridge_put(vb, buf, 8);
    answer(seq, &f);
    expect_error(&f, WF_BAD_LEN);
    assert_int_equal(err_dropped(&f), 2);
    /* unknown type, a card-side type, a response nobody asked for, a payload of the wrong size */
    request(0x55, p, 4, &f);
    expect_error(&f, WF_BAD_TYPE);
    request(WF_NOTIFY, p, 4, &f);
    expect_error(&f, WF_BAD_TYPE);
    request(0x10, p, 4, &f); /* STEP: no SIM cap */
    expect_error(&f, WF_BAD_TYPE);
    request(WF_BATCH | WF_RESPONSE, p, 4, &f);
    expect_error(&f, WF_OUT_OF_ORDER);
    request(WF_HELLO, p, 3, &f);
    expect_error(&f, WF_BAD_PAYLOAD);
    assert_int_equal(err_dropped(&f), 7);
    assert_int_equal(ioe_vbridge_drops(vb), 7);
    /* an ERROR from the host is not answered */
    send(WF_ERROR, buf, 8);
    assert_int_equal(recv_frame(&f, 5000), -ETIMEDOUT);
    /* and the link still works */
    assert_int_equal(rd(IOE_CORE_ID), IOE_CORE_ID_RESET);
}

static void test_resync_after_garbage(void **state)
{
    (void)state;
    hello();
    /* garbage with a sync byte whose "frame" swallows the start of a real request: that
     * frame fails its checksum, the bridge scans again from its second byte and finds the
     * real request */
    static const uint8_t junk[] = {0x00, 0x13, 0xA5, 0x01, 0x00, 0x00,
                                   0x04, 0x00, 0x00, 0x00, 0xff};
    ioe_vbridge_put(vb, junk, sizeof(junk));
    uint8_t p[4] = {1, 0, 0, 0};
    uint16_t seq = send(WF_HELLO, p, 4);
    struct wf_frame f;
    assert_int_equal(recv_frame(&f, WAIT_CYCLES), 0);
    expect_error(&f, WF_BAD_CRC);
    assert_int_equal(f.payload[2] | f.payload[3] << 8, 0); /* the junk frame's seq */
    answer(seq, &f);
    assert_int_equal(f.type, WF_HELLO | WF_RESPONSE);
    /* a lone sync byte and bytes that are no frame at all */
    static const uint8_t junk2[] = {0x5A, 0xA5};
    ioe_vbridge_put(vb, junk2, sizeof(junk2));
    uint8_t none[16];
    memset(none, 0x11, sizeof(none));
    ioe_vbridge_put(vb, none, sizeof(none));
    ioe_vbridge_step(vb, (RX_TIMEOUT_US + 100) * CYC_PER_US);
    assert_int_equal(recv_frame(&f, 0), 0);
    expect_error(&f, WF_BAD_LEN);                    /* a 0x1111-byte "frame" is over the limit */
    assert_int_equal(recv_frame(&f, 0), -ETIMEDOUT); /* and the rest is no frame */
    assert_int_equal(rd(IOE_CORE_ID), IOE_CORE_ID_RESET);
}

static void test_truncated_frame(void **state)
{
    (void)state;
    hello();
    uint8_t buf[WF_MAX_FRAME], p[100] = {0};
    seqno = 0x1A5; /* a sync byte in the header: scanned again, it starts a bogus frame */
    uint16_t seq = seqno++;
    wf_build(buf, WF_BATCH, seq, p, sizeof(p));
    ioe_vbridge_put(vb, buf, 18); /* header and 10 of 100 payload bytes */
    struct wf_frame f;
    /* not dropped while the frame may still come */
    assert_int_equal(recv_frame(&f, (RX_TIMEOUT_US - 100) * CYC_PER_US), -ETIMEDOUT);
    assert_int_equal(recv_frame(&f, 400 * CYC_PER_US), 0);
    expect_error(&f, WF_BAD_LEN);
    assert_int_equal(f.payload[2] | f.payload[3] << 8, seq);
    /* the bogus frame from the seq byte (A5 01 64 00 ...: len 0) takes the next request's
     * first four bytes as its checksum and is dropped; the request is found after it */
    stray_errors = 0;
    assert_int_equal(rd(IOE_CORE_ID), IOE_CORE_ID_RESET);
    assert_int_equal(stray_errors, 1);
}

int main(void)
{
    if (ioe_vbridge_open(&vb) != 0) {
        fprintf(stderr, "test_wire_bridge: cannot open the board model\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hello, setup),
        cmocka_unit_test_setup(test_batch_read_write_poll, setup),
        cmocka_unit_test_setup(test_batch_poll_timeout, setup),
        cmocka_unit_test_setup(test_batch_errors, setup),
        cmocka_unit_test_setup(test_batch_sizes, setup),
        cmocka_unit_test_setup(test_reset, setup),
        cmocka_unit_test_setup(test_fence, setup),
        cmocka_unit_test_setup(test_notify_test_register, setup),
        cmocka_unit_test_setup(test_notify_gic, setup),
        cmocka_unit_test_setup(test_wired, setup),
        cmocka_unit_test_setup(test_bad_frames, setup),
        cmocka_unit_test_setup(test_resync_after_garbage, setup),
        cmocka_unit_test_setup(test_truncated_frame, setup),
        /* last: a frame's seq can hold a sync byte, and the tests above count the drops
         * that follow from the seqs they get */
        cmocka_unit_test_setup(test_notify_fifo_full, setup),
        cmocka_unit_test_setup(test_no_dma_probe, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ioe_vbridge_close(vb);
    return rc;
}
