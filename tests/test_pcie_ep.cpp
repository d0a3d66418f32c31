// The PCIe card's endpoint at TLP level (docs/pcie.md sections 1-5): the Verilator model of
// ioe_pcie_card_7x (7-series shim, endpoint, ioe_top) driven on its AXI4-Stream ports with
// the TLPs of sim/pcie/pcie_tlp.h, the host's memory and MSI window modelled here. Checks
// completions (fields, splits, partial byte enables), UR, poisoned and malformed TLPs, both
// doorbells into ioe_top's MSI ingress, the requester (through the core's DMA probe: 3- and
// 4-DW headers, split completions, UR/CA, poisoned completions, timeout) and the
// notification ring with MSI-X (masking, PBA, function mask, moderation, full ring). Prints
// the latencies of section 7.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "Vioe_pcie_card_7x.h"
#include "Vioe_pcie_card_7x___024root.h"
#include "Vioe_pcie_ep_dma.h"
#include "pcie_tlp.h"
#include "ioe/pcie_ep.h"
#include "verilated.h"
#include "vcheck.h"

namespace
{

constexpr uint16_t kCardId = 0x0100; // 01:00.0
constexpr uint16_t kRcId = 0x0008;
constexpr uint64_t kBarBase[6] = {0xF0000000, 0, 0xF0100000, 0, 0xF0200000, 0};
constexpr uint64_t kMsiLo = 0xFEE00000, kMsiHi = 0xFEEFFFFF;

// ioe_top's core block (include/ioe/regs.h has the same offsets); BAR2: <ioe/pcie_ep.h>
enum : uint32_t {
    CORE_ID = 0x00,
    CORE_VERSION = 0x04,
    CORE_SCRATCH = 0x0C,
    CORE_MSI_COUNT = 0x40,
    CORE_MSI_DEVID = 0x44,
    CORE_MSI_ADDR_LO = 0x48,
    CORE_MSI_ADDR_HI = 0x4C,
    CORE_MSI_DATA = 0x50,
    CORE_NOTIFY_TEST = 0x70,
    CORE_DMA_ADDR_LO = 0x80,
    CORE_DMA_ADDR_HI = 0x84,
    CORE_DMA_WDATA_LO = 0x88,
    CORE_DMA_WDATA_HI = 0x8C,
    CORE_DMA_CMD = 0x90,
    CORE_DMA_STATUS = 0x94,
    CORE_DMA_RDATA_LO = 0x98,
    CORE_DMA_RDATA_HI = 0x9C,
};

struct Seen {
    std::unique_ptr<pcie_tlp> t;
    uint64_t cycle; // the cycle its first beat left the card
};

struct Card {
    std::unique_ptr<Vioe_pcie_card_7x> m{new Vioe_pcie_card_7x};
    uint64_t cycle = 0;
    struct Beat {
        uint64_t d;
        uint8_t k;
        bool last;
        uint32_t user;
    };
    std::deque<Beat> rxq;
    uint64_t rx_first = 0, rx_last_first = 0; // first beat of the last TLP taken
    bool rx_at_sop = true;
    std::vector<uint64_t> txd;
    std::vector<uint8_t> txk;
    uint64_t tx_first = 0;
    std::deque<Seen> cpls;            // completions from the card
    std::vector<Seen> log;            // requests from the card (MRd, MWr) in order
    std::vector<Seen> msix;           // memory writes into the MSI window
    std::map<uint64_t, uint32_t> mem; // host memory by DW address
    std::vector<std::pair<uint64_t, std::unique_ptr<pcie_tlp>>> due; // completions to send
    unsigned mem_latency = 20;
    // a memory read's answer other than the host memory's: return true when handled
    std::function<bool(const pcie_tlp &)> on_mrd;
    uint64_t msi_fires = 0, msi_fire_cycle = 0, notify_fire_cycle = 0;
    struct Msi {
        uint32_t devid;
        uint64_t addr;
        uint32_t data;
        uint64_t cycle;
    };
    std::vector<Msi> msis; // every MSI ioe_top's ingress took
    uint8_t tag = 0;
    bool tx_ready = true; // s_axis_tx_tready: false holds the card's transmit stream

    Card()
    {
        m->cfg_bus_number = 1;
        m->cfg_device_number = 0;
        m->cfg_function_number = 0;
        set_mps(1);
        m->cfg_interrupt_msixenable = 1;
        m->cfg_interrupt_msixfm = 0;
        m->user_lnk_up = 1;
        m->user_reset_out = 1;
        for (int i = 0; i < 5; i++)
            tick();
        m->user_reset_out = 0;
        tick();
    }
    void set_mps(unsigned mps) { m->cfg_dcommand = (uint16_t)((2u << 12) | (mps << 5)); }

    void tick()
    {
        if (!rxq.empty()) {
            m->m_axis_rx_tvalid = 1;
            m->m_axis_rx_tdata = rxq.front().d;
            m->m_axis_rx_tkeep = rxq.front().k;
            m->m_axis_rx_tlast = rxq.front().last;
            m->m_axis_rx_tuser = rxq.front().user;
        } else {
            m->m_axis_rx_tvalid = 0;
        }
        m->s_axis_tx_tready = tx_ready;
        m->user_clk_out = 0;
        m->eval();
        bool rx_fire = m->m_axis_rx_tvalid && m->m_axis_rx_tready;
        bool tx_fire = m->s_axis_tx_tvalid && tx_ready;
        uint64_t td = m->s_axis_tx_tdata;
        uint8_t tk = m->s_axis_tx_tkeep;
        bool tl = m->s_axis_tx_tlast;
        auto *r = m->rootp;
        if (r->ioe_pcie_card_7x__DOT__msi_valid && r->ioe_pcie_card_7x__DOT__msi_ready) {
            msi_fires++;
            msi_fire_cycle = cycle;
            msis.push_back({r->ioe_pcie_card_7x__DOT__msi_devid, r->ioe_pcie_card_7x__DOT__msi_addr,
                            r->ioe_pcie_card_7x__DOT__msi_data, cycle});
        }
        if (r->ioe_pcie_card_7x__DOT__nvalid && r->ioe_pcie_card_7x__DOT__nready)
            notify_fire_cycle = cycle;
        m->user_clk_out = 1;
        m->eval();
        if (rx_fire) {
            if (rx_at_sop)
                rx_last_first = cycle;
            rx_at_sop = rxq.front().last;
            rxq.pop_front();
        }
        if (tx_fire) {
            if (txd.empty())
                tx_first = cycle;
            txd.push_back(td);
            txk.push_back(tk);
            if (tl)
                took_tlp();
        }
        for (size_t i = 0; i < due.size();) {
            if (due[i].first <= cycle && rxq.empty()) {
                send(*due[i].second, -1);
                due.erase(due.begin() + (long)i);
            } else {
                i++;
            }
        }
        cycle++;
    }
    void run(unsigned n)
    {
        while (n--)
            tick();
    }
    template <class P> bool run_until(P pred, unsigned max = 20000)
    {
        for (unsigned i = 0; i < max; i++) {
            if (pred())
                return true;
            tick();
        }
        return pred();
    }

