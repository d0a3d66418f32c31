/*
 * DMA faults (docs/reliability.md): the host-memory model behind the card fails, delays or
 * reorders the accesses to a range on command (ioe_hostmem_add_fault), and each engine is
 * watched through the KVM API on each target (soft and sim): the ITS skips a command it
 * cannot fetch and goes on (as KVM's vgic_its_process_commands does), an MSI whose table
 * walk fails is dropped, an event queue write that fails leaves the queue untouched; the
 * other VM of the same card keeps working, nothing hangs, and once the fault is gone the
 * engine works again. Late and reordered responses change nothing the guest can see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ioe/regs.h>

#include "ioe_hostmem.h"
#include "its_util.h"
#include "xive_util.h"

#include "assert_errno.h"
#include "targets.h"

/* Make the host memory behind [hva, hva + len) of the newest card fail as `kind` says */
static void fault(const void *hva, uint64_t len, enum ioe_hostmem_fault_kind kind, unsigned dirs)
{
    struct ioe_hostmem *hm = ioe_hostmem_newest();
    assert_non_null(hm);
    uint64_t iova;
    assert_int_equal(ioe_hostmem_iova_of(hm, hva, &iova), 0);
    struct ioe_hostmem_fault f = {
        .start = iova, .last = iova + len - 1, .kind = kind, .dirs = dirs, .delay = 300};
    assert_int_equal(ioe_hostmem_add_fault(hm, &f), 0);
}

static uint64_t faulted(void)
{
    struct ioe_hostmem_stats st;
    ioe_hostmem_get_stats(ioe_hostmem_newest(), &st);
    return st.faulted;
}

static void no_faults(void)
{
    ioe_hostmem_clear_faults(ioe_hostmem_newest());
}

/* Two arm64 VMs on one card, each with an ITS, its tables, device 1 (event 0 -> LPI0,
 * collection 0 on vCPU 0) mapped */
static void two_its_vms(struct tits *a, struct tits *b, const char *target)
{
    its_open(a, target, 1);
    t_shared_kvm = a->t.kvm; /* until close_two */
    its_open(b, target, 1);
    struct tits *vms[] = {a, b};
    for (int i = 0; i < 2; i++) {
        its_tables(vms[i], 0x10000, 0, 1);
        cmd_mapc(vms[i], 0, 0, 1);
        cmd_mapd(vms[i], 1, 3, MEM_GPA + ITT_OFF, 1);
        its_go(vms[i]);
    }
}

static void close_two(struct tits *a, struct tits *b)
{
    its_close(b);
    t_shared_kvm = -1;
    its_close(a); /* and the card */
}

/* A command the ITS cannot read is skipped, CREADR moves past it and the next commands run
 * (vgic_its_process_commands: GICv3 spec 6.3.2 lets an ITS ignore it) */
static void test_its_command_fetch_error(void **state)
{
    const char *target = *state;
    struct tits a, b;
    two_its_vms(&a, &b, target);
    uint64_t before = faulted();
    fault(a.mem + CMDQ_OFF + a.cwriter, 32, IOE_HOSTMEM_FAULT_ERROR, IOE_HOSTMEM_READS);
    cmd_mapti(&a, 1, 0, LPI0, 0);     /* unreadable */
    cmd_mapti(&a, 1, 1, LPI0 + 1, 0); /* runs */
    its_go(&a);                       /* CREADR == CWRITER: nothing stalls */
    assert_true(faulted() > before);
    assert_int_equal(its_msi(&a, 1, 0), 0); /* never mapped */
    assert_int_equal(its_msi(&a, 1, 1), 1);
    assert_int_equal(its_take(&a, 0), LPI0 + 1);
    /* the other VM's commands and MSIs on the same card are not affected */
    cmd_mapti(&b, 1, 0, LPI0 + 7, 0);
    its_go(&b);
    assert_int_equal(its_msi(&b, 1, 0), 1);
    assert_int_equal(its_take(&b, 0), LPI0 + 7);
    /* without the fault the same command works */
    no_faults();
    cmd_mapti(&a, 1, 0, LPI0, 0);
    its_go(&a);
    assert_int_equal(its_msi(&a, 1, 0), 1);
    assert_int_equal(its_take(&a, 0), LPI0);
    close_two(&a, &b);
}

/* An MSI whose device-table or ITT read fails is dropped (KVM_SIGNAL_MSI 0, nothing
 * pending); the other VM's MSIs are delivered meanwhile */
