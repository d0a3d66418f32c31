/*
 * Random differential test of KVM_DEV_TYPE_XICS: the same seeded stream of requests
 * (source set and save, KVM_IRQ_LINE at every level, the XICS hcalls on every vCPU, ICP
 * get and set) on two targets (default the C model "soft" and the Verilator RTL "sim"),
 * whose XICS state lives in the card (PQ bits, routing, queues, thread contexts). Compared
 * after every request: its result and errno, the hcall's return values, each source word
 * of a save, each ICP word, and which vCPU descriptors are readable. Usage
 * (tests/targets.h): test_xics_diff [--seed N] [--ops N] [--targets A,B]; the seed is
 * printed.
 */
#define _GNU_SOURCE
#include "xics_util.h"

#include <stdio.h>

#include "targets.h"

#define NV 3    /* vCPUs */
#define NSRC 12 /* sources 16 .. 16 + NSRC - 1 */

static uint64_t rng;

static uint32_t pick(uint32_t n)
{
    return tt_pick(&rng, n);
}

static struct xsvm vm[2];
static bool valid[NSRC];
static uint32_t last_xirr[NV];
static uint64_t delivered, ipis, readable; /* what the stream reached, printed at the end */

/* one request on both targets: compare the results */
struct res {
    int r, e;
    uint64_t out[10];
};

static void same(const struct res *a, const struct res *b, uint64_t op, const char *what)
{
    if (a->r != b->r || a->e != b->e || memcmp(a->out, b->out, sizeof(a->out)))
        fail_msg("op %" PRIu64 " %s: %s r=%d e=%d out0=%#" PRIx64 " out1=%#" PRIx64
                 " / %s r=%d e=%d out0=%#" PRIx64 " out1=%#" PRIx64,
                 op, what, vm[0].target, a->r, a->e, a->out[0], a->out[1], vm[1].target, b->r, b->e,
                 b->out[0], b->out[1]);
}

static uint8_t rnd_prio(void)
{
    static const uint8_t p[] = {0, 1, 3, 4, 5, 6, 7, 0x80, 0xff, 0xff};
    return p[pick(sizeof(p))];
}

static uint32_t rnd_server(void)
{
    return pick(5) ? 3u * pick(NV) + 1 : pick(3 * NV + 2); /* mostly real ones */
}

