/*
 * Random differential test of KVM_DEV_TYPE_FSL_MPIC_20, whose sources, priorities and
 * presentation live in the card's GIC engine: the same seeded stream of requests (source
 * setup through guest MMIO, KVM_IRQ_LINE at every level, CTPR, IPI dispatch, register and
 * IRQ_ACTIVE reads, acknowledge and EOI on every vCPU) on two targets, by default the C
 * model "soft" and the Verilator RTL "sim". Compared after every request: its result and
 * errno, the values it returns, and which vCPU descriptors are readable. Usage
 * (tests/targets.h): test_mpic_diff [--seed N] [--ops N] [--targets A,B]; the seed is
 * printed.
 */
#define _GNU_SOURCE
#include "mpic_util.h"

#include <inttypes.h>
#include <stdio.h>

#include "targets.h"

#define NSRC 16 /* sources 0 .. NSRC-1 */
#define IPIVPR(k) (0x10a0u + (k)*0x10u)

static uint64_t rng;
static struct vmf vm[2];
static const char *names[2];
static uint64_t acked, readable_seen;

static uint32_t pick(uint32_t n)
{
    return tt_pick(&rng, n);
}

struct res {
    int r, e;
    uint32_t out[3];
};

static void same(const struct res *a, const struct res *b, uint64_t op, const char *what)
{
    if (a->r != b->r || a->e != b->e || memcmp(a->out, b->out, sizeof(a->out)))
        fail_msg("op %" PRIu64 " %s: %s r=%d e=%d out=%#x,%#x,%#x / %s r=%d e=%d out=%#x,%#x,%#x",
                 op, what, names[0], a->r, a->e, a->out[0], a->out[1], a->out[2], names[1], b->r,
                 b->e, b->out[0], b->out[1], b->out[2]);
}

/* one guest register access on both targets */
static void guest(struct res *r, uint64_t off, bool write, uint32_t val)
{
    for (int k = 0; k < 2; k++) {
        uint64_t d = val;
        r[k].e = mmio(&vm[k], off, 4, write, &d);
        r[k].out[0] = write ? 0 : (uint32_t)d;
    }
}

static void step(uint64_t n)
{
    struct res r[2];
    memset(r, 0, sizeof(r));
    const char *what;
    uint32_t kind = pick(100), c = pick(NR_VCPUS), src = pick(NSRC);
    if (kind < 12) {
        what = "IVPR";
        uint32_t v = (0x100u + src) | PRIO(pick(16)) | (pick(2) ? SENSE : 0) | (pick(5) ? 0 : MASK);
        guest(r, SRC(src), true, v);
    } else if (kind < 18) {
        what = "IDR";
        guest(r, SRC(src) + 0x10, true, pick(4));
    } else if (kind < 45) {
        what = "KVM_IRQ_LINE";
        uint32_t level = pick(3) ? pick(2) : pick(7);
        for (int k = 0; k < 2; k++) {
            struct kvm_irq_level l = {.irq = src, .level = level};
            errno = 0;
            r[k].r = ioe_ioctl(vm[k].vm, KVM_IRQ_LINE, &l);
            r[k].e = r[k].r < 0 ? errno : 0;
        }
    } else if (kind < 52) {
        what = "CTPR";
        guest(r, CPU(c, CTPR), true, pick(16));
    } else if (kind < 56) {
        what = "IPI dispatch";
        guest(r, CPU(c, IPIDR(pick(4))), true, pick(4));
    } else if (kind < 64) {
        what = "register read";
        static const uint32_t regs[] = {0x1000, 0x1020, 0x10a0, 0x10b0};
        uint64_t off = pick(3) ? SRC(src) + 0x10 * pick(2) : pick(2) ? CPU(c, CTPR) : regs[pick(4)];
        guest(r, off, false, 0);
    } else if (kind < 68) {
        what = "IRQ_ACTIVE";
        for (int k = 0; k < 2; k++) {
            errno = 0;
            r[k].r = GET(vm[k].mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, src, &r[k].out[0]);
            r[k].e = r[k].r < 0 ? errno : 0;
        }
    } else if (kind < 86) {
        what = "ACK";
        for (int k = 0; k < 2; k++) {
            struct ioe_irq irq = {0};
            errno = 0;
            r[k].r = ioe_ioctl(vm[k].vcpu[c], IOE_VCPU_ACK, &irq);
            r[k].e = r[k].r < 0 ? errno : 0;
            r[k].out[0] = irq.intid, r[k].out[1] = irq.priority, r[k].out[2] = irq.group;
        }
        acked += r[0].out[2] == 1;
    } else {
        what = "EOI";
        for (int k = 0; k < 2; k++) {
            struct ioe_irq irq = {0};
            errno = 0;
            r[k].r = ioe_ioctl(vm[k].vcpu[c], IOE_VCPU_EOI, &irq);
            r[k].e = r[k].r < 0 ? errno : 0;
        }
    }
    same(&r[0], &r[1], n, what);
    for (int i = 0; i < NR_VCPUS; i++) {
        memset(r, 0, sizeof(r));
        r[0].r = readable(vm[0].vcpu[i]);
        r[1].r = readable(vm[1].vcpu[i]);
        readable_seen += (uint64_t)r[0].r;
        same(&r[0], &r[1], n, "readable");
    }
}

static void test_diff(void **state)
{
    (void)state;
    struct tt_pair p = tt_diff_targets();
    names[0] = p.src, names[1] = p.dst;
    rng = tt_seed(0x3b1c0de5ull) | 1;
    uint64_t ops = tt_ops(3000);
    for (int k = 0; k < 2; k++) {
        vm[k] = open_vm(names[k], KVM_DEV_TYPE_FSL_MPIC_20, true);
        for (uint32_t i = 0; i < 4; i++) /* IPIs unmasked, priorities 4..7 */
            gwr(&vm[k], IPIVPR(i), (0x200u + i) | PRIO(4 + i));
    }
    acked = readable_seen = 0;
    for (uint64_t n = 0; n < ops; n++)
        step(n);
    close_vm(&vm[0]);
    close_vm(&vm[1]);
    printf("mpic_diff: %" PRIu64 " operations on %s and %s agree (%" PRIu64
           " interrupts acknowledged; a vCPU readable %" PRIu64 " times)\n",
           ops, names[0], names[1], acked, readable_seen);
    assert_true(acked > ops / 50); /* the stream reaches delivery */
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_diff)};
    return cmocka_run_group_tests_name("mpic_diff", tests, NULL, NULL);
}