static void test_its_msi_walk_error(void **state)
{
    const char *target = *state;
    struct tits a, b;
    two_its_vms(&a, &b, target);
    cmd_mapti(&a, 1, 0, LPI0, 0);
    cmd_mapti(&b, 1, 0, LPI0 + 3, 0);
    its_go(&a);
    its_go(&b);
    static const uint64_t table[] = {DT_OFF, ITT_OFF};
    for (int i = 0; i < 2; i++) {
        fault(a.mem + table[i], 0x1000, IOE_HOSTMEM_FAULT_ERROR, IOE_HOSTMEM_READS);
        uint64_t before = faulted();
        int delivered = its_msi(&a, 1, 0);
        bool walked = faulted() > before; /* false: the translation came from a cache */
        assert_int_equal(delivered, !walked);
        if (delivered)
            assert_int_equal(its_take(&a, 0), LPI0);
        assert_int_equal(its_take(&a, 0), 1023);
        assert_int_equal(its_msi(&b, 1, 0), 1);
        assert_int_equal(its_take(&b, 0), LPI0 + 3);
        no_faults();
        assert_int_equal(its_msi(&a, 1, 0), 1);
        assert_int_equal(its_take(&a, 0), LPI0);
    }
    close_two(&a, &b);
}

/* The ITS RTL's DMA completion timeout in cycles (ioe_its.sv's CplTimeout default): a
 * request without a response gets an error response after 1 to 1.5 times this */
#define ITS_CPL_TIMEOUT 16384u

static void its_fault_delayed(const void *hva, uint64_t len, enum ioe_hostmem_fault_kind kind,
                              unsigned delay)
{
    struct ioe_hostmem *hm = ioe_hostmem_newest();
    uint64_t iova;
    assert_int_equal(ioe_hostmem_iova_of(hm, hva, &iova), 0);
    struct ioe_hostmem_fault f = {.start = iova,
                                  .last = iova + len - 1,
                                  .kind = kind,
                                  .dirs = IOE_HOSTMEM_READS,
                                  .delay = delay};
    assert_int_equal(ioe_hostmem_add_fault(hm, &f), 0);
}

/* A command read that never completes: the card's completion timeout (sim: ioe_its_cto;
 * the C model fails the read at once) makes it an error, so the command is skipped as
 * above and the engine goes on; the other VM works. Then a response that comes back after
 * the timeout (REORDER, 1.6 timeouts late, while later commands run) is dropped, not taken
 * for a later read: every later command does what it says. */
static void test_its_command_timeout(void **state)
{
    const char *target = *state;
    struct tits a, b;
    two_its_vms(&a, &b, target);
    fault(a.mem + CMDQ_OFF + a.cwriter, 32, IOE_HOSTMEM_FAULT_TIMEOUT, IOE_HOSTMEM_READS);
    cmd_mapti(&a, 1, 0, LPI0, 0);     /* lost */
    cmd_mapti(&a, 1, 1, LPI0 + 1, 0); /* runs */
    its_go(&a);
    assert_int_equal(its_msi(&a, 1, 0), 0);
    assert_int_equal(its_msi(&a, 1, 1), 1);
    assert_int_equal(its_take(&a, 0), LPI0 + 1);
    cmd_mapti(&b, 1, 0, LPI0 + 7, 0);
    its_go(&b);
    assert_int_equal(its_msi(&b, 1, 0), 1);
    assert_int_equal(its_take(&b, 0), LPI0 + 7);

    /* the late response: MAPTI (1, 0) comes back while the INTs of events 2..15 run */
    no_faults();
    its_fault_delayed(a.mem + CMDQ_OFF + a.cwriter, 32, IOE_HOSTMEM_FAULT_REORDER,
                      ITS_CPL_TIMEOUT * 8 / 5);
    cmd_mapti(&a, 1, 0, LPI0, 0); /* times out on sim, runs on soft */
    for (uint32_t e = 2; e < 16; e++)
        cmd_mapti(&a, 1, e, LPI0 + e, 0);
    for (uint32_t e = 2; e < 16; e++)
        cmd_dev_ev(&a, C_INT, 1, e, 0);
    its_go(&a);
    bool soft = !strcmp(target, "soft");
    assert_int_equal(its_msi(&a, 1, 0), soft);
    if (soft)
        assert_int_equal(its_take(&a, 0), LPI0);
    for (uint32_t e = 2; e < 16; e++)
        assert_int_equal(its_take(&a, 0), LPI0 + e);
    assert_int_equal(its_take(&a, 0), 1023);
    no_faults();
    close_two(&a, &b);
}