static void step(uint64_t n)
{
    struct res r[2];
    memset(r, 0, sizeof(r));
    const char *what = "";
    uint32_t kind = pick(100), c = pick(NV), irq = 16 + pick(NSRC);
    uint64_t a0 = 0, a1 = 0, nr = 0;
    if (kind < 12) { /* GRP_SOURCES set */
        what = "set source";
        uint64_t flags = 0;
        static const uint64_t f[] = {KVM_XICS_LEVEL_SENSITIVE, KVM_XICS_MASKED, KVM_XICS_PENDING,
                                     KVM_XICS_PRESENTED, KVM_XICS_QUEUED};
        for (unsigned i = 0; i < 5; i++)
            if (!pick(4))
                flags |= f[i];
        uint64_t val = xs_state(rnd_server(), rnd_prio(), flags);
        for (int k = 0; k < 2; k++) {
            errno = 0;
            r[k].r = xs_set_source(&vm[k], irq, val);
            r[k].e = r[k].r < 0 ? errno : 0;
        }
        valid[irq - 16] |= r[0].r == 0;
    } else if (kind < 27) { /* KVM_IRQ_LINE */
        what = "irq line";
        static const uint32_t lv[] = {
            0, 1, KVM_INTERRUPT_SET, KVM_INTERRUPT_UNSET, KVM_INTERRUPT_SET_LEVEL, 2};
        struct kvm_irq_level l = {.irq = pick(8) ? irq : pick(64), .level = lv[pick(6)]};
        for (int k = 0; k < 2; k++) {
            errno = 0;
            r[k].r = ioe_ioctl(vm[k].vm, KVM_IRQ_LINE, &l);
            r[k].e = r[k].r < 0 ? errno : 0;
        }
    } else if (kind < 90) { /* an hcall */
        what = "hcall";
        uint32_t h = pick(14);
        if (h < 4) {
            nr = H_XIRR;
        } else if (h < 7) {
            nr = H_EOI;
            a0 = pick(6) ? (uint32_t)(0xff000000u | (last_xirr[c] & 0xffffff))
                         : (uint64_t)rnd_prio() << 24 | (16 + pick(NSRC + 4));
        } else if (h < 8) {
            nr = H_CPPR, a0 = rnd_prio();
        } else if (h < 10) {
            nr = H_IPI, a0 = rnd_server(), a1 = pick(3) ? rnd_prio() : 0x105;
        } else if (h < 11) {
            nr = H_IPOLL, a0 = rnd_server();
        } else if (h < 12) {
            nr = pick(2) ? H_XIRR_X : 0x4;
        } else { /* in-kernel RTAS: ibm,set-xive, get-xive, int-off, int-on */
            what = "rtas";
            static const uint32_t nargs[] = {3, 1, 1, 1}, nret[] = {1, 3, 1, 1};
            uint32_t call = pick(4), args[3] = {irq, rnd_server(), rnd_prio()};
            for (int k = 0; k < 2; k++) {
                uint32_t rets[3] = {0};
                r[k].out[0] = (uint64_t)xs_rtas(&vm[k], (int)c, 0x2001 + call, nargs[call],
                                                nret[call], args, rets);
                for (int i = 0; i < 3; i++)
                    r[k].out[1 + i] = rets[i];
            }
            goto compare;
        }
        for (int k = 0; k < 2; k++) {
            r[k].out[0] = (uint64_t)xs_hcall(&vm[k], (int)c, nr, a0, a1, &r[k].out[1]);
            if (nr == H_XIRR_X)
                r[k].out[2] = 0; /* the timebase is the host's */
        }
        if ((nr == H_XIRR || nr == H_XIRR_X) && (r[0].out[1] & 0xffffff)) {
            last_xirr[c] = (uint32_t)r[0].out[1];
            delivered++;
            ipis += (r[0].out[1] & 0xffffff) == 2;
        }
    } else if (kind < 95) { /* ICP get, or set */
        what = "icp";
        uint64_t v = (uint64_t)rnd_prio() << 56 | (uint64_t)rnd_prio() << 24 |
                     (uint64_t)(pick(4) ? 0 : 16 + pick(NSRC + 2)) << 32;
        bool set = !pick(3);
        for (int k = 0; k < 2; k++) {
            uint64_t w = v;
            errno = 0;
            r[k].r = xs_icp(&vm[k], (int)c, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &w);
            r[k].e = r[k].r < 0 ? errno : 0;
            r[k].out[0] = w;
        }
    } else { /* a save: every valid source, as QEMU */
        what = "save";
        for (int k = 0; k < 2; k++)
            for (unsigned i = 0, j = 0; i < NSRC; i++)
                if (valid[i])
                    r[k].out[j++ % 10] ^= xs_get_source(&vm[k], 16 + i) * (i + 1);
    }
compare:
    same(&r[0], &r[1], n, what);
    for (int v = 0; v < NV; v++) {
        r[0].r = xs_readable(&vm[0], v);
        r[1].r = xs_readable(&vm[1], v);
        readable += (uint64_t)r[0].r;
        r[0].e = r[1].e = v;
        memset(r[0].out, 0, sizeof(r[0].out));
        memset(r[1].out, 0, sizeof(r[1].out));
        same(&r[0], &r[1], n, "readable");
    }
}

static void test_diff(void **state)
{
    (void)state;
    struct tt_pair p = tt_diff_targets();
    rng = tt_seed(0x5eed1c5ull) | 1;
    uint64_t ops = tt_ops(3000);
    xs_open(&vm[0], p.src, NV, true);
    xs_open(&vm[1], p.dst, NV, true);
    static const char *const calls[] = {"ibm,set-xive", "ibm,get-xive", "ibm,int-off",
                                        "ibm,int-on"};
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < 4; i++)
            assert_ok(xs_define_token(&vm[k], calls[i], 0x2001 + i));
    memset(valid, 0, sizeof(valid));
    memset(last_xirr, 0, sizeof(last_xirr));
    delivered = ipis = readable = 0;
    for (uint64_t n = 0; n < ops; n++)
        step(n);
    xs_close(&vm[0]);
    xs_close(&vm[1]);
    printf("xics_diff: %" PRIu64 " operations on %s and %s agree (%" PRIu64
           " interrupts taken, %" PRIu64 " of them IPIs; a vCPU readable %" PRIu64 " times)\n",
           ops, p.src, p.dst, delivered, ipis, readable);
    assert_true(delivered > ops / 50 && ipis > 0); /* the stream reaches delivery */
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_diff)};
    return cmocka_run_group_tests_name("xics_diff", tests, NULL, NULL);
}