    void took_tlp()
    {
        std::unique_ptr<pcie_tlp> t(new pcie_tlp);
        int rc = pcie_axis_unpack(t.get(), txd.data(), txk.data(), txd.size());
        CHECK_EQ(rc, 0);
        txd.clear();
        txk.clear();
        unsigned k = pcie_tlp_fmt_type(t.get());
        if ((k & 0x1F) == 0x0A) {
            cpls.push_back({std::move(t), tx_first});
            return;
        }
        CHECK((k & 0x1F) == 0); // the card sends memory requests only
        CHECK_EQ(pcie_tlp_req_id(t.get()), kCardId);
        CHECK(pcie_tlp_has_data(t.get()) || pcie_tlp_length(t.get()) == 2);
        CHECK_EQ(pcie_tlp_4dw(t.get()), (pcie_tlp_addr(t.get()) >> 32) != 0);
        if (pcie_tlp_has_data(t.get())) {
            CHECK_EQ(t->ndata, pcie_tlp_length(t.get()));
            uint64_t a = pcie_tlp_addr(t.get());
            if (a >= kMsiLo && a <= kMsiHi) {
                msix.push_back({std::move(t), tx_first});
                return;
            } else {
                for (unsigned i = 0; i < t->ndata; i++) {
                    unsigned be = i == 0 ? pcie_tlp_first_be(t.get())
                                         : (i + 1 == t->ndata ? pcie_tlp_last_be(t.get()) : 0xF);
                    uint32_t &w = mem[a / 4 + i];
                    for (unsigned b = 0; b < 4; b++)
                        if ((be >> b) & 1)
                            w = (w & ~(0xFFu << 8 * b)) | (t->data[i] & (0xFFu << 8 * b));
                }
            }
        } else if (!on_mrd || !on_mrd(*t)) {
            uint64_t a = pcie_tlp_addr(t.get());
            uint32_t d[2] = {mem[a / 4], mem[a / 4 + 1]};
            complete(*t, PCIE_CPL_SC, d, 2, 8, a & 0x7F, mem_latency);
        }
        log.push_back({std::move(t), tx_first});
    }
    // a completion of the card's read req, sent after `after` cycles
    void complete(const pcie_tlp &req, unsigned status, const uint32_t *d, unsigned n, unsigned bc,
                  unsigned la, unsigned after, bool poison = false)
    {
        std::unique_ptr<pcie_tlp> c(new pcie_tlp);
        pcie_tlp_cpl(c.get(), kRcId, status, bc, kCardId, pcie_tlp_tag(&req), la, d, n);
        if (poison)
            c->hdr[0] |= 1u << 14;
        due.emplace_back(cycle + after, std::move(c));
    }

    void send(const pcie_tlp &t, int bar, bool err_fwd = false)
    {
        std::vector<uint64_t> d(2 + PCIE_TLP_MAX_DW / 2 + 1);
        std::vector<uint8_t> k(d.size());
        size_t n = pcie_axis_pack(&t, d.data(), k.data());
        for (size_t i = 0; i < n; i++)
            rxq.push_back({d[i], k[i], i + 1 == n, pcie_axis_rx_tuser(bar, err_fwd)});
    }
    void send_beats(const std::vector<uint64_t> &d, const std::vector<uint8_t> &k, int bar)
    {
        for (size_t i = 0; i < d.size(); i++)
            rxq.push_back({d[i], k[i], i + 1 == d.size(), pcie_axis_rx_tuser(bar, false)});
    }

    // memory read of n DWs at BAR offset off; returns the completions of its tag
    std::vector<Seen> read(int bar, uint64_t off, unsigned n, unsigned fbe = 0xF,
                           unsigned lbe = 0xF, unsigned max = 4000)
    {
        pcie_tlp t;
        uint8_t tg = tag++;
        pcie_tlp_mem(&t, false, kBarBase[bar] + off, n, fbe, lbe, kRcId, tg, nullptr);
        return read_tlp(t, bar, max);
    }
    std::vector<Seen> read_tlp(const pcie_tlp &t, int bar, unsigned max = 4000)
    {
        cpls.clear();
        send(t, bar);
        std::vector<Seen> got;
        run_until(
            [&] {
                while (!cpls.empty()) {
                    got.push_back(std::move(cpls.front()));
                    cpls.pop_front();
                }
                if (got.empty())
                    return false;
                const pcie_tlp *c = got.back().t.get();
                return pcie_cpl_status(c) != 0 || !pcie_tlp_has_data(c) ||
                       pcie_cpl_byte_count(c) <= 4 * c->ndata;
            },
            max);
        for (auto &g : got)
            CHECK_EQ(pcie_tlp_tag(g.t.get()), pcie_tlp_tag(&t));
        return got;
    }
    uint32_t rd32(int bar, uint64_t off)
    {
        auto c = read(bar, off, 1);
        CHECK_EQ(c.size(), 1);
        if (c.size() != 1 || c[0].t->ndata != 1)
            return 0xDEADBEEF;
        CHECK_EQ(pcie_cpl_status(c[0].t.get()), PCIE_CPL_SC);
        return c[0].t->data[0];
    }
    void write(int bar, uint64_t off, std::vector<uint32_t> d, unsigned fbe = 0xF,
               unsigned lbe = 0xF, uint16_t rid = kRcId)
    {
        pcie_tlp t;
        pcie_tlp_mem(&t, true, kBarBase[bar] + off, (unsigned)d.size(), fbe, lbe, rid, 0, d.data());
        send(t, bar);
        run_until([&] { return rxq.empty(); });
        run(12); // the writes reach their target
    }
    void wr32(int bar, uint64_t off, uint32_t v) { write(bar, off, {v}); }
};

// ---------------------------------------------------------------- completer
void test_bar2_cpl_fields(Card &c)
{
    pcie_tlp t;
    pcie_tlp_mem(&t, false, kBarBase[2] + IOE_EP_ID, 1, 0xF, 0, 0x1234, 0x5A, nullptr);
    t.hdr[0] |= (3u << 20) | (1u << 12); // TC 3, No Snoop
    auto got = c.read_tlp(t, 2);
    CHECK_EQ(got.size(), 1);
    if (got.size() != 1)
        return;
    const pcie_tlp *p = got[0].t.get();
    CHECK_EQ(pcie_tlp_fmt_type(p), PCIE_CPLD);
    CHECK_EQ(pcie_tlp_length(p), 1);
    CHECK_EQ(p->hdr[0] & 0x00F0F000u, (3u << 20) | (1u << 12));
    CHECK_EQ(pcie_cpl_completer(p), kCardId);
    CHECK_EQ(pcie_cpl_status(p), PCIE_CPL_SC);
    CHECK_EQ(pcie_cpl_byte_count(p), 4);
    CHECK_EQ(pcie_tlp_req_id(p), 0x1234);
    CHECK_EQ(pcie_tlp_tag(p), 0x5A);
    CHECK_EQ(pcie_cpl_lower_addr(p), 0);
    CHECK_EQ(p->data[0], 0x10E00C1E);
    CHECK_EQ(c.rd32(2, 0x04), 1);
    CHECK_EQ(c.rd32(2, IOE_EP_CPL_TIMEOUT_US), 50000);
}

void test_bar0(Card &c)
{
    CHECK_EQ(c.rd32(0, CORE_ID), 0x494f4543);
    // four DWs at once
    auto got = c.read(0, 0, 4);
    CHECK_EQ(got.size(), 1);
    if (got.size() == 1) {
        CHECK_EQ(got[0].t->ndata, 4);
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 16);
        CHECK_EQ(got[0].t->data[0], 0x494f4543);
        CHECK_EQ(got[0].t->data[1], 0x100);
    }
    // a 4-DW header: the same BAR at a 64-bit address
    pcie_tlp t;
    pcie_tlp_request(&t, PCIE_MRD64, 0x4000000000ull + CORE_VERSION, 1, 0xF, 0, kRcId, 7, nullptr);
    got = c.read_tlp(t, 0);
    CHECK(got.size() == 1 && got[0].t->data[0] == 0x100);
    // a 4-DW header with data: one DW to BAR0, three to BAR2
    uint32_t w4[3] = {0x13572468, 0, 0};
    pcie_tlp_request(&t, PCIE_MWR64, 0x4000000000ull + CORE_SCRATCH, 1, 0xF, 0, kRcId, 0, w4);
    c.send(t, 0);
    c.run(40);
    CHECK_EQ(c.rd32(0, CORE_SCRATCH), 0x13572468);
    c.wr32(2, IOE_EP_DB_BASE_VM, 3);
    uint32_t w5[3] = {0x33330000, 0x00000003, 0x3};
    pcie_tlp_request(&t, PCIE_MWR64, 0x4000100000ull + IOE_EP_DB_BASE_LO, 3, 0xF, 0xF, kRcId, 0,
                     w5);
    c.send(t, 2);
    c.run(40);
    CHECK_EQ(c.rd32(2, IOE_EP_DB_BASE_LO), 0x33330000);
    CHECK_EQ(c.rd32(2, IOE_EP_DB_BASE_HI), 3);
    // writes: 1 DW, partial byte enables, and back
    c.wr32(0, CORE_SCRATCH, 0x11223344);
    CHECK_EQ(c.rd32(0, CORE_SCRATCH), 0x11223344);
    c.write(0, CORE_SCRATCH, {0xAABBCCDD}, 0x6, 0);
    CHECK_EQ(c.rd32(0, CORE_SCRATCH), 0x11BBCC44);
    // a read with partial byte enables: byte count 2, lower address of its first byte
    got = c.read(0, CORE_SCRATCH, 1, 0x6, 0);
    CHECK(got.size() == 1);
    if (got.size() == 1) {
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 2);
        CHECK_EQ(pcie_cpl_lower_addr(got[0].t.get()), 0x0D);
        CHECK_EQ(got[0].t->data[0], 0x11BBCC44);
    }
    // a zero-length read: byte count 1
    got = c.read(0, CORE_SCRATCH, 1, 0x0, 0);
    CHECK(got.size() == 1 && pcie_cpl_byte_count(got[0].t.get()) == 1);
    // unaligned multi-DW: bytes 0x6..0xD
    got = c.read(0, 0x4, 3, 0xC, 0x3);
    CHECK(got.size() == 1);
    if (got.size() == 1) {
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 8);
        CHECK_EQ(pcie_cpl_lower_addr(got[0].t.get()), 0x06);
        CHECK_EQ(got[0].t->ndata, 3);
    }
    // 20 DWs over offsets the core block does not have (AXI error): Completer Abort for
    // the rest of the read
    got = c.read(0, 0, 20);
    CHECK_EQ(got.size(), 1);
    if (got.size() == 1) {
        CHECK_EQ(pcie_tlp_fmt_type(got[0].t.get()), PCIE_CPL);
        CHECK_EQ(pcie_cpl_status(got[0].t.get()), PCIE_CPL_CA);
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 80);
    }
    // a multi-DW write: SCRATCH and the next (read-only) DWs
    c.write(0, CORE_SCRATCH, {0x55667788, 0x1, 0x2});
    CHECK_EQ(c.rd32(0, CORE_SCRATCH), 0x55667788);
}

