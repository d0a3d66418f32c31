/*
 * Random differential test of the ITS engine through the public API: the same seeded
 * stream of guest commands (MAPD, MAPC, MAPTI/MAPI, MOVI, DISCARD, CLEAR, INT, INV,
 * INVALL, SYNC, MOVALL, garbage), MSIs (KVM_SIGNAL_MSI), LPI configuration changes in
 * guest memory, GICR EnableLPIs toggles, acknowledges and EOIs, GITS_ register writes
 * (CTLR, CBASER, CWRITER beyond the queue, BASERn with flat and two-level device tables of
 * 4/16/64 KiB pages), SAVE_TABLES + SAVE_PENDING_TABLES, RESET and a RESET + RESTORE_TABLES
 * round trip, on a VM with two ITSes on each of two targets (default the C model "soft" and
 * the Verilator RTL "sim"). Compared: every return value and errno, every acknowledge (INTID,
 * priority, group), the vCPUs' readability and HPPIR1, every GITS_ register (GRP_ITS_REGS), and all
 * guest-memory bytes (live tables, pending tables, saved tables).
 *
 * Usage: test_its_diff [--seed S] [--ops N] [--targets A,B] [--dma-latency C]
 *        [--no-indirect-walks] [--faults F] (or IOE_TEST_SEED / IOE_TEST_OPS /
 *        IOE_TEST_DIFF="A B" / IOE_TEST_DMA_LATENCY / IOE_TEST_NO_INDIRECT_WALKS=1;
 *        tests/targets.h). --faults installs the same host-memory faults on both targets
 *        (tests/diff_faults.h), a new set every 100 operations.
 * The seed is printed. --dma-latency sets the sim card's host-memory latency in cycles
 * (default 200): results must not depend on it, and a short one makes long runs affordable.
 * --no-indirect-walks keeps the operations that walk a whole device table (RESET, BASER0
 * Valid 0, MAPC retarget of an existing collection, SAVE_TABLES, RESTORE_TABLES) away
 * from two-level tables: ITS 0 then uses flat tables only, ITS 1 two-level ones without
 * those walks (until the RTL walks two-level tables, docs/its.md).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <time.h>

#include "diff_faults.h"
#include "its_util.h"
#include "targets.h"

#define NV 4
#define NITS 2
#define NL 96      /* LPIs 8192 .. 8192 + NL - 1 per ITS range */
#define NPOOL 16   /* DeviceIDs the stream uses most */
#define BIG_DEV 15 /* pool index of the device with a large ITT */
#define NICID 20   /* ICIDs 0 .. NICID-1 (more than the 16 collections an ITS holds) */

/* guest-memory layout of each ITS (offsets from MEM_GPA); PROP_OFF / PEND_OFF as
 * its_util.h */
struct layout {
    uint64_t frame, cmdq, dt, ct, itt, big_itt, l2;
};
static const struct layout lay[NITS] = {
    {ITS_BASE, 0x100000, 0x200000, 0x300000, 0x400000, 0x440000, 0x600000},
    {0x0a000000, 0x140000, 0x280000, 0x310000, 0x480000, 0x460000, 0x700000},
};
/* a second LPI configuration table: only its first 4 KiB are guest memory, so creating
 * an LPI of INTID 12288 or above fails its configuration read */
#define PROP2_OFF 0x7ff000ull
static int prop_alt;

static uint64_t prop_off(void)
{
    return prop_alt ? PROP2_OFF : PROP_OFF;
}

static const uint32_t pool[NPOOL] = {0,   1,   2,   3,   5,    8,    13,   100,
                                     511, 512, 513, 700, 1024, 1500, 2047, 40};

struct side {
    struct tvm t;
    uint8_t *mem;
    int its[NITS];
    struct ioe_irq stack[NV][16];
    int depth[NV];
};

/* the guest driver's view of an ITS (the same for both sides) */
struct gits {
    uint32_t cwriter, qsize;
    int enabled;
    uint64_t ps;
    int indirect;
    unsigned pages, hole; /* hole: the invalid level-1 entry of a two-level table */
    uint32_t icid_used; /* --no-indirect-walks, ITS 1: ICIDs named since collections were dropped */
    int size[NPOOL];    /* Size of a pool device as last mapped by MAPD, -1: unmapped */
    uint32_t pairs[32][2];
    unsigned npairs;
};

static struct side s[2];
static struct gits g[NITS];
static uint64_t rs, seed, op_no, nops = 200000;
static struct tt_pair tg; /* the two targets compared (--targets, IOE_TEST_DIFF) */
static int no_indirect_walks, trace;
static int lpis_on[NV];
static uint64_t n_delivered, n_msi_ok, n_cmds, n_saves, n_restores, n_resets, n_mem_cmp;
static const char *op_name = "";
static uint64_t n_msi_res[3]; /* blocked, delivered, error */
static uint8_t *snap[2];
static struct df faults;

static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 17);
}

static int chance(unsigned pct)
{
    return rnd() % 100 < pct;
}

#define SAME(a, b, what)                                                                           \
    do {                                                                                           \
        if ((uint64_t)(a) != (uint64_t)(b))                                                        \
            fail_msg("op %" PRIu64 " (%s, seed 0x%" PRIx64 "): %s: %s 0x%llx %s 0x%llx", op_no,    \
                     op_name, seed, what, tg.src, (unsigned long long)(a), tg.dst,                 \
                     (unsigned long long)(b));                                                     \
    } while (0)

/* ------------------------------------------------------------------ both sides */
static void mem_w8(uint64_t off, uint8_t v)
{
    for (int k = 0; k < 2; k++)
        s[k].mem[off] = v;
}

