// The PCIe root-complex model of sim/include/ioe_pcie_rc.h: the Verilator model of
// ioe_pcie_card_7x on a modelled link, driven from the host side.
//
// The card's clock is simulated by a thread of its own, free-running like a board. One
// mutex guards the model and every queue; the thread holds it while it simulates and hands
// it over within a cycle to any host call that asks for it (want), so host calls never
// wait for a burst to finish.
//
// Link: each direction is a serial link of bytes_per_cycle_ (Gen1/Gen2 8b/10b, Gen3
// 128b/130b, times the lanes, at the 250 MHz user clock); a TLP occupies it for its header,
// payload and 8 bytes of framing (STP/sequence number, LCRC, END), store-and-forward. DLLPs
// (Ack, flow-control updates) are not counted. Towards the card a TLP is presented on
// m_axis_rx_* once it has crossed the link; from the card, s_axis_tx_tready drops while
// more than kTxBufCycles of TLPs wait for the link.
//
// The card's memory reads: the first completion reaches the card rtt after the read's last
// beat left it (an idle link), the data split at the 64-byte read completion boundary;
// addresses outside the IOMMU table are answered Unsupported Request. Memory writes go to
// host memory through the IOMMU table (unmapped ones are dropped), 1-DW writes into the MSI
// window to the MSI handler.
//
// Idle rule: the thread simulates without pause while a TLP is queued, in flight, or
// expected (a host read, a card read), and for kIdleCycles after the last of them or the
// last host call. After that the card may still raise something of its own (an ITS command
// finishing, a notification): the thread keeps simulating in bursts of kNapBurst cycles,
// sleeping between them from kNapMinUs doubling up to kNapMaxUs of wall time; anything the
// card sends or any host call returns it to full speed.

#include "ioe_pcie_rc.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "Vioe_pcie_card_7x.h"
#include "pcie_tlp.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include <ioe/regs.h>

namespace
{

constexpr uint64_t kMsiFirst = 0xFEE00000ull, kMsiLast = 0xFEEFFFFFull;
constexpr unsigned kRcb = 64;         // read completion boundary of the root complex
constexpr unsigned kMsixVectors = 2;  // docs/pcie.md section 5: the ring and the error event
constexpr unsigned kFramingBytes = 8; // STP + sequence number + LCRC + END
constexpr unsigned kResetCycles = 8;
constexpr unsigned kTxBufCycles = 64; // link time the hard block's transmit buffer holds
constexpr unsigned kHostTags = 32;
constexpr size_t kMaxQueued = 256; // posted TLPs towards the card before a writer waits
constexpr uint64_t kIdleCycles = 50000;
constexpr unsigned kNapBurst = 256;
constexpr int kNapMinUs = 500, kNapMaxUs = 20000;

// BAR windows in the root port's 32-bit memory window (3-DW headers; docs/pcie.md section 1)
constexpr uint64_t kBarBase[6] = {0xE0000000ull, 0, 0xE0100000ull, 0, 0xE0200000ull, 0};
constexpr uint64_t kBarSize[6] = {
    IOE_CSR_WINDOW_SIZE, 0, 0x10000, 0, IOE_PARAM_NR_VMS_DEFAULT * 0x1000ull, 0};

constexpr size_t kMaxBeats = 2 + PCIE_TLP_MAX_DW / 2 + 1;

struct Packet {
    std::vector<uint64_t> data;
    std::vector<uint8_t> keep;
    uint32_t tuser = 0;
    double wire = 0;    // link cycles
    uint64_t avail = 0; // cycle it has crossed the link
};

struct UpTlp {
    uint64_t at; // cycle it has crossed the link to the root complex
    uint32_t hdr[4];
    std::vector<uint32_t> data;
};

struct HostRead {
    bool busy = false, done = false;
    uint32_t *dw = nullptr;
    size_t n = 0, got = 0;
    int status = 0;
};

struct Mapping {
    uint8_t *hva;
    uint64_t size;
};

unsigned log2_code(uint32_t bytes) // 128 << code
{
    unsigned c = 0;
    while (c < 5 && (128u << c) < bytes)
        c++;
    return c;
}

// Verilator registers a model's scopes with its own context but erases them from the
// calling thread's context (Verilated::threadContextp), which a context's construction also
// sets: construct and destroy with ours current, then give the thread back what it had (a
// "sim" card of ioe_vsim may live on the same thread).
class ThreadContext
{
  public:
    explicit ThreadContext(VerilatedContext *ours) : ours_(ours), prev_(Verilated::threadContextp())
    {
        if (ours_)
            Verilated::threadContextp(ours_);
    }
    ~ThreadContext() { Verilated::threadContextp(prev_ == ours_ ? nullptr : prev_); }
    ThreadContext(const ThreadContext &) = delete;
    ThreadContext &operator=(const ThreadContext &) = delete;

