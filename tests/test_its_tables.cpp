/*
 * SAVE_TABLES and RESTORE_TABLES' order (rtl/src/ioe_its_tables.sv) on its own, the bench
 * playing the sequencer: it holds the walk cursor and copies the unit's outputs into it
 * while the unit is active, answers its walker requests from a host-memory model (flat
 * device table, random latency), keeps the collections and answers the calls (the LPI
 * creation, the free walker) after a few cycles away from STab.
 *   - SAVE_TABLES of random devices, ITTs and collections: the memory afterwards is the
 *     reference's (KVM's ABI rev 0: DTE and ITE next fields, saturated; the collection
 *     table with its terminating zero entry), done without an errno;
 *   - RESTORE_TABLES of what was saved: the collections in table order, one count per
 *     device with its ITT Size, one LPI creation per valid ITE in scan order with that ITE;
 *   - a saved ITE with pINTID < 8192: EINVAL, the device's ITEs freed, then every device,
 *     the counts cleared; an LPI creation that fails: the same clean-up; an ITE read that
 *     fails during SAVE_TABLES: EFAULT.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <cstdint>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <vector>

#include <verilated.h>

#include "Vioe_its_tables.h"
#include "vcheck.h"

namespace
{

enum Kind { WkDev, WkSlot, WkDte, WkIte, WkIteRd, WkCte, WkAgain, WkAddr };

struct Coll {
    uint16_t icid;
    unsigned tgt; /* 9 bits, 0x100: none */
};

struct Call {
    bool lpi, all;
    uint64_t ite;
};

struct Bench {
    Vioe_its_tables *m;
    std::mt19937 &rng;
    std::unordered_map<uint64_t, uint64_t> mem;
    uint64_t bad = ~0ull; /* an address that answers with a DMA error */
    uint64_t dt = 0x100000, ct = 0x200000;
    unsigned nslots = 512; /* one 4 KiB page */
    /* the sequencer's registers */
    uint32_t w_dev = 0, w_ev = 0, w_evn = 0, w_left = 0;
    uint64_t dte = 0, ite = 0, w2 = 0;
    bool dwr = false, active = false, lpi_fail = false, fail_next = false;
    unsigned away = 0, ncoll = 0;
    std::vector<Coll> coll = std::vector<Coll>(16);
    /* the walker */
    unsigned wait = 0;
    uint64_t wa = 0, wdta = 0, rd = 0;
    bool werr = false, wbusy = false;
    /* what the unit did */
    int err = 0;
    bool done = false;
    std::vector<Call> calls;
    std::vector<unsigned> sizes;
    unsigned cnt_max = 0, cnt_clr = 0;

    explicit Bench(std::mt19937 &r) : m(new Vioe_its_tables), rng(r)
    {
        m->rst_ni = 0;
        m->clk_i = 0;
        m->eval();
        m->rst_ni = 1;
        m->eval();
    }
    ~Bench() { delete m; }
    uint64_t rdm(uint64_t a) const
    {
        auto e = mem.find(a);
        return e == mem.end() ? 0 : e->second;
    }
    bool find(uint16_t icid) const
    {
        for (unsigned i = 0; i < ncoll; i++)
            if (coll[i].icid == icid)
                return true;
        return false;
    }

