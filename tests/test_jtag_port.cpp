// The JTAG debug bridge and the CSR port's arbiter at the signal level
// (rtl/src/ioe_jtag_csr_port.sv): the bridge's scans (driven as BSCANE2 would, TCK at a quarter of
// the clock) and a host master issuing random reads and writes at the same time, against a register
// file that answers after random delays and with SLVERR above its end. Every access of both masters
// must reach the slave once and get its own answer: the bridge's status words (busy, op, error,
// data, signature) and the host's responses are checked against a model of the registers. Prints
// its seed; `test_jtag_port SEED` repeats a run.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "Vioe_jtag_csr_port.h"
#include "verilated.h"
#include "vcheck.h"

namespace
{

constexpr unsigned kRegs = 64;          // registers at 0 .. 4*kRegs-4; SLVERR above
constexpr uint64_t kSignature = 0xd0b1; // status [63:48]
constexpr unsigned kBusyScans = 64;     // the procs' bound (boards/ioe_jtag.tcl)
enum Op { kNop = 0, kRead = 1, kWrite = 2 };

struct Bench {
    std::unique_ptr<Vioe_jtag_csr_port> p{new Vioe_jtag_csr_port};
    std::mt19937 rng;
    uint32_t regs[kRegs] = {};
    // slave: one access at a time, answered after a random delay
    int s_busy = 0, s_wait = 0, s_write = 0;
    uint32_t s_addr = 0, s_data = 0;
    // host master: one access at a time
    int h_state = 0, h_write = 0; // 0 idle, 1 address phase, 2 response phase
    uint32_t h_addr = 0, h_data = 0;
    unsigned host_done = 0;

    explicit Bench(unsigned seed) : rng(seed) {}

    bool slave_err(uint32_t a) const { return a >= 4 * kRegs; }

    void host_start()
    {
        h_write = rng() & 1;
        h_addr = 4 * (kRegs / 2 + rng() % (kRegs / 2 + 4)); // the upper half, some above it
        h_data = rng();
        h_state = 1;
    }

    // one clock cycle; the host runs when `host` is set
    void cycle(bool host)
    {
        Vioe_jtag_csr_port *v = p.get();
        if (host && h_state == 0 && rng() % 4 == 0)
            host_start();
        v->s_axil_arvalid_i = h_state == 1 && !h_write;
        v->s_axil_awvalid_i = h_state == 1 && h_write;
        v->s_axil_wvalid_i = h_state == 1 && h_write;
        v->s_axil_araddr_i = h_addr;
        v->s_axil_awaddr_i = h_addr;
        v->s_axil_wdata_i = h_data;
        v->s_axil_wstrb_i = 0xf;
        v->s_axil_rready_i = h_state == 2 && rng() % 2;
        v->s_axil_bready_i = h_state == 2 && rng() % 2;
        bool answer = s_busy && s_wait == 0;
        v->m_axil_rvalid_i = answer && !s_write;
        v->m_axil_bvalid_i = answer && s_write;
        v->m_axil_rdata_i = slave_err(s_addr) ? 0 : regs[s_addr / 4];
        v->m_axil_rresp_i = v->m_axil_bresp_i = slave_err(s_addr) ? 2 : 0;
        v->m_axil_arready_i = !s_busy;
        v->m_axil_awready_i = !s_busy;
        v->m_axil_wready_i = !s_busy;
        v->clk_i = 0;
        v->eval();
        // the slave takes a read, or a write with both its beats (the arbiter passes one owner)
        bool ar = !s_busy && v->m_axil_arvalid_o;
        bool aw = !s_busy && !ar && v->m_axil_awvalid_o && v->m_axil_wvalid_o;
        bool done = answer && (s_write ? v->m_axil_bready_o : v->m_axil_rready_o);
        // the host's handshakes
        bool h_addr_taken = h_state == 1 && (h_write ? v->s_axil_awready_o && v->s_axil_wready_o
                                                     : v->s_axil_arready_o);
        bool h_rsp = h_state == 2 && (h_write ? v->s_axil_bvalid_o && v->s_axil_bready_i
                                              : v->s_axil_rvalid_o && v->s_axil_rready_i);
        if (h_rsp) {
            unsigned resp = h_write ? v->s_axil_bresp_o : v->s_axil_rresp_o;
            CHECK_EQ(resp, slave_err(h_addr) ? 2u : 0u);
            if (!h_write && !slave_err(h_addr))
                CHECK_EQ(v->s_axil_rdata_o, regs[h_addr / 4]);
        }
        uint32_t new_addr = ar ? v->m_axil_araddr_o : v->m_axil_awaddr_o;
        uint32_t new_data = v->m_axil_wdata_o;
        v->clk_i = 1;
        v->eval();
        if (done) {
            if (s_write && !slave_err(s_addr))
                regs[s_addr / 4] = s_data;
            s_busy = 0;
        } else if (s_busy && s_wait) {
            s_wait--;
        }
        if (ar || aw) {
            s_busy = 1;
            s_write = aw;
            s_addr = new_addr;
            s_data = new_data;
            s_wait = rng() % 6;
        }
        if (h_addr_taken)
            h_state = 2;
        if (h_rsp) {
            h_state = 0;
            host_done++;
        }
    }