  private:
    VerilatedContext *ours_, *prev_;
};

} // namespace

struct ioe_pcie_rc {
    ioe_pcie_rc_params p{};
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vioe_pcie_card_7x> top;
    std::unique_ptr<VerilatedFstC> trace;
    std::mutex mu;
    std::condition_variable model_cv;
    // host calls wait for the model on a mutex of their own, never on mu: the thread, which
    // holds mu while it simulates, would keep a woken waiter from taking it back
    std::mutex wait_mu;
    std::condition_variable wait_cv;
    std::atomic<uint64_t> events{0};
    std::atomic<int> want{0};
    std::atomic<uint64_t> cycle{0};
    bool stop = false, kicked = false;
    std::thread thread;

    double bpc = 8;                            // link bytes per user-clock cycle
    double link_free_dn = 0, link_free_up = 0; // cycle each direction's link is free again
    uint64_t rtt = 138;
    uint64_t last_activity = 0;

    std::deque<Packet> dn;                 // towards the card, in link order
    std::multimap<uint64_t, Packet> sched; // completions waiting for their time
    std::vector<Packet> late;              // completions withheld (IOE_PCIE_RC_FAULT_LATE)
    unsigned late_reads = 0;
    uint64_t card_reads = 0;
    size_t rx_beat = 0;            // beat of dn.front() on the stream
    std::vector<uint64_t> tx_data; // the card's TLP being received
    std::vector<uint8_t> tx_keep;
    std::deque<UpTlp> up; // from the card, crossing the link
    HostRead reads[kHostTags];
    std::map<uint64_t, Mapping> iommu;
    ioe_pcie_rc_msi_fn msi_fn = nullptr;
    void *msi_arg = nullptr;
    // the card's last MSI-X message: the cycle its first beat left the card, and the cycle
    // the first beat of the last TLP towards the card before it was taken
    uint64_t rx_first = 0, tx_first = 0, msix_rx = 0, msix_tx = 0, msix_count = 0;
    // a peer's write (a request whose requester is not the root port) and the first MSI-X
    // message after it: a device doorbell's latency, also when the card's table reads were
    // answered and the host accessed the card in between
    uint64_t peer_first = 0, peer_rx = 0, peer_tx = 0, peer_count = 0;
    bool peer_open = false;
    ioe_pcie_rc_fault fault = IOE_PCIE_RC_FAULT_NONE;
    unsigned fault_count = 0;
    bool msix_enable = false, msix_fm = false;
    pcie_tlp scratch;
    uint64_t beat_buf[kMaxBeats];
    uint8_t keep_buf[kMaxBeats];

    // ---------------------------------------------------------------- link
    double wire_cycles(unsigned dws) const { return (4.0 * dws + kFramingBytes) / bpc; }

    Packet pack(const pcie_tlp &t, uint32_t tuser)
    {
        size_t n = pcie_axis_pack(&t, beat_buf, keep_buf);
        Packet pk;
        pk.data.assign(beat_buf, beat_buf + n);
        pk.keep.assign(keep_buf, keep_buf + n);
        pk.tuser = tuser;
        pk.wire = wire_cycles(pcie_tlp_hdr_dw(&t) + t.ndata);
        return pk;
    }

    // onto the link towards the card at cycle `now`
    void send_dn(Packet &&pk, uint64_t now)
    {
        double start = std::max<double>(static_cast<double>(now), link_free_dn);
        link_free_dn = start + pk.wire;
        pk.avail = static_cast<uint64_t>(std::ceil(link_free_dn));
        dn.push_back(std::move(pk));
    }

