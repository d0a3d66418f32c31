/*
 * Migration of a busy XIVE VM in the order of Documentation/virt/kvm/devices/xive.rst
 * (reference §1.8): save = mask every source with PQ 01 through the ESB set-PQ offset
 * (keeping the old PQ), KVM_DEV_XIVE_EQ_SYNC, EQ configurations (GET EQ_CONFIG), source
 * targeting (kept by userspace) and thread contexts (KVM_REG_PPC_VP_STATE); restore on a
 * fresh card = EQ configurations, targeting, thread contexts, source PQs. Guest RAM (with
 * the queues) and the guest's queue readers move with the VM. Afterwards both the
 * original VM (resumed) and the copy deliver every pending event exactly once, in order,
 * with the queues continuing at the saved index and generation (they wrap right after).
 * Every ordered pair of the targets of IOE_TEST_TARGETS (tests/targets.h): soft -> soft,
 * soft -> sim, sim -> soft, sim -> sim by default; the trigger order is seeded (--seed).
 */
#define _GNU_SOURCE
#include "xive_util.h"

#include "targets.h"

#define NC 3
#define NSRC 60
#define NMASKED 3 /* the last sources are targeted but masked */

/* the test's model of what the guest must see */
struct model {
    uint32_t fifo[NC][7][256];
    unsigned head[NC][7], tail[NC][7];
    bool p[NSRC], q[NSRC];
};

static int cpu_of(uint32_t s)
{
    return (int)(s % NC);
}
static unsigned prio_of(uint32_t s)
{
    return (s / NC) % 7;
}
static uint32_t eisn_of(uint32_t s)
{
    return 0x2000 + s;
}
static bool masked(uint32_t s)
{
    return s >= NSRC - NMASKED;
}

static void m_push(struct model *m, uint32_t s)
{
    int c = cpu_of(s);
    unsigned p = prio_of(s);
    m->fifo[c][p][m->tail[c][p]++ % 256] = eisn_of(s);
}

/* a trigger as the ESB does it, in the model */
static void trig(struct xvm *t, struct model *m, uint32_t s)
{
    xive_trigger(t, s);
    if (masked(s))
        return;
    if (!m->p[s]) {
        m->p[s] = true;
        m_push(m, s);
    } else {
        m->q[s] = true;
    }
}

/* EOI as Linux does it: SET_PQ_00, and a software re-trigger when Q was set */
static void eoi(struct xvm *t, struct model *m, uint32_t s)
{
    uint64_t old = xive_esb(t, s, true, XIVE_ESB_SET_PQ_00, false);
    assert_int_equal(old, m->q[s] ? 3 : 2);
    m->p[s] = m->q[s] = false;
    if (old & XIVE_ESB_VAL_Q)
        trig(t, m, s);
}

/* consume one entry of queue (c, p) if any; returns false when empty */
static bool take(struct xvm *t, struct model *m, struct reader *r, int c, unsigned p,
                 uint32_t *trace, size_t *n)
{
    int64_t e = rd_next(r);
    if (e < 0)
        return false;
    if (m->head[c][p] == m->tail[c][p])
        fail_msg("vcpu %d prio %u: unexpected event 0x%llx", c, p, (long long)e);
    uint32_t want = m->fifo[c][p][m->head[c][p]++ % 256];
    if ((uint32_t)e != want)
        fail_msg("vcpu %d prio %u: event 0x%llx, expected 0x%x", c, p, (long long)e, want);
    trace[(*n)++] = (uint32_t)c << 28 | p << 24 | (uint32_t)e;
    eoi(t, m, (uint32_t)e - 0x2000);
    return true;
}

/* Deliver everything: acknowledge, drain the queue of the acknowledged priority, CPPR back
 * to 0xff; until no exception is left. */