void test_bar2_split(Card &c)
{
    c.wr32(2, IOE_EP_DB_BASE_VM, 1);
    c.write(2, IOE_EP_DB_BASE_LO, {0x08010000, 0x00000002});
    // 20 DWs: a whole 64-byte block, then the rest
    auto got = c.read(2, 0, 20);
    CHECK_EQ(got.size(), 2);
    if (got.size() == 2) {
        CHECK_EQ(got[0].t->ndata, 16);
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 80);
        CHECK_EQ(pcie_cpl_lower_addr(got[0].t.get()), 0);
        CHECK_EQ(got[0].t->data[0], 0x10E00C1E);
        CHECK_EQ(got[0].t->data[13], 0x08010000);
        CHECK_EQ(got[0].t->data[14], 2);
        CHECK_EQ(got[1].t->ndata, 4);
        CHECK_EQ(pcie_cpl_byte_count(got[1].t.get()), 16);
        CHECK_EQ(pcie_cpl_lower_addr(got[1].t.get()), 0x40);
    }
    // 0x38..0x57: two DWs before the boundary, six after
    got = c.read(2, IOE_EP_DB_BASE_HI, 8);
    CHECK_EQ(got.size(), 2);
    if (got.size() == 2) {
        CHECK_EQ(got[0].t->ndata, 2);
        CHECK_EQ(pcie_cpl_byte_count(got[0].t.get()), 32);
        CHECK_EQ(pcie_cpl_lower_addr(got[0].t.get()), 0x38);
        CHECK_EQ(got[0].t->data[0], 2);
        CHECK_EQ(got[1].t->ndata, 6);
        CHECK_EQ(pcie_cpl_byte_count(got[1].t.get()), 24);
        CHECK_EQ(pcie_cpl_lower_addr(got[1].t.get()), 0x40);
    }
    CHECK_EQ(c.rd32(2, IOE_EP_DB_BASE_LO), 0x08010000);
    c.wr32(2, IOE_EP_NRING_LOG2, 40);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_LOG2), 16);
    c.wr32(2, IOE_EP_NRING_LOG2, 1);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_LOG2), 4);
}

// ---------------------------------------------------------------- doorbells
void test_doorbells(Card &c)
{
    uint32_t n0 = c.rd32(0, CORE_MSI_COUNT);
    // libioe's doorbell: one 4-DW write
    c.write(2, IOE_EP_DB_ADDR_LO, {0x12340040, 0x00030000, 0x77, 0x5});
    CHECK_EQ(c.rd32(0, CORE_MSI_COUNT), n0 + 1);
    CHECK_EQ(c.rd32(0, CORE_MSI_DEVID), 0x77);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_LO), 0x12340040);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_HI), 0x00030000);
    CHECK_EQ(c.rd32(0, CORE_MSI_DATA), 0x5);
    // and as 1-DW writes: DB_DATA triggers it
    c.wr32(2, IOE_EP_DB_ADDR_LO + 8, 0x78);
    CHECK_EQ(c.rd32(0, CORE_MSI_COUNT), n0 + 1);
    c.wr32(2, IOE_EP_DB_ADDR_LO + 12, 0x6);
    CHECK_EQ(c.rd32(0, CORE_MSI_COUNT), n0 + 2);
    CHECK_EQ(c.rd32(0, CORE_MSI_DEVID), 0x78);
    // a device doorbell: page 2, offset 0x40, from requester 0a:02.0
    c.wr32(2, IOE_EP_DB_BASE_VM, 2);
    c.write(2, IOE_EP_DB_BASE_LO, {0x08020000, 0});
    c.write(4, 2 * 4096 + 0x40, {0x21}, 0xF, 0, 0x0a10);
    CHECK_EQ(c.rd32(0, CORE_MSI_COUNT), n0 + 3);
    CHECK_EQ(c.rd32(0, CORE_MSI_DEVID), 0x0a10);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_LO), 0x08020040);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_HI), 0x00020000);
    CHECK_EQ(c.rd32(0, CORE_MSI_DATA), 0x21);
    CHECK_EQ(c.rd32(4, 0x40), 0); // reads of BAR4 return 0
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_DOORBELL), 3);
    // a page serves the VM context DB_PAGE_VM says (reset: its index): page 2 for VM 5, so
    // a VM can have a page per ITS
    CHECK_EQ(c.rd32(2, IOE_EP_DB_PAGE_VM), 2);
    c.wr32(2, IOE_EP_DB_PAGE_VM, 5);
    CHECK_EQ(c.rd32(2, IOE_EP_DB_PAGE_VM), 5);
    c.write(4, 2 * 4096 + 0x40, {0x22}, 0xF, 0, 0x0a10);
    CHECK_EQ(c.rd32(0, CORE_MSI_COUNT), n0 + 4);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_LO), 0x08020040);
    CHECK_EQ(c.rd32(0, CORE_MSI_ADDR_HI), 0x00050000);
    c.wr32(2, IOE_EP_DB_PAGE, 1); // another page keeps its own
    CHECK_EQ(c.rd32(2, IOE_EP_DB_PAGE_VM), 1);
    c.wr32(2, IOE_EP_DB_PAGE, 2);
    c.wr32(2, IOE_EP_DB_PAGE_VM, 2);
}