    // JTAG: one TCK period (low half, then high) with BSCANE2's signals, host running beside
    void tck(bool capture, bool shift, bool update, int tdi, int *tdo)
    {
        Vioe_jtag_csr_port *v = p.get();
        v->jtag_sel_i = 1;
        v->jtag_capture_i = capture;
        v->jtag_shift_i = shift;
        v->jtag_update_i = update;
        v->jtag_tdi_i = tdi;
        v->jtag_tck_i = 0;
        cycle(true);
        cycle(true);
        if (tdo)
            *tdo = v->jtag_tdo_o;
        v->jtag_tck_i = 1;
        cycle(true);
        cycle(true);
    }

    // a whole DR scan: Capture-DR, 64 shifts, Update-DR, then `idle` TCK periods in Run-Test/Idle
    uint64_t scan(uint64_t in, unsigned idle)
    {
        uint64_t out = 0;
        tck(true, false, false, 0, nullptr);
        for (unsigned i = 0; i < 64; i++) {
            int bit;
            tck(false, true, false, (int)(in >> i & 1), &bit);
            out |= (uint64_t)bit << i;
        }
        tck(false, false, true, 0, nullptr);
        for (unsigned i = 0; i < idle; i++)
            tck(false, false, false, 0, nullptr);
        return out;
    }
};

uint64_t command(Op op, uint32_t addr, uint32_t data)
{
    return (uint64_t)op << 62 | (uint64_t)addr << 32 | data;
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], nullptr, 0) : std::random_device{}();
    std::printf("test_jtag_port: seed %u\n", seed);
    Bench b(seed);
    b.p->rst_ni = 0;
    for (int i = 0; i < 4; i++)
        b.cycle(false);
    b.p->rst_ni = 1;

    unsigned busy_scans = 0, jtag_done = 0;
    for (unsigned n = 0; n < 300; n++) {
        bool write = b.rng() & 1;
        // the lower half (the host writes only the upper one) and some above the registers
        uint32_t addr = b.rng() % 8 ? 4 * (b.rng() % (kRegs / 2)) : 4 * (kRegs + b.rng() % 4);
        uint32_t data = b.rng();
        Op op = write ? kWrite : kRead;
        // issue (repeated while the bridge says busy: then the command was ignored), then NOPs
        // until the access has finished; a bridge busy for kBusyScans scans is a failure
        uint64_t st = 0;
        for (Op o : {op, kNop}) {
            unsigned k = 0;
            while (k < kBusyScans && ((st = b.scan(command(o, addr, data), b.rng() % 3)) >> 32 & 1))
                k++;
            busy_scans += k;
            CHECK(k < kBusyScans);
            CHECK_EQ(st >> 48, kSignature);
        }
        if (failures)
            break;
        CHECK_EQ(st >> 34 & 3, (unsigned)op);
        CHECK_EQ(st >> 33 & 1, b.slave_err(addr) ? 1u : 0u);
        if (write && !b.slave_err(addr))
            CHECK_EQ(b.regs[addr / 4], data);
        if (!write)
            CHECK_EQ(st & 0xffffffff, b.slave_err(addr) ? 0u : b.regs[addr / 4]);
        jtag_done++;
    }
    std::printf("test_jtag_port: %u JTAG accesses (%u busy scans repeated), %u host accesses "
                "beside them, %d failures\n",
                jtag_done, busy_scans, b.host_done, failures);
    CHECK(b.host_done > 1000);
    CHECK(busy_scans > 0);
    return failures != 0;
}