static uint64_t dma_reads(void)
{
    struct ioe_hostmem_stats st;
    ioe_hostmem_get_stats(ioe_hostmem_newest(), &st);
    return st.reads;
}

/* A guest that writes valid-looking DTEs and ITEs into its own device table and ITT memory
 * (fuzz_guest's finding, docs/reliability.md) cannot make a walk over the device table
 * long: it maps one device (DeviceID 1, 16 events) by MAPD, forges every other slot of its
 * 8192-slot table as a device of 65536 events whose ITT is full of valid ITEs. Before the
 * bound, MAPC's retarget, SAVE_TABLES and the BASER0 write with Valid 0 each read
 * 8192 x 65536 entries (the BASER0 write did not finish on soft nor on sim); now each
 * reads at most the slots up to DeviceID 1 and the first device's ITT cut to 16 entries
 * (docs/its.md, "Bounded walks"). The other VM keeps working. */
static void test_its_forged_tables(void **state)
{
    const char *target = *state;
    struct tits a, b;
    two_its_vms(&a, &b, target);
    const uint64_t fake_itt = L2_OFF; /* 65536 ITEs: 512 KiB */
    const uint64_t forged = 1ull << 63 | (MEM_GPA + fake_itt) >> 8 << 5 | 15;
    for (uint32_t d = 0; d < 0x10000 / 8; d++)
        if (d != 1)
            put64(a.mem + DT_OFF + 8 * d, forged);
    for (uint32_t e = 0; e < 0x10000; e++)
        put64(a.mem + fake_itt + 8 * e, (uint64_t)(LPI0 + 5) << 16 | 0);
    const uint64_t bound = 2 + 16 + 8; /* two DTE slots, 16 ITEs, slack for the commands */

    uint64_t r0 = dma_reads();
    cmd_mapc(&a, 0, 0, 1); /* retarget of a known collection: a walk */
    its_go(&a);
    uint64_t r_mapc = dma_reads() - r0;
    r0 = dma_reads();
    its_ctrl(a.its, KVM_DEV_ARM_ITS_SAVE_TABLES);
    uint64_t r_save = dma_reads() - r0;
    its_mmio_w(&a, GITS_CTLR, 4, 0);
    r0 = dma_reads();
    its_mmio_w(&a, GITS_BASER(0), 8, (MEM_GPA + DT_OFF) | 2u << 8); /* Valid 0: free all */
    uint64_t r_baser = dma_reads() - r0;
    if (strcmp(target, "soft")) /* soft counts no reads */
        printf("%s: DMA reads: MAPC retarget %llu (with 4 command beats), SAVE_TABLES %llu, "
               "BASER0 Valid 0 %llu\n",
               target, (unsigned long long)r_mapc, (unsigned long long)r_save,
               (unsigned long long)r_baser);
    assert_true(r_mapc <= bound && r_save <= bound && r_baser <= bound);
    /* what the walks wrote shows where they stopped (soft counts no reads): SAVE_TABLES gave
     * only the first device found (slot 0) a next field, the free walk zeroed slot 0 and the
     * first 16 ITEs of its ITT; slot 2 and the ITEs beyond were not visited */
    assert_int_equal(get64(a.mem + DT_OFF), 0);
    assert_int_equal(get64(a.mem + DT_OFF + 16), forged);
    assert_int_equal(get64(a.mem + fake_itt + 8 * 15), 0);
    assert_int_equal(get64(a.mem + fake_itt + 8 * 16), (uint64_t)(LPI0 + 5) << 16);

    /* the other VM is served, and the hostile one can start again */
    cmd_mapti(&b, 1, 0, LPI0 + 7, 0);
    its_go(&b);
    assert_int_equal(its_msi(&b, 1, 0), 1);
    assert_int_equal(its_take(&b, 0), LPI0 + 7);
    memset(a.mem + DT_OFF, 0, 0x10000);
    its_tables(&a, 0x10000, 0, 1);
    cmd_mapd(&a, 2, 3, MEM_GPA + ITT_OFF + 0x1000, 1);
    cmd_mapti(&a, 2, 0, LPI0 + 2, 0);
    its_go(&a);
    assert_int_equal(its_msi(&a, 2, 0), 1);
    assert_int_equal(its_take(&a, 0), LPI0 + 2);
    close_two(&a, &b);
}