// ---------------------------------------------------------------- UR, poisoned, malformed
void expect_ur_cpl(Card &c, const pcie_tlp &t, int bar, unsigned bc)
{
    auto got = c.read_tlp(t, bar);
    CHECK_EQ(got.size(), 1);
    if (got.size() != 1)
        return;
    const pcie_tlp *p = got[0].t.get();
    CHECK_EQ(pcie_tlp_fmt_type(p), PCIE_CPL);
    CHECK_EQ(pcie_cpl_status(p), PCIE_CPL_UR);
    CHECK_EQ(pcie_cpl_completer(p), kCardId);
    CHECK_EQ(pcie_cpl_byte_count(p), bc);
    CHECK_EQ(pcie_tlp_req_id(p), kRcId);
}

void expect_silence(Card &c, const pcie_tlp &t, int bar, bool err_fwd = false)
{
    c.cpls.clear();
    c.send(t, bar, err_fwd);
    c.run_until([&] { return c.rxq.empty(); });
    c.run(100);
    CHECK_EQ(c.cpls.size(), 0);
}

void test_ur(Card &c)
{
    uint32_t ur0 = c.rd32(2, IOE_EP_CNT_UR);
    pcie_tlp t;
    uint32_t one = 1;
    pcie_tlp_request(&t, PCIE_IORD, 0x1000, 1, 0xF, 0, kRcId, 1, nullptr);
    expect_ur_cpl(c, t, -1, 4);
    pcie_tlp_request(&t, PCIE_IOWR, 0x1000, 1, 0xF, 0, kRcId, 2, &one);
    expect_ur_cpl(c, t, -1, 4);
    pcie_tlp_request(&t, PCIE_CFGRD0, 0x01000010, 1, 0xF, 0, kRcId, 3, nullptr);
    expect_ur_cpl(c, t, -1, 4);
    pcie_tlp_request(&t, PCIE_CFGWR1, 0x01000010, 1, 0xF, 0, kRcId, 4, &one);
    expect_ur_cpl(c, t, -1, 4);
    pcie_tlp_request(&t, PCIE_MRDLK32, kBarBase[0], 1, 0xF, 0, kRcId, 5, nullptr);
    expect_ur_cpl(c, t, 0, 4);
    pcie_tlp_request(&t, PCIE_FETCHADD32, kBarBase[0], 1, 0xF, 0, kRcId, 6, &one);
    expect_ur_cpl(c, t, 0, 4);
    pcie_tlp_mem(&t, false, 0xE0000000, 2, 0xF, 0xF, kRcId, 7, nullptr); // no BAR hit
    expect_ur_cpl(c, t, -1, 8);
    pcie_tlp_mem(&t, false, 0xE0000000, 1, 0xF, 0, kRcId, 8, nullptr); // BAR1
    expect_ur_cpl(c, t, 1, 4);
    // posted: dropped, counted
    pcie_tlp_request(&t, PCIE_MSG, 0, 0, 0, 0, kRcId, 0, nullptr);
    t.hdr[1] |= 0x7F; // Vendor_Defined Type 1
    expect_silence(c, t, -1);
    pcie_tlp_mem(&t, true, 0xE0000000, 1, 0xF, 0, kRcId, 0, &one);
    expect_silence(c, t, -1);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_UR), ur0 + 10);
}

void test_poisoned_malformed(Card &c)
{
    c.wr32(0, CORE_SCRATCH, 0x0BADF00D);
    uint32_t p0 = c.rd32(2, IOE_EP_CNT_POISONED), m0 = c.rd32(2, IOE_EP_CNT_MALFORMED);
    uint32_t d[64] = {0xAAAAAAAA, 0xBBBBBBBB};
    pcie_tlp t;
    // poisoned: EP bit, err_fwd, a read
    pcie_tlp_mem(&t, true, kBarBase[0] + CORE_SCRATCH, 1, 0xF, 0, kRcId, 0, d);
    t.hdr[0] |= 1u << 14;
    expect_silence(c, t, 0);
    pcie_tlp_mem(&t, true, kBarBase[0] + CORE_SCRATCH, 1, 0xF, 0, kRcId, 0, d);
    expect_silence(c, t, 0, true);
    pcie_tlp_mem(&t, false, kBarBase[0] + CORE_SCRATCH, 1, 0xF, 0, kRcId, 9, nullptr);
    t.hdr[0] |= 1u << 14;
    expect_silence(c, t, 0);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_POISONED), p0 + 3);
    // malformed: Length 2 with one DW, Length 1 with two
    pcie_tlp_mem(&t, true, kBarBase[0] + CORE_SCRATCH, 2, 0xF, 0xF, kRcId, 0, d);
    t.ndata = 1;
    expect_silence(c, t, 0);
    pcie_tlp_mem(&t, true, kBarBase[0] + CORE_SCRATCH, 1, 0xF, 0, kRcId, 0, d);
    t.ndata = 2;
    expect_silence(c, t, 0);
    // over Max_Payload_Size (128 bytes)
    c.set_mps(0);
    pcie_tlp_mem(&t, true, kBarBase[0] + CORE_SCRATCH, 33, 0xF, 0xF, kRcId, 0, d);
    expect_silence(c, t, 0);
    c.set_mps(1);
    // a read crossing 4 KiB; a read with payload; a TLP that ends inside its header
    pcie_tlp_mem(&t, false, kBarBase[0] + 0xFFC, 2, 0xF, 0xF, kRcId, 10, nullptr);
    expect_silence(c, t, 0);
    pcie_tlp_mem(&t, false, kBarBase[0] + CORE_SCRATCH, 1, 0xF, 0, kRcId, 11, nullptr);
    t.ndata = 1;
    expect_silence(c, t, 0);
    c.send_beats({0x0000000100000040ull}, {0xFF}, 0);
    c.run(100);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_MALFORMED), m0 + 6);
    CHECK_EQ(c.rd32(0, CORE_SCRATCH), 0x0BADF00D); // nothing was written
}

// ---------------------------------------------------------------- requester
// one DMA probe access of ioe_top's core; returns DMA_STATUS (busy, done, err)
uint32_t probe(Card &c, uint64_t addr, bool write, uint64_t wdata = 0, unsigned strb = 0xFF,
               uint64_t *rdata = nullptr)
{
    c.write(0, CORE_DMA_ADDR_LO,
            {(uint32_t)addr, (uint32_t)(addr >> 32), (uint32_t)wdata, (uint32_t)(wdata >> 32)});
    c.wr32(0, CORE_DMA_CMD, 1u | (write ? 2u : 0u) | (strb << 8));
    uint32_t st = 0;
    for (int i = 0; i < 60; i++) {
        st = c.rd32(0, CORE_DMA_STATUS);
        if (!(st & 1))
            break;
        c.run(40);
    }
    if (rdata) {
        auto got = c.read(0, CORE_DMA_RDATA_LO, 2);
        *rdata = got.size() == 1 ? got[0].t->data[0] | (uint64_t)got[0].t->data[1] << 32 : 0;
    }
    return st;
}

