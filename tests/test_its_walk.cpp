/*
 * The ITS sequencer's table walker (rtl/src/ioe_its_walk.sv) on its own, against a
 * host-memory model behind its DMA port (random response latency, fast-path responses
 * (tag bit 5) interleaved, addresses that answer with an error), with device tables laid
 * out as the ITS table ABI places them (flat and two-level; 4, 16 and 64 KiB pages):
 *   - lookups of DeviceIDs (WkDev): the DTE read from where the reference puts it, the
 *     level-1 entry first for a two-level table; an invalid or unreadable level-1 entry or
 *     a DMA error on the DTE: err_o; dte_addr_o is the DTE's address;
 *   - a walk over every slot (WkSlot), driven as the sequencer drives it (skip_o: next
 *     page): exactly the reference's slots and DTEs in order, each level-1 entry read once;
 *   - writes: the DTE found (WkDte), ITEs (WkIte, WkIteRd), collection-table entries
 *     (WkCte), "zero this entry" (WkAgain) with byte enables, plain addresses (WkAddr):
 *     the memory model afterwards equals the reference's, and every beat has tag 0.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

#include <verilated.h>

#include "Vioe_its_walk.h"
#include "its_devtable.h"
#include "vcheck.h"

namespace
{

enum Kind { WkDev, WkSlot, WkDte, WkIte, WkIteRd, WkCte, WkAgain, WkAddr };

/* host memory: 8-byte words by I/O address (absent: 0), addresses that fail */
struct Mem {
    std::unordered_map<uint64_t, uint64_t> w;
    std::set<uint64_t> bad;
    uint64_t rd(uint64_t a) const
    {
        auto e = w.find(a);
        return e == w.end() ? 0 : e->second;
    }
    void wr(uint64_t a, uint64_t d, unsigned strb)
    {
        uint64_t v = rd(a);
        for (unsigned i = 0; i < 8; i++)
            if (strb >> i & 1)
                v = (v & ~(0xffull << 8 * i)) | (d & 0xffull << 8 * i);
        w[a] = v;
    }
};

/* the device table of BASER0, as the ABI places it, and the collection table */
struct Table : ItsDevTable {
    uint64_t baser1 = 0;

    /* the DTE address of dev, or ~0 when its level-1 entry is invalid or unreadable */
    uint64_t dte_addr(const Mem &m, uint64_t dev) const
    {
        if (!indirect())
            return iova(base() + 8 * dev);
        uint64_t a = l1_addr(dev);
        if (m.bad.count(a) || !(m.rd(a) >> 63))
            return ~0ull;
        return iova(l2_page(m.rd(a)) + 8 * (dev % epp()));
    }
    uint64_t ite_addr(uint64_t dte, uint32_t ev) const
    {
        return iova(((dte >> 5 & 0xFFFFFFFFFFFull) << 8) + 8ull * ev);
    }
    uint64_t cte_addr(uint32_t i) const { return iova((baser1 & 0xFFFFFFFFF000ull) + 8ull * i); }
};

uint64_t rnd_addr(std::mt19937 &rng, uint64_t align)
{
    return ((uint64_t)rng() << 12 ^ (uint64_t)rng() << 24) & 0xFFFFFFFFF000ull & ~(align - 1);
}

Table random_table(std::mt19937 &rng, Mem &mem)
{
    Table t;
    bool indirect = rng() & 1;
    uint64_t size = indirect ? rng() % 4 : rng() % 4;
    uint64_t ps = rng() % 3;
    t.baser0 = 1ull << 63 | (uint64_t)indirect << 62 | rnd_addr(rng, 1) | ps << 8 | size;
    t.baser1 = 1ull << 63 | rnd_addr(rng, 1) | (rng() & 0xff);
    t.ivm = rng() & 0xff;
    if (indirect) {
        uint64_t reach = std::min(t.capacity(), (uint64_t)(1u << kDevBits) / t.epp());
        for (uint64_t i = 0; i < reach; i++) {
            if (rng() % 3)
                continue;
            uint64_t a = t.iova(t.base() + 8 * i);
            mem.w[a] = (uint64_t)(rng() % 4 != 0) << 63 | rnd_addr(rng, 1) | (rng() & 0xfff);
            if (rng() % 8 == 0)
                mem.bad.insert(a);
        }
    }
    return t;
}

struct Bench {
    VerilatedContext ctx;
    Vioe_its_walk *m;
    std::mt19937 &rng;
    Mem *mem = nullptr;
    unsigned beats = 0, l1_reads = 0;
    std::vector<uint64_t> reads; /* the addresses of the last access's beats */