    void tick()
    {
        m->active_i = active;
        m->lpi_fail_i = lpi_fail;
        m->w_dev_i = w_dev;
        m->w_ev_i = w_ev;
        m->w_evn_i = w_evn;
        m->w_left_i = w_left;
        m->dte_i = dte;
        m->ite_i = ite;
        m->dwr_i = dwr;
        m->ncoll_i = ncoll;
        m->ent_icid_i = coll[w_ev & 15].icid;
        m->ent_tgt_i = coll[w_ev & 15].tgt;
        m->c_w2_i = w2;
        m->c_rd1_i = (uint32_t)(w2 >> 16);
        m->c_icid_i = (uint16_t)w2;
        m->ca_hit_i = find((uint16_t)w2);
        m->cb_hit_i = find((uint16_t)ite);
        m->wk_done_i = wbusy && wait == 0;
        m->wk_skip_i = 0;
        m->wk_l1_i = 0;
        m->wk_rd_i = rd;
        m->wk_err_i = werr;
        m->wk_dte_addr_i = wdta;
        m->sl_end_i = w_dev >= nslots;
        m->sl_pmask_i = nslots - 1;
        m->eval();
        if (m->wk_done_i)
            wbusy = false;
        else if (wbusy)
            wait--;
        bool drive = m->start_i || active;
        if (drive) {
            w_dev = m->w_dev_o;
            w_ev = m->w_ev_o;
            w_evn = m->w_evn_o;
            w_left = m->w_left_o;
            dte = m->dte_o;
            ite = m->ite_o;
            if (m->dwr_clr_o)
                dwr = false;
            if (m->err_we_o)
                err = m->err_o;
            if (m->cnt_inc_o)
                sizes.push_back(m->cnt_size_o);
            cnt_max += m->cnt_max_o;
            cnt_clr += m->cnt_clr_o;
            if (m->w2_we_o)
                w2 = m->w2_wd_o;
            if (m->coll_we_o)
                coll[ncoll & 15] = Coll{m->coll_icid_o, m->coll_tgt_o};
            if (m->ncoll_we_o)
                ncoll = m->ncoll_wd_o;
            if (m->wk_go_o) {
                CHECK(!wbusy);
                request();
            }
        }
        if (active && m->done_o) {
            done = true;
            active = false;
        }
        if (active && (m->lpi_go_o || m->free_go_o)) {
            CHECK(!(m->lpi_go_o && m->free_go_o));
            calls.push_back(Call{m->lpi_go_o != 0, m->free_all_o != 0, ite});
            lpi_fail = m->lpi_go_o && fail_next;
            if (lpi_fail)
                err = 28;
            active = false;
            away = 1 + rng() % 5;
        } else if (!active && away && --away == 0) {
            active = true;
        } else if (active) {
            lpi_fail = false;
        }
        m->clk_i = 1;
        m->eval();
        m->start_i = 0;
        m->clk_i = 0;
        m->eval();
    }

    void request()
    {
        unsigned k = m->wk_kind_o;
        uint64_t a;
        switch (k) {
        case WkSlot:
            a = dt + 8ull * w_dev;
            wdta = a;
            break;
        case WkDte: a = wdta; break;
        case WkIte: a = ((dte >> 5 & 0xFFFFFFFFFFFull) << 8) + 8ull * m->wk_ev_o; break;
        case WkIteRd: a = ((rd >> 5 & 0xFFFFFFFFFFFull) << 8) + 8ull * m->wk_ev_o; break;
        case WkCte: a = ct + 8ull * m->wk_ev_o; break;
        case WkAgain: a = wa; break;
        case WkAddr: a = m->wk_addr_o; break;
        default: CHECK(false); a = 0;
        }
        wa = a;
        dwr = m->wk_we_o;
        werr = a == bad;
        if (!werr && m->wk_we_o)
            mem[a] = m->wk_wd_o;
        rd = (werr || m->wk_we_o) ? 0 : rdm(a);
        wbusy = true;
        wait = rng() % 4;
    }

    /* start an operation and run it to done_o */
    void run(bool restore)
    {
        err = 0;
        done = false;
        calls.clear();
        sizes.clear();
        cnt_max = cnt_clr = 0;
        m->start_i = 1;
        m->restore_i = restore;
        active = true;
        for (unsigned n = 0; n < 2000000 && !done; n++)
            tick();
        CHECK(done);
    }
};

struct Dev {
    uint32_t id;
    unsigned size;
    uint64_t itt;
    std::vector<std::pair<uint32_t, uint64_t>> ites; /* EventID, ITE (next 0) */
};