    // ---------------------------------------------------------------- clock
    void low()
    {
        Vioe_pcie_card_7x *t = top.get();
        uint64_t c = cycle.load(std::memory_order_relaxed);
        bool rx = !dn.empty() && dn.front().avail <= c;
        t->m_axis_rx_tvalid = rx;
        if (rx) {
            const Packet &pk = dn.front();
            t->m_axis_rx_tdata = pk.data[rx_beat];
            t->m_axis_rx_tkeep = pk.keep[rx_beat];
            t->m_axis_rx_tlast = rx_beat + 1 == pk.data.size();
            t->m_axis_rx_tuser = pk.tuser;
        } else {
            t->m_axis_rx_tlast = 0;
        }
        t->s_axis_tx_tready = link_free_up < static_cast<double>(c + kTxBufCycles);
        t->user_clk_out = 0;
        t->eval();
        if (trace)
            trace->dump(2 * ctx->time());
    }

    void high()
    {
        Vioe_pcie_card_7x *t = top.get();
        uint64_t c = cycle.load(std::memory_order_relaxed);
        bool rx_done = t->m_axis_rx_tvalid && t->m_axis_rx_tready;
        bool tx_done = t->s_axis_tx_tvalid && t->s_axis_tx_tready;
        if (rx_done && rx_beat == 0) {
            rx_first = c;
            // DW0 in [31:0] (Type [28:24], completions 0b01010), DW1 in [63:32] (Requester
            // ID [63:48])
            if (((t->m_axis_rx_tdata >> 24) & 0x1F) != 0x0A &&
                (t->m_axis_rx_tdata >> 48) != p.requester_id) {
                peer_first = c;
                peer_open = true;
            }
        }
        if (tx_done && tx_data.empty())
            tx_first = c;
        if (tx_done) {
            tx_data.push_back(t->s_axis_tx_tdata);
            tx_keep.push_back(t->s_axis_tx_tkeep);
            if (t->s_axis_tx_tlast || tx_data.size() >= kMaxBeats)
                card_tlp_done(c);
        }
        t->user_clk_out = 1;
        t->eval();
        if (trace)
            trace->dump(2 * ctx->time() + 1);
        ctx->timeInc(1);
        if (rx_done && ++rx_beat == dn.front().data.size()) {
            dn.pop_front();
            rx_beat = 0;
            signal_hosts(); // a writer may wait for room
        }
        cycle.store(c + 1, std::memory_order_relaxed);
    }

    void tick()
    {
        low();
        high();
        uint64_t c = cycle.load(std::memory_order_relaxed);
        while (!up.empty() && up.front().at <= c) {
            root_complex(up.front());
            up.pop_front();
        }
        while (!sched.empty() && sched.begin()->first <= c) {
            send_dn(std::move(sched.begin()->second), sched.begin()->first);
            sched.erase(sched.begin());
        }
    }

    bool busy() const
    {
        if (!dn.empty() || !sched.empty() || !up.empty() || !tx_data.empty())
            return true;
        for (const HostRead &r : reads)
            if (r.busy)
                return true;
        return false;
    }

    void set_cfg()
    {
        Vioe_pcie_card_7x *t = top.get();
        t->cfg_bus_number = p.card_id >> 8;
        t->cfg_device_number = (p.card_id >> 3) & 0x1f;
        t->cfg_function_number = p.card_id & 7;
        t->cfg_dcommand = static_cast<uint16_t>(log2_code(p.mps) << 5 | log2_code(p.mrrs) << 12);
        t->cfg_interrupt_msixenable = msix_enable;
        t->cfg_interrupt_msixfm = msix_fm;
    }

    // hot reset: queues dropped, host reads failed, the MSI-X capability cleared
    void reset()
    {
        dn.clear();
        sched.clear();
        late.clear();
        late_reads = 0;
        up.clear();
        tx_data.clear();
        tx_keep.clear();
        rx_beat = 0;
        for (HostRead &r : reads)
            if (r.busy && !r.done)
                r.done = true, r.status = -EIO;
        signal_hosts();
        msix_enable = msix_fm = false;
        set_cfg();
        Vioe_pcie_card_7x *t = top.get();
        t->user_reset_out = 1;
        t->user_lnk_up = 0;
        for (unsigned i = 0; i < kResetCycles; i++)
            tick();
        t->user_reset_out = 0;
        t->user_lnk_up = 1;
        link_free_dn = link_free_up = static_cast<double>(cycle.load());
    }

