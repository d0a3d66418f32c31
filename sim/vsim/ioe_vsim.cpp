// Verilator harness of ioe_top behind the plain C API of ioe_vsim.h.
//
// One clock cycle: drive this cycle's inputs, evaluate with the clock low (outputs and
// combinational readies settle; skipped when no input changed), sample every handshake that completes at the coming
// rising edge, then evaluate with the clock high. cycle_ counts rising edges since reset
// was released, like the card's CYCLE register.

#include "ioe_vsim.h"

#include <array>
#include "ioe_fw_image.h"

#include <cerrno>
#include <deque>
#include <memory>
#include <new>

#include "Vioe_top.h"
#include "Vioe_top___024root.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include <ioe/regs.h>

namespace
{

struct Msi {
    uint32_t devid;
    uint64_t addr;
    uint32_t data;
};

constexpr unsigned kResetCycles = 4;
constexpr unsigned kSyncCycles = 2; // ioe_sync stages on the wired inputs

// The input ports of ioe_top but the clock: what a clock-low eval() would settle.
using Inputs = std::array<uint64_t, 21>;

Inputs inputs(const Vioe_top &t)
{
    return {t.rst_ni,          t.s_axil_awvalid_i, t.s_axil_awaddr_i,   t.s_axil_wvalid_i,
            t.s_axil_wdata_i,  t.s_axil_wstrb_i,   t.s_axil_bready_i,   t.s_axil_arvalid_i,
            t.s_axil_araddr_i, t.s_axil_rready_i,  t.m_dma_req_ready_i, t.m_dma_rsp_valid_i,
            t.m_dma_rsp_tag_i, t.m_dma_rsp_err_i,  t.m_dma_rsp_rdata_i, t.s_msi_valid_i,
            t.s_msi_devid_i,   t.s_msi_addr_i,     t.s_msi_data_i,      t.m_notify_ready_i,
            t.wired_i};
}

// Verilator 5.006 finds the rising edge by comparing clk_i with its value at the previous
// eval() (no logic of ioe_top reads the clock as data). A clock-low eval() whose inputs
// equal those of the last eval() would change nothing else, so the harness records the low
// clock in that state itself and skips it. Where Verilator names the state differently
// this returns false and the eval() is kept.
template <typename R>
auto clock_low_without_eval(R *r, int) -> decltype(r->__Vtrigrprev__TOP__clk_i = 0, true)
{
    r->__Vtrigrprev__TOP__clk_i = 0;
    return true;
}
template <typename R> bool clock_low_without_eval(R *, long)
{
    return false;
}

} // namespace

struct ioe_vsim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vioe_top> top;
    std::unique_ptr<VerilatedFstC> trace;
    ioe_hostmem *mem = nullptr;
    uint64_t cycle = 0;
    std::deque<Msi> msiq;
    std::deque<ioe_notification> notes;
    Inputs last;          // the inputs of the last eval()
    bool settled = false; // last is valid

    // Clock low: this cycle's inputs are set; let outputs settle.
    void low()
    {
        ioe_dma_rsp rsp;
        if (ioe_hostmem_poll(mem, cycle, &rsp)) {
            top->m_dma_rsp_valid_i = 1;
            top->m_dma_rsp_tag_i = rsp.tag;
            top->m_dma_rsp_err_i = rsp.err;
            top->m_dma_rsp_rdata_i = rsp.rdata;
        } else {
            top->m_dma_rsp_valid_i = 0;
        }
        top->m_dma_req_ready_i = ioe_hostmem_can_accept(mem);
        top->m_notify_ready_i = 1;
        if (!msiq.empty()) {
            top->s_msi_valid_i = 1;
            top->s_msi_devid_i = msiq.front().devid;
            top->s_msi_addr_i = msiq.front().addr;
            top->s_msi_data_i = msiq.front().data;
        } else {
            top->s_msi_valid_i = 0;
        }
        top->clk_i = 0;
        Inputs now = inputs(*top);
        if (trace || !settled || now != last || !clock_low_without_eval(top->rootp, 0)) {
            top->eval();
            last = now;
            settled = true;
        }
        if (trace)
            trace->dump(2 * ctx->time());
    }

    // Clock high: complete the handshakes sampled in low().
    void high()
    {
        bool msi_taken = top->s_msi_valid_i && top->s_msi_ready_o;
        if (top->m_dma_req_valid_o && top->m_dma_req_ready_i) {
            ioe_dma_req req;
            req.tag = top->m_dma_req_tag_o;
            req.write = top->m_dma_req_write_o;
            req.addr = top->m_dma_req_addr_o;
            req.wdata = top->m_dma_req_wdata_o;
            req.wstrb = top->m_dma_req_wstrb_o;
            ioe_hostmem_submit(mem, &req, cycle);
        }
        if (top->m_notify_valid_o && top->m_notify_ready_i) {
            notes.push_back(ioe_notification{top->m_notify_vm_o, top->m_notify_vcpu_o,
                                             top->m_notify_src_o, cycle});
        }
        top->clk_i = 1;
        top->eval();
        if (trace)
            trace->dump(2 * ctx->time() + 1);
        ctx->timeInc(1);
        cycle++;
        if (msi_taken)
            msiq.pop_front();
    }

    void tick()
    {
        low();
        high();
    }
};