static void mem_w64(uint64_t off, uint64_t v)
{
    for (int k = 0; k < 2; k++)
        put64(s[k].mem + off, v);
}

static void mem_zero(uint64_t off, uint64_t len)
{
    for (int k = 0; k < 2; k++)
        memset(s[k].mem + off, 0, len);
}

static void compare_memory(const char *what)
{
    n_mem_cmp++;
    if (!memcmp(s[0].mem, s[1].mem, MEM_SZ))
        return;
    size_t i = 0;
    while (s[0].mem[i] == s[1].mem[i])
        i++;
    size_t a = i & ~(size_t)7;
    if (trace) /* every differing 8-byte word, and the snapshot of both sides */
        for (size_t q = a, n = 0; q < MEM_SZ && n < 64; q += 8)
            if (get64(s[0].mem + q) != get64(s[1].mem + q)) {
                fprintf(stderr, "  GPA 0x%llx: %s 0x%016llx %s 0x%016llx\n",
                        (unsigned long long)(MEM_GPA + q), tg.src,
                        (unsigned long long)get64(s[0].mem + q), tg.dst,
                        (unsigned long long)get64(s[1].mem + q));
                n++;
            }
    fail_msg("op %" PRIu64 " (%s, seed 0x%" PRIx64 "): %s: guest memory differs first at GPA "
             "0x%llx: %s 0x%016llx %s 0x%016llx",
             op_no, op_name, seed, what, (unsigned long long)(MEM_GPA + i), tg.src,
             (unsigned long long)get64(s[0].mem + a), tg.dst,
             (unsigned long long)get64(s[1].mem + a));
}

static uint64_t mmio(int k, int i, uint64_t off, unsigned len, int wr, uint64_t v)
{
    return t_mmio(&s[k].t, lay[i].frame + off, len, wr, v);
}

/* a guest write to ITS i on both */
static void gw(int i, uint64_t off, unsigned len, uint64_t v)
{
    if (trace)
        fprintf(stderr, "op %" PRIu64 " ITS %d write 0x%x <- 0x%llx\n", op_no, i, (unsigned)off,
                (unsigned long long)v);
    for (int k = 0; k < 2; k++)
        mmio(k, i, off, len, 1, v);
}

static int attr_op(int fd, int set, uint32_t grp, uint64_t attr, uint64_t *v, int *err)
{
    struct kvm_device_attr a = {.group = grp, .attr = attr, .addr = (uint64_t)(uintptr_t)v};
    int r = ioe_ioctl(fd, set ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, &a);
    *err = r ? errno : 0;
    return r;
}

/* the same device attribute operation on both, results compared */
static void attr_both(int its_i, int set, uint32_t grp, uint64_t attr, uint64_t v, const char *w)
{
    int r[2], e[2];
    uint64_t val[2] = {v, v};
    for (int k = 0; k < 2; k++)
        r[k] = attr_op(its_i < 0 ? s[k].t.dev : s[k].its[its_i], set, grp, attr, &val[k], &e[k]);
    if (trace && set)
        fprintf(stderr,
                "op %" PRIu64 " ITS %d attr group %u 0x%" PRIx64 " <- 0x%" PRIx64 ": %d errno %d\n",
                op_no, its_i, grp, attr, v, r[0], r[0] < 0 ? e[0] : 0);
    SAME(r[0], r[1], w);
    SAME(e[0], e[1], w);
    SAME(val[0], val[1], w);
}

static const uint32_t reg_offs[] = {0x0,    0x4,    0x8,    0x80,   0x88,   0x90,   0x100,
                                    0x108,  0x110,  0x118,  0x120,  0x128,  0x130,  0x138,
                                    0xffd0, 0xffd4, 0xffd8, 0xffdc, 0xffe0, 0xffe4, 0xffe8,
                                    0xffec, 0xfff0, 0xfff4, 0xfff8, 0xfffc};

static void compare_regs(void)
{
    for (int i = 0; i < NITS; i++)
        for (size_t r = 0; r < sizeof(reg_offs) / sizeof(reg_offs[0]); r++) {
            char w[64];
            snprintf(w, sizeof(w), "ITS %d GITS_ register 0x%x (GRP_ITS_REGS)", i, reg_offs[r]);
            attr_both(i, 0, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, reg_offs[r], 0, w);
        }
}

static void compare_queue(int i)
{
    static const uint32_t q[] = {0x0, 0x80, 0x88, 0x90};
    for (size_t r = 0; r < 4; r++)
        attr_both(i, 0, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, q[r], 0, "queue register");
}

static void compare_vcpus(int hppir)
{
    for (int c = 0; c < NV; c++) {
        SAME(t_readable(&s[0].t, c), t_readable(&s[1].t, c), "vCPU readable");
        if (hppir)
            SAME(t_sysreg(&s[0].t, c, ICC_HPPIR1, 0, 0), t_sysreg(&s[1].t, c, ICC_HPPIR1, 0, 0),
                 "ICC_HPPIR1");
    }
}

/* ------------------------------------------------------------------ the guest's ITS driver */
static void cmd(int i, uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
    uint64_t o = lay[i].cmdq + g[i].cwriter;
    mem_w64(o, d0);
    mem_w64(o + 8, d1);
    mem_w64(o + 16, d2);
    mem_w64(o + 24, d3);
    g[i].cwriter = (g[i].cwriter + 32) % g[i].qsize;
    n_cmds++;
    if (trace)
        fprintf(stderr, "op %" PRIu64 " ITS %d cmd %016llx %016llx %016llx %016llx\n", op_no, i,
                (unsigned long long)d0, (unsigned long long)d1, (unsigned long long)d2,
                (unsigned long long)d3);
}