    // ---------------------------------------------------------------- the card's TLPs
    void card_tlp_done(uint64_t c)
    {
        int bad = pcie_axis_unpack(&scratch, tx_data.data(), tx_keep.data(), tx_data.size());
        tx_data.clear();
        tx_keep.clear();
        if (bad)
            return;
        unsigned ft = pcie_tlp_fmt_type(&scratch);
        uint64_t a = pcie_tlp_addr(&scratch);
        if ((ft == PCIE_MWR32 || ft == PCIE_MWR64) && a >= kMsiFirst && a <= kMsiLast) {
            msix_rx = rx_first;
            if (peer_open) {
                peer_rx = peer_first;
                peer_tx = tx_first;
                peer_count++;
                peer_open = false;
            }
            msix_tx = tx_first;
            msix_count++;
        }
        unsigned dws = pcie_tlp_hdr_dw(&scratch) + scratch.ndata;
        double start = std::max<double>(static_cast<double>(c), link_free_up);
        link_free_up = start + wire_cycles(dws);
        UpTlp u;
        u.at = static_cast<uint64_t>(std::ceil(link_free_up));
        std::memcpy(u.hdr, scratch.hdr, sizeof(u.hdr));
        u.data.assign(scratch.data, scratch.data + scratch.ndata);
        up.push_back(std::move(u));
        last_activity = c;
    }

    // host memory behind one DW at iova, or null when the IOMMU has no mapping for it
    uint8_t *translate(uint64_t iova)
    {
        auto it = iommu.upper_bound(iova);
        if (it == iommu.begin())
            return nullptr;
        --it;
        uint64_t off = iova - it->first;
        return off + 4 <= it->second.size ? it->second.hva + off : nullptr;
    }

    void root_complex(const UpTlp &u)
    {
        pcie_tlp &t = scratch;
        std::memcpy(t.hdr, u.hdr, sizeof(t.hdr));
        t.ndata = static_cast<unsigned>(u.data.size());
        std::copy(u.data.begin(), u.data.end(), t.data);
        switch (pcie_tlp_fmt_type(&t)) {
        case PCIE_MWR32:
        case PCIE_MWR64: card_write(t); break;
        case PCIE_MRD32:
        case PCIE_MRD64: card_read(t, u.at); break;
        case PCIE_CPL:
        case PCIE_CPLD: completion(t); break;
        default: break; // messages and the rest: nothing of the root complex's model
        }
    }

    void card_write(const pcie_tlp &t)
    {
        uint64_t a = pcie_tlp_addr(&t);
        unsigned n = t.ndata;
        if (a >= kMsiFirst && a <= kMsiLast) {
            if (n == 1 && pcie_tlp_first_be(&t) == 0xF && msi_fn)
                msi_fn(msi_arg, a, t.data[0]);
            return;
        }
        for (unsigned i = 0; i < n; i++) {
            unsigned be = i == 0 ? pcie_tlp_first_be(&t) : i + 1 == n ? pcie_tlp_last_be(&t) : 0xF;
            uint8_t *h = translate(a + 4ull * i);
            for (unsigned b = 0; h && b < 4; b++)
                if ((be >> b) & 1)
                    h[b] = static_cast<uint8_t>(t.data[i] >> (8 * b));
        }
    }

