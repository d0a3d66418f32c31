/*
 * The device doorbell end to end on sim:pcie (docs/pcie.md section 3): libioe programs the
 * VM's doorbell base when its ITS gets its address, so a passthrough device's MSI, a 1-DW
 * write by that device (its requester ID) at GITS_TRANSLATER's offset of the VM's BAR4 page,
 * is translated by the card's ITS and raises the mapped LPI on its vCPU without the host
 * CPU. The write is no libioe request: the event thread makes the vCPU readable. Prints the
 * doorbell -> MSI-X latency on an ITS translation hit and on misses (docs/pcie.md §7).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "its_util.h"
#include "targets.h"
#include "vfio_standin.h"

#define RID 0x0308u /* the device: bus 3, device 1, function 0 */

static int readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

static void test_device_doorbell(void **state)
{
    (void)state;
    struct tits x;
    its_open(&x, "sim:pcie", 2);
    struct ioe_pcie_rc *rc = ioe_pcie_sim_last_rc();
    assert_non_null(rc);
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapc(&x, 1, 1, 1);
    cmd_mapd(&x, RID, 4, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, RID, 3, LPI0 + 5, 1);
    for (uint32_t e = 0; e < 5; e++)
        cmd_mapti(&x, RID, 10 + e, LPI0 + 10 + e, 1);
    its_go(&x);
    assert_false(readable(x.t.vcpu[1], 0));
    /* the VM is the card's first context: page 0 of BAR4, GITS_TRANSLATER's offset 0x40;
     * the first MSI of the device: a miss (the ITS reads its tables in guest memory, the
     * root complex answers after its round trip); latency from the doorbell's first beat,
     * the completions of the walk in between not counted as the doorbell */
    usleep(20000);
    uint32_t ev = 3;
    uint64_t m0 = ioe_pcie_rc_peer_msix(rc, NULL, NULL), req, rx, tx;
    assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x40, &ev, 1), 0);
    assert_true(readable(x.t.vcpu[1], 2000));
    assert_false(readable(x.t.vcpu[0], 0));
    assert_int_equal(its_take(&x, 1), LPI0 + 5);
    assert_int_equal(ioe_pcie_rc_peer_msix(rc, &req, &tx), m0 + 1);
    assert_true(tx > req);
    uint64_t cold = tx - req;
    /* the same event again, now a hit in the ITS's cache: doorbell TLP (its first beat
     * taken by the card) to the MSI-X message's first beat, in cycles of the 250 MHz clock */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < 5; i++) {
        usleep(20000); /* the host quiet: the MSI-X message follows the doorbell alone */
        uint64_t n0 = ioe_pcie_rc_last_msix(rc, NULL, NULL);
        assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x40, &ev, 1), 0);
        assert_true(readable(x.t.vcpu[1], 2000));
        assert_int_equal(ioe_pcie_rc_last_msix(rc, &rx, &tx), n0 + 1);
        assert_true(tx > rx);
        uint64_t ptx;
        ioe_pcie_rc_peer_msix(rc, &req, &ptx);
        assert_true(req == rx && ptx == tx); /* a hit: the doorbell is the last TLP */
        lo = tx - rx < lo ? tx - rx : lo;
        hi = tx - rx > hi ? tx - rx : hi;
        assert_int_equal(its_take(&x, 1), LPI0 + 5);
    }
    /* events of the same device not used yet: their ITEs are read from guest memory */
    uint64_t mlo = UINT64_MAX, mhi = 0;
    for (uint32_t e = 0; e < 5; e++) {
        usleep(20000);
        uint32_t v = 10 + e;
        uint64_t n0 = ioe_pcie_rc_peer_msix(rc, NULL, NULL);
        assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x40, &v, 1), 0);
        assert_true(readable(x.t.vcpu[1], 2000));
        assert_int_equal(ioe_pcie_rc_peer_msix(rc, &req, &tx), n0 + 1);
        assert_true(tx > req);
        mlo = tx - req < mlo ? tx - req : mlo;
        mhi = tx - req > mhi ? tx - req : mhi;
        assert_int_equal(its_take(&x, 1), LPI0 + 10 + e);
    }
    printf("device doorbell -> MSI-X on an ITS hit: %llu to %llu cycles (5 runs); the device's "
           "first MSI: %llu cycles; a new event of a known device: %llu to %llu cycles (5 "
           "events)\n",
           (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)cold,
           (unsigned long long)mlo, (unsigned long long)mhi);
    /* an event the device has no ITE for: nothing */
    ev = 4;
    assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x40, &ev, 1), 0);
    assert_false(readable(x.t.vcpu[1], 200));
    its_close(&x);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_device_doorbell)};
    return cmocka_run_group_tests_name("pcie_doorbell", tests, NULL, NULL);
}