/* Late and reordered responses for all of a VM's memory: the same results as without */
static void test_its_late_and_reordered(void **state)
{
    const char *target = *state;
    static const enum ioe_hostmem_fault_kind kinds[] = {IOE_HOSTMEM_FAULT_LATE,
                                                        IOE_HOSTMEM_FAULT_REORDER};
    for (int k = 0; k < 2; k++) {
        struct tits a, b;
        two_its_vms(&a, &b, target);
        fault(a.mem, MEM_SZ, kinds[k], IOE_HOSTMEM_READS | IOE_HOSTMEM_WRITES);
        for (uint32_t e = 0; e < 8; e++)
            cmd_mapti(&a, 1, e, LPI0 + e, 0);
        its_go(&a);
        for (uint32_t e = 0; e < 8; e++)
            assert_int_equal(its_msi(&a, 1, e), 1);
        for (uint32_t e = 0; e < 8; e++) /* equal priorities: the lowest INTID first */
            assert_int_equal(its_take(&a, 0), LPI0 + e);
        assert_int_equal(its_take(&a, 0), 1023);
        close_two(&a, &b);
    }
}

static uint32_t card_reg(int fd, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(ioe_card_of(fd), addr, &v), 0);
    return v;
}

/* A XIVE event queue write that fails (an error response, or on sim no response within the
 * engine's completion timeout; the C model fails a TIMEOUT at once) loses its event and only
 * it: EQ_WRITE_ERR counts it, the queue memory and index stay (the next event is written
 * into that slot), the source's PQ returns to 00. The server was notified (the RTL presents
 * the event as it sends the entry): the guest finds its queue empty. Once the fault is gone
 * the next triggers land in order from that slot, each once. */
static void xive_eq_write_fault(const char *target, enum ioe_hostmem_fault_kind kind)
{
    struct xvm a;
    xive_open(&a, target, 1, true);
    assert_ok(xive_eq_set(&a, 0, 3, 1, 0));
    for (uint32_t irq = 10; irq < 12; irq++) {
        assert_ok(xive_source(&a, irq, 0));
        assert_ok(xive_target(&a, irq, a.server[0], 3, 0x1234 + irq, false));
        xive_esb(&a, irq, true, XIVE_ESB_SET_PQ_00, false);
    }
    xive_cppr(&a, 0, 0xff);
    struct reader r;
    rd_init(&r, &a, 0, 3, 0, 0);
    uint8_t *q = a.ram + (q_gpa(0, 3) - RAM_GPA);
    uint32_t err0 = card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR),
             cnt0 = card_reg(a.vm, IOE_XIVE_EQ_WRITE_COUNT);
    fault(q, EQ_BYTES, kind, IOE_HOSTMEM_WRITES);
    uint64_t before = faulted();
    xive_trigger(&a, 10);
    struct kvm_device_attr sync = {.group = KVM_DEV_XIVE_GRP_CTRL, .attr = KVM_DEV_XIVE_EQ_SYNC};
    assert_ok(ioe_ioctl(a.dev, KVM_SET_DEVICE_ATTR, &sync)); /* the write's outcome is in */
    if (kind != IOE_HOSTMEM_FAULT_TIMEOUT)
        assert_true(faulted() > before);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR), err0 + 1);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_COUNT), cnt0 + 1);
    assert_int_equal(eq_word(q, 0), 0); /* nothing written */
    struct kvm_ppc_xive_eq eq = xive_eq_get(&a, 0, 3);
    assert_int_equal(eq.qindex, 0); /* not advanced */
    assert_int_equal(eq.qtoggle, 1);
    assert_int_equal(xive_pq(&a, 10), 0); /* PQ 00 */
    assert_true(xive_readable(&a, 0));    /* notified: the guest finds nothing */
    assert_int_equal(xive_tima(&a, 0, TM_SPC_ACK_OS_REG, 2, false, 0) & 0xff, 3);
    assert_int_equal(rd_next(&r), -1);
    xive_cppr(&a, 0, 0xff);
    no_faults();
    /* the next triggers land from the same slot on, once each, in order */
    xive_trigger(&a, 11);
    xive_trigger(&a, 10);
    assert_ok(ioe_ioctl(a.dev, KVM_SET_DEVICE_ATTR, &sync));
    assert_int_equal(eq_word(q, 0), 0x80000000u | (0x1234 + 11));
    assert_int_equal(eq_word(q, 1), 0x80000000u | (0x1234 + 10));
    assert_int_equal(xive_eq_get(&a, 0, 3).qindex, 2);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR), err0 + 1);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_COUNT), cnt0 + 3);
    assert_true(xive_readable(&a, 0));
    assert_int_equal(rd_next(&r), 0x1234 + 11);
    assert_int_equal(rd_next(&r), 0x1234 + 10);
    assert_int_equal(rd_next(&r), -1);
    xive_close(&a);
}