void test_dma(Card &c)
{
    c.mem[0x1000 / 4] = 0x55667788;
    c.mem[0x1004 / 4] = 0x11223344;
    uint64_t v = 0;
    size_t l0 = c.log.size();
    CHECK_EQ(probe(c, 0x1000, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0x1122334455667788ull);
    CHECK_EQ(c.log.size(), l0 + 1);
    if (c.log.size() == l0 + 1) {
        const pcie_tlp *r = c.log.back().t.get();
        CHECK_EQ(pcie_tlp_fmt_type(r), PCIE_MRD32);
        CHECK_EQ(pcie_tlp_length(r), 2);
        CHECK_EQ(pcie_tlp_first_be(r), 0xF);
        CHECK_EQ(pcie_tlp_last_be(r), 0xF);
        CHECK_EQ(pcie_tlp_addr(r), 0x1000);
    }
    // above 4 GiB: a 4-DW header
    c.mem[0x100002000ull / 4] = 0xCAFE;
    CHECK_EQ(probe(c, 0x100002000ull, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0xCAFE);
    CHECK_EQ(pcie_tlp_fmt_type(c.log.back().t.get()), PCIE_MRD64);
    // a write above 4 GiB: MWr with a 4-DW header
    CHECK_EQ(probe(c, 0x100003000ull, true, 0x0A0B0C0D01020304ull), 2);
    CHECK_EQ(pcie_tlp_fmt_type(c.log.back().t.get()), PCIE_MWR64);
    CHECK_EQ(c.mem[0x100003000ull / 4], 0x01020304);
    CHECK_EQ(c.mem[0x100003004ull / 4], 0x0A0B0C0D);
    // writes: both DWs, the lower, the upper
    CHECK_EQ(probe(c, 0x3000, true, 0x0102030405060708ull), 2);
    CHECK_EQ(c.mem[0x3000 / 4], 0x05060708);
    CHECK_EQ(c.mem[0x3004 / 4], 0x01020304);
    CHECK_EQ(pcie_tlp_length(c.log.back().t.get()), 2);
    CHECK_EQ(probe(c, 0x3008, true, 0xAAAAAAAA99999999ull, 0x0F), 2);
    CHECK_EQ(pcie_tlp_length(c.log.back().t.get()), 1);
    CHECK_EQ(pcie_tlp_addr(c.log.back().t.get()), 0x3008);
    CHECK_EQ(probe(c, 0x3010, true, 0xBBBBBBBB77777777ull, 0xC0), 2);
    CHECK_EQ(pcie_tlp_addr(c.log.back().t.get()), 0x3014);
    CHECK_EQ(pcie_tlp_first_be(c.log.back().t.get()), 0xC);
    CHECK_EQ(c.mem[0x3008 / 4], 0x99999999);
    CHECK_EQ(c.mem[0x3014 / 4], 0xBBBB0000);

    // a read answered by two completions, the second 40 cycles after the first
    c.on_mrd = [&](const pcie_tlp &r) {
        uint32_t a = 0xD1, b = 0xD2;
        c.complete(r, PCIE_CPL_SC, &a, 1, 8, 0, 10);
        c.complete(r, PCIE_CPL_SC, &b, 1, 4, 4, 50);
        return true;
    };
    CHECK_EQ(probe(c, 0x4000, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0x000000D2000000D1ull);
    // UR and CA completions, a poisoned one: errors on the port
    uint32_t e0 = c.rd32(2, IOE_EP_CNT_CPL_ERROR), t0 = c.rd32(2, IOE_EP_CNT_CPL_TIMEOUT);
    for (unsigned st : {(unsigned)PCIE_CPL_UR, (unsigned)PCIE_CPL_CA}) {
        c.on_mrd = [&, st](const pcie_tlp &r) {
            c.complete(r, st, nullptr, 0, 8, 0, 10);
            return true;
        };
        CHECK_EQ(probe(c, 0x4000, false), 6);
    }
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_ERROR), e0 + 2);
    // no completion at all: the timeout (2 us) answers with an error
    c.wr32(2, IOE_EP_CPL_TIMEOUT_US, 2);
    std::unique_ptr<pcie_tlp> lost;
    c.on_mrd = [&](const pcie_tlp &r) {
        lost.reset(new pcie_tlp(r));
        return true;
    };
    CHECK_EQ(probe(c, 0x4000, false), 6);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_TIMEOUT), t0 + 1);
    // a poisoned completion is dropped: the read times out too
    c.on_mrd = [&](const pcie_tlp &r) {
        uint32_t d[2] = {1, 2};
        c.complete(r, PCIE_CPL_SC, d, 2, 8, 0, 10, true);
        return true;
    };
    CHECK_EQ(probe(c, 0x4000, false), 6);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_TIMEOUT), t0 + 2);
    // the late completion of the lost read is ignored; the next read works
    c.on_mrd = nullptr;
    if (lost) {
        uint32_t d[2] = {0xBAD, 0xBAD};
        c.complete(*lost, PCIE_CPL_SC, d, 2, 8, 0, 0);
        c.run(50);
    }
    CHECK_EQ(probe(c, 0x1000, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0x1122334455667788ull);
    // A tag that timed out is not reused while its completion may still come (it stays out
    // of use until 2 x CPL_TIMEOUT_US after the request): a read lost, the next read issued right
    // after the timeout, the lost read's late completion arriving while that read waits for its
    // own. The late one is dropped and counted in CNT_CPL_UNEXPECTED; the waiting read gets its
    // data. (With the tag reused at once, the late completion answered the new read.)
    c.wr32(2, IOE_EP_CPL_TIMEOUT_US, 6);
    uint32_t u0 = c.rd32(2, IOE_EP_CNT_CPL_UNEXPECTED), t1 = c.rd32(2, IOE_EP_CNT_CPL_TIMEOUT);
    lost.reset();
    c.on_mrd = [&](const pcie_tlp &r) {
        lost.reset(new pcie_tlp(r));
        return true;
    };
    CHECK_EQ(probe(c, 0x4000, false), 6);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_TIMEOUT), t1 + 1);
    uint8_t next_tag = 0xFF;
    c.on_mrd = [&](const pcie_tlp &r) {
        next_tag = pcie_tlp_tag(&r);
        uint32_t bad[2] = {0xBAD0, 0xBAD1}, d[2] = {0x55667788, 0x11223344};
        if (lost)
            c.complete(*lost, PCIE_CPL_SC, bad, 2, 8, 0, 5);
        c.complete(r, PCIE_CPL_SC, d, 2, 8, 0, 60);
        return true;
    };
    CHECK_EQ(probe(c, 0x1000, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0x1122334455667788ull);
    CHECK(lost && next_tag != pcie_tlp_tag(lost.get()));
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_UNEXPECTED), u0 + 1);
    // a completion for a tag never used: dropped and counted too
    if (lost) {
        pcie_tlp stray = *lost;
        stray.hdr[1] = (stray.hdr[1] & ~0xFF00u) | 0x1F00u; /* tag 31: not in flight */
        uint32_t d[2] = {1, 2};
        c.complete(stray, PCIE_CPL_SC, d, 2, 8, 0, 0);
        c.run(50);
    }
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_CPL_UNEXPECTED), u0 + 2);
    c.on_mrd = nullptr;
    CHECK_EQ(probe(c, 0x1000, false, 0, 0, &v), 2);
    CHECK_EQ(v, 0x1122334455667788ull);
    c.wr32(2, IOE_EP_CPL_TIMEOUT_US, 50000);
}