static size_t drain(struct xvm *t, struct model *m, struct reader r[NC][7], uint32_t *trace)
{
    size_t n = 0;
    for (int c = 0; c < NC; c++) {
        /* first what the guest was in the middle of: the queues it had not finished */
        for (unsigned p = 0; p < 7; p++)
            while (take(t, m, &r[c][p], c, p, trace, &n))
                ;
        for (;;) {
            xive_cppr(t, c, 0xff);
            uint64_t ack = xive_tima(t, c, TM_SPC_ACK_OS_REG, 2, false, 0);
            if (!(ack >> 8 & TM_QW1_NSR_EO))
                break;
            unsigned p = ack & 0xff;
            assert_true(p < 7);
            while (take(t, m, &r[c][p], c, p, trace, &n))
                ;
        }
        assert_false(xive_readable(t, c));
    }
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++)
            if (m->head[c][p] != m->tail[c][p])
                fail_msg("vcpu %d prio %u: %u events never delivered", c, p,
                         m->tail[c][p] - m->head[c][p]);
    return n;
}

static void setup(struct xvm *t, const char *target)
{
    xive_open(t, target, NC, true);
    for (int c = 0; c < NC; c++)
        xive_cppr(t, c, 0xff);
}

struct saved {
    struct kvm_ppc_xive_eq eq[NC][7];
    uint8_t vp[NC][16];
    uint64_t pq[NSRC];
};

static void save(struct xvm *t, struct saved *sv)
{
    for (uint32_t s = 0; s < NSRC; s++) /* (1) mask, keeping the old PQ */
        sv->pq[s] = xive_esb(t, s, true, XIVE_ESB_SET_PQ_01, false);
    assert_ok(
        xattr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_EQ_SYNC, NULL));
    for (int c = 0; c < NC; c++) { /* (3) EQs and thread contexts; targeting is the test's */
        for (unsigned p = 0; p < 7; p++)
            sv->eq[c][p] = xive_eq_get(t, c, p);
        struct kvm_one_reg r = {.id = KVM_REG_PPC_VP_STATE, .addr = (uint64_t)(uintptr_t)sv->vp[c]};
        assert_ok(ioe_ioctl(t->vcpu[c], KVM_GET_ONE_REG, &r));
    }
}

static void restore(struct xvm *t, const struct saved *sv, bool fresh)
{
    for (int c = 0; c < NC && fresh; c++) /* (1) EQ configuration */
        for (unsigned p = 0; p < 7; p++) {
            struct kvm_ppc_xive_eq eq = sv->eq[c][p];
            assert_ok(xattr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_EQ_CONFIG,
                            eq_id(t->server[c], p), &eq));
        }
    for (uint32_t s = 0; s < NSRC && fresh; s++) { /* (2) targeting */
        assert_ok(xive_source(t, s, 0));
        assert_ok(xive_target(t, s, t->server[cpu_of(s)], prio_of(s), eisn_of(s), masked(s)));
    }
    for (int c = 0; c < NC && fresh; c++) { /* (3) thread contexts */
        struct kvm_one_reg r = {.id = KVM_REG_PPC_VP_STATE, .addr = (uint64_t)(uintptr_t)sv->vp[c]};
        assert_ok(ioe_ioctl(t->vcpu[c], KVM_SET_ONE_REG, &r));
    }
    static const uint32_t set_pq[4] = {XIVE_ESB_SET_PQ_00, XIVE_ESB_SET_PQ_01, XIVE_ESB_SET_PQ_10,
                                       XIVE_ESB_SET_PQ_11};
    for (uint32_t s = 0; s < NSRC; s++) /* (4) source states */
        xive_esb(t, s, true, set_pq[sv->pq[s] & 3], false);
}

