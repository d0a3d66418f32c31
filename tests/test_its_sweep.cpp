/*
 * What an LPI sweep does to one LPI (rtl/src/ioe_its_sweep.sv) on its own, against a
 * reference written from the unit's contract (docs/its.md, "LPI sweeps"): for every sweep
 * kind, random LPI words (mapped or not, of the swept vCPU or not, pending or not, one or
 * many references) and random INTIDs, VMs and table bases:
 *   - step 1: the word written back and whether it is written, the rescan request, the
 *     DMA read asked for and its address (configuration byte for INVALL, pending-table
 *     double word for EnableLPIs on and SAVE_PENDING);
 *   - step 2: the configuration byte or pending bit merged into the word, and the pending
 *     table double word SAVE_PENDING writes back.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include <verilated.h>

#include "Vioe_its_sweep.h"
#include "vcheck.h"

namespace
{

/* the default parameters: VcW 3, RefW 8 -> word {refs[17:10], tgt[9:7], prio[6:2], en, pend} */
constexpr unsigned kVcW = 3, kRefW = 8;
constexpr unsigned kTgt = 7, kRefs = 7 + kVcW;
constexpr uint32_t kWordMask = (1u << (kRefW + kVcW + 7)) - 1;

uint32_t refs(uint32_t w)
{
    return w >> kRefs & ((1u << kRefW) - 1);
}
uint32_t tgt(uint32_t w)
{
    return w >> kTgt & ((1u << kVcW) - 1);
}
uint32_t with_tgt(uint32_t w, uint32_t t)
{
    return (w & ~(((1u << kVcW) - 1) << kTgt)) | t << kTgt;
}

struct Want {
    bool we = false, rescan = false, dma = false;
    uint32_t word = 0;
    uint64_t daddr = 0;
};

Want step1(unsigned k, bool retarget, uint32_t t, uint32_t t2, uint32_t ntgt, bool ptz,
           uint32_t ivm, uint64_t prop, uint64_t pend, uint32_t vm, uint32_t intid, uint32_t w)
{
    Want r;
    r.word = w;
    bool mapped = refs(w) != 0, of_t2 = tgt(w) == t2, pending = w & 1;
    uint64_t prop_addr =
        (uint64_t)ivm << 48 | (((prop & 0xfffffffff000ull) + intid - 8192) & ~7ull);
    uint64_t pend_addr = (uint64_t)vm << 48 | (((pend & 0xffffffff0000ull) + intid / 8) & ~7ull);
    switch (k) {
    case 0:
        if (retarget) {
            if (mapped) {
                r.we = true;
                r.word = with_tgt(w, ntgt);
            }
        } else if (refs(w) > 1) {
            r.we = true;
            r.word = w - (1u << kRefs);
        } else if (refs(w) == 1) {
            r.we = true;
            r.word = 0;
            r.rescan = pending;
        }
        break;
    case 7:
        if (mapped) {
            r.we = true;
            r.word = w & ~1u;
        }
        r.rescan = true;
        break;
    case 1:
        r.dma = mapped && of_t2;
        r.daddr = prop_addr;
        break;
    case 2:
        if (mapped && of_t2) {
            r.we = true;
            r.word = with_tgt(w, t);
        }
        break;
    case 3:
    case 6:
        r.dma = mapped && (k == 6 || (of_t2 && !ptz));
        r.daddr = pend_addr;
        break;
    case 4:
        if (pending && of_t2) {
            r.we = true;
            r.word = w & ~1u;
        }
        break;
    default:
        r.we = true;
        r.word = 0;
        break;
    }
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_sweep");
    std::mt19937_64 rng(seed);
    Verilated::commandArgs(argc, argv);
    Vioe_its_sweep m;
    unsigned writes = 0, dmas = 0, rescans = 0;
    for (int n = 0; n < 200000; n++) {
        unsigned k = n % 8;
        bool retarget = rng() & 1, ptz = rng() % 4 == 0;
        uint32_t t = rng() % 8, t2 = rng() % 8, ntgt = rng() % 8;
        uint32_t ivm = rng() & 0xff, vm = rng() & 0xff;
        uint64_t prop = rng(), pend = rng(), data = rng();
        uint32_t intid = 8192 + (uint32_t)(rng() % 57344);
        uint32_t w = (uint32_t)rng() & kWordMask;
        switch (rng() % 4) { /* the interesting reference counts and targets */
        case 0: w &= ~(((1u << kRefW) - 1) << kRefs); break;
        case 1: w = (w & ~(((1u << kRefW) - 1) << kRefs)) | 1u << kRefs; break;
        case 2: w = with_tgt(w, t2); break;
        default: break;
        }
        m.k_i = k;
        m.retarget_i = retarget;
        m.t_i = t;
        m.t2_i = t2;
        m.tgt_i = ntgt;
        m.ptz_t2_i = ptz;
        m.ivm_i = ivm;
        m.prop_i = prop >> 12 & 0xfffffffffull;
        m.pend_i = pend >> 16 & 0xffffffffull;
        m.vm_i = vm;
        m.intid_i = intid;
        m.s1_word_i = w;
        m.s2_word_i = w;
        m.s2_data_i = data;
        m.eval();
        Want r = step1(k, retarget, t, t2, ntgt, ptz, ivm, prop, pend, vm, intid, w);
        CHECK_EQ(m.s1_we_o, r.we);
        if (r.we)
            CHECK_EQ(m.s1_word_o, r.word);
        CHECK_EQ(m.s1_rescan_o, r.rescan);
        CHECK_EQ(m.s1_dma_o, r.dma);
        if (r.dma)
            CHECK_EQ(m.s1_daddr_o, r.daddr);
        writes += r.we;
        dmas += r.dma;
        rescans += r.rescan;
        /* step 2 */
        uint32_t w2 = w;
        if (k == 3) {
            w2 |= (uint32_t)(data >> (intid % 64) & 1);
        } else {
            uint32_t cfg = (uint32_t)(data >> 8 * (intid % 8) & 0xff);
            w2 = (w2 & ~0x7fu) | (w2 & 1) | (cfg & 1) << 1 | (cfg >> 3) << 2;
        }
        CHECK_EQ(m.s2_word_o, w2);
        uint64_t bit = 1ull << (intid % 64);
        CHECK_EQ(m.s2_wdata_o, (w & 1) ? (data | bit) : (data & ~bit));
        if (failures > 10)
            break;
    }
    m.final();
    std::printf("test_its_sweep: %u writes, %u DMA reads, %u rescans; %d failure(s)\n", writes,
                dmas, rescans, failures);
    return failures != 0;
}
