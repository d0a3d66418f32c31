/*
 * Conservation under load (docs/reliability.md), on each target:
 * - ITS: N MSIs (--ops, default 100000) with random DeviceID/EventID pairs across 4 vCPUs,
 *   8 devices and their events, some of them unmapped, sent in bursts that saturate the
 *   card. After each burst every vCPU acknowledges and completes until nothing is left.
 *   Checked: every delivered LPI was one an MSI made pending, none twice, none left; and
 *   sent = delivered + coalesced (an MSI to an LPI already pending, as the architecture
 *   allows) + blocked (KVM_SIGNAL_MSI 0: no mapping).
 * - XIVE: N triggers (ESB trigger-page stores and KVM_IRQ_LINE) of random sources of a
 *   ppc64 VM whose sources are spread over 4 vCPUs and 4 priorities, some turned off by the
 *   guest (PQ 01), in bursts; then every vCPU acknowledges, reads its event queues as
 *   Linux's xive_read_eq does and EOIs each source it finds (an EOI may re-send a queued
 *   event), until nothing is left. Checked: every entry is of a source with an event in
 *   flight, in the queue the source targets, once; each source's PQ as the state machine
 *   says; sent = delivered (entries read) + coalesced (a trigger while P and Q are set) +
 *   blocked (a trigger of a source at PQ 01).
 * Prints the totals and the seed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "its_util.h"
#include "xive_util.h"

#include "assert_errno.h"
#include "targets.h"

#define VCPUS 4
#define DEVS 8   /* mapped: 0..DEVS-1; DEVS..DEVS+1 are sent but never mapped */
#define EVENTS 8 /* per device: 0..EVENTS-2 mapped, EVENTS-1 not */
#define BURST 64

static uint32_t lpi_of(uint32_t d, uint32_t e)
{
    return LPI0 + d * EVENTS + e;
}

static void test_msi_conservation(void **state)
{
    const char *target = *state;
    struct tits x;
    its_open(&x, target, VCPUS);
    its_tables(&x, 0x10000, 0, 1);
    for (uint32_t c = 0; c < VCPUS; c++)
        cmd_mapc(&x, (uint16_t)c, c, 1);
    for (uint32_t d = 0; d < DEVS; d++) {
        cmd_mapd(&x, d, 3, MEM_GPA + ITT_OFF + 0x1000ull * d, 1);
        for (uint32_t e = 0; e + 1 < EVENTS; e++)
            cmd_mapti(&x, d, e, lpi_of(d, e), (uint16_t)((d + e) % VCPUS));
        its_go(&x);
    }
    uint64_t seed = tt_seed(1), n = tt_ops(100000);
    uint64_t sent = 0, delivered = 0, coalesced = 0, blocked = 0;
    static uint8_t pending[DEVS * EVENTS];
    while (sent < n) {
        for (unsigned i = 0; i < BURST && sent < n; i++, sent++) {
            uint32_t d = (uint32_t)tt_pick(&seed, DEVS + 2), e = (uint32_t)tt_pick(&seed, EVENTS);
            int r = its_msi(&x, d, e);
            bool mapped = d < DEVS && e + 1 < EVENTS;
            assert_int_equal(r, mapped);
            if (!mapped)
                blocked++;
            else if (pending[d * EVENTS + e])
                coalesced++;
            else
                pending[d * EVENTS + e] = 1;
        }
        for (int c = 0; c < VCPUS; c++) {
            uint32_t intid;
            while ((intid = its_take(&x, c)) != 1023) {
                assert_true(intid >= LPI0 && intid < lpi_of(DEVS, 0));
                uint32_t i = intid - LPI0;
                assert_int_equal(pending[i], 1); /* made pending once, delivered once */
                assert_int_equal((i / EVENTS + i % EVENTS) % VCPUS, c); /* to its vCPU */
                pending[i] = 0;
                delivered++;
            }
        }
        for (size_t i = 0; i < sizeof(pending); i++)
            assert_int_equal(pending[i], 0); /* nothing left behind */
    }
    printf("%s: sent %" PRIu64 " = delivered %" PRIu64 " + coalesced %" PRIu64 " + blocked %" PRIu64
           "\n",
           target, sent, delivered, coalesced, blocked);
    assert_true(sent == delivered + coalesced + blocked);
    its_close(&x);
}

#define XSRC 64    /* sources 0..XSRC-1 */
#define XBURST 256 /* triggers between two rounds of the guests */

/* source i: vCPU i % VCPUS, priority 2 + (i / VCPUS) % 4, EISN 0x100 + i; off when i % 8 == 7 */
static int xsrc_cpu(uint32_t i)
{
    return (int)(i % VCPUS);
}

static unsigned xsrc_prio(uint32_t i)
{
    return 2 + (i / VCPUS) % 4;
}