    explicit Bench(std::mt19937 &r) : rng(r)
    {
        m = new Vioe_its_walk{&ctx};
        m->rst_ni = 0;
        m->go_i = 0;
        m->flush_i = 0;
        m->clr_i = 0;
        m->dma_req_ready_i = 0;
        m->dma_rsp_valid_i = 0;
        tick();
        m->rst_ni = 1;
        tick();
    }
    ~Bench()
    {
        m->final();
        delete m;
    }
    void tick()
    {
        m->clk_i = 0;
        m->eval();
        m->clk_i = 1;
        m->eval();
    }
    void set_table(const Table &t)
    {
        m->baser0_i = t.baser0;
        m->baser1_i = t.baser1;
        m->ivm_i = t.ivm;
    }
    void rsp(unsigned tag, bool err, uint64_t data)
    {
        for (int i = 0; i < 3; i++)
            m->dma_rsp_i[i] = 0;
        wide_put(m->dma_rsp_i, 65, 10, tag);
        wide_put(m->dma_rsp_i, 64, 1, err);
        wide_put(m->dma_rsp_i, 0, 64, data);
        m->dma_rsp_valid_i = 1;
    }

    /* one access: returns {done seen, skip}; the beats it made are in `reads` */
    bool access(Kind k, bool we, uint64_t wd, unsigned strb, bool *skip = nullptr)
    {
        reads.clear();
        CHECK(m->idle_o);
        m->kind_i = k;
        m->we_i = we;
        m->wd_i = wd;
        m->strb_i = strb;
        m->go_i = 1;
        m->eval();
        CHECK(!m->done_o);
        tick();
        m->go_i = 0;
        for (unsigned cyc = 0; cyc < 200; cyc++) {
            m->dma_req_ready_i = rng() % 3 != 0;
            m->dma_rsp_valid_i = 0;
            m->eval();
            if (m->dma_req_valid_o && m->dma_req_ready_i) {
                CHECK_EQ(wide_get(m->dma_req_o, 137, 10), 0);
                bool w = wide_get(m->dma_req_o, 136, 1);
                uint64_t a = wide_get(m->dma_req_o, 72, 64);
                uint64_t d = wide_get(m->dma_req_o, 8, 64);
                unsigned s = (unsigned)wide_get(m->dma_req_o, 0, 8);
                CHECK_EQ(a & 7, 0);
                reads.push_back(a);
                beats++;
                tick();
                m->dma_req_ready_i = 0;
                /* a fast-path response (tag 32..63) in between is not the walker's */
                for (unsigned lat = rng() % 4; lat; lat--) {
                    if (rng() % 2)
                        rsp(32 + rng() % 32, false, rng());
                    m->eval();
                    CHECK(!m->done_o);
                    tick();
                    m->dma_rsp_valid_i = 0;
                }
                bool err = mem->bad.count(a) != 0;
                if (w) {
                    CHECK_EQ(s, strb);
                    CHECK(we);
                    if (!err)
                        mem->wr(a, d, s);
                } else {
                    CHECK_EQ(s, 0);
                }
                rsp(0, err, w || err ? 0 : mem->rd(a));
                m->eval();
                if (m->done_o) {
                    if (skip)
                        *skip = m->skip_o;
                    tick();
                    m->dma_rsp_valid_i = 0;
                    m->eval();
                    return true;
                }
                tick();
                m->dma_rsp_valid_i = 0;
                continue;
            }
            if (m->done_o) { /* a level-1 entry that ends the access */
                if (skip)
                    *skip = m->skip_o;
                tick();
                m->eval();
                return true;
            }
            if (m->l1_o)
                l1_reads++;
            tick();
        }
        CHECK(!"the access did not end");
        return false;
    }
};

/* lookups and a write of the DTE each finds, of one of its ITEs and "zero it again" */
void check_lookups(Bench &b, Mem &mem, const Table &t, std::mt19937 &rng)
{
    for (int k = 0; k < 60; k++) {
        uint32_t dev = rng() % 4 ? rng() % 2048 : rng() % (2u << kDevBits);
        b.m->dev_i = dev;
        b.m->eval();
        CHECK_EQ(b.m->lk_fail_o, t.beyond(dev));
        if (t.beyond(dev))
            continue;
        uint64_t da = t.dte_addr(mem, dev);
        if (da != ~0ull && rng() % 2)
            mem.w[da] = 1ull << 63 | (rng() & 0x1FFFFFFFFFFFFull) << 5 | rng() % 16;
        if (da != ~0ull && rng() % 10 == 0)
            mem.bad.insert(da);
        b.access(WkDev, false, 0, 0);
        bool fail = da == ~0ull || mem.bad.count(da);
        CHECK_EQ(b.m->err_o, fail);
        CHECK_EQ(b.reads.size(), (t.indirect() ? 1u : 0u) + (da != ~0ull ? 1u : 0u));
        if (t.indirect())
            CHECK_EQ(b.reads[0], t.l1_addr(dev));
        if (fail)
            continue;
        CHECK_EQ(b.m->dte_addr_o, da);
        uint64_t dte = b.m->rdata_o;
        CHECK_EQ(dte, mem.rd(da));
        /* an ITE of the DTE on rdata_o, then the same entry zeroed with byte enables */
        uint32_t ev = rng() % 64;
        uint64_t ia = t.ite_addr(dte, ev);
        mem.w[ia] = (uint64_t)rng() << 32 | rng();
        b.m->ev_i = ev;
        b.access(WkIteRd, false, 0, 0);
        CHECK_EQ(b.reads.size(), 1u);
        CHECK_EQ(b.reads[0], ia);
        CHECK_EQ(b.m->rdata_o, mem.rd(ia));
        uint64_t before = mem.rd(ia);
        unsigned strb = rng() & 0xff;
        b.access(WkAgain, true, 0, strb);
        CHECK_EQ(b.reads[0], ia);
        uint64_t want = before;
        for (unsigned i = 0; i < 8; i++)
            if (strb >> i & 1)
                want &= ~(0xffull << 8 * i);
        CHECK_EQ(mem.rd(ia), want);
        /* the ITE again through the DTE held by the caller (dte_i), then the DTE written */
        b.m->dte_i = dte;
        b.m->ev_i = ev + 1;
        uint64_t v = (uint64_t)rng() << 32 | rng();
        b.access(WkIte, true, v, 0xff);
        CHECK_EQ(mem.rd(t.ite_addr(dte, ev + 1)), v);
        b.access(WkDte, true, 0, 0xff);
        CHECK_EQ(b.reads[0], da);
        CHECK_EQ(mem.rd(da), 0);
    }
}

