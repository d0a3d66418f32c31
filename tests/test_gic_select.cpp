/*
 * The GIC engine's candidate selector (rtl/src/ioe_gic_select.sv) on its own, against a
 * reference that scans every leaf: after every update the root of each lane must be the
 * valid leaf with the lowest priority value, ties to the lowest INTID, and it must come
 * exactly Levels cycles after the update (no update at all when the leaf is not eligible at
 * any lane, before or after). Built once per parameter set (SEL_VMS, SEL_VCPUS, SEL_IRQS: CMake), the largest
 * with 1024 interrupts per VM.
 *
 * Parts: priority ties (equal priorities everywhere, the winner removed one by one), the
 * acknowledge pattern (the root removed repeatedly until nothing is left), updates issued
 * in the earliest legal cycle (the look-up in the cycle the previous root appears) and
 * look-ups that no update follows, VMs interleaved, a clear of one VM among others, and
 * random updates over every interrupt. --seed N picks the random stream (printed).
 */
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <verilated.h>

#include "Vioe_gic_select.h"

namespace {

constexpr unsigned kVms = SEL_VMS, kLanes = SEL_VCPUS, kIrqs = SEL_IRQS;
constexpr unsigned irq_bits()
{
    unsigned b = 0;
    while ((1u << b) < kIrqs)
        b++;
    return b;
}
constexpr unsigned kLevels = (irq_bits() + 1) / 2;
static_assert(kLanes * 10 <= 64, "root_id_o must fit 64 bits");

struct Sel {
    VerilatedContext ctx;
    Vioe_gic_select *t;
    std::vector<uint8_t> leaf; /* [vm][intid][lane]: {valid, group, prio[4:0]} */
    uint64_t cycles = 0;
    unsigned failures = 0;

    Sel() : leaf(kVms * kIrqs * kLanes, 0)
    {
        t = new Vioe_gic_select{&ctx};
        idle_inputs();
        t->clk_i = 0;
        t->rst_ni = 0;
        t->eval();
        tick();
        tick();
        t->rst_ni = 1;
        t->eval();
    }
    ~Sel()
    {
        t->final();
        delete t;
    }
    void idle_inputs()
    {
        t->look_i = 0;
        t->upd_i = 0;
        t->clr_i = 0;
        t->look_vm_i = 0;
        t->look_intid_i = 0;
        t->upd_leaf_i = 0;
        t->clr_vm_i = 0;
        t->clr_addr_i = 0;
    }
    void tick()
    {
        t->clk_i = 1;
        t->eval();
        t->clk_i = 0;
        t->eval();
        cycles++;
    }
    uint8_t &at(unsigned vm, unsigned id, unsigned c) { return leaf[(vm * kIrqs + id) * kLanes + c]; }

    void fail(const char *what, unsigned vm, unsigned lane, unsigned got, unsigned want)
    {
        if (failures++ < 10)
            std::fprintf(stderr, "FAIL: %s (vm %u lane %u): got 0x%x, want 0x%x\n", what, vm,
                         lane, got, want);
    }

    /* the reference root of a lane: {valid, group, prio, intid} packed as in check() */
    uint32_t ref_root(unsigned vm, unsigned c)
    {
        int best = -1;
        for (unsigned i = 0; i < kIrqs; i++) {
            uint8_t l = at(vm, i, c);
            if ((l & 0x40) && (best < 0 || (l & 0x1f) < (at(vm, (unsigned)best, c) & 0x1f)))
                best = (int)i;
        }
        if (best < 0)
            return 0;
        return (uint32_t)at(vm, (unsigned)best, c) << 16 | (uint32_t)best;
    }
    void check_root(unsigned vm)
    {
        uint64_t ids = t->root_id_o;
        for (unsigned c = 0; c < kLanes; c++) {
            uint32_t got = 0;
            if (t->root_v_o >> c & 1)
                got = (0x40u | (unsigned)(t->root_g_o >> c & 1) << 5 |
                       (unsigned)(t->root_p_o >> (5 * c) & 0x1f))
                          << 16 |
                      (uint32_t)(ids >> (10 * c) & 0x3ff);
            else if ((ids >> (10 * c) & 0x3ff) || (t->root_p_o >> (5 * c) & 0x1f) ||
                     (t->root_g_o >> c & 1))
                fail("empty root with nonzero fields", vm, c, (unsigned)(ids >> (10 * c) & 0x3ff), 0);
            uint32_t want = ref_root(vm, c);
            if (got != want)
                fail("root", vm, c, got, want);
        }
    }