static void test_migrate(void **state)
{
    const struct tt_pair *pr = *state;
    static struct xvm a, b;
    static struct model ma, mb;
    static struct reader ra[NC][7], rb[NC][7];
    static uint32_t ta[4096], tb[4096];
    static struct saved sa, sb;
    uint64_t seed = tt_seed(0x1234567ull);
    printf("%s -> %s, seed 0x%llx\n", pr->src, pr->dst, (unsigned long long)seed);
    memset(&ma, 0, sizeof(ma));
    setup(&a, pr->src);
    /* queues start 2 to 4 entries before their end: they wrap during the test */
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++) {
            uint32_t idx = EQ_ENTRIES - 2 - ((uint32_t)c + p) % 3;
            q_prefill(&a, c, p, idx, 1);
            assert_ok(xive_eq_set(&a, c, p, 1, idx));
            rd_init(&ra[c][p], &a, c, p, idx, 0);
        }
    for (uint32_t s = 0; s < NSRC; s++) {
        assert_ok(xive_source(&a, s, 0));
        assert_ok(xive_target(&a, s, a.server[cpu_of(s)], prio_of(s), eisn_of(s), masked(s)));
        xive_esb(&a, s, true, XIVE_ESB_SET_PQ_00, false);
    }
    /* a busy state: events queued, some sources triggered twice (PQ 11), some events
     * consumed, vCPU 0 in the middle of a priority, vCPU 1 with an exception not taken */
    size_t junk = 0;
    for (unsigned k = 0; k < 150; k++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        trig(&a, &ma, (uint32_t)(seed >> 33) % NSRC);
    }
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p += 2)
            take(&a, &ma, &ra[c][p], c, p, ta, &junk);
    uint64_t ack = xive_tima(&a, 0, TM_SPC_ACK_OS_REG, 2, false, 0);
    assert_true(ack >> 8 & TM_QW1_NSR_EO);
    assert_true(xive_readable(&a, 1));

    /* save, and restore into a fresh VM on a fresh card; RAM and readers move along */
    save(&a, &sa);
    setup(&b, pr->dst);
    memcpy(b.ram, a.ram, RAM_SIZE);
    restore(&b, &sa, true);
    save(&b, &sb);
    assert_memory_equal(&sa.eq, &sb.eq, sizeof(sa.eq));
    assert_memory_equal(&sa.vp, &sb.vp, sizeof(sa.vp));
    assert_memory_equal(&sa.pq, &sb.pq, sizeof(sa.pq));
    restore(&b, &sa, false);
    restore(&a, &sa, false); /* the original resumes too */
    mb = ma;
    memcpy(rb, ra, sizeof(ra));
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++)
            rb[c][p].q = b.ram + (q_gpa(c, p) - RAM_GPA);
    assert_true(xive_readable(&b, 1));

    /* the same deliveries on both: every pending event once, in order */
    size_t na = drain(&a, &ma, ra, ta), nb = drain(&b, &mb, rb, tb);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na * sizeof(ta[0]));
    assert_true(na > 40);
    /* and afterwards: the queues continue (and wrap) at the right index and generation */
    for (unsigned round = 0; round < 3; round++) {
        for (uint32_t s = 0; s < NSRC; s++) {
            trig(&a, &ma, s);
            trig(&b, &mb, s);
        }
        size_t n1 = drain(&a, &ma, ra, ta), n2 = drain(&b, &mb, rb, tb);
        assert_int_equal(n1, NSRC - NMASKED);
        assert_int_equal(n2, n1);
        assert_memory_equal(ta, tb, n1 * sizeof(ta[0]));
    }
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++) {
            struct kvm_ppc_xive_eq ea = xive_eq_get(&a, c, p), eb = xive_eq_get(&b, c, p);
            assert_memory_equal(&ea, &eb, sizeof(ea));
            assert_int_equal(ea.qindex, ra[c][p].idx);
            assert_int_equal(ea.qtoggle, !ra[c][p].toggle);
            assert_true(ea.qindex < 100); /* wrapped */
        }
    printf("%s -> %s: %zu pending events delivered identically after restore\n", pr->src, pr->dst,
           na);
    xive_close(&a);
    xive_close(&b);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    tt_seed(0x1234567ull);
    const struct CMUnitTest tests[] = {TT_PAIR_TEST(test_migrate)};
    return tt_run_tests("xive_migrate", tests, NULL, NULL);
}