    void card_read(const pcie_tlp &t, uint64_t arrived)
    {
        uint64_t a = pcie_tlp_addr(&t);
        unsigned n = pcie_tlp_length(&t), fbe = pcie_tlp_first_be(&t);
        unsigned lbe = n > 1 ? pcie_tlp_last_be(&t) : 0;
        uint16_t req = pcie_tlp_req_id(&t);
        uint8_t tag = pcie_tlp_tag(&t);
        unsigned bytes = pcie_read_byte_count(n, fbe, lbe);
        unsigned lower = pcie_read_lower_addr(a, fbe);
        // the first completion may go on the link so that it arrives rtt after the request
        // left the card, on an idle link
        double req_wire = wire_cycles(pcie_tlp_hdr_dw(&t));
        auto when = [&](double cpl_wire) {
            double w =
                static_cast<double>(arrived) + static_cast<double>(rtt) - req_wire - cpl_wire;
            return static_cast<uint64_t>(std::max(w, static_cast<double>(arrived)));
        };
        card_reads++;
        ioe_pcie_rc_fault f = fault_count ? fault : IOE_PCIE_RC_FAULT_NONE;
        if (f != IOE_PCIE_RC_FAULT_NONE && --fault_count == 0)
            fault = IOE_PCIE_RC_FAULT_NONE;
        bool withhold = f == IOE_PCIE_RC_FAULT_LATE;
        if (withhold)
            late_reads++;
        auto queue = [&](uint64_t at, Packet &&pk) {
            if (withhold)
                late.push_back(std::move(pk));
            else
                sched.emplace(at, std::move(pk));
        };
        bool mapped = true;
        for (unsigned i = 0; i < n && mapped; i++)
            mapped = translate(a + 4ull * i) != nullptr;
        if (f == IOE_PCIE_RC_FAULT_TIMEOUT)
            return;
        if (!mapped || f == IOE_PCIE_RC_FAULT_UR || f == IOE_PCIE_RC_FAULT_CA) {
            unsigned st = f == IOE_PCIE_RC_FAULT_CA ? PCIE_CPL_CA : PCIE_CPL_UR;
            pcie_tlp_cpl(&scratch, p.requester_id, st, bytes, req, tag, lower, nullptr, 0);
            Packet pk = pack(scratch, 0);
            uint64_t at = when(pk.wire);
            queue(at, std::move(pk));
            return;
        }
        // one CplD per read-completion-boundary block of the range
        std::vector<uint32_t> data(n);
        for (unsigned i = 0; i < n; i++)
            std::memcpy(&data[i], translate(a + 4ull * i), 4);
        unsigned i = 0, left = bytes;
        while (i < n) {
            uint64_t blk = a + 4ull * i;
            unsigned k = static_cast<unsigned>(std::min<uint64_t>(n - i, (kRcb - blk % kRcb) / 4));
            unsigned la = i == 0 ? lower : static_cast<unsigned>(blk & 0x7C);
            unsigned len = k;
            if (f == IOE_PCIE_RC_FAULT_MALFORMED)
                len = k % 1024 + 1; // Length disagrees with the data carried
            pcie_tlp_cpl(&scratch, p.requester_id, PCIE_CPL_SC, left, req, tag, la, &data[i], k);
            scratch.hdr[0] = (scratch.hdr[0] & ~0x3FFu) | (len & 0x3FF);
            if (f == IOE_PCIE_RC_FAULT_POISONED)
                scratch.hdr[0] |= 1u << 14;
            Packet pk = pack(scratch, 0);
            uint64_t at = when(pk.wire);
            queue(at, std::move(pk));
            unsigned first_bytes = i == 0 ? k * 4 - (lower & 3) : k * 4;
            left -= std::min(left, first_bytes);
            i += k;
            if (f == IOE_PCIE_RC_FAULT_MALFORMED)
                break;
        }
    }

    void completion(const pcie_tlp &t)
    {
        uint8_t tag = pcie_tlp_tag(&t);
        if (tag >= kHostTags || pcie_tlp_req_id(&t) != p.requester_id)
            return;
        HostRead &r = reads[tag];
        if (!r.busy || r.done)
            return; // unexpected completion: dropped
        if (pcie_cpl_status(&t) != PCIE_CPL_SC || pcie_tlp_poisoned(&t)) {
            r.status = -EIO;
            r.done = true;
        } else {
            size_t k = std::min<size_t>(t.ndata, r.n - r.got);
            std::copy(t.data, t.data + k, r.dw + r.got);
            r.got += k;
            r.done = r.got == r.n;
        }
        if (r.done)
            signal_hosts();
    }

    // ---------------------------------------------------------------- the thread
    void run()
    {
        std::unique_lock<std::mutex> lk(mu);
        int nap_us = kNapMinUs;
        while (!stop) {
            uint64_t c = cycle.load(std::memory_order_relaxed);
            if (busy() || kicked) {
                last_activity = c;
                kicked = false;
                nap_us = kNapMinUs;
            } else if (c - last_activity > kIdleCycles) {
                model_cv.wait_for(lk, std::chrono::microseconds(nap_us),
                                  [&] { return stop || kicked; });
                nap_us = std::min(2 * nap_us, kNapMaxUs);
            }
            for (unsigned i = 0; i < kNapBurst && !stop; i++) {
                if (want.load(std::memory_order_acquire))
                    model_cv.wait(lk, [&] { return stop || !want.load(); });
                tick();
            }
        }
    }

