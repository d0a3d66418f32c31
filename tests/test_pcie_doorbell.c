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

#include <ioe/pcie_ep.h>

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

/* the BAR4 page whose base is gpa (BAR2 DB_PAGE / DB_BASE), -1 when none */
static int find_page(struct ioe_pcie_rc *rc, uint64_t gpa)
{
    unsigned pages = (unsigned)(ioe_pcie_rc_bar_size(rc, 4) / 4096);
    for (uint32_t p = 0; p < pages; p++) {
        uint32_t d[2];
        assert_int_equal(ioe_pcie_rc_bar_write(rc, 2, IOE_EP_DB_PAGE, &p, 1), 0);
        assert_int_equal(ioe_pcie_rc_bar_read(rc, 2, IOE_EP_DB_BASE_LO, d, 2), 0);
        if (((uint64_t)d[1] << 32 | d[0]) == gpa)
            return (int)p;
    }
    return -1;
}

#define ITS2_BASE 0x09000000ull
#define CMDQ2_OFF 0x110000ull
#define DT2_OFF 0x280000ull
#define CT2_OFF 0x310000ull
#define ITT2_OFF 0x500000ull
#define RID2 0x0410u

static void cmd2(struct tits *x, uint32_t *cw, uint64_t d0, uint64_t d1, uint64_t d2)
{
    uint8_t *p = x->mem + CMDQ2_OFF + *cw;
    put64(p, d0);
    put64(p + 8, d1);
    put64(p + 16, d2);
    put64(p + 24, 0);
    *cw += 32;
}

/* A VM with two ITSes: each gets its own device doorbell page (the page of its card
 * instance, serving the VM at its GITS_TRANSLATER), so a device behind either reaches its
 * ITS; destroying them (with the VM) clears their pages. */
static void test_two_its(void **state)
{
    (void)state;
    struct tits x;
    its_open(&x, "sim:pcie", 1);
    struct ioe_pcie_rc *rc = ioe_pcie_sim_last_rc();
    assert_non_null(rc);
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapd(&x, RID, 4, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, RID, 3, LPI0 + 5, 0);
    its_go(&x);
    int its2 = its_create(x.t.vm);
    assert_true(its2 >= 0);
    uint64_t off1 = ~0ull, off2 = ~0ull;
    assert_int_equal(ioe_ioctl(its2, IOE_ITS_DOORBELL, &off2), -1); /* no address yet */
    assert_int_equal(errno, ENXIO);
    uint64_t a = ITS2_BASE;
    t_set_attr(its2, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a);
    t_mmio(&x.t, ITS2_BASE + GITS_CBASER, 8, 1, 1ull << 63 | (MEM_GPA + CMDQ2_OFF));
    t_mmio(&x.t, ITS2_BASE + GITS_BASER(0), 8, 1, 1ull << 63 | (MEM_GPA + DT2_OFF) | 2u << 8);
    t_mmio(&x.t, ITS2_BASE + GITS_BASER(1), 8, 1, 1ull << 63 | (MEM_GPA + CT2_OFF) | 2u << 8);
    t_mmio(&x.t, ITS2_BASE + GITS_CTLR, 4, 1, 1);
    uint32_t cw = 0;
    cmd2(&x, &cw, C_MAPC, 0, 1ull << 63 | 0);
    cmd2(&x, &cw, C_MAPD | (uint64_t)RID2 << 32, 4, 1ull << 63 | (MEM_GPA + ITT2_OFF));
    cmd2(&x, &cw, C_MAPTI | (uint64_t)RID2 << 32, 3 | (uint64_t)(LPI0 + 100) << 32, 0);
    t_mmio(&x.t, ITS2_BASE + GITS_CWRITER, 8, 1, cw);
    assert_int_equal(t_mmio(&x.t, ITS2_BASE + GITS_CREADR, 8, 0, 0), cw);
    int p1 = find_page(rc, ITS_BASE + 0x10000), p2 = find_page(rc, ITS2_BASE + 0x10000);
    assert_true(p1 >= 0 && p2 >= 0 && p1 != p2);
    /* what the VMM is told (IOE_ITS_DOORBELL) is the page the card serves the ITS at */
    assert_int_equal(ioe_ioctl(x.its, IOE_ITS_DOORBELL, &off1), 0);
    assert_int_equal(ioe_ioctl(its2, IOE_ITS_DOORBELL, &off2), 0);
    assert_int_equal(off1, (uint64_t)p1 * IOE_PCIE_DB_PAGE_SIZE);
    assert_int_equal(off2, (uint64_t)p2 * IOE_PCIE_DB_PAGE_SIZE);
    uint32_t ev = 3;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x1000ull * p1 + 0x40, &ev, 1), 0);
        assert_true(readable(x.t.vcpu[0], 2000));
        assert_int_equal(its_take(&x, 0), LPI0 + 5);
        assert_int_equal(ioe_pcie_rc_peer_write(rc, RID2, 4, 0x1000ull * p2 + 0x40, &ev, 1), 0);
        assert_true(readable(x.t.vcpu[0], 2000));
        assert_int_equal(its_take(&x, 0), LPI0 + 100);
    }
    /* each device at the other ITS's page: that ITS has no such device, nothing */
    assert_int_equal(ioe_pcie_rc_peer_write(rc, RID2, 4, 0x1000ull * p1 + 0x40, &ev, 1), 0);
    assert_int_equal(ioe_pcie_rc_peer_write(rc, RID, 4, 0x1000ull * p2 + 0x40, &ev, 1), 0);
    assert_false(readable(x.t.vcpu[0], 200));
    /* the ITSes gone with their VM (the card kept open): their pages serve no frame */
    assert_int_equal(ioe_close(its2), 0);
    t_shared_kvm = x.t.kvm;
    its_close(&x);
    t_shared_kvm = -1;
    assert_int_equal(find_page(rc, ITS2_BASE + 0x10000), -1);
    assert_int_equal(find_page(rc, ITS_BASE + 0x10000), -1);
    assert_int_equal(ioe_close(x.t.kvm), 0);
}

/* A card without device doorbells (the C model) says so; other devices do not know the
 * request. */
static void test_doorbell_elsewhere(void **state)
{
    (void)state;
    struct tits x;
    its_open(&x, "soft", 1);
    uint64_t off = 0;
    assert_int_equal(ioe_ioctl(x.its, IOE_ITS_DOORBELL, &off), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(ioe_ioctl(x.t.dev, IOE_ITS_DOORBELL, &off), -1); /* the VGICv3 */
    assert_int_equal(errno, ENOTTY);
    its_close(&x);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_device_doorbell),
                                       cmocka_unit_test(test_two_its),
                                       cmocka_unit_test(test_doorbell_elsewhere)};
    return cmocka_run_group_tests_name("pcie_doorbell", tests, NULL, NULL);
}