/* Writes in flight to two ENDs at once (the RTL holds only the END whose write is in
 * flight; triggers come faster than the host memory answers): END (0, 3) fails, END (1, 3)
 * does not. Each failure is exact in the order of the triggers: source 10's second trigger
 * follows its failure (PQ 00 again: it forwards and fails again), source 11 waits for the
 * END and fails too, and the other END's entries land in order. */
static void test_xive_eq_write_error_two_ends(void **state)
{
    struct xvm a;
    xive_open(&a, *state, 2, true);
    for (int c = 0; c < 2; c++)
        assert_ok(xive_eq_set(&a, c, 3, 1, 0));
    static const uint32_t irqs[] = {10, 11, 20, 21, 22};
    for (size_t i = 0; i < sizeof(irqs) / sizeof(irqs[0]); i++) {
        assert_ok(xive_source(&a, irqs[i], 0));
        assert_ok(xive_target(&a, irqs[i], a.server[irqs[i] / 20], 3, 0x100 + irqs[i], false));
        xive_esb(&a, irqs[i], true, XIVE_ESB_SET_PQ_00, false);
    }
    uint8_t *q0 = a.ram + (q_gpa(0, 3) - RAM_GPA), *q1 = a.ram + (q_gpa(1, 3) - RAM_GPA);
    uint32_t err0 = card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR),
             cnt0 = card_reg(a.vm, IOE_XIVE_EQ_WRITE_COUNT);
    fault(q0, EQ_BYTES, IOE_HOSTMEM_FAULT_ERROR, IOE_HOSTMEM_WRITES);
    static const uint32_t order[] = {10, 20, 10, 21, 11, 22};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        xive_trigger(&a, order[i]);
    struct kvm_device_attr sync = {.group = KVM_DEV_XIVE_GRP_CTRL, .attr = KVM_DEV_XIVE_EQ_SYNC};
    assert_ok(ioe_ioctl(a.dev, KVM_SET_DEVICE_ATTR, &sync));
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR), err0 + 3);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_COUNT), cnt0 + 6);
    assert_int_equal(eq_word(q0, 0), 0);
    assert_int_equal(xive_eq_get(&a, 0, 3).qindex, 0);
    assert_int_equal(xive_pq(&a, 10), 0);
    assert_int_equal(xive_pq(&a, 11), 0);
    for (uint32_t k = 0; k < 3; k++)
        assert_int_equal(eq_word(q1, k), 0x80000000u | (0x100 + 20 + k));
    assert_int_equal(xive_eq_get(&a, 1, 3).qindex, 3);
    no_faults();
    xive_trigger(&a, 11);
    assert_ok(ioe_ioctl(a.dev, KVM_SET_DEVICE_ATTR, &sync));
    assert_int_equal(eq_word(q0, 0), 0x80000000u | (0x100 + 11));
    assert_int_equal(xive_eq_get(&a, 0, 3).qindex, 1);
    assert_int_equal(card_reg(a.vm, IOE_XIVE_EQ_WRITE_ERR), err0 + 3);
    xive_close(&a);
}

static void test_xive_eq_write_error(void **state)
{
    xive_eq_write_fault(*state, IOE_HOSTMEM_FAULT_ERROR);
}

static void test_xive_eq_write_timeout(void **state)
{
    xive_eq_write_fault(*state, IOE_HOSTMEM_FAULT_TIMEOUT);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_its_command_fetch_error),
        TT_TARGET_TEST(test_its_msi_walk_error),
        TT_TARGET_TEST(test_its_command_timeout),
        TT_TARGET_TEST(test_its_late_and_reordered),
        TT_TARGET_TEST(test_its_forged_tables),
        TT_TARGET_TEST(test_xive_eq_write_error),
        TT_TARGET_TEST(test_xive_eq_write_timeout),
        TT_TARGET_TEST(test_xive_eq_write_error_two_ends),
    };
    return tt_run_tests("dma_faults", tests, NULL, NULL);
}