// ---------------------------------------------------------------- ring and MSI-X
constexpr uint64_t kRing = 0x20000;

uint64_t record(Card &c, unsigned i)
{
    return c.mem[(kRing + 8 * i) / 4] | (uint64_t)c.mem[(kRing + 8 * i) / 4 + 1] << 32;
}
void notify(Card &c, unsigned vm, unsigned vcpu)
{
    c.wr32(0, CORE_NOTIFY_TEST, vm << 8 | vcpu);
    c.run(30);
}

void test_ring_msix(Card &c)
{
    c.write(2, IOE_EP_MSIX_TABLE, {0xFEE01000, 0, 0x41});      // vector 0, masked
    c.write(2, IOE_EP_MSIX_TABLE + 16, {0xFEE02004, 0, 0x42}); // vector 1, masked
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_TABLE + 12), 1);
    c.write(2, IOE_EP_NRING_BASE_LO, {(uint32_t)kRing, 0, 4});
    c.wr32(2, IOE_EP_NRING_CTRL, 1);
    size_t m0 = c.msix.size();
    uint32_t x0 = c.rd32(2, IOE_EP_CNT_MSIX);

    notify(c, 3, 5);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_HEAD), 1);
    uint64_t r = record(c, 0);
    CHECK_EQ(r & 0xFFFFFFFF, 0x80000000u | 5u << 8 | 3u);
    CHECK_EQ(c.msix.size(), m0); // masked
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_PBA) & 1, 1);
    c.wr32(2, IOE_EP_MSIX_TABLE + 12, 0); // unmask: the pending message goes
    CHECK_EQ(c.msix.size(), m0 + 1);
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_PBA) & 1, 0);
    if (c.msix.size() == m0 + 1) {
        const pcie_tlp *p = c.msix.back().t.get();
        CHECK_EQ(pcie_tlp_addr(p), 0xFEE01000);
        CHECK_EQ(pcie_tlp_length(p), 1);
        CHECK_EQ(p->data[0], 0x41);
    }
    // disarmed: the next record raises nothing; TAIL re-arms and fires (HEAD != TAIL)
    notify(c, 3, 6);
    CHECK_EQ(c.msix.size(), m0 + 1);
    CHECK_EQ(record(c, 1) & 0xFFFF, 6u << 8 | 3u);
    c.wr32(2, IOE_EP_NRING_TAIL, 1);
    CHECK_EQ(c.msix.size(), m0 + 2);
    c.wr32(2, IOE_EP_NRING_TAIL, 2); // HEAD == TAIL: armed, quiet
    CHECK_EQ(c.msix.size(), m0 + 2);
    size_t l0 = c.log.size();
    notify(c, 1, 1);
    CHECK_EQ(c.msix.size(), m0 + 3);
    // the record's write left before the message
    CHECK(c.log.size() == l0 + 1 && c.log.back().cycle < c.msix.back().cycle);
    // function mask, then MSI-X disabled: held, sent when lifted
    c.wr32(2, IOE_EP_NRING_TAIL, 3);
    c.m->cfg_interrupt_msixfm = 1;
    notify(c, 1, 2);
    CHECK_EQ(c.msix.size(), m0 + 3);
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_PBA) & 1, 1);
    c.m->cfg_interrupt_msixfm = 0;
    c.run(10);
    CHECK_EQ(c.msix.size(), m0 + 4);
    c.wr32(2, IOE_EP_NRING_TAIL, 4);
    c.m->cfg_interrupt_msixenable = 0;
    notify(c, 1, 3);
    CHECK_EQ(c.msix.size(), m0 + 4);
    c.m->cfg_interrupt_msixenable = 1;
    c.run(10);
    CHECK_EQ(c.msix.size(), m0 + 5);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_MSIX), x0 + 5);

    // a full ring holds the stream back: 16 entries, 17 notifications
    c.wr32(2, IOE_EP_NRING_CTRL, 1);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_HEAD), 0);
    for (unsigned i = 0; i < 17; i++)
        notify(c, 2, i % 8);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_HEAD), 16);
    CHECK_EQ(record(c, 15) >> 31 & 1, 1);
    c.wr32(2, IOE_EP_NRING_TAIL, 16);
    c.run(30);
    CHECK_EQ(c.rd32(2, IOE_EP_NRING_HEAD), 17);
    CHECK_EQ(record(c, 0) >> 31 & 1, 0); // second pass: phase 0
    CHECK_EQ(record(c, 0) & 0xFFFF, 0u << 8 | 2u);

    // vector 1: error counters changed while it was masked (pending), and change again
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_PBA), 2);
    size_t m1 = c.msix.size();
    c.wr32(2, IOE_EP_MSIX_TABLE + 16 + 12, 0);
    CHECK_EQ(c.msix.size(), m1 + 1);
    CHECK_EQ(c.rd32(2, IOE_EP_MSIX_PBA), 0);
    m1 = c.msix.size();
    pcie_tlp t;
    pcie_tlp_request(&t, PCIE_IORD, 0x1000, 1, 0xF, 0, kRcId, 1, nullptr);
    expect_ur_cpl(c, t, -1, 4);
    c.run(20);
    CHECK_EQ(c.msix.size(), m1 + 1);
    if (c.msix.size() == m1 + 1) {
        const pcie_tlp *p = c.msix.back().t.get();
        CHECK_EQ(pcie_tlp_addr(p), 0xFEE02004);
        CHECK_EQ(p->data[0], 0x42);
    }
}

// A request that becomes ready while the link holds a completion's first beat on the
// transmit stream (s_axis_tx_tready low): both leave whole, the completion first (the
// stream's source does not change under a beat the shim has started to send). The request
// is vector 0's MSI-X message, held by the function mask until the completion waits.
void test_tx_hold(Card &c)
{
    for (unsigned delay = 0; delay < 8; delay++) {
        c.wr32(2, IOE_EP_NRING_TAIL, c.rd32(2, IOE_EP_NRING_HEAD)); // vector 0 armed
        c.m->cfg_interrupt_msixfm = 1;
        notify(c, 3, 2); // the record goes; the message is held
        size_t m0 = c.msix.size();
        c.cpls.clear();
        c.tx_ready = false;
        pcie_tlp r;
        uint8_t tg = c.tag++;
        pcie_tlp_mem(&r, false, kBarBase[2] + IOE_EP_ID, 1, 0xF, 0, kRcId, tg, nullptr);
        c.send(r, 2);
        CHECK(c.run_until([&] { return c.m->s_axis_tx_tvalid != 0; }, 100));
        c.run(delay);
        c.m->cfg_interrupt_msixfm = 0; // the message becomes ready behind the completion
        c.run(30);
        c.tx_ready = true;
        c.run(60);
        CHECK_EQ(c.cpls.size(), 1);
        if (c.cpls.size() == 1) {
            const pcie_tlp *cpl = c.cpls.front().t.get();
            CHECK_EQ(pcie_tlp_tag(cpl), tg);
            CHECK_EQ(cpl->ndata, 1);
            CHECK_EQ(cpl->data[0], IOE_EP_ID_VALUE);
        }
        CHECK_EQ(c.msix.size(), m0 + 1);
        if (c.msix.size() == m0 + 1) {
            const pcie_tlp *p = c.msix.back().t.get();
            CHECK_EQ(pcie_tlp_addr(p), 0xFEE01000);
            CHECK_EQ(p->data[0], 0x41);
            CHECK(c.cpls.size() == 1 && c.msix.back().cycle > c.cpls.front().cycle);
        }
    }
}