struct xcons {
    struct xvm x;
    struct reader rd[VCPUS][8];
    uint8_t pq[XSRC];  /* what the PQ state machine says */
    uint8_t inq[XSRC]; /* an entry of the source is in its queue, not read yet */
    uint64_t delivered;
};

/* The guest of vCPU c reads its queue of priority p: each entry once, where its source
 * targets, then the EOI (which re-sends the event when Q was set) */
static void xcons_read(struct xcons *t, int c, unsigned p)
{
    int64_t e;
    while ((e = rd_next(&t->rd[c][p])) >= 0) {
        uint32_t i = (uint32_t)e - 0x100;
        assert_true(i < XSRC);
        assert_int_equal(xsrc_cpu(i), c);
        assert_int_equal(xsrc_prio(i), p);
        assert_int_equal(t->inq[i], 1); /* sent once, read once */
        t->inq[i] = 0;
        t->delivered++;
        uint64_t ref = xive_esb(&t->x, i, true, XIVE_ESB_LOAD_EOI, false);
        assert_int_equal(ref, t->pq[i] == 3);
        if (t->pq[i] == 3) {
            t->pq[i] = 2;
            t->inq[i] = 1;
        } else {
            assert_int_equal(t->pq[i], 2);
            t->pq[i] = 0;
        }
    }
}

/* Every vCPU acknowledges and reads until none is notified and every queue is empty */
static void xcons_drain(struct xcons *t)
{
    for (bool busy = true; busy;) {
        busy = false;
        for (int c = 0; c < VCPUS; c++) {
            while (xive_readable(&t->x, c)) {
                busy = true;
                uint64_t ack = xive_tima(&t->x, c, TM_SPC_ACK_OS_REG, 2, false, 0);
                if (!(ack >> 8))
                    break;
                unsigned p = ack & 0xff;
                assert_true(p >= 2 && p < 6);
                xcons_read(t, c, p);
                xive_cppr(&t->x, c, 0xff);
            }
            for (unsigned p = 2; p < 6; p++) /* entries of priorities acked meanwhile */
                xcons_read(t, c, p);
        }
    }
    for (uint32_t i = 0; i < XSRC; i++) {
        assert_int_equal(t->inq[i], 0); /* nothing left behind */
        assert_true(t->pq[i] == 0 || t->pq[i] == 1);
    }
}

static void test_xive_conservation(void **state)
{
    const char *target = *state;
    static struct xcons t;
    memset(&t, 0, sizeof(t));
    xive_open(&t.x, target, VCPUS, true);
    for (int c = 0; c < VCPUS; c++)
        for (unsigned p = 2; p < 6; p++) {
            assert_ok(xive_eq_set(&t.x, c, p, 1, 0));
            rd_init(&t.rd[c][p], &t.x, c, p, 0, 0);
        }
    for (uint32_t i = 0; i < XSRC; i++) {
        assert_ok(xive_source(&t.x, i, 0));
        assert_ok(xive_target(&t.x, i, t.x.server[xsrc_cpu(i)], xsrc_prio(i), 0x100 + i, false));
        t.pq[i] = i % 8 == 7 ? 1 : 0;
        xive_esb(&t.x, i, true, t.pq[i] ? XIVE_ESB_SET_PQ_01 : XIVE_ESB_SET_PQ_00, false);
    }
    for (int c = 0; c < VCPUS; c++)
        xive_cppr(&t.x, c, 0xff);
    uint64_t seed = tt_seed(1), n = tt_ops(100000);
    uint64_t sent = 0, coalesced = 0, blocked = 0;
    while (sent < n) {
        for (unsigned k = 0; k < XBURST && sent < n; k++, sent++) {
            uint32_t i = (uint32_t)tt_pick(&seed, XSRC);
            if (tt_pick(&seed, 5)) {
                xive_trigger(&t.x, i);
            } else {
                struct kvm_irq_level l = {.irq = i, .level = 1};
                assert_ok(ioe_ioctl(t.x.vm, KVM_IRQ_LINE, &l));
            }
            switch (t.pq[i]) {
            case 0:
                t.pq[i] = 2;
                t.inq[i] = 1;
                break;
            case 2: t.pq[i] = 3; break; /* sent again at the EOI */
            case 3: coalesced++; break;
            default: blocked++; break;
            }
        }
        xcons_drain(&t);
        for (uint32_t i = 0; i < XSRC; i += 7) /* the card's PQ is the state machine's */
            assert_int_equal(xive_pq(&t.x, i), t.pq[i]);
    }
    printf("%s: XIVE triggers sent %" PRIu64 " = delivered %" PRIu64 " + coalesced %" PRIu64
           " + blocked %" PRIu64 "\n",
           target, sent, t.delivered, coalesced, blocked);
    assert_true(sent == t.delivered + coalesced + blocked);
    xive_close(&t.x);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_msi_conservation),
        TT_TARGET_TEST(test_xive_conservation),
    };
    return tt_run_tests("conservation", tests, NULL, NULL);
}
