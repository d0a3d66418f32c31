/*
 * Where the ITS engine finds DTEs (rtl/src/ioe_its_devtab.sv), on its own, against device
 * tables laid out in a host-memory model as the ITS table ABI places them (flat and
 * two-level; 4, 16 and 64 KiB pages; level-1 entries valid or not, with junk in the bits
 * below the page):
 *   - a walk over every slot, driven as the sequencer drives it (read the level-1 entry
 *     when asked, skip the page of an invalid one, keep a valid one's page while the
 *     DeviceID stays in it), must visit exactly the slots of the reference, in order;
 *   - lookups of single DeviceIDs (in range, past the table, past 2^DevBits, with BASER0
 *     invalid) must give the reference's verdict and addresses.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include <verilated.h>

#include "Vioe_its_devtab.h"
#include "its_devtable.h"
#include "vcheck.h"

namespace
{

/* a device table and the level-1 entries of a two-level one, in host memory */
struct Table : ItsDevTable {
    std::unordered_map<uint64_t, uint64_t> mem; /* I/O address -> 8-byte word */

    /* the slots of a walk: (DeviceID, DTE address), the reference order */
    std::vector<std::pair<uint32_t, uint64_t>> slots() const
    {
        std::vector<std::pair<uint32_t, uint64_t>> r;
        for (uint64_t dev = 0; !beyond(dev); dev++) {
            if (!indirect()) {
                r.emplace_back(dev, iova(base() + 8 * dev));
                continue;
            }
            auto e = mem.find(l1_addr(dev));
            if (e != mem.end() && e->second >> 63)
                r.emplace_back(dev, iova(l2_page(e->second) + 8 * (dev % epp())));
        }
        return r;
    }
};

Table random_table(std::mt19937 &rng)
{
    Table t;
    bool indirect = rng() & 1;
    uint64_t size = indirect ? rng() % 4 : rng() % 64;
    uint64_t ps = rng() % 3;
    uint64_t addr = ((uint64_t)rng() << 12 ^ (uint64_t)rng() << 24) & 0xFFFFFFFFF000ull;
    t.baser0 = 1ull << 63 | (uint64_t)indirect << 62 | addr | ps << 8 | size;
    t.ivm = rng() & 0xff;
    if (indirect) {
        /* the level-1 entries a walk can reach: below the capacity and 2^DevBits */
        uint64_t reach = std::min(t.capacity(), (uint64_t)(1u << kDevBits) / t.epp());
        for (uint64_t i = 0; i < reach; i++) {
            if (rng() % 4)
                continue;
            uint64_t page = ((uint64_t)rng() << 16 ^ (uint64_t)rng() << 28) & 0xFFFFFFFFF000ull;
            uint64_t junk = rng() & 0xfff; /* and, for 16/64 KiB pages, the bits below */
            t.mem[t.iova(t.base() + 8 * i)] = (uint64_t)(rng() % 4 != 0) << 63 | page | junk;
        }
    }
    return t;
}

struct Bench {
    VerilatedContext ctx;
    Vioe_its_devtab *m;

    Bench() { m = new Vioe_its_devtab{&ctx}; }
    ~Bench()
    {
        m->final();
        delete m;
    }

    /* the walk, driven as the sequencer drives it */
    std::vector<std::pair<uint32_t, uint64_t>> walk(const Table &t)
    {
        std::vector<std::pair<uint32_t, uint64_t>> r;
        m->baser0_i = t.baser0;
        m->ivm_i = t.ivm;
        uint32_t dev = 0;
        bool l1ok = false;
        uint64_t l2 = 0;
        /* a slot takes at most two steps (its level-1 entry, then the slot) */
        for (unsigned steps = 0;; steps++) {
            if (steps > 2u << kDevBits) {
                CHECK(!"the walk does not end");
                break;
            }
            m->slot_i = dev;
            m->l1ok_i = l1ok;
            m->l2_i = l2;
            m->eval();
            if (m->slot_end_o)
                break;
            if (m->slot_l1_o) {
                auto e = t.mem.find(m->slot_l1a_o);
                uint64_t l1e = e == t.mem.end() ? 0 : e->second;
                if (!(l1e >> 63)) {
                    dev = (dev | m->slot_pmask_o) + 1;
                } else {
                    m->l1e_i = l1e;
                    m->eval();
                    l2 = m->l1e_page_o;
                    l1ok = true;
                }
                continue;
            }
            r.emplace_back(dev, m->slot_dte_o);
            uint32_t next = dev + 1;
            if ((next ^ dev) & ~m->slot_pmask_o)
                l1ok = false;
            dev = next;
        }
        return r;
    }

    void lookup(const Table &t, uint32_t dev, bool valid)
    {
        m->baser0_i = valid ? t.baser0 : t.baser0 & ~(1ull << 63);
        m->ivm_i = t.ivm;
        m->dev_i = dev;
        m->eval();
        bool fail = !valid || t.beyond(dev);
        CHECK_EQ(m->lk_fail_o, fail);
        if (fail)
            return;
        CHECK_EQ(m->lk_l1_o, t.indirect());
        if (!t.indirect()) {
            CHECK_EQ(m->lk_addr_o, t.iova(t.base() + 8ull * dev));
            return;
        }
        CHECK_EQ(m->lk_addr_o, t.l1_addr(dev));
        auto e = t.mem.find(t.l1_addr(dev));
        m->l1e_i = e == t.mem.end() ? 0 : e->second;
        m->eval();
        CHECK_EQ(m->l1e_dte_o, t.iova(t.l2_page(m->l1e_i) + 8 * (dev % t.epp())));
    }
};

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_devtab");
    std::mt19937 rng(seed);
    Bench b;
    unsigned flat = 0, twolevel = 0, visited = 0;
    for (int n = 0; n < 40; n++) {
        Table t = random_table(rng);
        auto want = t.slots();
        auto got = b.walk(t);
        CHECK_EQ(got.size(), want.size());
        for (size_t i = 0; i < got.size() && i < want.size(); i++) {
            CHECK_EQ(got[i].first, want[i].first);
            CHECK_EQ(got[i].second, want[i].second);
        }
        visited += got.size();
        (t.indirect() ? twolevel : flat)++;
        for (int k = 0; k < 500; k++) {
            uint32_t dev = k % 10 == 0 ? (uint32_t)rng() : rng() % (2u << kDevBits);
            b.lookup(t, dev, k % 50 != 0);
        }
    }
    std::printf("test_its_devtab: %u flat and %u two-level tables, %u slots visited: %s\n", flat,
                twolevel, visited, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