    // a host call's hold of the model
    std::unique_lock<std::mutex> hold()
    {
        want.fetch_add(1, std::memory_order_acq_rel);
        std::unique_lock<std::mutex> lk(mu);
        want.fetch_sub(1, std::memory_order_acq_rel);
        kicked = true;
        model_cv
            .notify_all(); // the thread may wait for want to drop; it runs once we wait or leave
        return lk;
    }
    void release(std::unique_lock<std::mutex> &lk)
    {
        lk.unlock();
        model_cv.notify_all();
    }

    void signal_hosts()
    {
        events.fetch_add(1, std::memory_order_acq_rel);
        {
            std::lock_guard<std::mutex> g(wait_mu);
        }
        wait_cv.notify_all();
    }

    // with lk held (from hold()), wait until pred() holds (true) or the deadline (false);
    // returns with lk held again
    template <class Pred>
    bool wait_hold(std::unique_lock<std::mutex> &lk, std::chrono::steady_clock::time_point deadline,
                   Pred pred)
    {
        while (!pred()) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            uint64_t seen = events.load(std::memory_order_acquire);
            release(lk);
            {
                std::unique_lock<std::mutex> wl(wait_mu);
                wait_cv.wait_until(wl, deadline, [&] { return events.load() != seen; });
            }
            lk = hold();
        }
        return true;
    }

    std::chrono::steady_clock::time_point deadline() const
    {
        return std::chrono::steady_clock::now() + std::chrono::milliseconds(p.timeout_ms);
    }
};

namespace
{

int check_bar(const ioe_pcie_rc *rc, unsigned bar, uint64_t off, size_t n)
{
    if (!rc || bar >= 6 || !kBarSize[bar] || n == 0 || n > PCIE_TLP_MAX_DW || (off & 3))
        return -EINVAL;
    if (off >= kBarSize[bar] || 4 * n > kBarSize[bar] - off)
        return -EINVAL;
    return 0;
}

int post(ioe_pcie_rc *rc, uint16_t req_id, unsigned bar, uint64_t off, const uint32_t *dw, size_t n)
{
    if (int err = check_bar(rc, bar, off, n))
        return err;
    if (!dw)
        return -EFAULT;
    auto lk = rc->hold();
    if (!rc->wait_hold(lk, rc->deadline(), [&] { return rc->dn.size() < kMaxQueued; })) {
        rc->release(lk);
        return -ETIMEDOUT;
    }
    pcie_tlp_mem(&rc->scratch, true, kBarBase[bar] + off, static_cast<unsigned>(n), 0xF, 0xF,
                 req_id, 0, dw);
    rc->send_dn(rc->pack(rc->scratch, pcie_axis_rx_tuser(static_cast<int>(bar), false)),
                rc->cycle.load());
    rc->release(lk);
    return 0;
}

} // namespace