static void go(int i)
{
    gw(i, GITS_CWRITER, 8, g[i].cwriter);
    compare_queue(i);
}

static int walks_ok(int i);

/* --no-indirect-walks: a two-level table only sees the pool (unmap_pool frees them all) */
static uint32_t pick_dev(int i)
{
    uint32_t r = rnd() % 100;
    if (r < 90 || !walks_ok(i))
        return pool[rnd() % NPOOL];
    if (r < 97)
        return rnd() % 0x10000;
    return rnd() << 15 ^ rnd();
}

static int pool_index(uint32_t dev)
{
    for (int p = 0; p < NPOOL; p++)
        if (pool[p] == dev)
            return p;
    return -1;
}

/* Whether the device table of ITS i has a slot for dev (MAPD of any other fails) */
static int dev_fits(int i, uint32_t dev)
{
    uint64_t per = g[i].ps / 8;
    if (g[i].indirect)
        return dev / per < 3 && dev / per != g[i].hole;
    return dev < per * g[i].pages;
}

static uint32_t pick_ev(int i, uint32_t *dev)
{
    if (g[i].npairs && chance(50)) {
        uint32_t *p = g[i].pairs[rnd() % g[i].npairs];
        *dev = p[0];
        return p[1];
    }
    int p = (int)(rnd() % NPOOL);
    if (g[i].size[p] >= 0 && chance(70)) { /* an event of a mapped device */
        *dev = pool[p];
        uint32_t n = 2u << g[i].size[p];
        return rnd() % (n < 16 ? n : 16);
    }
    *dev = pick_dev(i);
    uint32_t r = rnd() % 100;
    return r < 80 ? rnd() % 8 : r < 95 ? rnd() % 64 : rnd();
}

static uint32_t pick_lpi(void)
{
    uint32_t r = rnd() % 100;
    if (r < 93)
        return LPI0 + rnd() % NL;
    if (r < 94)
        return LPI0 + rnd() % 1024;
    if (r < 95) /* a configuration byte outside guest memory under PROP2_OFF */
        return LPI0 + 0x1000 + rnd() % 64;
    if (r < 98)
        return rnd() % LPI0;
    return 0x10000 + rnd() % 0x1000;
}

/* The ICIDs that may name a collection of ITS i (a superset: every ICID a MAPC V=1 or a
 * MAPTI named since the last MAPC V=0 of it; the ones above 31 always). A MAPC V=1 of a
 * known collection walks the whole device table (retarget): rare, and never on a
 * two-level table under --no-indirect-walks. */
static int maybe_known(int i, uint32_t icid)
{
    return icid >= 32 || (g[i].icid_used >> icid & 1);
}

static void icid_named(int i, uint32_t icid)
{
    if (icid < 32)
        g[i].icid_used |= 1u << icid;
}

static uint32_t pick_icid(void)
{
    uint32_t r = rnd() % 100;
    return r < 60   ? rnd() % NV
           : r < 85 ? rnd() % 8
           : r < 95 ? rnd() % NICID
                    : 0x100 + rnd() % 0xff00;
}

static uint64_t itt_of(int i, uint32_t dev, unsigned size, int alt)
{
    int p = pool_index(dev);
    if (p == BIG_DEV)
        return MEM_GPA + lay[i].big_itt + (size > 8 ? 0x0 : 0x20000 - 0x1000);
    if (p < 0)
        p = 16 + (int)(dev % 8); /* devices outside the pool share a few ITTs */
    return MEM_GPA + lay[i].itt + 0x1000ull * (unsigned)(2 * p + alt);
}

static void mapd(int i, uint32_t dev, unsigned size, uint64_t itt, int v)
{
    cmd(i, C_MAPD | (uint64_t)dev << 32, size, (uint64_t)v << 63 | itt, 0);
}

static void remember_pair(int i, uint32_t dev, uint32_t ev)
{
    struct gits *x = &g[i];
    unsigned n = x->npairs < 32 ? x->npairs++ : rnd() % 32;
    x->pairs[n][0] = dev;
    x->pairs[n][1] = ev;
}

