/*
 * Lost, late and failed completions of the ITS's table reads on sim:pcie (docs/pcie.md
 * section 4, "A read that fails during an ITS table walk"). The root-complex model withholds
 * the completion of one of the card's memory reads (IOE_PCIE_RC_FAULT_LATE) or answers it UR
 * or CA; the read belongs to an ITS table walk: a device MSI's DTE/ITE read (a miss of the
 * ITS's caches) or a command's read. Checked: the MSI is dropped and counted (ITS MSI_DROP),
 * a command is skipped and GITS_CREADR moves past it (as KVM ignores a command it cannot
 * read), each timeout reports the failure once (the ITS's after 66..98 us, the endpoint's
 * after CPL_TIMEOUT_US: the engine sees one error, each counter moves by one), the late
 * completion is dropped (by the ITS's generation check while the endpoint still waits for
 * it, by the endpoint after its own timeout: CNT_CPL_UNEXPECTED), nothing hangs, another
 * VM keeps working meanwhile, and the ITS works again afterwards and after its reset.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/pcie_ep.h>

#include "its_util.h"
#include "targets.h"
#include "vfio_standin.h"

#define RID 0x0308u  /* the device of VM 1: bus 3, device 1, function 0 */
#define RID2 0x0310u /* a device of VM 2 */

struct env {
    struct tits a, b; /* two VMs on one card, each with an ITS */
    struct ioe_pcie_rc *rc;
    struct ioe_card *card;
};

static int readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

static uint32_t ep_rd(struct env *e, uint32_t off)
{
    uint32_t v = 0;
    assert_int_equal(ioe_pcie_rc_bar_read(e->rc, 2, off, &v, 1), 0);
    return v;
}

static void ep_wr(struct env *e, uint32_t off, uint32_t v)
{
    assert_int_equal(ioe_pcie_rc_bar_write(e->rc, 2, off, &v, 1), 0);
}

static uint32_t csr(struct env *e, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(e->card, addr, &v), 0);
    return v;
}

/* wait (wall clock, at most 10 s) until the card's CSR or BAR2 register reaches v */
static int wait_reg(struct env *e, int bar2, uint32_t addr, uint32_t v)
{
    for (int i = 0; i < 1000; i++) {
        if ((bar2 ? ep_rd(e, addr) : csr(e, addr)) == v)
            return 1;
        usleep(10000);
    }
    return 0;
}

/* a device's MSI: its write of EventID to GITS_TRANSLATER's offset of its VM's BAR4 page */
static void dev_msi(struct env *e, unsigned page, uint16_t rid, uint32_t ev)
{
    assert_int_equal(ioe_pcie_rc_peer_write(e->rc, rid, 4, 0x1000ull * page + 0x40, &ev, 1), 0);
}

static void setup_vm(struct tits *x, uint32_t rid)
{
    its_tables(x, 0x10000, 0, 1);
    cmd_mapc(x, 0, 0, 1);
    cmd_mapd(x, rid, 4, MEM_GPA + ITT_OFF, 1);
    for (uint32_t ev = 0; ev < 8; ev++)
        cmd_mapti(x, rid, ev, LPI0 + ev, 0);
    its_go(x);
}

static int env_setup(void **state)
{
    static struct env e;
    memset(&e, 0, sizeof(e));
    its_open(&e.a, "sim:pcie", 1);
    e.rc = ioe_pcie_sim_last_rc();
    e.card = ioe_card_of(e.a.t.kvm);
    assert_non_null(e.rc);
    assert_non_null(e.card);
    t_shared_kvm = e.a.t.kvm;
    its_open(&e.b, "sim:pcie", 1);
    setup_vm(&e.a, RID);
    setup_vm(&e.b, RID2);
    *state = &e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;
    its_close(&e->b);
    t_shared_kvm = -1;
    its_close(&e->a);
    return 0;
}

/* the MSI of event ev raises LPI0 + ev on VM a's vCPU 0 */
static void msi_works(struct env *e, struct tits *x, unsigned page, uint16_t rid, uint32_t ev)
{
    dev_msi(e, page, rid, ev);
    assert_true(readable(x->t.vcpu[0], 5000));
    assert_int_equal(its_take(x, 0), LPI0 + ev);
}

/* Evict event ev's translation from the ITS's caches: DISCARD and MAPTI again (the ITE is
 * written back to guest memory, so the next MSI walks the tables). */
