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

/* A command read that never completes (the card's completion timeout): the C model fails
 * it as an error, so the command is skipped as above. The RTL's ITS has no completion
 * timeout: on sim it waits for the response for ever, libioe's frame accesses and MSIs of
 * every VM then fail with ETIMEDOUT after their cycle budget, minutes of simulation for a
 * few calls (docs/reliability.md says what the RTL needs); sim is left out here. */
static void test_its_command_timeout(void **state)
{
    const char *target = *state;
    if (strcmp(target, "soft")) {
        printf("%s: the ITS RTL has no DMA completion timeout (docs/reliability.md): skipped\n",
               target);
        skip();
    }
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

static uint32_t card_reg(uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(ioe_card_newest(), addr, &v), 0);
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
    uint32_t err0 = card_reg(IOE_XIVE_EQ_WRITE_ERR), cnt0 = card_reg(IOE_XIVE_EQ_WRITE_COUNT);
    fault(q, EQ_BYTES, kind, IOE_HOSTMEM_WRITES);
    uint64_t before = faulted();
    xive_trigger(&a, 10);
    struct kvm_device_attr sync = {.group = KVM_DEV_XIVE_GRP_CTRL, .attr = KVM_DEV_XIVE_EQ_SYNC};
    assert_ok(ioe_ioctl(a.dev, KVM_SET_DEVICE_ATTR, &sync)); /* the write's outcome is in */
    if (kind != IOE_HOSTMEM_FAULT_TIMEOUT)
        assert_true(faulted() > before);
    assert_int_equal(card_reg(IOE_XIVE_EQ_WRITE_ERR), err0 + 1);
    assert_int_equal(card_reg(IOE_XIVE_EQ_WRITE_COUNT), cnt0 + 1);
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
    assert_int_equal(card_reg(IOE_XIVE_EQ_WRITE_ERR), err0 + 1);
    assert_int_equal(card_reg(IOE_XIVE_EQ_WRITE_COUNT), cnt0 + 3);
    assert_true(xive_readable(&a, 0));
    assert_int_equal(rd_next(&r), 0x1234 + 11);
    assert_int_equal(rd_next(&r), 0x1234 + 10);
    assert_int_equal(rd_next(&r), -1);
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
        TT_TARGET_TEST(test_its_command_fetch_error), TT_TARGET_TEST(test_its_msi_walk_error),
        TT_TARGET_TEST(test_its_command_timeout),     TT_TARGET_TEST(test_its_late_and_reordered),
        TT_TARGET_TEST(test_xive_eq_write_error),     TT_TARGET_TEST(test_xive_eq_write_timeout),
    };
    return tt_run_tests("dma_faults", tests, NULL, NULL);
}