/* One random command into ITS i's queue. */
static void random_cmd(int i)
{
    uint32_t r = rnd() % 100, dev, ev, icid;
    if (r < 6) { /* MAPD */
        dev = pick_dev(i);
        int p = pool_index(dev);
        if (p >= 0 && g[i].size[p] >= 0 && chance(60)) { /* mostly a device not mapped */
            p = (int)(rnd() % NPOOL);
            dev = pool[p];
        }
        unsigned size = chance(85) ? rnd() % 8 : chance(50) ? 8 : 16 + rnd() % 16;
        if (p == BIG_DEV) /* Size 13 (MAPI reaches LPIs): 16384 ITEs to walk when freed */
            size = chance(95) ? 8 : 13;
        uint64_t itt = itt_of(i, dev, size, (int)(rnd() & 1));
        if (chance(3))
            itt = 0x7f000000ull + (rnd() & 0xfff) * 0x100; /* outside guest memory */
        int v = chance(85);
        mapd(i, dev, size, itt, v);
        if (p >= 0) /* what the stream takes as mapped: a MAPD that succeeds */
            g[i].size[p] = v && size <= 15 && dev_fits(i, dev) ? (int)size : -1;
    } else if (r < 10) { /* MAPC */
        icid = pick_icid();
        uint32_t rd = chance(92) ? rnd() % NV : NV + rnd() % 300;
        int v = chance(85);
        if (v && maybe_known(i, icid) && (!walks_ok(i) || !chance(4))) {
            if (chance(90)) { /* mostly: collections stay mapped, so more MSIs deliver */
                cmd(i, C_SYNC, 0, 0, 0);
                return;
            }
            v = 0; /* unmap it instead; a later MAPC V=1 maps it again without a walk */
        }
        if (rd < NV && v)
            icid_named(i, icid);
        else if (rd < NV && icid < 32)
            g[i].icid_used &= ~(1u << icid);
        cmd(i, C_MAPC, 0, (uint64_t)v << 63 | (uint64_t)rd << 16 | icid, 0);
    } else if (r < 48) { /* MAPTI / MAPI */
        ev = pick_ev(i, &dev);
        icid = pick_icid();
        icid_named(i, icid);
        if (chance(8)) {
            /* MAPI: EventID = INTID, so only the large ITT reaches the LPI range */
            if (chance(70)) {
                dev = pool[BIG_DEV];
                ev = LPI0 + rnd() % NL;
            }
            cmd(i, C_MAPI | (uint64_t)dev << 32, ev, icid, 0);
        } else {
            cmd(i, C_MAPTI | (uint64_t)dev << 32, ev | (uint64_t)pick_lpi() << 32, icid, 0);
        }
        remember_pair(i, dev, ev);
    } else if (r < 55) { /* MOVI */
        ev = pick_ev(i, &dev);
        icid = pick_icid();
        icid_named(i, icid);
        cmd(i, C_MOVI | (uint64_t)dev << 32, ev, icid, 0);
    } else if (r < 80) { /* DISCARD, CLEAR, INT (twice as often), INV */
        static const uint8_t dev_ev_ops[5] = {C_DISCARD, C_CLEAR, C_INT, C_INT, C_INV};
        uint8_t op = dev_ev_ops[rnd() % 5];
        ev = pick_ev(i, &dev);
        cmd(i, op | (uint64_t)dev << 32, ev, 0, 0);
    } else if (r < 84) { /* INVALL */
        icid = pick_icid();
        cmd(i, C_INVALL, 0, icid, 0);
    } else if (r < 88) { /* SYNC */
        cmd(i, C_SYNC, 0, (uint64_t)(rnd() % NV) << 16, 0);
    } else if (r < 91) { /* MOVALL */
        uint32_t r1 = chance(95) ? rnd() % NV : rnd(), r2 = chance(95) ? rnd() % NV : rnd();
        cmd(i, C_MOVALL, 0, (uint64_t)r1 << 16, (uint64_t)r2 << 16);
    } else if (r < 95) { /* random arguments of a real opcode */
        static const uint8_t ops[] = {C_MOVI,   C_INT, C_CLEAR,   C_SYNC,  C_MAPD,
                                      C_INVALL, C_INV, C_DISCARD, C_MOVALL};
        uint64_t d2 = (uint64_t)rnd() << 32 ^ rnd() << 8 ^ rnd();
        uint8_t op = ops[rnd() % sizeof(ops)];
        if (op == C_MAPD && !walks_ok(i))
            op = C_SYNC;
        cmd(i, op | (uint64_t)rnd() << 32, (uint64_t)rnd() << 32 | rnd(), d2,
            (uint64_t)rnd() << 32 | rnd());
    } else { /* garbage opcodes */
        cmd(i, (0x10 + rnd() % 0xf0) | (uint64_t)rnd() << 32, rnd(), rnd(), rnd());
    }
}

static int walks_ok(int i)
{
    return !no_indirect_walks || !g[i].indirect;
}

static void forget_devices(int i)
{
    g[i].npairs = 0;
    for (int p = 0; p < NPOOL; p++)
        g[i].size[p] = -1;
}

static void set_enabled(int i, int en)
{
    gw(i, GITS_CTLR, 4, (uint64_t)en);
    g[i].enabled = en;
}

/* --no-indirect-walks: free ITS i's devices with MAPD V=0 (a one-device walk), so that a
 * whole-table walk finds none */
static void unmap_pool(int i)
{
    set_enabled(i, 1);
    for (int p = 0; p < NPOOL; p++) {
        mapd(i, pool[p], 0, 0, 0);
        if ((p & 7) == 7)
            go(i);
    }
    go(i);
    forget_devices(i);
}

/* New command queue (ITS disabled around it) */
static void new_cbaser(int i)
{
    unsigned pages = 1 + rnd() % 4;
    uint64_t attrs =
        (uint64_t)(rnd() & 7) << 59 | (uint64_t)(rnd() & 7) << 53 | (uint64_t)(rnd() & 3) << 10;
    g[i].qsize = pages * 0x1000;
    gw(i, GITS_CBASER, 8, 1ull << 63 | attrs | (MEM_GPA + lay[i].cmdq) | (pages - 1));
    g[i].cwriter = 0;
}

/* New device and collection tables (ITS disabled): a random layout; flat only for ITS 0
 * under --no-indirect-walks, two-level only for ITS 1. */