// NRING_FENCE (docs/pcie.md section 5): eight NOTIFY_TEST writes and then a read, sent back
// to back while the link holds the transmit stream, so the records pile up in ioe_top. A
// read of NRING_HEAD is answered with the records taken so far; a read of NRING_FENCE only
// once the stream is quiet: it counts all eight, and all eight record writes leave before
// its completion.
void test_fence(Card &c)
{
    for (int fence = 0; fence < 2; fence++) {
        uint32_t h0 = c.rd32(2, IOE_EP_NRING_HEAD);
        c.wr32(2, IOE_EP_NRING_TAIL, h0); // room for all of them
        c.tx_ready = false;
        for (unsigned i = 0; i < 8; i++) {
            pcie_tlp w;
            uint32_t v = 4u << 8 | i;
            pcie_tlp_mem(&w, true, kBarBase[0] + CORE_NOTIFY_TEST, 1, 0xF, 0, kRcId, 0, &v);
            c.send(w, 0);
        }
        size_t l0 = c.log.size();
        pcie_tlp r;
        uint8_t tg = c.tag++;
        pcie_tlp_mem(&r, false, kBarBase[2] + (fence ? IOE_EP_NRING_FENCE : IOE_EP_NRING_HEAD), 1,
                     0xF, 0, kRcId, tg, nullptr);
        c.cpls.clear();
        c.send(r, 2);
        c.run_until([&] { return c.rxq.empty(); });
        c.run(100);
        c.tx_ready = true;
        CHECK(c.run_until([&] { return !c.cpls.empty(); }, 500));
        c.run(100);
        CHECK_EQ(c.log.size(), l0 + 8);
        if (c.cpls.empty() || c.log.size() != l0 + 8)
            continue;
        const Seen &cpl = c.cpls.front();
        size_t before = 0;
        for (size_t i = l0; i < c.log.size(); i++)
            before += c.log[i].cycle < cpl.cycle;
        if (fence) {
            CHECK_EQ(cpl.t->data[0], h0 + 8);
            CHECK_EQ(before, 8);
        } else {
            CHECK(cpl.t->data[0] < h0 + 8); // the control: what the fence is for
        }
        c.wr32(2, IOE_EP_NRING_TAIL, h0 + 8);
    }
}

// ---------------------------------------------------------------- the requester alone
// ioe_pcie_ep_dma (4 tags) with several reads in flight: completions out of order across
// tags, one split, one UR, one never answered (timeout), and writes acknowledged at once.
struct Dma {
    std::unique_ptr<Vioe_pcie_ep_dma> m{new Vioe_pcie_ep_dma};
    std::vector<std::unique_ptr<pcie_tlp>> tx;
    struct Rsp {
        unsigned tag;
        bool err;
        uint64_t data;
    };
    std::vector<Rsp> rsp;
    uint64_t cycle = 0;
    Dma()
    {
        m->cfg_id_i = kCardId;
        m->timeout_us_i = 3;
        m->rst_ni = 0;
        tick();
        m->rst_ni = 1;
        tick();
    }
    void tick()
    {
        m->tx_ready_i = 1;
        m->clk_i = 0;
        m->eval();
        if (m->tx_valid_o) {
            std::unique_ptr<pcie_tlp> t(new pcie_tlp);
            std::memset(t.get(), 0, sizeof(*t));
            for (int i = 0; i < 4; i++)
                t->hdr[i] = m->tx_hdr_o[3 - i];
            t->ndata = (m->tx_strb_o & 1) + (m->tx_strb_o >> 1 & 1);
            t->data[0] = (uint32_t)m->tx_data_o;
            t->data[1] = (uint32_t)(m->tx_data_o >> 32);
            tx.push_back(std::move(t));
        }
        m->clk_i = 1;
        m->eval();
        m->cpl_valid_i = 0;
        m->s_dma_req_valid_i = 0;
        m->iw_valid_i = 0;
        if (m->s_dma_rsp_valid_o)
            rsp.push_back({m->s_dma_rsp_tag_o, (bool)m->s_dma_rsp_err_o, m->s_dma_rsp_rdata_o});
        cycle++;
    }
    bool req(unsigned tag, bool write, uint64_t addr, uint64_t wdata = 0)
    {
        m->s_dma_req_valid_i = 1;
        m->s_dma_req_tag_i = tag;
        m->s_dma_req_write_i = write;
        m->s_dma_req_addr_i = addr;
        m->s_dma_req_wdata_i = wdata;
        m->s_dma_req_wstrb_i = 0xFF;
        m->clk_i = 0;
        m->eval();
        bool ok = m->s_dma_req_ready_o;
        tick();
        return ok;
    }
    void cpl(uint8_t pcie_tag, unsigned status, const uint32_t *d, unsigned n, unsigned bc,
             unsigned la)
    {
        pcie_tlp c;
        pcie_tlp_cpl(&c, kRcId, status, bc, kCardId, pcie_tag, la, d, n);
        for (int i = 0; i < 4; i++)
            m->cpl_hdr_i[3 - i] = c.hdr[i];
        m->cpl_data_i = d ? (d[0] | (n > 1 ? (uint64_t)d[1] << 32 : 0)) : 0;
        m->cpl_valid_i = 1;
        tick();
    }
};

void test_dma_unit()
{
    Dma d;
    CHECK(d.req(0x11, false, 0x1000));
    CHECK(d.req(0x12, false, 0x2000));
    CHECK(d.req(0x13, true, 0x3000, 0xABCD)); // a write between the reads keeps its place
    CHECK(d.req(0x14, false, 0x4000));
    CHECK(d.req(0x15, false, 0x5000));
    CHECK(!d.req(0x16, false, 0x6000)); // all four tags in flight: not taken
    d.tick();
    CHECK_EQ(d.tx.size(), 5);
    if (d.tx.size() != 5)
        return;
    uint64_t order[5] = {0x1000, 0x2000, 0x3000, 0x4000, 0x5000};
    for (int i = 0; i < 5; i++)
        CHECK_EQ(pcie_tlp_addr(d.tx[i].get()), order[i]);
    uint8_t t1 = pcie_tlp_tag(d.tx[0].get()), t2 = pcie_tlp_tag(d.tx[1].get());
    uint8_t t4 = pcie_tlp_tag(d.tx[3].get()), t5 = pcie_tlp_tag(d.tx[4].get());
    CHECK(t1 != t2 && t1 != t4 && t1 != t5 && t2 != t4 && t2 != t5 && t4 != t5);
    // the write was answered at once
    CHECK(d.rsp.size() == 1 && d.rsp[0].tag == 0x13 && !d.rsp[0].err);
    // answers in reverse order; the second read's in two halves; the first read: UR
    uint32_t a[2] = {0x44, 0x45}, b = 0x21, b2 = 0x22;
    d.cpl(t4, PCIE_CPL_SC, a, 2, 8, 0);
    d.cpl(t2, PCIE_CPL_SC, &b, 1, 8, 0);
    d.cpl(t2, PCIE_CPL_SC, &b2, 1, 4, 4);
    d.cpl(t1, PCIE_CPL_UR, nullptr, 0, 8, 0);
    d.tick();
    CHECK_EQ(d.rsp.size(), 4);
    if (d.rsp.size() == 4) {
        CHECK(d.rsp[1].tag == 0x14 && !d.rsp[1].err && d.rsp[1].data == 0x0000004500000044ull);
        CHECK(d.rsp[2].tag == 0x12 && !d.rsp[2].err && d.rsp[2].data == 0x0000002200000021ull);
        CHECK(d.rsp[3].tag == 0x11 && d.rsp[3].err);
    }
    // the fifth is never answered: an error after the timeout (3 us = 750 cycles)
    for (int i = 0; i < 1200 && d.rsp.size() < 5; i++)
        d.tick();
    CHECK(d.rsp.size() == 5 && d.rsp[4].tag == 0x15 && d.rsp[4].err);
    CHECK(d.cycle > 700);
    // its tag is free again
    CHECK(d.req(0x16, false, 0x6000));
}