struct Setup {
    std::vector<Dev> devs;
    std::vector<Coll> colls;
    unsigned imax = 0;
};

Setup random_setup(std::mt19937 &rng, Bench &b)
{
    Setup s;
    unsigned nc = 1 + rng() % 8;
    for (unsigned i = 0; i < nc; i++)
        s.colls.push_back(
            Coll{(uint16_t)(i * 3 + rng() % 3), (rng() % 4) ? (unsigned)(rng() % 8) : 0x100u});
    uint32_t id = rng() % 4;
    unsigned nd = 1 + rng() % 12;
    for (unsigned d = 0; d < nd && id < b.nslots; d++) {
        Dev v;
        v.id = id;
        v.size = rng() % 6;
        v.itt = 0x400000 + 0x1000ull * d;
        unsigned n = 2u << v.size;
        for (uint32_t e = 0; e < n; e++)
            if (rng() % 3 == 0) {
                uint64_t lpi = 8192 + rng() % 57000;
                uint16_t icid = s.colls[rng() % nc].icid;
                v.ites.push_back({e, lpi << 16 | icid});
            }
        s.imax = std::max(s.imax, v.size);
        s.devs.push_back(v);
        id += 1 + ((rng() % 4) ? rng() % 5 : rng() % 200);
    }
    return s;
}

/* the live tables (MAPD / MAPTI's format: next fields 0) and the engine's collections */
void lay_out(Bench &b, const Setup &s)
{
    b.mem.clear();
    for (auto &v : s.devs) {
        b.mem[b.dt + 8ull * v.id] = 1ull << 63 | (v.itt >> 8) << 5 | v.size;
        for (auto &e : v.ites)
            b.mem[v.itt + 8ull * e.first] = e.second;
    }
    b.ncoll = (unsigned)s.colls.size();
    for (unsigned i = 0; i < b.ncoll; i++)
        b.coll[i] = s.colls[i];
}

void set_ports(Bench &b, const Setup &s)
{
    b.m->b0v_i = 1;
    b.m->b1v_i = 1;
    b.m->b1_i = 0; /* one 4 KiB page: 512 CTEs */
    b.m->nd_i = (uint32_t)s.devs.size();
    b.m->dmax_i = s.devs.back().id;
    b.m->imax_i = s.imax;
    b.m->nvc_i = 8;
}

/* KVM's saved tables (ABI rev 0) */
std::unordered_map<uint64_t, uint64_t> reference(const Bench &b, const Setup &s)
{
    std::unordered_map<uint64_t, uint64_t> r;
    for (size_t d = 0; d < s.devs.size(); d++) {
        auto &v = s.devs[d];
        uint64_t next =
            d + 1 < s.devs.size() ? std::min<uint64_t>(s.devs[d + 1].id - v.id, 0x3fff) : 0;
        r[b.dt + 8ull * v.id] = 1ull << 63 | next << 49 | (v.itt >> 8) << 5 | v.size;
        for (size_t i = 0; i < v.ites.size(); i++) {
            uint64_t en = i + 1 < v.ites.size()
                              ? std::min<uint64_t>(v.ites[i + 1].first - v.ites[i].first, 0xffff)
                              : 0;
            r[v.itt + 8ull * v.ites[i].first] = en << 48 | (v.ites[i].second & 0xFFFFFFFFFFFFull);
        }
    }
    for (size_t i = 0; i < s.colls.size(); i++) {
        uint64_t tgt = s.colls[i].tgt & 0x100 ? 0xffffffffull : s.colls[i].tgt;
        r[b.ct + 8 * i] = 1ull << 63 | tgt << 16 | s.colls[i].icid;
    }
    r[b.ct + 8 * s.colls.size()] = 0;
    return r;
}

void check_mem(const Bench &b, const std::unordered_map<uint64_t, uint64_t> &r)
{
    for (auto &e : r)
        CHECK_EQ(b.rdm(e.first), e.second);
    for (auto &e : b.mem)
        if (!r.count(e.first))
            CHECK_EQ(e.second, 0);
}

