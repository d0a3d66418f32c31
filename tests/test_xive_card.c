/*
 * The card's XIVE engine against docs/xive.md, on each target of IOE_TEST_TARGETS
 * (tests/targets.h; the C model "soft" and the Verilator RTL "sim" by default): every PQ transition
 * and ESB offset, EQ entries, generation and wrap, overflow (overwrite) behaviour, presentation and
 * notifications, TIMA operations, VP state, RESET / CLEAR / EQ_SYNC / SOURCE_SYNC, MSI ingress
 * through the ESB window, VM isolation, BADTARGET / UNDEF.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "targets.h"

enum {
    ESB_LOAD = 1,
    ESB_STORE,
    TRIGGER,
    SOURCE_SET,
    SOURCE_CONFIG,
    SOURCE_READ,
    SOURCE_LEVEL,
    SOURCE_SYNC,
    EQ_CONFIG,
    EQ_READ,
    TM_LOAD,
    TM_STORE,
    VP_SET,
    VP_GET,
    VM_CTRL
};
enum { CTL_RESET = 1, CTL_EQ_SYNC, CTL_CLEAR, CTL_WINDOW };

#define ST_DONE (1u << IOE_XIVE_STATUS_DONE_SHIFT)
#define ST_UNDEF (1u << IOE_XIVE_STATUS_UNDEF_SHIFT)
#define ST_BAD (1u << IOE_XIVE_STATUS_BADTARGET_SHIFT)
#define MGMT 0x10000u
#define QSIZE 4096u        /* qshift 12: 1024 entries */
#define GUEST_RAM 0x100000 /* 1 MiB of guest RAM per VM at GPA 0 */
#define WIN_BASE 0x4000000ull

static const char *backend;
static struct ioe_card *card;
static uint8_t *ram[2];

static uint32_t op(uint32_t vm, uint32_t idx, uint32_t off, uint64_t wdata, uint32_t code,
                   uint64_t *rdata)
{
    assert_int_equal(ioe_card_write32(card, IOE_XIVE_TARGET, vm | idx << 8), 0);
    assert_int_equal(ioe_card_write32(card, IOE_XIVE_OFFSET, off), 0);
    assert_int_equal(ioe_card_write32(card, IOE_XIVE_WDATA_LO, (uint32_t)wdata), 0);
    assert_int_equal(ioe_card_write32(card, IOE_XIVE_WDATA_HI, (uint32_t)(wdata >> 32)), 0);
    assert_int_equal(ioe_card_write32(card, IOE_XIVE_OP, code), 0);
    uint32_t st = 1;
    for (int i = 0; i < 100000 && (st & 1u); i++)
        assert_int_equal(ioe_card_read32(card, IOE_XIVE_STATUS, &st), 0);
    assert_int_equal(st & 1u, 0);
    uint32_t lo, hi;
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_RDATA_LO, &lo), 0);
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_RDATA_HI, &hi), 0);
    if (rdata)
        *rdata = (uint64_t)hi << 32 | lo;
    return st;
}

static uint64_t ok(uint32_t vm, uint32_t idx, uint32_t off, uint64_t wdata, uint32_t code)
{
    uint64_t r = 0;
    assert_int_equal(op(vm, idx, off, wdata, code, &r), ST_DONE);
    return r;
}

static uint64_t esb_load(uint32_t vm, uint32_t src, uint32_t off)
{
    return ok(vm, src, off, 0, ESB_LOAD);
}

static uint64_t pq(uint32_t vm, uint32_t src)
{
    return esb_load(vm, src, MGMT | 0x800);
}

static void set_pq(uint32_t vm, uint32_t src, unsigned v)
{
    (void)esb_load(vm, src, MGMT | 0xc00 | v << 8);
}

/* drain the notification stream after letting the card go idle */
static int drain(struct ioe_notification *n, size_t max)
{
    ok(0, 0, CTL_EQ_SYNC, 0, VM_CTRL);
    assert_int_equal(ioe_card_step(card, 16), 0);
    int k = ioe_card_drain(card, n, max);
    assert_true(k >= 0);
    return k;
}