extern "C" {

int ioe_vsim_open(const struct ioe_simcard_config *cfg, struct ioe_vsim **out)
{
    if (!cfg || !cfg->mem)
        return -EINVAL;
    ioe_vsim *s = new (std::nothrow) ioe_vsim;
    if (!s)
        return -ENOMEM;
    s->mem = cfg->mem;
    s->ctx.reset(new VerilatedContext);
    s->ctx->randReset(0);
    if (cfg->trace_path)
        s->ctx->traceEverOn(true);
    s->top.reset(new Vioe_top{s->ctx.get(), "ioe_top"});
    if (cfg->trace_path) {
        s->trace.reset(new VerilatedFstC);
        s->top->trace(s->trace.get(), 99);
        s->trace->open(cfg->trace_path);
        if (!s->trace->isOpen()) {
            s->top.reset();
            delete s;
            return -EIO;
        }
    }
    s->top->wired_i = 0;
    ioe_vsim_reset(s);
    // The management core's memory holds the built firmware, as a configured FPGA's block RAM
    // holds its bitstream's image: loaded over the CSR path, then the card is reset (the
    // memory keeps its content; the core boots from it and CYCLE starts at 0).
    uint32_t features = 0;
    if (ioe_vsim_read32(s, IOE_CORE_FEATURES, &features) == 0 &&
        (features >> IOE_CORE_FEATURES_MGMT_SHIFT & 1)) {
        ioe_vsim_write32(s, IOE_MGMT_CTRL, 0);
        for (size_t i = 0; i < ioe_fw_image_words; i++) {
            ioe_vsim_write32(s, IOE_MGMT_IMEM_ADDR, static_cast<uint32_t>(i));
            ioe_vsim_write32(s, IOE_MGMT_IMEM_WDATA, ioe_fw_image[i]);
        }
        ioe_vsim_reset(s);
    }
    *out = s;
    return 0;
}

void ioe_vsim_close(struct ioe_vsim *s)
{
    if (!s)
        return;
    s->top->final();
    if (s->trace)
        s->trace->close();
    delete s;
}

void ioe_vsim_reset(struct ioe_vsim *s)
{
    Vioe_top *t = s->top.get();
    t->s_axil_awvalid_i = 0;
    t->s_axil_wvalid_i = 0;
    t->s_axil_bready_i = 0;
    t->s_axil_arvalid_i = 0;
    t->s_axil_rready_i = 0;
    s->msiq.clear();
    s->notes.clear();
    ioe_hostmem_flush(s->mem);
    t->rst_ni = 0;
    for (unsigned i = 0; i < kResetCycles; i++)
        s->tick();
    t->rst_ni = 1;
    s->cycle = 0;
    ioe_hostmem_flush(s->mem);
}

void ioe_vsim_step(struct ioe_vsim *s, uint64_t cycles)
{
    for (uint64_t i = 0; i < cycles; i++)
        s->tick();
}

uint64_t ioe_vsim_cycles(const struct ioe_vsim *s)
{
    return s->cycle;
}

static int check_addr(uint32_t addr)
{
    return (addr & 3) || addr >= IOE_CSR_WINDOW_SIZE ? -EINVAL : 0;
}

int ioe_vsim_read32(struct ioe_vsim *s, uint32_t addr, uint32_t *val)
{
    if (int err = check_addr(addr))
        return err;
    Vioe_top *t = s->top.get();
    t->s_axil_araddr_i = addr;
    t->s_axil_arvalid_i = 1;
    t->s_axil_rready_i = 1;
    for (unsigned n = 0; n < IOE_VSIM_TIMEOUT_CYCLES; n++) {
        s->low();
        bool ar_done = t->s_axil_arready_o;
        bool r_done = t->s_axil_rvalid_o;
        uint32_t data = t->s_axil_rdata_o;
        unsigned resp = t->s_axil_rresp_o;
        s->high();
        if (ar_done)
            t->s_axil_arvalid_i = 0;
        if (r_done) {
            t->s_axil_rready_i = 0;
            *val = data;
            return resp == 0 ? 0 : -EIO;
        }
    }
    t->s_axil_arvalid_i = 0;
    t->s_axil_rready_i = 0;
    return -ETIMEDOUT;
}

int ioe_vsim_write32(struct ioe_vsim *s, uint32_t addr, uint32_t val)
{
    if (int err = check_addr(addr))
        return err;
    Vioe_top *t = s->top.get();
    t->s_axil_awaddr_i = addr;
    t->s_axil_awvalid_i = 1;
    t->s_axil_wdata_i = val;
    t->s_axil_wstrb_i = 0xf;
    t->s_axil_wvalid_i = 1;
    t->s_axil_bready_i = 1;
    for (unsigned n = 0; n < IOE_VSIM_TIMEOUT_CYCLES; n++) {
        s->low();
        bool aw_done = t->s_axil_awready_o;
        bool w_done = t->s_axil_wready_o;
        bool b_done = t->s_axil_bvalid_o;
        unsigned resp = t->s_axil_bresp_o;
        s->high();
        if (aw_done)
            t->s_axil_awvalid_i = 0;
        if (w_done)
            t->s_axil_wvalid_i = 0;
        if (b_done) {
            t->s_axil_bready_i = 0;
            return resp == 0 ? 0 : -EIO;
        }
    }
    t->s_axil_awvalid_i = 0;
    t->s_axil_wvalid_i = 0;
    t->s_axil_bready_i = 0;
    return -ETIMEDOUT;
}

void ioe_vsim_msi_queue(struct ioe_vsim *s, uint32_t devid, uint64_t addr, uint32_t data)
{
    s->msiq.push_back(Msi{devid, addr, data});
}

int ioe_vsim_msi(struct ioe_vsim *s, uint32_t devid, uint64_t addr, uint32_t data)
{
    ioe_vsim_msi_queue(s, devid, addr, data);
    for (unsigned n = 0; n < IOE_VSIM_TIMEOUT_CYCLES && !s->msiq.empty(); n++)
        s->tick();
    return s->msiq.empty() ? 0 : -ETIMEDOUT;
}

int ioe_vsim_set_wired(struct ioe_vsim *s, unsigned line, int level)
{
    if (line >= IOE_PARAM_NR_WIRED_DEFAULT)
        return -EINVAL;
    uint32_t v = s->top->wired_i;
    s->top->wired_i = level ? (v | 1u << line) : (v & ~(1u << line));
    ioe_vsim_step(s, kSyncCycles); // the level is visible to the card's logic on return
    return 0;
}

size_t ioe_vsim_drain(struct ioe_vsim *s, struct ioe_notification *buf, size_t max)
{
    size_t n = 0;
    while (n < max && !s->notes.empty()) {
        buf[n++] = s->notes.front();
        s->notes.pop_front();
    }
    return n;
}

size_t ioe_vsim_pending(const struct ioe_vsim *s)
{
    return s->notes.size();
}

// ------------------------------------------------------------------ simcard table
static int op_open(const ioe_simcard_config *cfg, void **card)
{
    return ioe_vsim_open(cfg, reinterpret_cast<ioe_vsim **>(card));
}
static void op_close(void *c)
{
    ioe_vsim_close(static_cast<ioe_vsim *>(c));
}
static void op_reset(void *c)
{
    ioe_vsim_reset(static_cast<ioe_vsim *>(c));
}
static void op_step(void *c, uint64_t n)
{
    ioe_vsim_step(static_cast<ioe_vsim *>(c), n);
}
static uint64_t op_cycles(const void *c)
{
    return ioe_vsim_cycles(static_cast<const ioe_vsim *>(c));
}
static int op_read32(void *c, uint32_t a, uint32_t *v)
{
    return ioe_vsim_read32(static_cast<ioe_vsim *>(c), a, v);
}
static int op_write32(void *c, uint32_t a, uint32_t v)
{
    return ioe_vsim_write32(static_cast<ioe_vsim *>(c), a, v);
}
static int op_msi(void *c, uint32_t d, uint64_t a, uint32_t v)
{
    return ioe_vsim_msi(static_cast<ioe_vsim *>(c), d, a, v);
}
static int op_wired(void *c, unsigned l, int v)
{
    return ioe_vsim_set_wired(static_cast<ioe_vsim *>(c), l, v);
}
static size_t op_drain(void *c, ioe_notification *b, size_t n)
{
    return ioe_vsim_drain(static_cast<ioe_vsim *>(c), b, n);
}
static size_t op_pending(const void *c)
{
    return ioe_vsim_pending(static_cast<const ioe_vsim *>(c));
}

const struct ioe_simcard_ops ioe_vsim_ops = {
    "sim",      op_open, op_close, op_reset, op_step,    op_cycles, op_read32,
    op_write32, op_msi,  op_wired, op_drain, op_pending, nullptr,
};

} // extern "C"