static void new_tables(int i)
{
    static const uint64_t ps[3] = {0x1000, 0x4000, 0x10000};
    uint32_t pr = rnd() % 100;
    unsigned psf = pr < 70 ? 0 : pr < 90 ? 1 : 2; /* the RTL walks every slot: small tables */
    int ind = chance(50);
    if (no_indirect_walks)
        ind = i == 1;
    unsigned pages = ind || psf ? 1 : 1 + rnd() % 2;
    if (!walks_ok(i)) /* leave no device behind in the old table */
        unmap_pool(i);
    set_enabled(i, 0);
    if (walks_ok(i) && chance(50))
        gw(i, GITS_BASER(0), 8, 0); /* Valid 0: every device freed */
    mem_zero(lay[i].dt, 0x80000);
    mem_zero(lay[i].l2, 0x30000);
    g[i].ps = ps[psf];
    g[i].indirect = ind;
    g[i].pages = pages;
    forget_devices(i);
    gw(i, GITS_BASER(0), 8,
       1ull << 63 | (uint64_t)ind << 62 | (MEM_GPA + lay[i].dt) | (uint64_t)psf << 8 | (pages - 1));
    if (ind) {
        /* L1 entries 0..2 valid (DeviceIDs below 3 * P / 8), one of them left invalid */
        unsigned hole = rnd() % 4;
        g[i].hole = hole;
        for (unsigned e = 0; e < 3; e++)
            if (e != hole)
                mem_w64(lay[i].dt + 8 * e, 1ull << 63 | (MEM_GPA + lay[i].l2 + e * ps[psf]));
    }
    unsigned cpsf = rnd() % 3;
    if (chance(20)) {
        gw(i, GITS_BASER(1), 8, 0); /* collections dropped */
        g[i].icid_used = 0;
    }
    gw(i, GITS_BASER(1), 8, 1ull << 63 | (MEM_GPA + lay[i].ct) | (uint64_t)cpsf << 8);
    set_enabled(i, 1);
}

/* Collections 0 .. NV-1 on vCPUs 0 .. NV-1 and devices 0 .. 7 of the pool with four
 * events each, as a guest's driver sets up a fresh ITS */
static void initial_collections(int i)
{
    for (uint32_t c = 0; c < NV; c++) {
        icid_named(i, c);
        cmd(i, C_MAPC, 0, 1ull << 63 | (uint64_t)c << 16 | c, 0);
    }
    go(i);
    for (int p = 0; p < 8; p++) {
        unsigned size = 2 + rnd() % 3;
        mapd(i, pool[p], size, itt_of(i, pool[p], size, 0), 1);
        g[i].size[p] = (int)size;
        for (uint32_t e = 0; e < 4; e++) {
            cmd(i, C_MAPTI | (uint64_t)pool[p] << 32, e | (uint64_t)pick_lpi() << 32, rnd() % NV,
                0);
            remember_pair(i, pool[p], e);
        }
        go(i);
    }
}

/* Many ITEs on one LPI: MAPTI events 0 .. n-1 of the large-ITT device to INTID l (the
 * contract's limit of 255 mappings per LPI) */
static void refburst(int i)
{
    uint32_t dev = pool[BIG_DEV], l = LPI0 + rnd() % NL, n = 250 + rnd() % 20;
    uint16_t icid = (uint16_t)(rnd() % NV);
    icid_named(i, icid);
    set_enabled(i, 1);
    mapd(i, dev, 8, itt_of(i, dev, 8, 0), 1);
    go(i);
    g[i].size[BIG_DEV] = 8;
    for (uint32_t e = 0; e < n; e++) {
        cmd(i, C_MAPTI | (uint64_t)dev << 32, e | (uint64_t)l << 32, icid, 0);
        if ((e & 63) == 63)
            go(i);
    }
    go(i);
    remember_pair(i, dev, n - 1);
    remember_pair(i, dev, 254);
    remember_pair(i, dev, 0);
}

/* ------------------------------------------------------------------ the operations */
static void op_msi(void)
{
    int i = (int)(rnd() % NITS);
    uint32_t dev, ev = pick_ev(i, &dev);
    int r[2], e[2];
    for (int k = 0; k < 2; k++) {
        struct kvm_msi m = {.address_lo = (uint32_t)(lay[i].frame + 0x10040),
                            .address_hi = (uint32_t)((lay[i].frame + 0x10040) >> 32),
                            .data = ev,
                            .flags = KVM_MSI_VALID_DEVID,
                            .devid = dev};
        r[k] = ioe_ioctl(s[k].t.vm, KVM_SIGNAL_MSI, &m);
        e[k] = r[k] < 0 ? errno : 0;
    }
    SAME(r[0], r[1], "KVM_SIGNAL_MSI result");
    SAME(e[0], e[1], "KVM_SIGNAL_MSI errno");
    n_msi_ok += r[0] == 1;
    n_msi_res[r[0] < 0 ? 2 : r[0] ? 1 : 0]++;
}

static void op_ack(int c)
{
    struct ioe_irq a[2];
    int keep = chance(30); /* left active for a later EOI */
    for (int k = 0; k < 2; k++) {
        a[k] = t_ack(&s[k].t, c);
        if (a[k].intid != 1023) {
            if (s[k].depth[c] < 16 && keep)
                s[k].stack[c][s[k].depth[c]++] = a[k];
            else
                t_eoi(&s[k].t, c, a[k].intid, a[k].group);
        }
    }
    SAME(a[0].intid, a[1].intid, "acknowledged INTID");
    SAME(a[0].priority, a[1].priority, "acknowledged priority");
    SAME(a[0].group, a[1].group, "acknowledged group");
    n_delivered += a[0].intid != 1023;
}

static void op_eoi(int c)
{
    for (int k = 0; k < 2; k++)
        if (s[k].depth[c]) {
            struct ioe_irq a = s[k].stack[c][--s[k].depth[c]];
            t_eoi(&s[k].t, c, a.intid, a.group);
        }
}