// ---------------------------------------------------------------- latency (docs/pcie.md §7)
void test_latency(Card &c)
{
    // device doorbell: first beat of the write taken -> the MSI taken by ioe_top
    uint64_t f0 = c.msi_fires;
    c.write(4, 0x40, {0x99}, 0xF, 0, 0x0a10);
    CHECK_EQ(c.msi_fires, f0 + 1);
    uint64_t db = c.msi_fire_cycle - c.rx_last_first;
    // notification leaving ioe_top -> the record's write and the MSI-X write leaving the card
    c.wr32(2, IOE_EP_NRING_TAIL, c.rd32(2, IOE_EP_NRING_HEAD));
    size_t m0 = c.msix.size(), l0 = c.log.size();
    notify(c, 4, 4);
    CHECK(c.msix.size() == m0 + 1 && c.log.size() == l0 + 1);
    if (c.msix.size() == m0 + 1 && c.log.size() == l0 + 1) {
        uint64_t rec = c.log.back().cycle - c.notify_fire_cycle;
        uint64_t msg = c.msix.back().cycle - c.notify_fire_cycle;
        std::printf("latency: device doorbell (first beat in) -> MSI taken by ioe_top: %llu "
                    "cycles\n",
                    (unsigned long long)db);
        std::printf("latency: notification taken from ioe_top -> record write out: %llu cycles, "
                    "-> MSI-X write out (first beat): %llu cycles\n",
                    (unsigned long long)rec, (unsigned long long)msg);
    }
}

// ---------------------------------------------------------------- rate (docs/pcie.md §7)
// Doorbell writes queued back to back on the stream (no link between: the card's own rate):
// every MSI arrives, in order, with its data; prints the cycles per MSI.
double doorbell_burst(Card &c, int bar, uint64_t off, unsigned dws, bool wide, unsigned n)
{
    size_t m0 = c.msis.size();
    for (unsigned i = 0; i < n; i++) {
        uint32_t d[4] = {0x10040 + i, 0x5, 0x300 + i, 0x1000 + i};
        uint32_t one = 0x2000 + i;
        pcie_tlp t;
        pcie_tlp_request(&t, wide ? PCIE_MWR64 : PCIE_MWR32,
                         (wide ? 0x4000000000ull : kBarBase[bar]) + off, dws, 0xF,
                         dws > 1 ? 0xF : 0, 0x0a10, 0, dws == 1 ? &one : d);
        c.send(t, bar);
    }
    c.run_until([&] { return c.msis.size() >= m0 + n; });
    CHECK_EQ(c.msis.size(), m0 + n);
    if (c.msis.size() != m0 + n)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        const Card::Msi &m = c.msis[m0 + i];
        if (dws == 1) {
            CHECK_EQ(m.data, 0x2000 + i);
            CHECK_EQ(m.devid, 0x0a10);
        } else {
            CHECK_EQ(m.data, 0x1000 + i);
            CHECK_EQ(m.devid, 0x300 + i);
            CHECK_EQ(m.addr, 0x500010040ull + i);
        }
    }
    return (double)(c.msis[m0 + n - 1].cycle - c.msis[m0].cycle) / (n - 1);
}

void test_rate(Card &c)
{
    const unsigned n = 64;
    c.wr32(2, IOE_EP_DB_BASE_VM, 2);
    c.write(2, IOE_EP_DB_BASE_LO, {0x08020000, 0});
    uint32_t cnt0 = c.rd32(2, IOE_EP_CNT_DOORBELL);
    double dev = doorbell_burst(c, 4, 2 * 4096 + 0x40, 1, false, n);
    double dev64 = doorbell_burst(c, 4, 2 * 4096 + 0x40, 1, true, n);
    CHECK_EQ(c.msis.back().addr, 0x0002000008020040ull);
    double lib = doorbell_burst(c, 2, IOE_EP_DB_ADDR_LO, 4, false, n);
    double lib64 = doorbell_burst(c, 2, IOE_EP_DB_ADDR_LO, 4, true, n);
    // the 4-DW doorbell left its registers as the last write set them
    CHECK_EQ(c.rd32(2, IOE_EP_DB_ADDR_LO), 0x10040 + n - 1);
    CHECK_EQ(c.rd32(2, IOE_EP_DB_ADDR_LO + 4), 0x5);
    CHECK_EQ(c.rd32(2, IOE_EP_DB_ADDR_LO + 8), 0x300 + n - 1);
    CHECK_EQ(c.rd32(2, IOE_EP_CNT_DOORBELL), cnt0 + 4 * n);
    // a 4-DW doorbell with a partial byte enable takes the DW-by-DW path, same MSI
    size_t m0 = c.msis.size();
    c.write(2, IOE_EP_DB_ADDR_LO, {0x12345678, 0x9, 0x77, 0x55}, 0xF, 0x3);
    c.run_until([&] { return c.msis.size() > m0; }, 100);
    CHECK(c.msis.size() == m0 + 1 && c.msis.back().data == 0x55 && c.msis.back().devid == 0x77 &&
          c.msis.back().addr == 0x912345678ull);
    std::printf("rate: back-to-back device doorbells (1-DW MWr to BAR4): %.2f cycles per MSI "
                "(3-DW header), %.2f (4-DW header); libioe doorbell (4-DW MWr to BAR2 0x20): "
                "%.2f (3-DW header), %.2f (4-DW header)\n",
                dev, dev64, lib, lib64);
}

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Card c;
    struct {
        const char *name;
        void (*fn)(Card &);
    } tests[] = {
        {"bar2_cpl_fields", test_bar2_cpl_fields},
        {"bar0", test_bar0},
        {"bar2_split", test_bar2_split},
        {"doorbells", test_doorbells},
        {"ur", test_ur},
        {"poisoned_malformed", test_poisoned_malformed},
        {"dma", test_dma},
        {"ring_msix", test_ring_msix},
        {"tx_hold", test_tx_hold},
        {"fence", test_fence},
        {"latency", test_latency},
        {"rate", test_rate},
    };
    {
        int f0 = failures;
        test_dma_unit();
        std::printf("dma_unit: %s\n", failures == f0 ? "ok" : "FAILED");
    }
    for (auto &t : tests) {
        int f0 = failures;
        t.fn(c);
        std::printf("%s: %s\n", t.name, failures == f0 ? "ok" : "FAILED");
    }
    c.m->final();
    std::printf("%d failures, %llu cycles\n", failures, (unsigned long long)c.cycle);
    return failures ? 1 : 0;
}