/* the walk over every slot as the sequencer drives it; returns the slots visited */
unsigned check_walk(Bench &b, Mem &mem, const Table &t)
{
    std::vector<uint64_t> want;
    std::set<uint64_t> pages;
    for (uint64_t dev = 0; !t.beyond(dev); dev++) {
        uint64_t da = t.dte_addr(mem, dev);
        if (t.indirect())
            pages.insert(dev / t.epp());
        if (da != ~0ull)
            want.push_back(da);
    }
    std::vector<uint64_t> got;
    unsigned l1 = 0, l1_acc = b.l1_reads;
    uint32_t dev = 0;
    b.m->flush_i = 1;
    b.tick();
    b.m->flush_i = 0;
    for (unsigned steps = 0; steps < (4u << kDevBits); steps++) {
        b.m->slot_i = dev;
        b.m->slot_nx_i = dev;
        b.m->eval();
        if (b.m->slot_end_o)
            break;
        bool skip = false;
        b.access(WkSlot, false, 0, 0, &skip);
        l1 += t.indirect() && b.reads.size() >= 1 && b.reads[0] == t.l1_addr(dev);
        uint32_t next = skip ? (dev | (uint32_t)b.m->slot_pmask_o) + 1 : dev + 1;
        if (!skip) {
            CHECK_EQ(b.m->err_o, mem.bad.count(b.reads.back()) != 0);
            got.push_back(b.m->dte_addr_o);
            CHECK_EQ(b.reads.back(), b.m->dte_addr_o);
        } else {
            CHECK(!b.m->err_o);
        }
        /* the walk's DeviceID moves on (the cycle the sequencer's register takes it) */
        b.m->slot_nx_i = next;
        b.m->eval();
        b.tick();
        dev = next;
    }
    CHECK_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); i++)
        CHECK_EQ(got[i], want[i]);
    CHECK_EQ(l1, pages.size()); /* every level-1 entry of the table's reach once */
    unsigned valid = 0;         /* the readable valid ones were accepted (l1_o) */
    for (uint64_t p : pages) {
        uint64_t a = t.iova(t.base() + 8 * p);
        valid += !mem.bad.count(a) && mem.rd(a) >> 63;
    }
    CHECK_EQ(b.l1_reads - l1_acc, valid);
    return (unsigned)got.size();
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_walk");
    std::mt19937 rng(seed);
    Bench b(rng);
    unsigned flat = 0, twolevel = 0, slots = 0;
    for (int n = 0; n < 24; n++) {
        Mem mem;
        Table t = random_table(rng, mem);
        b.mem = &mem;
        b.set_table(t);
        slots += check_walk(b, mem, t);
        check_lookups(b, mem, t, rng);
        /* collection-table entries and plain addresses, one failing */
        for (uint32_t i = 0; i < 4; i++) {
            b.m->ev_i = i;
            uint64_t v = (uint64_t)rng() << 32 | rng();
            b.access(WkCte, true, v, 0xff);
            CHECK_EQ(mem.rd(t.cte_addr(i)), v);
            b.access(WkCte, false, 0, 0);
            CHECK_EQ(b.m->rdata_o, v);
            CHECK(!b.m->err_o);
        }
        uint64_t a = t.iova(rnd_addr(rng, 1) | (rng() & 0xff8));
        mem.bad.insert(a);
        b.m->addr_i = a;
        b.access(WkAddr, false, 0, 0);
        CHECK_EQ(b.reads[0], a);
        CHECK(b.m->err_o);
        b.m->clr_i = 1;
        b.tick();
        b.m->clr_i = 0;
        b.m->eval();
        CHECK(!b.m->err_o);
        (t.indirect() ? twolevel : flat)++;
    }
    std::printf("test_its_walk: %u flat and %u two-level tables, %u slots walked, %u beats: %s\n",
                flat, twolevel, slots, b.beats, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