static void op_prop(void)
{
    int i = (int)(rnd() % NITS);
    uint32_t l = LPI0 + rnd() % NL;
    uint8_t v = s[0].mem[prop_off() + l - LPI0];
    if (chance(50))
        v ^= 1;
    else
        v = (uint8_t)((rnd() % 0x100 & 0xfc) | 2 | (v & 1));
    mem_w8(prop_off() + l - LPI0, v);
    if (chance(50)) {
        uint32_t dev, ev = pick_ev(i, &dev);
        cmd(i, C_INV | (uint64_t)dev << 32, ev, 0, 0);
    } else if (chance(60)) {
        cmd(i, C_INVALL, 0, pick_icid(), 0);
    }
    go(i);
}

static void op_enable_lpis(void)
{
    int c = (int)(rnd() % NV);
    int on = lpis_on[c] ? chance(20) : chance(85);
    for (int k = 0; k < 2; k++)
        t_mmio(&s[k].t, t_rd(c) + GICR_CTLR, 4, 1, (uint64_t)on);
    lpis_on[c] = on;
    SAME(t_mmio(&s[0].t, t_rd(c) + GICR_CTLR, 4, 0, 0),
         t_mmio(&s[1].t, t_rd(c) + GICR_CTLR, 4, 0, 0), "GICR_CTLR");
}

/* GICR_PROPBASER moves between the two configuration tables (EnableLPIs off around the
 * write, as KVM ignores it while LPIs are on); the first 4 KiB of configuration move */
static void op_propbaser(void)
{
    uint64_t to = prop_alt ? PROP_OFF : PROP2_OFF;
    for (int k = 0; k < 2; k++) {
        memmove(s[k].mem + to, s[k].mem + prop_off(), 0x1000);
        for (int c = 0; c < NV; c++) {
            t_mmio(&s[k].t, t_rd(c) + GICR_CTLR, 4, 1, 0);
            t_mmio(&s[k].t, t_rd(c) + GICR_PROPBASER, 8, 1, (MEM_GPA + to) | 15);
            t_mmio(&s[k].t, t_rd(c) + GICR_CTLR, 4, 1, (uint64_t)lpis_on[c]);
        }
    }
    prop_alt = !prop_alt;
    for (int c = 0; c < NV; c++)
        SAME(t_mmio(&s[0].t, t_rd(c) + GICR_PROPBASER, 8, 0, 0),
             t_mmio(&s[1].t, t_rd(c) + GICR_PROPBASER, 8, 0, 0), "GICR_PROPBASER");
}

static void op_reg(void)
{
    int i = (int)(rnd() % NITS);
    uint32_t r = rnd() % 100;
    if (r < 35) { /* guest read of any frame register, 32 or 64 bits */
        uint32_t off = reg_offs[rnd() % (sizeof(reg_offs) / sizeof(reg_offs[0]))];
        unsigned len = off >= 0x8 && off < 0x140 && chance(60) ? 8 : 4;
        if (chance(20))
            off += 4;
        SAME(mmio(0, i, off, len, 0, 0), mmio(1, i, off, len, 0, 0), "guest register read");
        return;
    }
    if (r < 55) { /* CWRITER beyond the queue, or a misaligned one: dropped / masked */
        uint64_t v = chance(50) ? g[i].qsize + 32ull * (rnd() % 8) : rnd() & 0xfffff;
        gw(i, GITS_CWRITER, 8, v);
        /* whatever the card accepted, the guest continues from its CWRITER */
        uint64_t cw[2];
        int e;
        for (int k = 0; k < 2; k++)
            attr_op(s[k].its[i], 0, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, GITS_CWRITER, &cw[k], &e);
        SAME(cw[0], cw[1], "CWRITER after an odd write");
        g[i].cwriter = (uint32_t)cw[0];
        compare_queue(i);
        return;
    }
    if (r < 65) { /* CBASER / BASER writes while enabled: ignored */
        if (!g[i].enabled)
            return;
        gw(i, chance(50) ? GITS_CBASER : GITS_BASER(rnd() % 3), 8, (uint64_t)rnd() << 32 | rnd());
        compare_regs();
        return;
    }
    if (r < 80) { /* disable for a while (commands queue up, MSIs see EBUSY) */
        set_enabled(i, !g[i].enabled);
        return;
    }
    if (r < 99) { /* a new command queue */
        set_enabled(i, 0);
        new_cbaser(i);
        set_enabled(i, 1);
        compare_regs();
        return;
    }
    /* BASERn: a new table layout */
    if (chance(80))
        return;
    new_tables(i);
    initial_collections(i);
    compare_regs();
}

/* The RTL's SAVE walks every slot of the device table: mostly on 4 KiB tables */
static int cheap_walk(int i)
{
    return g[i].ps == 0x1000 || chance(10);
}

static void save(int i)
{
    if (!walks_ok(i))
        unmap_pool(i);
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_SAVE_TABLES, 0, "SAVE_TABLES");
    attr_both(-1, 1, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, 0,
              "SAVE_PENDING_TABLES");
    compare_memory("after SAVE_TABLES + SAVE_PENDING_TABLES");
    n_saves++;
}

/* SAVE, RESET, the saved guest memory back, the registers in QEMU's order,
 * RESTORE_TABLES, CTLR */
