// Verilator harness of the JTAG debug path (ioe_jtag_sim_port: TAP, bridge, arbiter) in front
// of the card's model (ioe_vsim: ioe_top), behind the C API of ioe_vjtag.h.
//
// The two models share one clock. The port's master side is served here as an AXI4-Lite slave:
// an address beat it offers is taken in the cycle it appears and performed on the card with
// ioe_vsim_read32/write32 (which clock the card until ioe_top answers; the port waits, frozen,
// meanwhile); the response is then offered to the port until it takes it. Otherwise every
// cycle of the port is a cycle of the card.

#include "ioe_vjtag.h"

#include <cerrno>
#include <memory>
#include <new>

#include "Vioe_jtag_sim_port.h"
#include "ioe_hostmem.h"
#include "ioe_vsim.h"
#include "verilated.h"

namespace
{
constexpr unsigned kResetCycles = 4;
constexpr unsigned kAxiSlvErr = 2;
} // namespace

struct ioe_vjtag {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vioe_jtag_sim_port> port;
    ioe_hostmem *mem = nullptr;
    ioe_vsim *card = nullptr;
    uint64_t cycle = 0, tck_edges = 0;
    bool rsp_read = false, rsp_write = false; // a response waits for the port
    uint32_t rdata = 0;
    unsigned resp = 0;

    void tick()
    {
        Vioe_jtag_sim_port *p = port.get();
        p->clk_i = 0;
        p->m_axil_rvalid_i = rsp_read;
        p->m_axil_rdata_i = rdata;
        p->m_axil_rresp_i = resp;
        p->m_axil_bvalid_i = rsp_write;
        p->m_axil_bresp_i = resp;
        p->m_axil_arready_i = 0;
        p->m_axil_awready_i = 0;
        p->m_axil_wready_i = 0;
        p->eval();
        bool idle = !rsp_read && !rsp_write;
        bool ar = idle && p->m_axil_arvalid_o;
        bool aw = idle && !ar && p->m_axil_awvalid_o && p->m_axil_wvalid_o;
        p->m_axil_arready_i = ar;
        p->m_axil_awready_i = aw;
        p->m_axil_wready_i = aw;
        p->eval();
        bool r_taken = rsp_read && p->m_axil_rready_o;
        bool b_taken = rsp_write && p->m_axil_bready_o;
        uint32_t araddr = p->m_axil_araddr_o, awaddr = p->m_axil_awaddr_o;
        uint32_t wdata = p->m_axil_wdata_o;
        p->clk_i = 1;
        p->eval();
        ctx->timeInc(1);
        cycle++;
        rsp_read &= !r_taken;
        rsp_write &= !b_taken;
        if (ar) {
            resp = ioe_vsim_read32(card, araddr, &rdata) ? kAxiSlvErr : 0;
            rsp_read = true;
        } else if (aw) {
            resp = ioe_vsim_write32(card, awaddr, wdata) ? kAxiSlvErr : 0;
            rdata = 0;
            rsp_write = true;
        } else {
            ioe_vsim_step(card, 1);
        }
    }
};

extern "C" {

int ioe_vjtag_open(uint32_t idcode, const char *trace_path, struct ioe_vjtag **out)
{
    if (!(idcode & 1) || !out)
        return -EINVAL;
    ioe_vjtag *j = new (std::nothrow) ioe_vjtag;
    if (!j)
        return -ENOMEM;
    /* no host memory behind JTAG: every DMA access of the card answers an error */
    j->mem = ioe_hostmem_create(IOE_CARD_DEFAULT_DMA_LATENCY, IOE_CARD_DEFAULT_DMA_OUTSTANDING);
    ioe_simcard_config cfg = {j->mem, trace_path};
    int err = j->mem ? ioe_vsim_open(&cfg, &j->card) : -ENOMEM;
    if (err) {
        if (j->mem)
            ioe_hostmem_destroy(j->mem);
        delete j;
        return err;
    }
    j->ctx.reset(new VerilatedContext);
    j->ctx->randReset(0);
    j->port.reset(new Vioe_jtag_sim_port{j->ctx.get(), "ioe_jtag_sim_port"});
    j->port->idcode_i = idcode;
    j->port->tck_i = 0;
    j->port->tms_i = 1;
    j->port->tdi_i = 0;
    ioe_vjtag_reset(j, 1, 1);
    ioe_vjtag_reset(j, 0, 0);
    *out = j;
    return 0;
}

void ioe_vjtag_close(struct ioe_vjtag *j)
{
    if (!j)
        return;
    j->port->final();
    ioe_vsim_close(j->card);
    ioe_hostmem_destroy(j->mem);
    delete j;
}

void ioe_vjtag_pins(struct ioe_vjtag *j, int tck, int tms, int tdi)
{
    if (tck && !j->port->tck_i)
        j->tck_edges++;
    j->port->tck_i = tck != 0;
    j->port->tms_i = tms != 0;
    j->port->tdi_i = tdi != 0;
    for (unsigned i = 0; i < IOE_VJTAG_CLOCKS_PER_EDGE; i++)
        j->tick();
}

int ioe_vjtag_tdo(const struct ioe_vjtag *j)
{
    return j->port->tdo_o;
}

void ioe_vjtag_reset(struct ioe_vjtag *j, int trst, int srst)
{
    j->port->trst_ni = !trst;
    j->port->rst_ni = !srst;
    if (srst) {
        j->rsp_read = j->rsp_write = false;
        ioe_vsim_reset(j->card);
    }
    for (unsigned i = 0; i < kResetCycles; i++)
        j->tick();
}

uint64_t ioe_vjtag_cycles(const struct ioe_vjtag *j)
{
    return j->cycle;
}

uint64_t ioe_vjtag_tck_edges(const struct ioe_vjtag *j)
{
    return j->tck_edges;
}

} // extern "C"