static void remap(struct tits *x, uint32_t rid, uint32_t ev)
{
    cmd_dev_ev(x, C_DISCARD, rid, ev, 0);
    cmd_mapti(x, rid, ev, LPI0 + ev, 0);
    its_go(x);
}

/* An MSI whose walk never gets its completion. The endpoint's timeout set to 200 us, above
 * the ITS's (66..98 us with the default ItsCplTimeout): the ITS's fires first and drops the
 * MSI; the endpoint's fires later and its error answer is dropped by the ITS (the tag's
 * generation moved on), so MSI_DROP moves by one and CNT_CPL_TIMEOUT by one. The completion
 * released after that finds the endpoint's tag out of use: dropped, CNT_CPL_UNEXPECTED. */
static void test_walk_lost(void **state)
{
    struct env *e = *state;
    struct tits *x = &e->a;
    msi_works(e, x, 0, RID, 1);
    remap(x, RID, 1);
    ep_wr(e, IOE_EP_CPL_TIMEOUT_US, 200);
    uint32_t drop0 = csr(e, IOE_ITS_MSI_DROP), to0 = ep_rd(e, IOE_EP_CNT_CPL_TIMEOUT);
    uint32_t un0 = ep_rd(e, IOE_EP_CNT_CPL_UNEXPECTED);
    uint64_t r0 = ioe_pcie_rc_card_reads(e->rc);
    assert_int_equal(ioe_pcie_rc_inject(e->rc, IOE_PCIE_RC_FAULT_LATE, 1), 0);
    dev_msi(e, 0, RID, 1);
    assert_true(wait_reg(e, 0, IOE_ITS_MSI_DROP, drop0 + 1));
    assert_true(ioe_pcie_rc_card_reads(e->rc) > r0);
    assert_true(wait_reg(e, 1, IOE_EP_CNT_CPL_TIMEOUT, to0 + 1));
    usleep(100000);
    assert_int_equal(csr(e, IOE_ITS_MSI_DROP), drop0 + 1); /* one report, not two */
    assert_false(readable(x->t.vcpu[0], 0));
    assert_int_equal(ioe_pcie_rc_release_late(e->rc), 1);
    assert_true(wait_reg(e, 1, IOE_EP_CNT_CPL_UNEXPECTED, un0 + 1));
    assert_false(readable(x->t.vcpu[0], 100));
    /* the same event again: walked and delivered */
    msi_works(e, x, 0, RID, 1);
    assert_int_equal(csr(e, IOE_ITS_MSI_DROP), drop0 + 1);
    ep_wr(e, IOE_EP_CPL_TIMEOUT_US, 50000);
}

/* With the defaults (the endpoint's timeout 50 ms): the ITS gives up first; while the
 * endpoint still waits for the read, VM b's MSIs (walks included) work; the completion,
 * released then, reaches the ITS with an old generation and is dropped there (the endpoint
 * counts nothing: the read was still its own). */
static void test_walk_late(void **state)
{
    struct env *e = *state;
    struct tits *x = &e->a;
    remap(x, RID, 2);
    uint32_t drop0 = csr(e, IOE_ITS_MSI_DROP), to0 = ep_rd(e, IOE_EP_CNT_CPL_TIMEOUT);
    uint32_t un0 = ep_rd(e, IOE_EP_CNT_CPL_UNEXPECTED);
    assert_int_equal(ep_rd(e, IOE_EP_CPL_TIMEOUT_US), 50000);
    assert_int_equal(ioe_pcie_rc_inject(e->rc, IOE_PCIE_RC_FAULT_LATE, 1), 0);
    dev_msi(e, 0, RID, 2);
    assert_true(wait_reg(e, 0, IOE_ITS_MSI_DROP, drop0 + 1));
    /* the other VM meanwhile: a cached translation and a walk */
    msi_works(e, &e->b, 1, RID2, 3);
    remap(&e->b, RID2, 4);
    msi_works(e, &e->b, 1, RID2, 4);
    assert_int_equal(ioe_pcie_rc_release_late(e->rc), 1);
    usleep(100000);
    assert_false(readable(x->t.vcpu[0], 0));
    assert_int_equal(csr(e, IOE_ITS_MSI_DROP), drop0 + 1);
    assert_int_equal(ep_rd(e, IOE_EP_CNT_CPL_TIMEOUT), to0);
    assert_int_equal(ep_rd(e, IOE_EP_CNT_CPL_UNEXPECTED), un0);
    msi_works(e, x, 0, RID, 2);
}