static void save_restore(int i)
{
    save(i);
    uint64_t regs[2][4];
    static const uint32_t ro[4] = {GITS_BASER(0), GITS_BASER(1), GITS_CBASER, GITS_CREADR};
    for (int k = 0; k < 2; k++) {
        int e;
        for (int r = 0; r < 4; r++)
            attr_op(s[k].its[i], 0, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, ro[r], &regs[k][r], &e);
        memcpy(snap[k], s[k].mem, MEM_SZ);
    }
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_CTRL_RESET, 0, "RESET");
    for (int k = 0; k < 2; k++)
        memcpy(s[k].mem, snap[k], MEM_SZ);
    for (int r = 0; r < 4; r++) {
        SAME(regs[0][r], regs[1][r], "register before RESET");
        attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, ro[r], regs[0][r], "register restore");
    }
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, GITS_CWRITER, regs[0][3], "CWRITER restore");
    g[i].cwriter = (uint32_t)regs[0][3];
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_RESTORE_TABLES, 0, "RESTORE_TABLES");
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, GITS_CTLR, 1, "CTLR restore");
    g[i].enabled = 1;
    compare_regs();
    compare_memory("after RESTORE_TABLES");
    n_restores++;
}

static void reset(int i)
{
    if (!walks_ok(i))
        unmap_pool(i);
    attr_both(i, 1, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_CTRL_RESET, 0, "RESET");
    compare_regs();
    compare_memory("after RESET");
    g[i].icid_used = 0;
    g[i].indirect = 0; /* no device left in the old table */
    forget_devices(i);
    g[i].enabled = 0;
    new_cbaser(i);
    new_tables(i);
    initial_collections(i);
    n_resets++;
}

/* Weights per 100000. A whole-table walk (SAVE, RESTORE, RESET, BASER0 Valid 0, MAPC
 * retarget) costs the RTL one DMA latency per device-table slot, so they are rare. */
static void one_op(void)
{
    uint32_t r = rnd() % 100000;
    int i = (int)(rnd() % NITS);
    if (!g[i].enabled && chance(25))
        set_enabled(i, 1); /* a disabled ITS does not stay so for long */
    if (r < 12000) {
        op_name = "commands";
        unsigned n = 1 + rnd() % 4;
        for (unsigned k = 0; k < n; k++)
            random_cmd(i);
        if (g[i].enabled || chance(50))
            go(i);
    } else if (r < 45000) {
        op_name = "MSI";
        op_msi();
    } else if (r < 68000) {
        op_name = "acknowledge";
        op_ack((int)(rnd() % NV));
    } else if (r < 73000) {
        op_name = "EOI";
        op_eoi((int)(rnd() % NV));
    } else if (r < 79000) {
        op_name = "LPI configuration + INV/INVALL";
        op_prop();
    } else if (r < 81000) {
        op_name = "EnableLPIs";
        op_enable_lpis();
    } else if (r < 86000) {
        op_name = "HPPIR1";
        compare_vcpus(1);
    } else if (r < 97000) {
        op_name = "GITS_ register";
        op_reg();
    } else if (r < 97020) {
        op_name = "SAVE";
        if (cheap_walk(i))
            save(i);
    } else if (r < 97045) {
        op_name = "SAVE + RESET + RESTORE";
        if (cheap_walk(i))
            save_restore(i);
    } else if (r < 97050) {
        op_name = "RESET";
        reset(i);
    } else if (r < 97053) {
        op_name = "255 mappings of one LPI";
        refburst(i);
    } else if (r < 97200) {
        op_name = "GICR_PROPBASER";
        op_propbaser();
    } else {
        op_name = "SYNC";
        cmd(i, C_SYNC, 0, 0, 0);
        go(i);
    }
    compare_vcpus(0);
}

/* IOE_TEST_PROFILE=1: wall time per kind of operation on stderr at the end */
static struct {
    const char *name;
    double sec;
    uint64_t n;
} prof[32];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void profile(const char *name, double sec)
{
    for (int i = 0; i < 32; i++)
        if (!prof[i].name || prof[i].name == name) {
            prof[i].name = name;
            prof[i].sec += sec;
            prof[i].n++;
            return;
        }
}