/* RESTORE_TABLES of a well-formed save: collections, counts, LPI creations in order */
void check_restore(Bench &b, const Setup &s)
{
    auto saved = b.mem;
    b.ncoll = 0;
    b.run(true);
    CHECK_EQ(b.err, 0);
    CHECK_EQ(b.ncoll, s.colls.size());
    for (unsigned i = 0; i < b.ncoll && i < s.colls.size(); i++) {
        CHECK_EQ(b.coll[i].icid, s.colls[i].icid);
        CHECK_EQ(b.coll[i].tgt, s.colls[i].tgt);
    }
    CHECK_EQ(b.sizes.size(), s.devs.size());
    for (size_t d = 0; d < b.sizes.size() && d < s.devs.size(); d++)
        CHECK_EQ(b.sizes[d], s.devs[d].size);
    std::vector<uint64_t> want;
    for (auto &v : s.devs)
        for (auto &e : v.ites)
            want.push_back(saved.at(v.itt + 8ull * e.first));
    CHECK_EQ(b.calls.size(), want.size());
    for (size_t i = 0; i < b.calls.size() && i < want.size(); i++) {
        CHECK(b.calls[i].lpi);
        CHECK_EQ(b.calls[i].ite, want[i]);
    }
    CHECK(b.mem == saved);
}

/* a restore that fails in the device dv: errno, the device's ITEs freed, then every device */
void check_failed_restore(Bench &b, int errno_)
{
    CHECK_EQ(b.err, errno_);
    CHECK_EQ(b.ncoll, 0);
    CHECK_EQ(b.cnt_max, 1);
    CHECK_EQ(b.cnt_clr, 1);
    CHECK(b.calls.size() >= 2);
    if (b.calls.size() >= 2) {
        CHECK(!b.calls[b.calls.size() - 2].lpi && !b.calls[b.calls.size() - 2].all);
        CHECK(!b.calls.back().lpi && b.calls.back().all);
    }
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_tables");
    std::mt19937 rng(seed);
    Bench b(rng);
    unsigned devs = 0, ites = 0;
    for (int n = 0; n < 40; n++) {
        Setup s = random_setup(rng, b);
        set_ports(b, s);
        lay_out(b, s);
        b.bad = ~0ull;
        b.run(false);
        CHECK_EQ(b.err, 0);
        check_mem(b, reference(b, s));
        check_restore(b, s);
        devs += (unsigned)s.devs.size();
        for (auto &v : s.devs)
            ites += (unsigned)v.ites.size();

        /* an ITE the restore must refuse (pINTID < 8192) in the last device with ITEs */
        auto saved = b.mem;
        for (auto d = s.devs.rbegin(); d != s.devs.rend(); ++d)
            if (!d->ites.empty()) {
                uint64_t a = d->itt + 8ull * d->ites.back().first;
                b.mem[a] = (b.mem[a] & ~(0xFFFFFFFFull << 16)) | 100ull << 16;
                b.ncoll = 0;
                b.run(true);
                check_failed_restore(b, 22);
                break;
            }
        /* an LPI creation that fails (the sequencer's ENOSPC) */
        if (ites) {
            b.mem = saved;
            b.ncoll = 0;
            b.fail_next = true;
            b.run(true);
            b.fail_next = false;
            bool any = false;
            for (auto &v : s.devs)
                any |= !v.ites.empty();
            if (any)
                check_failed_restore(b, 28);
        }
        /* SAVE_TABLES with an unreadable ITE: EFAULT */
        for (auto &v : s.devs)
            if (!v.ites.empty()) {
                lay_out(b, s);
                b.bad = v.itt + 8ull * v.ites.front().first;
                b.run(false);
                CHECK_EQ(b.err, 14);
                break;
            }
    }
    std::printf("test_its_tables: %u devices, %u ITEs saved and restored, %d failures\n", devs,
                ites, failures);
    return failures != 0;
}