static uint32_t eq_word(uint32_t vm, uint64_t qaddr, unsigned idx)
{
    const uint8_t *p = ram[vm] + qaddr + 4 * idx;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* source `src` of VM `vm`: MSI, targeting (server, prio) with eisn; queue at qaddr */
static void route(uint32_t vm, uint32_t src, uint32_t server, uint32_t prio, uint32_t eisn)
{
    ok(vm, src, 0, 0, SOURCE_SET);
    ok(vm, src, 0, (uint64_t)eisn << 33 | server << 3 | prio, SOURCE_CONFIG);
    set_pq(vm, src, 0);
}

static void queue(uint32_t vm, uint32_t server, uint32_t prio, uint64_t qaddr)
{
    ok(vm, server << 3 | prio, 12 | 1u << 8 | 1u << 9, qaddr, EQ_CONFIG);
}

static int setup(void **state)
{
    backend = *state;
    assert_int_equal(ioe_card_open(backend, &card), 0);
    for (unsigned v = 0; v < 2; v++) {
        ram[v] = ioe_mem_alloc(GUEST_RAM); /* every target reaches it */
        assert_non_null(ram[v]);
        assert_int_equal(ioe_card_dma_map(card, (uint64_t)v << 48, ram[v], GUEST_RAM), 0);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (card)
        ioe_card_close(card);
    assert_int_equal(ioe_mem_free(ram[0]), 0);
    assert_int_equal(ioe_mem_free(ram[1]), 0);
    return 0;
}

static void test_badtarget_undef(void **state)
{
    (void)state;
    uint64_t r = 5;
    assert_int_equal(op(IOE_PARAM_NR_VMS_DEFAULT, 0, 0, 0, TRIGGER, &r), ST_DONE | ST_BAD);
    assert_int_equal(r, 0);
    assert_int_equal(op(0, IOE_PARAM_XIVE_SOURCES_DEFAULT, 0, 0, TRIGGER, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 8 * IOE_PARAM_NR_VCPUS_DEFAULT, 0, 0, EQ_READ, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, IOE_PARAM_NR_VCPUS_DEFAULT, 0x10, 0, TM_LOAD, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 0, 0x20000, 0, ESB_LOAD, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 0, 0, 0, 0, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 0, 5, 0, VM_CTRL, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 0, 11, 0x1000, EQ_CONFIG, NULL), ST_DONE | ST_BAD); /* qshift 11 */
    assert_int_equal(op(0, 0, 12, 0x1004, EQ_CONFIG, NULL), ST_DONE | ST_BAD); /* unaligned */
    assert_int_equal(op(0, 0, 12 | 1024u << 10, 0x1000, EQ_CONFIG, NULL), ST_DONE | ST_BAD);
    assert_int_equal(op(0, 0, CTL_WINDOW, 0x10001, VM_CTRL, NULL), ST_DONE | ST_BAD);
    /* server out of range */
    ok(0, 3, 0, 0, SOURCE_SET);
    assert_int_equal(op(0, 3, 0, 8ull << 3, SOURCE_CONFIG, NULL), ST_DONE | ST_BAD);
    /* never initialised source: CONFIG / LEVEL / SYNC are UNDEF */
    assert_int_equal(op(0, 4, 0, 0, SOURCE_CONFIG, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 4, 0, 1, SOURCE_LEVEL, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 4, 0, 0, SOURCE_SYNC, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 3, 0, 0, SOURCE_SYNC, NULL), ST_DONE);
    /* nothing at these offsets */
    assert_int_equal(op(0, 3, 4, 0, SOURCE_READ, &r), ST_DONE | ST_UNDEF);
    assert_int_equal(r, 0);
    assert_int_equal(op(0, 3, MGMT | 0x800, 0, ESB_STORE, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 0, 0x12, 0, TM_STORE, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 0, 0x14, 0, TM_LOAD, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(op(0, 0, 4, 0, EQ_READ, NULL), ST_DONE | ST_UNDEF);
}

static void test_source_state(void **state)
{
    (void)state;
    /* reset: invalid, PQ 01, masked */
    assert_int_equal(ok(0, 7, 0, 0, SOURCE_READ), 1);
    assert_int_equal(ok(0, 7, 8, 0, SOURCE_READ), 1ull << 32);
    ok(0, 7, 0, 0, SOURCE_SET);
    assert_int_equal(ok(0, 7, 0, 0, SOURCE_READ), 0x11);
    uint64_t cfg = 0x1234567ull << 33 | 5u << 3 | 6;
    ok(0, 7, 0, cfg, SOURCE_CONFIG);
    assert_int_equal(ok(0, 7, 8, 0, SOURCE_READ), cfg);
    /* SOURCE_SET again: masked, server/prio 0, EISN kept, PQ 01 */
    set_pq(0, 7, 2);
    ok(0, 7, 0, 3, SOURCE_SET);
    assert_int_equal(ok(0, 7, 8, 0, SOURCE_READ), 0x1234567ull << 33 | 1ull << 32);
    assert_int_equal(ok(0, 7, 0, 0, SOURCE_READ), 0x10 | 0x8 | 0x4 | 1);
    /* asserted only kept for LSI */
    ok(0, 8, 0, 2, SOURCE_SET);
    assert_int_equal(ok(0, 8, 0, 0, SOURCE_READ), 0x11);
}

/* every PQ transition of an MSI source through every ESB offset class */
static void test_pq_machine(void **state)
{
    (void)state;
    const uint32_t s = 9;
    ok(0, s, 0, 0, SOURCE_SET); /* masked: transitions without forwards */
    static const uint8_t trig[4] = {2, 1, 3, 3}, eoi[4] = {0, 1, 0, 2};
    for (unsigned old = 0; old < 4; old++) {
        /* trigger: op, store on the trigger page (any offset), store on mgmt < 0x400 */
        static const uint32_t toffs[] = {0, 0x123, 0xfff8, MGMT | 0x0, MGMT | 0x3f8};
        for (unsigned k = 0; k < 5; k++) {
            set_pq(0, s, old);
            ok(0, s, toffs[k], 0, ESB_STORE);
            assert_int_equal(pq(0, s), trig[old]);
        }
        set_pq(0, s, old);
        ok(0, s, 0, 0, TRIGGER);
        assert_int_equal(pq(0, s), trig[old]);
        /* EOI: load 0x000-0x7ff, store 0x400-0x7ff */
        static const uint32_t eloads[] = {MGMT | 0, MGMT | 0x7f8, MGMT | 0x400};
        for (unsigned k = 0; k < 3; k++) {
            set_pq(0, s, old);
            assert_int_equal(esb_load(0, s, eloads[k]), old == 3);
            assert_int_equal(pq(0, s), eoi[old]);
        }
        set_pq(0, s, old);
        ok(0, s, MGMT | 0x400, 0, ESB_STORE);
        assert_int_equal(pq(0, s), eoi[old]);
        /* trigger page loads: all ones, no change */
        set_pq(0, s, old);
        assert_int_equal(esb_load(0, s, 0x800), ~0ull);
        assert_int_equal(pq(0, s), old);
        /* SET_PQ loads return the old value; stores set silently */
        for (unsigned nv = 0; nv < 4; nv++) {
            set_pq(0, s, old);
            assert_int_equal(esb_load(0, s, MGMT | 0xc00 | nv << 8 | 0x18), old);
            assert_int_equal(pq(0, s), nv);
            set_pq(0, s, old);
            ok(0, s, MGMT | 0xc00 | nv << 8, 0, ESB_STORE);
            assert_int_equal(pq(0, s), nv);
        }
        /* GET at 0x800-0xbff */
        set_pq(0, s, old);
        assert_int_equal(esb_load(0, s, MGMT | 0xbf8), old);
    }
    /* LSI: trigger only from 00; EOI re-triggers while asserted */
    ok(0, 10, 0, 1, SOURCE_SET);
    set_pq(0, 10, 2);
    ok(0, 10, 0, 0, TRIGGER);
    assert_int_equal(pq(0, 10), 2);
    set_pq(0, 10, 0);
    ok(0, 10, 0, 1, SOURCE_LEVEL);
    assert_int_equal(pq(0, 10), 2);
    assert_int_equal(ok(0, 10, 0, 0, SOURCE_READ) & 0x8, 0x8);
    assert_int_equal(esb_load(0, 10, MGMT), 0);
    assert_int_equal(pq(0, 10), 2); /* still asserted: re-triggered */
    ok(0, 10, 0, 0, SOURCE_LEVEL);
    assert_int_equal(esb_load(0, 10, MGMT), 0);
    assert_int_equal(pq(0, 10), 0);
}

static void test_eq_and_presentation(void **state)
{
    (void)state;
    struct ioe_notification n[64];
    const uint64_t qa = 0x10000;
    queue(0, 2, 3, qa);
    route(0, 20, 2, 3, 0x55);
    /* CPPR 0: nothing presented */
    ok(0, 20, 0, 0, TRIGGER);
    assert_int_equal(eq_word(0, qa, 0), 0x80000055u);
    assert_int_equal(drain(n, 64), 0);
    assert_int_equal(ok(0, 2, 0x10, 0, VP_GET), 0x00001000ff000003ull);
    /* raise CPPR: presented, one notification */
    ok(0, 2, 0x11, 0xff, TM_STORE);
    assert_int_equal(drain(n, 64), 1);
    assert_int_equal(n[0].vm, 0);
    assert_int_equal(n[0].vcpu, 2);
    assert_int_equal(n[0].src, IOE_NOTIFY_SRC_XIVE);
    assert_int_equal(ok(0, 2, 0x10, 0, TM_LOAD), 0x80ff1000ff000003ull);
    /* acknowledge: NSR << 8 | priority; IPB bit cleared */
    assert_int_equal(ok(0, 2, 0x810, 0, TM_LOAD), 0x8003);
    assert_int_equal(ok(0, 2, 0x10, 0, TM_LOAD), 0x00030000ff0000ffull);
    assert_int_equal(ok(0, 2, 0x810, 0, TM_LOAD), 0x03);
    /* PQ is 10: more triggers coalesce, no entry */
    ok(0, 20, 0, 0, TRIGGER);
    assert_int_equal(eq_word(0, qa, 1), 0);
    /* EOI with Q set re-forwards */
    assert_int_equal(esb_load(0, 20, MGMT), 1);
    assert_int_equal(eq_word(0, qa, 1), 0x80000055u);
    /* priority 3 with CPPR 3: pending, not presented */
    assert_int_equal(drain(n, 64), 0);
    assert_int_equal(ok(0, 2, 0x10, 0, TM_LOAD) >> 40 & 0xff, 0x10);
    /* SET_OS_PENDING priority 1: presented */
    ok(0, 2, 0x812, 1, TM_STORE);
    assert_int_equal(drain(n, 64), 1);
    assert_int_equal(ok(0, 2, 0x810, 0, TM_LOAD), 0x8001);
    /* masked EAS: nothing written */
    ok(0, 20, 0, 1ull << 32, SOURCE_CONFIG);
    set_pq(0, 20, 0);
    ok(0, 20, 0, 0, TRIGGER);
    assert_int_equal(eq_word(0, qa, 2), 0);
    assert_int_equal(pq(0, 20), 2);
    /* EQ_READ: qshift 12, ALWAYS_NOTIFY, generation 1, index 2 */
    assert_int_equal(ok(0, 2 << 3 | 3, 0, 0, EQ_READ), 2u << 10 | 1u << 9 | 1u << 8 | 12);
    assert_int_equal(ok(0, 2 << 3 | 3, 8, 0, EQ_READ), qa);
    /* without ALWAYS_NOTIFY: queued, never presented */
    ok(0, 1 << 3 | 0, 12 | 1u << 9, 0x20000, EQ_CONFIG);
    route(0, 21, 1, 0, 7);
    ok(0, 1, 0x11, 0xff, TM_STORE);
    ok(0, 21, 0, 0, TRIGGER);
    assert_int_equal(eq_word(0, 0x20000, 0), 0x80000007u);
    assert_int_equal(drain(n, 64), 0);
    assert_int_equal(ok(0, 1, 0x10, 0, VP_GET) >> 40 & 0xff, 0);
}

/* generation, wrap, restore of (toggle, index), overwrite when the guest does not read */
static void test_eq_wrap(void **state)
{
    (void)state;
    const uint64_t qa = 0x30000;
    ok(0, 0, 12 | 1u << 8 | 1u << 9 | 1020u << 10, qa, EQ_CONFIG);
    route(0, 30, 0, 0, 0);
    for (uint32_t i = 0; i < 1030; i++) {
        ok(0, 30, 0, (uint64_t)i << 33, SOURCE_CONFIG);
        ok(0, 30, 0, 0, TRIGGER);
        set_pq(0, 30, 0); /* plain EOI */
    }
    /* triggers 0..3 wrote 1020..1023 (generation 1), 4..1027 wrote 0..1023 (generation 0,
     * overwriting), 1028..1029 wrote 0..1 (generation 1 again) */
    for (uint32_t k = 0; k < 1024; k++) {
        uint32_t i = 4 + k; /* trigger number that wrote index k last */
        if (k < 2)
            i = 1028 + k;
        uint32_t gen = k < 2 ? 1u : 0u;
        assert_int_equal(eq_word(0, qa, k), gen << 31 | i);
    }
    assert_int_equal(ok(0, 0, 0, 0, EQ_READ), 2u << 10 | 1u << 9 | 1u << 8 | 12);
    /* disable: reads 0, events dropped */
    ok(0, 0, 0, 0, EQ_CONFIG);
    assert_int_equal(ok(0, 0, 0, 0, EQ_READ), 0);
    assert_int_equal(ok(0, 0, 8, 0, EQ_READ), 0);
    set_pq(0, 30, 0);
    ok(0, 30, 0, 0, TRIGGER);
    assert_int_equal(eq_word(0, qa, 2), 6);
}

static void test_vp_state(void **state)
{
    (void)state;
    struct ioe_notification n[8];
    assert_int_equal(ok(0, 5, 0, 0, VP_GET), 0x00000000ff0000ffull);
    /* restore: verbatim except PIPR, which follows IPB; pending above CPPR notifies */
    ok(0, 5, 0, 0x0006a0331122337eull, VP_SET);
    assert_int_equal(ok(0, 5, 0, 0, VP_GET), 0x8006a03311223300ull);
    assert_int_equal(drain(n, 8), 1);
    assert_int_equal(n[0].vcpu, 5);
    /* the IPB backlog of events that arrived for a server is in VP_GET */
    queue(0, 6, 4, 0x40000);
    route(0, 40, 6, 4, 1);
    ok(0, 40, 0, 0, TRIGGER);
    assert_int_equal(ok(0, 6, 0, 0, VP_GET), 0x00000800ff000004ull);
    ok(0, 6, 0, 0, VP_SET);
    assert_int_equal(ok(0, 6, 0, 0, VP_GET), 0xffull);
}

static void test_reset_clear_sync(void **state)
{
    (void)state;
    queue(0, 1, 1, 0x50000);
    route(0, 50, 1, 1, 9);
    route(0, 51, 1, 1, 10);
    ok(0, 1, 0x11, 0xff, TM_STORE);
    ok(0, 50, 0, 0, TRIGGER);
    assert_int_equal(ok(0, 50, 0, 0, SOURCE_SYNC), 0);
    assert_int_equal(eq_word(0, 0x50000, 0), 0x80000009u);
    ok(0, 0, CTL_RESET, 0, VM_CTRL);
    /* sources valid, masked, PQ 01, EISN 0; ENDs gone; thread context untouched */
    assert_int_equal(ok(0, 50, 0, 0, SOURCE_READ), 0x11);
    assert_int_equal(ok(0, 51, 8, 0, SOURCE_READ), 1ull << 32);
    assert_int_equal(ok(0, 52, 0, 0, SOURCE_READ), 0x1);
    assert_int_equal(ok(0, 1 << 3 | 1, 0, 0, EQ_READ), 0);
    assert_int_equal(ok(0, 1, 0, 0, VP_GET) >> 40, 0x80ff40);
    ok(0, 0, CTL_CLEAR, 0, VM_CTRL);
    assert_int_equal(ok(0, 50, 0, 0, SOURCE_READ), 0x1);
    assert_int_equal(ok(0, 1, 0, 0, VP_GET), 0x00000000ff0000ffull);
}

static void test_msi_and_isolation(void **state)
{
    (void)state;
    struct ioe_notification n[8];
    /* same source number, same queue GPA in VMs 0 and 1 */
    for (uint32_t v = 0; v < 2; v++) {
        queue(v, 3, 2, 0x60000);
        route(v, 60, 3, 2, 100 + v);
        ok(v, 3, 0x11, 0xff, TM_STORE);
    }
    /* no window yet: the MSI is not claimed */
    assert_int_equal(ioe_card_msi(card, 1, 1ull << 48 | (WIN_BASE + 60 * 0x20000), 0), 0);
    assert_int_equal(drain(n, 8), 0);
    assert_int_equal(eq_word(1, 0x60000, 0), 0);
    ok(1, 0, CTL_WINDOW, WIN_BASE | 1, VM_CTRL);
    assert_int_equal(ioe_card_msi(card, 1, 1ull << 48 | (WIN_BASE + 60 * 0x20000 + 0x40), 0), 0);
    assert_int_equal(drain(n, 8), 1);
    assert_int_equal(n[0].vm, 1);
    assert_int_equal(n[0].vcpu, 3);
    assert_int_equal(eq_word(1, 0x60000, 0), 0x80000065u);
    assert_int_equal(eq_word(0, 0x60000, 0), 0);
    assert_int_equal(pq(1, 60), 2);
    assert_int_equal(pq(0, 60), 0);
    /* an MSI on the management page at 0xc00 is a SET_PQ store; beyond the window: ignored */
    assert_int_equal(
        ioe_card_msi(card, 1, 1ull << 48 | (WIN_BASE + 60 * 0x20000 + MGMT + 0xd00), 0), 0);
    assert_int_equal(ioe_card_msi(card, 1, 1ull << 48 | (WIN_BASE - 0x20000), 0), 0);
    assert_int_equal(
        ioe_card_msi(card, 1, 1ull << 48 | (WIN_BASE + IOE_PARAM_XIVE_SOURCES_DEFAULT * 0x20000ull),
                     0),
        0);
    assert_int_equal(drain(n, 8), 0);
    assert_int_equal(pq(1, 60), 1);
    uint32_t tc = 0;
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_TRIG_COUNT, &tc), 0);
    assert_int_equal(tc, 1);
}

/* Timing of the RTL (sim only; Verilator cycles are deterministic, no wall clock): every
 * trigger of a fresh source writes an EQ entry, all into one END's queue. The first is
 * issued within a few cycles; each next one waits for the previous write's response (a
 * failed write must not move the queue index, docs/xive.md "Ordering"), so one END takes
 * one entry per host-memory round trip. */
#define TIMED_SOURCES 512u
static void test_eq_write_rate(void **state)
{
    (void)state;
    if (strcmp(tt_card(backend), "sim") != 0)
        skip();              /* the C model is untimed */
    queue(0, 0, 5, 0x20000); /* qshift 12: 1024 entries */
    for (uint32_t s = 0; s < TIMED_SOURCES; s++)
        route(0, s, 0, 5, s);
    ok(0, 0, CTL_WINDOW, WIN_BASE | 1, VM_CTRL);
    uint32_t c0, c1, n = 0, c_first;
    /* one trigger on an idle engine */
    assert_int_equal(ioe_card_read32(card, IOE_CORE_CYCLE_LO, &c0), 0);
    assert_int_equal(ioe_card_msi(card, 0, WIN_BASE, 0), 0);
    assert_int_equal(ioe_card_step(card, 300), 0);
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_CYCLE, &c_first), 0);
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_COUNT, &n), 0);
    assert_int_equal(n, 1);
    uint32_t first_latency = c_first - c0;
    /* the rest back to back, one MSI per cycle on the ingress port */
    assert_int_equal(ioe_card_read32(card, IOE_CORE_CYCLE_LO, &c0), 0);
    for (uint32_t s = 1; s < TIMED_SOURCES; s++)
        assert_int_equal(ioe_card_msi(card, 0, WIN_BASE + s * 0x20000ull, 0), 0);
    for (int i = 0; i < 4000 && n < TIMED_SOURCES; i++) {
        assert_int_equal(ioe_card_step(card, 64), 0);
        assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_COUNT, &n), 0);
    }
    assert_int_equal(n, TIMED_SOURCES);
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_CYCLE, &c1), 0);
    uint32_t span = c1 - c0;
    printf("xive sim: trigger -> EQ write issued %u cycles (from the CYCLE_LO read); "
           "%u queue-writing triggers in %u cycles (host-memory latency %u)\n",
           first_latency, TIMED_SOURCES - 1, span, IOE_CARD_DEFAULT_DMA_LATENCY);
    /* the register read that samples c0 completes a few cycles before the MSI enters */
    assert_true(first_latency <= 12);
    /* an event waits for its END's previous EQ write's response (docs/xive.md, "RTL
     * timing"): one write per host-memory round trip and 7 cycles (measured: 6.6) */
    assert_true(span <= (TIMED_SOURCES - 1) * (IOE_CARD_DEFAULT_DMA_LATENCY + 7));
    /* every entry landed, in order, generation 1 */
    ok(0, 0, CTL_EQ_SYNC, 0, VM_CTRL);
    for (uint32_t s = 0; s < TIMED_SOURCES; s++)
        assert_int_equal(eq_word(0, 0x20000, s), 0x80000000u | s);
}