static void setup(void)
{
    for (int k = 0; k < 2; k++) {
        struct side *x = &s[k];
        struct ioe_hostmem *before = ioe_hostmem_newest();
        t_vm_open(&x->t, k ? tg.dst : tg.src, NV, 64);
        df_take_hostmem(&faults, k, before);
        x->mem = ioe_mem_alloc(MEM_SZ); /* every target reaches it, out of process too */
        assert_non_null(x->mem);
        snap[k] = mmap(NULL, MEM_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(x->mem != MAP_FAILED && snap[k] != MAP_FAILED);
        struct kvm_userspace_memory_region r = {.slot = 0,
                                                .guest_phys_addr = MEM_GPA,
                                                .memory_size = MEM_SZ,
                                                .userspace_addr = (uint64_t)(uintptr_t)x->mem};
        assert_int_equal(ioe_ioctl(x->t.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
        for (int i = 0; i < NITS; i++) {
            x->its[i] = its_create(x->t.vm);
            assert_true(x->its[i] >= 0);
            uint64_t a = lay[i].frame;
            t_set_attr(x->its[i], KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a);
        }
        its_guest_lpis(&x->t, x->mem);
    }
    /* faults where the ITSes read and write: command queues, device tables, ITTs, the LPI
     * configuration and pending tables */
    for (int i = 0; i < NITS; i++) {
        static const size_t offs[3] = {offsetof(struct layout, cmdq), offsetof(struct layout, dt),
                                       offsetof(struct layout, itt)};
        for (int j = 0; j < 3; j++) {
            uint64_t o = *(const uint64_t *)((const char *)&lay[i] + offs[j]);
            df_region(&faults, s[0].mem + o, s[1].mem + o, 0x10000);
        }
    }
    df_region(&faults, s[0].mem + PROP_OFF, s[1].mem + PROP_OFF, 0x10000);
    df_region(&faults, s[0].mem + PEND_OFF, s[1].mem + PEND_OFF, 0x10000 * NV);
    faults.err_max = 0x1000;
    for (int c = 0; c < NV; c++)
        lpis_on[c] = 1;
    for (int i = 0; i < NITS; i++) {
        memset(&g[i], 0, sizeof(g[i]));
        new_cbaser(i);
        new_tables(i);
        initial_collections(i);
    }
}

static void test_differential(void **state)
{
    (void)state;
    if (!t_card_has_its(tg.src) || !t_card_has_its(tg.dst)) {
        printf("a card has no ITS engine: skipped\n");
        skip();
    }
    printf("ITS differential %s vs %s: seed 0x%" PRIx64 ", %" PRIu64
           " operations, DMA latency %u cycles%s\n",
           tg.src, tg.dst, seed, nops,
           t_card_opts.dma_latency ? t_card_opts.dma_latency : IOE_CARD_DEFAULT_DMA_LATENCY,
           no_indirect_walks ? ", no whole-table walks of two-level tables" : "");
    rs = seed ? seed : 1;
    op_no = 0;
    op_name = "setup";
    setup();
    compare_regs();
    /* a mapping of the stream's first steps: the same result and acknowledge on both */
    mapd(0, pool[1], 3, itt_of(0, pool[1], 3, 0), 1);
    cmd(0, C_MAPTI | (uint64_t)pool[1] << 32, 0 | (uint64_t)LPI0 << 32, 0, 0);
    go(0);
    int mr[2];
    struct ioe_irq ma[2];
    for (int k = 0; k < 2; k++) {
        struct kvm_msi m = {.address_lo = (uint32_t)(lay[0].frame + 0x10040),
                            .data = 0,
                            .flags = KVM_MSI_VALID_DEVID,
                            .devid = pool[1]};
        mr[k] = ioe_ioctl(s[k].t.vm, KVM_SIGNAL_MSI, &m);
        ma[k] = t_ack(&s[k].t, 0);
        if (ma[k].intid != 1023)
            t_eoi(&s[k].t, 0, ma[k].intid, ma[k].group);
    }
    SAME(mr[0], mr[1], "first MSI");
    SAME(ma[0].intid, ma[1].intid, "first acknowledge");
    for (op_no = 0; op_no < nops; op_no++) {
        if (op_no == 500)
            refburst(0); /* once early in every run */
        if (op_no == 1500) {
            op_name = "SAVE + RESET + RESTORE";
            save_restore(0); /* and a round trip */
        }
        if (op_no % 100 == 0)
            df_shuffle(&faults);
        double t0 = now();
        one_op();
        profile(op_name, now() - t0);
        if (op_no % 64 == 63)
            compare_regs();
        if (op_no % 512 == 511)
            compare_memory("checkpoint");
    }
    op_name = "end";
    compare_vcpus(1);
    compare_regs();
    compare_memory("end");
    save(0);
    printf("done: %" PRIu64 " operations identical: %" PRIu64 " commands, %" PRIu64
           " MSIs delivered, %" PRIu64 " LPIs acknowledged, %" PRIu64 " SAVEs, %" PRIu64
           " RESTOREs, %" PRIu64 " RESETs, %" PRIu64 " guest-memory comparisons\n",
           nops, n_cmds, n_msi_ok, n_delivered, n_saves, n_restores, n_resets, n_mem_cmp);
    printf("MSIs: %" PRIu64 " blocked, %" PRIu64 " delivered, %" PRIu64 " errors\n", n_msi_res[0],
           n_msi_res[1], n_msi_res[2]);
    df_report(&faults);
    if (faults.seed) /* the faults reached the cards */
        assert_true(df_faulted(&faults, 0) > 0 && df_faulted(&faults, 1) > 0);
    if (getenv("IOE_TEST_PROFILE"))
        for (int i = 0; i < 32 && prof[i].name; i++)
            fprintf(stderr, "%-34s %8" PRIu64 " ops %9.3f s\n", prof[i].name, prof[i].n,
                    prof[i].sec);
    /* the stream really reaches delivery */
    assert_true(n_msi_ok > nops / 200);
    assert_true(n_delivered > nops / 200);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < NITS; i++)
            assert_int_equal(ioe_close(s[k].its[i]), 0);
        t_vm_close(&s[k].t);
        ioe_mem_free(s[k].mem);
        munmap(snap[k], MEM_SZ);
    }
}

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
    tt_args(&argc, argv);
    tg = tt_diff_targets();
    seed = tt_seed(0x175d1ff);
    nops = tt_ops(nops);
    no_indirect_walks = (int)env_u64("IOE_TEST_NO_INDIRECT_WALKS", 0);
    t_card_opts.dma_latency = (unsigned)env_u64("IOE_TEST_DMA_LATENCY", 0);
    trace = (int)env_u64("IOE_TEST_TRACE", 0); /* every command and register write on stderr */
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--dma-latency") && a + 1 < argc)
            t_card_opts.dma_latency = (unsigned)strtoul(argv[++a], NULL, 0);
        else if (!strcmp(argv[a], "--no-indirect-walks"))
            no_indirect_walks = 1;
        else if (!strcmp(argv[a], "--faults") && a + 1 < argc && strtoull(argv[a + 1], NULL, 0))
            faults.seed = strtoull(argv[++a], NULL, 0);
        else {
            fprintf(stderr,
                    "usage: %s [--seed S] [--ops N] [--targets A,B] [--dma-latency C] "
                    "[--no-indirect-walks] [--faults F]\n",
                    argv[0]);
            return 2;
        }
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_differential)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