    /* One update, from the look-up cycle (the selector must be idle) to the root. `early`:
     * the look-up is driven now, in a cycle where root_valid_o may be high (the previous
     * update's last cycle). Returns the cycles from the update to the root (0: no change). */
    unsigned update(unsigned vm, unsigned id, const uint8_t *nl)
    {
        if (t->busy_o)
            fail("busy at a look-up", vm, 0, 1, 0);
        bool walk = false; /* a leaf eligible before or after at some lane: a path update */
        uint64_t lv = 0;
        for (unsigned c = 0; c < kLanes; c++) {
            walk |= ((at(vm, id, c) | nl[c]) & 0x40) != 0;
            at(vm, id, c) = nl[c];
            lv |= (uint64_t)nl[c] << (7 * c);
        }
        t->look_i = 1;
        t->look_vm_i = vm;
        t->look_intid_i = id;
        t->eval();
        tick();
        idle_inputs();
        t->upd_i = 1;
        t->upd_leaf_i = lv;
        t->eval();
        if (t->root_valid_o)
            fail("root_valid in the update cycle", vm, 0, 1, 0);
        tick();
        idle_inputs();
        t->eval();
        unsigned n = 1;
        while (t->busy_o && n < 64) {
            if (t->root_valid_o)
                fail("root_valid while busy", vm, 0, 1, 0);
            tick();
            n++;
        }
        if (!walk) {
            if (n != 1 || t->root_valid_o)
                fail("a leaf never eligible started an update", vm, id, n, 1);
            return 0;
        }
        if (!t->root_valid_o)
            fail("no root after the update", vm, id, 0, 1);
        if (n != kLevels)
            fail("cycles from update to root", vm, id, n, kLevels);
        check_root(vm);
        return n;
    }
    /* the look-up of the next update happens in the root's cycle: leave it there */
    void finish()
    {
        tick();
        t->eval();
        if (t->root_valid_o || t->busy_o)
            fail("root_valid longer than one cycle", 0, 0, 1, 0);
    }
    void clear(unsigned vm)
    {
        for (unsigned a = 0; a < kIrqs / 2; a++) {
            t->clr_i = 1;
            t->clr_vm_i = vm;
            t->clr_addr_i = a;
            t->eval();
            tick();
        }
        idle_inputs();
        t->eval();
        for (unsigned i = 0; i < kIrqs; i++)
            for (unsigned c = 0; c < kLanes; c++)
                at(vm, i, c) = 0;
    }
};

uint64_t rng_state;
uint32_t rnd()
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

uint8_t mk(bool v, unsigned g, unsigned p) { return v ? (uint8_t)(0x40 | (g & 1) << 5 | (p & 0x1f)) : 0; }

} // namespace

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++)
        if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 0);
    if (const char *e = std::getenv("IOE_TEST_SEED"))
        seed = std::strtoull(e, nullptr, 0);
    std::printf("test_gic_select: %u VMs, %u lanes, %u interrupts, %u levels, seed %" PRIu64 "\n",
                kVms, kLanes, kIrqs, kLevels, seed);
    rng_state = seed;
    Sel s;
    uint8_t nl[kLanes];

    for (unsigned vm = 0; vm < kVms; vm++)
        s.clear(vm);

    /* 1. ties: every interrupt of VM 0 at priority 9 on every lane; the lowest INTID wins,
     * and removing it hands the root to the next one; a lower priority anywhere wins */
    for (unsigned i = kIrqs; i-- > 0;) {
        for (unsigned c = 0; c < kLanes; c++)
            nl[c] = mk(true, i & 1, 9);
        s.update(0, i, nl);
    }
    for (unsigned i = 0; i < 40; i++) {
        std::memset(nl, 0, sizeof(nl));
        s.update(0, i, nl);
    }
    for (unsigned c = 0; c < kLanes; c++)
        nl[c] = mk(true, 0, 8);
    s.update(0, kIrqs - 1, nl); /* the last INTID at a lower value beats all ties */
    for (unsigned c = 0; c < kLanes; c++)
        nl[c] = mk(true, 1, 9);
    s.update(0, kIrqs - 1, nl); /* back to the tie: INTID 40 wins again */
    s.update(0, kIrqs - 1, nl); /* unchanged leaf: the same root */
    std::memset(nl, 0, sizeof(nl));
    s.update(0, 3, nl); /* INTID 3 was removed above: no update at all */

    /* 2. acknowledge pattern on VM 1 (or 0): random leaves, then the root of lane 0 removed
     * (all lanes of it) until lane 0 has nothing; each removal is checked and timed */
    unsigned vm_b = kVms > 1 ? 1 : 0;
    s.clear(vm_b);
    for (unsigned i = 0; i < kIrqs; i++) {
        for (unsigned c = 0; c < kLanes; c++)
            nl[c] = mk(rnd() % 3 == 0, rnd(), rnd() % 4); /* few distinct priorities: ties */
        s.update(vm_b, i, nl);
    }
    for (unsigned n = 0; n < kIrqs; n++) {
        uint32_t r = s.ref_root(vm_b, 0);
        if (!r)
            break;
        std::memset(nl, 0, sizeof(nl));
        s.update(vm_b, r & 0x3ff, nl);
    }
    if (s.ref_root(vm_b, 0))
        s.fail("acknowledge pattern left lane 0 non-empty", vm_b, 0, 1, 0);

    /* 3. back to back: look-ups in the cycle of the previous root, look-ups with no update,
     * VMs interleaved (the root belongs to the VM of the update) */
    for (unsigned n = 0; n < 2000; n++) {
        unsigned vm = rnd() % kVms, id = rnd() % kIrqs;
        for (unsigned c = 0; c < kLanes; c++)
            nl[c] = mk(rnd() % 2, rnd(), rnd() % 32);
        if (rnd() % 8 == 0) { /* a look-up that nothing follows */
            s.t->look_i = 1;
            s.t->look_vm_i = rnd() % kVms;
            s.t->look_intid_i = rnd() % kIrqs;
            s.t->eval();
            s.tick();
            s.idle_inputs();
            s.t->eval();
        }
        s.update(vm, id, nl); /* ends in the root cycle: the next look-up happens there */
    }
    s.finish();

    /* 4. clear one VM while the others keep their trees */
    if (kVms > 1) {
        s.clear(0);
        for (unsigned vm = 0; vm < kVms; vm++) { /* an eligible leaf reports each VM's root */
            for (unsigned c = 0; c < kLanes; c++)
                nl[c] = mk(true, 1, 31);
            s.update(vm, rnd() % kIrqs, nl);
            s.finish();
        }
    }

    /* 5. random updates over every interrupt and lane, dense and sparse phases */
    unsigned ops = 20000;
    if (const char *e = std::getenv("IOE_TEST_OPS"))
        ops = (unsigned)std::strtoul(e, nullptr, 0);
    for (unsigned n = 0; n < ops; n++) {
        unsigned vm = rnd() % kVms, id = rnd() % kIrqs;
        bool dense = (n / 2000) % 2 == 0;
        for (unsigned c = 0; c < kLanes; c++)
            nl[c] = mk(rnd() % (dense ? 2 : 16) == 0, rnd(), rnd() % (dense ? 3 : 32));
        s.update(vm, id, nl);
        if (rnd() % 4 == 0)
            s.finish();
    }

    std::printf("test_gic_select: %" PRIu64 " cycles, %u failures\n", s.cycles, s.failures);
    return s.failures ? 1 : 0;
}