/* UR and CA completions of a walk's read: the MSI dropped, CNT_CPL_ERROR */
static void test_walk_ur_ca(void **state)
{
    struct env *e = *state;
    struct tits *x = &e->a;
    for (int f = IOE_PCIE_RC_FAULT_UR; f <= IOE_PCIE_RC_FAULT_CA; f++) {
        remap(x, RID, 5);
        uint32_t drop0 = csr(e, IOE_ITS_MSI_DROP), er0 = ep_rd(e, IOE_EP_CNT_CPL_ERROR);
        assert_int_equal(ioe_pcie_rc_inject(e->rc, (enum ioe_pcie_rc_fault)f, 1), 0);
        dev_msi(e, 0, RID, 5);
        assert_true(wait_reg(e, 0, IOE_ITS_MSI_DROP, drop0 + 1));
        assert_int_equal(ep_rd(e, IOE_EP_CNT_CPL_ERROR), er0 + 1);
        assert_false(readable(x->t.vcpu[0], 100));
        msi_works(e, x, 0, RID, 5);
    }
}

/* A command whose read is lost (withheld, then released), or answered UR or CA: skipped,
 * GITS_CREADR past it (KVM ignores a command it cannot read); the next command runs. */
static void test_command(void **state)
{
    struct env *e = *state;
    struct tits *x = &e->a;
    for (int f = IOE_PCIE_RC_FAULT_UR; f <= IOE_PCIE_RC_FAULT_LATE; f++) {
        if (f == IOE_PCIE_RC_FAULT_POISONED || f == IOE_PCIE_RC_FAULT_MALFORMED ||
            f == IOE_PCIE_RC_FAULT_TIMEOUT)
            continue;
        cmd_dev_ev(x, C_DISCARD, RID, 6, 0);
        its_go(x);
        uint32_t er0 = ep_rd(e, IOE_EP_CNT_CPL_ERROR);
        assert_int_equal(ioe_pcie_rc_inject(e->rc, (enum ioe_pcie_rc_fault)f, 1), 0);
        cmd_mapti(x, RID, 6, LPI0 + 6, 0); /* its first read fails: skipped */
        its_go(x);                         /* CREADR == CWRITER */
        if (f == IOE_PCIE_RC_FAULT_LATE)
            assert_int_equal(ioe_pcie_rc_release_late(e->rc), 1);
        else
            assert_int_equal(ep_rd(e, IOE_EP_CNT_CPL_ERROR), er0 + 1);
        uint32_t drop0 = csr(e, IOE_ITS_MSI_DROP);
        dev_msi(e, 0, RID, 6); /* no ITE: dropped */
        assert_true(wait_reg(e, 0, IOE_ITS_MSI_DROP, drop0 + 1));
        assert_false(readable(x->t.vcpu[0], 100));
        cmd_mapti(x, RID, 6, LPI0 + 6, 0);
        its_go(x);
        msi_works(e, x, 0, RID, 6);
    }
}

/* After the faults, the ITS's reset (disabled, CTRL_RESET) and a new set-up bring it back */
static void test_reset(void **state)
{
    struct env *e = *state;
    struct tits *x = &e->a;
    assert_int_equal(ioe_pcie_rc_inject(e->rc, IOE_PCIE_RC_FAULT_LATE, 1), 0);
    remap(x, RID, 7); /* the DISCARD's read withheld: skipped; the MAPTI finds an ITE */
    its_mmio_w(x, GITS_CTLR, 4, 0);
    its_ctrl(x->its, KVM_DEV_ARM_ITS_CTRL_RESET);
    assert_int_equal(its_mmio_r(x, GITS_CREADR, 8), 0);
    assert_int_equal(ioe_pcie_rc_release_late(e->rc), 1);
    memset(x->mem + DT_OFF, 0, 0x10000);
    memset(x->mem + ITT_OFF, 0, 0x1000);
    setup_vm(x, RID);
    msi_works(e, x, 0, RID, 7);
    msi_works(e, &e->b, 1, RID2, 7);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_lost), cmocka_unit_test(test_walk_late),
        cmocka_unit_test(test_walk_ur_ca), cmocka_unit_test(test_command),
        cmocka_unit_test(test_reset)};
    return cmocka_run_group_tests_name("pcie_its_cto", tests, env_setup, env_teardown);
}