/* The same over every END of the card (NrVms x NrVcpus x 8): only an END with a write in
 * flight holds its next event, so triggers that go round all the ENDs, each END again only
 * after more than a host-memory round trip, are taken one per cycle. Trigger j goes to END
 * e = j % NEND (VM e % NVMS, server e / NVMS % 8, priority e / (8 * NVMS)) from source
 * j / NVMS of that VM. */
#define NVMS IOE_PARAM_NR_VMS_DEFAULT
#define NEND (NVMS * IOE_PARAM_NR_VCPUS_DEFAULT * 8u)
#define SPREAD (2 * NEND)
static void test_eq_write_rate_spread(void **state)
{
    (void)state;
    if (strcmp(tt_card(backend), "sim") != 0)
        skip(); /* the C model is untimed */
    _Static_assert(SPREAD / NVMS <= IOE_PARAM_XIVE_SOURCES_DEFAULT, "sources per VM");
    _Static_assert(NEND / NVMS * QSIZE <= GUEST_RAM, "queues per VM");
    uint8_t *xram[NVMS] = {ram[0], ram[1]};
    for (uint32_t v = 2; v < NVMS; v++) {
        xram[v] = ioe_mem_alloc(GUEST_RAM);
        assert_non_null(xram[v]);
        assert_int_equal(ioe_card_dma_map(card, (uint64_t)v << 48, xram[v], GUEST_RAM), 0);
    }
    for (uint32_t e = 0; e < NEND / NVMS; e++)
        for (uint32_t v = 0; v < NVMS; v++)
            queue(v, e % 8, e / 8, e * QSIZE);
    for (uint32_t j = 0; j < SPREAD; j++) {
        uint32_t e = j % NEND;
        route(e % NVMS, j / NVMS, e / NVMS % 8, e / (8 * NVMS), j);
    }
    for (uint32_t v = 0; v < NVMS; v++)
        ok(v, 0, CTL_WINDOW, WIN_BASE | 1, VM_CTRL);
    uint32_t c0, c1, n0, n = 0;
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_COUNT, &n0), 0);
    assert_int_equal(ioe_card_read32(card, IOE_CORE_CYCLE_LO, &c0), 0);
    for (uint32_t j = 0; j < SPREAD; j++)
        assert_int_equal(
            ioe_card_msi(card, 0, (uint64_t)(j % NVMS) << 48 | (WIN_BASE + j / NVMS * 0x20000ull),
                         0),
            0);
    for (int i = 0; i < 4000 && n - n0 < SPREAD; i++) {
        assert_int_equal(ioe_card_step(card, 64), 0);
        assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_COUNT, &n), 0);
    }
    assert_int_equal(n - n0, SPREAD);
    assert_int_equal(ioe_card_read32(card, IOE_XIVE_EQ_WRITE_CYCLE, &c1), 0);
    uint32_t span = c1 - c0;
    printf("xive sim: %u queue-writing triggers over %u ENDs in %u cycles, %.3f trigger/cycle "
           "(host-memory latency %u)\n",
           SPREAD, NEND, span, SPREAD / (double)span, IOE_CARD_DEFAULT_DMA_LATENCY);
    /* one per cycle, plus the pipeline's few cycles (the old hold of every event: one per
     * round trip) */
    assert_true(span <= SPREAD + 16);
    /* every entry landed: END e's queue holds its two events, generation 1 */
    for (uint32_t v = 0; v < NVMS; v++)
        ok(v, 0, CTL_EQ_SYNC, 0, VM_CTRL);
    for (uint32_t j = 0; j < SPREAD; j++) {
        uint32_t e = j % NEND;
        const uint8_t *p = xram[e % NVMS] + e / NVMS * QSIZE + 4 * (j / NEND);
        uint32_t w = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        assert_int_equal(w, 0x80000000u | j);
    }
    ioe_card_close(card);
    card = NULL;
    for (uint32_t v = 2; v < NVMS; v++)
        assert_int_equal(ioe_mem_free(xram[v]), 0);
}

#define T(f) TT_TARGET_TEST_SETUP_TEARDOWN(f, setup, teardown)

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        T(test_badtarget_undef),      T(test_source_state),      T(test_pq_machine),
        T(test_eq_and_presentation),  T(test_eq_wrap),           T(test_vp_state),
        T(test_reset_clear_sync),     T(test_msi_and_isolation), T(test_eq_write_rate),
        T(test_eq_write_rate_spread),
    };
    return tt_run_tests("xive_card", tests, NULL, NULL);
}
