/*
 * Conservation under load (docs/reliability.md): N MSIs (--ops, default 100000) with random
 * DeviceID/EventID pairs across 4 vCPUs, 8 devices and their events, some of them unmapped,
 * sent in bursts that saturate the card, on each target. After each burst every vCPU
 * acknowledges and completes until nothing is left. Checked: every delivered LPI was one an
 * MSI made pending, none twice, none left; and sent = delivered + coalesced (an MSI to an
 * LPI already pending, as the architecture allows) + blocked (KVM_SIGNAL_MSI 0: no mapping).
 * Prints the four totals and the seed.
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

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_msi_conservation),
    };
    return tt_run_tests("conservation", tests, NULL, NULL);
}