extern "C" {

int ioe_pcie_rc_open(const struct ioe_pcie_rc_params *p, struct ioe_pcie_rc **out)
{
    static const ioe_pcie_rc_params none{};
    if (!out)
        return -EINVAL;
    if (!p)
        p = &none;
    ioe_pcie_rc *rc = new (std::nothrow) ioe_pcie_rc;
    if (!rc)
        return -ENOMEM;
    rc->p = *p;
    ioe_pcie_rc_params &q = rc->p;
    q.rtt_ns = q.rtt_ns ? q.rtt_ns : 550;
    q.link_gen = q.link_gen ? q.link_gen : 2;
    q.link_width = q.link_width ? q.link_width : 4;
    q.mps = q.mps ? q.mps : 256;
    q.mrrs = q.mrrs ? q.mrrs : 512;
    q.card_id = q.card_id ? q.card_id : 0x0100;
    q.timeout_ms = q.timeout_ms ? q.timeout_ms : 120000;
    bool width_ok = q.link_width == 1 || q.link_width == 2 || q.link_width == 4 ||
                    q.link_width == 8 || q.link_width == 16;
    bool pow2 = !(q.mps & (q.mps - 1)) && !(q.mrrs & (q.mrrs - 1));
    if (q.link_gen > 3 || !width_ok || !pow2 || q.mps < 128 || q.mps > 4096 || q.mrrs < 128 ||
        q.mrrs > 4096) {
        delete rc;
        return -EINVAL;
    }
    // Gb/s per lane after line coding; 250 MHz user clock
    static const double lane_gbps[4] = {0, 2.0, 4.0, 8.0 * 128 / 130};
    rc->bpc = lane_gbps[q.link_gen] * q.link_width / 8 / 0.25;
    rc->rtt = (static_cast<uint64_t>(q.rtt_ns) * 250 + 500) / 1000;
    ThreadContext keep(nullptr); // the new context makes itself the thread's
    rc->ctx.reset(new VerilatedContext);
    rc->ctx->randReset(0);
    if (q.trace_path)
        rc->ctx->traceEverOn(true);
    rc->top.reset(new Vioe_pcie_card_7x{rc->ctx.get(), "ioe_pcie_card_7x"});
    if (q.trace_path) {
        rc->trace.reset(new VerilatedFstC);
        rc->top->trace(rc->trace.get(), 99);
        rc->trace->open(q.trace_path);
        if (!rc->trace->isOpen()) {
            rc->top.reset();
            delete rc;
            return -EIO;
        }
    }
    rc->top->wired_i = 0;
    rc->reset();
    rc->cycle = 0;
    rc->link_free_dn = rc->link_free_up = 0;
    rc->thread = std::thread([rc] { rc->run(); });
    *out = rc;
    return 0;
}

void ioe_pcie_rc_close(struct ioe_pcie_rc *rc)
{
    if (!rc)
        return;
    {
        auto lk = rc->hold();
        rc->stop = true;
        rc->release(lk);
    }
    rc->thread.join();
    ThreadContext ours(rc->ctx.get());
    rc->top->final();
    if (rc->trace)
        rc->trace->close();
    rc->trace.reset();
    rc->top.reset();
    delete rc;
}

int ioe_pcie_rc_reset(struct ioe_pcie_rc *rc)
{
    if (!rc)
        return -EINVAL;
    auto lk = rc->hold();
    rc->reset();
    rc->release(lk);
    return 0;
}

uint64_t ioe_pcie_rc_bar_size(struct ioe_pcie_rc *rc, unsigned bar)
{
    return rc && bar < 6 ? kBarSize[bar] : 0;
}

int ioe_pcie_rc_bar_read(struct ioe_pcie_rc *rc, unsigned bar, uint64_t off, uint32_t *dw, size_t n)
{
    if (int err = check_bar(rc, bar, off, n))
        return err;
    if (!dw)
        return -EFAULT;
    if (n > 1 && (off & ~0xFFFull) != ((off + 4 * n - 1) & ~0xFFFull))
        return -EINVAL; // a read over 1 DW may not cross a 4 KiB page
    auto lk = rc->hold();
    auto deadline = rc->deadline();
    unsigned tag = kHostTags;
    rc->wait_hold(lk, deadline, [&] {
        for (tag = 0; tag < kHostTags && rc->reads[tag].busy; tag++)
            ;
        return tag < kHostTags;
    });
    if (tag == kHostTags) {
        rc->release(lk);
        return -ETIMEDOUT;
    }
    HostRead &r = rc->reads[tag];
    std::vector<uint32_t> buf(n);
    r = HostRead{true, false, buf.data(), n, 0, 0};
    pcie_tlp_mem(&rc->scratch, false, kBarBase[bar] + off, static_cast<unsigned>(n), 0xF, 0xF,
                 rc->p.requester_id, static_cast<uint8_t>(tag), nullptr);
    rc->send_dn(rc->pack(rc->scratch, pcie_axis_rx_tuser(static_cast<int>(bar), false)),
                rc->cycle.load());
    bool done = rc->wait_hold(lk, deadline, [&] { return r.done; });
    int err = done ? r.status : -ETIMEDOUT;
    r = HostRead{};
    rc->release(lk);
    if (!err)
        std::copy(buf.begin(), buf.end(), dw);
    return err;
}

int ioe_pcie_rc_bar_write(struct ioe_pcie_rc *rc, unsigned bar, uint64_t off, const uint32_t *dw,
                          size_t n)
{
    return post(rc, rc ? rc->p.requester_id : 0, bar, off, dw, n);
}

int ioe_pcie_rc_peer_write(struct ioe_pcie_rc *rc, uint16_t requester_id, unsigned bar,
                           uint64_t off, const uint32_t *dw, size_t n)
{
    return post(rc, requester_id, bar, off, dw, n);
}

int ioe_pcie_rc_dma_map(struct ioe_pcie_rc *rc, uint64_t iova, void *hva, uint64_t size)
{
    if (!rc || !hva || !size || iova + size - 1 < iova)
        return -EINVAL;
    auto lk = rc->hold();
    int err = 0;
    auto it = rc->iommu.lower_bound(iova);
    if (it != rc->iommu.end() && it->first < iova + size)
        err = -EEXIST;
    if (it != rc->iommu.begin() && std::prev(it)->first + std::prev(it)->second.size > iova)
        err = -EEXIST;
    if (!err)
        rc->iommu.emplace(iova, Mapping{static_cast<uint8_t *>(hva), size});
    rc->release(lk);
    return err;
}

int ioe_pcie_rc_dma_unmap(struct ioe_pcie_rc *rc, uint64_t iova, uint64_t size)
{
    if (!rc)
        return -EINVAL;
    auto lk = rc->hold();
    auto it = rc->iommu.find(iova);
    int err = it == rc->iommu.end() || it->second.size != size ? -ENOENT : 0;
    if (!err)
        rc->iommu.erase(it);
    rc->release(lk);
    return err;
}

unsigned ioe_pcie_rc_msix_vectors(struct ioe_pcie_rc *rc)
{
    return rc ? kMsixVectors : 0;
}

int ioe_pcie_rc_set_msix(struct ioe_pcie_rc *rc, int enable, int function_mask)
{
    if (!rc)
        return -EINVAL;
    auto lk = rc->hold();
    rc->msix_enable = enable != 0;
    rc->msix_fm = function_mask != 0;
    rc->set_cfg();
    rc->release(lk);
    return 0;
}

void ioe_pcie_rc_set_msi_handler(struct ioe_pcie_rc *rc, ioe_pcie_rc_msi_fn fn, void *arg)
{
    if (!rc)
        return;
    auto lk = rc->hold();
    rc->msi_fn = fn;
    rc->msi_arg = arg;
    rc->release(lk);
}

// a timing probe: a count and two cycles, read under the model's lock
static uint64_t probe(struct ioe_pcie_rc *rc, uint64_t ioe_pcie_rc::*n, uint64_t ioe_pcie_rc::*rx,
                      uint64_t ioe_pcie_rc::*tx, uint64_t *rx_first, uint64_t *tx_first)
{
    if (!rc)
        return 0;
    auto lk = rc->hold();
    if (rx_first)
        *rx_first = rc->*rx;
    if (tx_first)
        *tx_first = rc->*tx;
    return rc->*n;
}

uint64_t ioe_pcie_rc_last_msix(struct ioe_pcie_rc *rc, uint64_t *rx_first, uint64_t *tx_first)
{
    return probe(rc, &ioe_pcie_rc::msix_count, &ioe_pcie_rc::msix_rx, &ioe_pcie_rc::msix_tx,
                 rx_first, tx_first);
}

uint64_t ioe_pcie_rc_peer_msix(struct ioe_pcie_rc *rc, uint64_t *rx_first, uint64_t *tx_first)
{
    return probe(rc, &ioe_pcie_rc::peer_count, &ioe_pcie_rc::peer_rx, &ioe_pcie_rc::peer_tx,
                 rx_first, tx_first);
}

uint64_t ioe_pcie_rc_cycles(struct ioe_pcie_rc *rc)
{
    return rc ? rc->cycle.load() : 0;
}

int ioe_pcie_rc_inject(struct ioe_pcie_rc *rc, enum ioe_pcie_rc_fault f, unsigned count)
{
    if (!rc || f < IOE_PCIE_RC_FAULT_NONE || f > IOE_PCIE_RC_FAULT_LATE)
        return -EINVAL;
    auto lk = rc->hold();
    rc->fault = count ? f : IOE_PCIE_RC_FAULT_NONE;
    rc->fault_count = f == IOE_PCIE_RC_FAULT_NONE ? 0 : count;
    rc->release(lk);
    return 0;
}

int ioe_pcie_rc_release_late(struct ioe_pcie_rc *rc)
{
    if (!rc)
        return -EINVAL;
    auto lk = rc->hold();
    uint64_t now = rc->cycle.load();
    for (auto &pk : rc->late)
        rc->sched.emplace(now, std::move(pk));
    rc->late.clear();
    int n = static_cast<int>(rc->late_reads);
    rc->late_reads = 0;
    rc->release(lk);
    return n;
}

uint64_t ioe_pcie_rc_card_reads(struct ioe_pcie_rc *rc)
{
    if (!rc)
        return 0;
    auto lk = rc->hold();
    uint64_t n = rc->card_reads;
    rc->release(lk);
    return n;
}

} // extern "C"
