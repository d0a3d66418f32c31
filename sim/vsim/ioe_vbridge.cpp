// Verilator harness of ioe_wire_card (the board's logic below its pins) behind the byte
// API of ioe_vbridge.h. One cycle: drive the input stream from the queue, evaluate with
// the clock low, sample the handshakes, evaluate with the clock high.

#include "ioe_vbridge.h"

#include <cerrno>
#include <deque>
#include <memory>
#include <new>

#include "Vioe_wire_card.h"
#include "verilated.h"

#include <ioe/regs.h>

namespace
{
constexpr unsigned kResetCycles = 4;
} // namespace

struct ioe_vbridge {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vioe_wire_card> top;
    uint64_t cycle = 0;
    uint64_t drops = 0;
    uint32_t wired = 0;
    std::deque<uint8_t> in, out;

    void tick()
    {
        top->in_valid_i = !in.empty();
        top->in_data_i = in.empty() ? 0 : in.front();
        top->out_ready_i = 1;
        top->wired_i = wired;
        top->clk_i = 0;
        top->eval();
        if (top->in_valid_i && top->in_ready_o)
            in.pop_front();
        if (top->out_valid_o)
            out.push_back(top->out_data_o);
        if (top->drop_o)
            drops++;
        top->clk_i = 1;
        top->eval();
        ctx->timeInc(1);
        cycle++;
    }

    void reset()
    {
        in.clear();
        top->rst_ni = 0;
        top->in_valid_i = 0;
        top->out_ready_i = 0;
        for (unsigned i = 0; i < kResetCycles; i++) {
            top->clk_i = 0;
            top->eval();
            top->clk_i = 1;
            top->eval();
        }
        top->rst_ni = 1;
        top->clk_i = 0;
        top->eval();
        out.clear();
        cycle = 0;
        drops = 0;
    }
};

extern "C" {

int ioe_vbridge_open(struct ioe_vbridge **out)
{
    auto *b = new (std::nothrow) ioe_vbridge;
    if (!b)
        return -ENOMEM;
    b->ctx.reset(new (std::nothrow) VerilatedContext);
    if (b->ctx)
        b->top.reset(new (std::nothrow) Vioe_wire_card(b->ctx.get()));
    if (!b->top) {
        delete b;
        return -ENOMEM;
    }
    b->reset();
    *out = b;
    return 0;
}

void ioe_vbridge_close(struct ioe_vbridge *b)
{
    if (!b)
        return;
    b->top->final();
    delete b;
}

void ioe_vbridge_reset(struct ioe_vbridge *b)
{
    b->reset();
}

void ioe_vbridge_put(struct ioe_vbridge *b, const void *buf, size_t n)
{
    const uint8_t *p = static_cast<const uint8_t *>(buf);
    b->in.insert(b->in.end(), p, p + n);
}

size_t ioe_vbridge_unsent(const struct ioe_vbridge *b)
{
    return b->in.size();
}

size_t ioe_vbridge_take(struct ioe_vbridge *b, void *buf, size_t max)
{
    uint8_t *p = static_cast<uint8_t *>(buf);
    size_t n = 0;
    while (n < max && !b->out.empty()) {
        p[n++] = b->out.front();
        b->out.pop_front();
    }
    return n;
}

size_t ioe_vbridge_pending(const struct ioe_vbridge *b)
{
    return b->out.size();
}

void ioe_vbridge_step(struct ioe_vbridge *b, uint64_t cycles)
{
    for (uint64_t i = 0; i < cycles; i++)
        b->tick();
}

uint64_t ioe_vbridge_cycles(const struct ioe_vbridge *b)
{
    return b->cycle;
}

int ioe_vbridge_set_wired(struct ioe_vbridge *b, unsigned line, int level)
{
    if (line >= IOE_PARAM_NR_WIRED_SMALL)
        return -EINVAL;
    if (level)
        b->wired |= 1u << line;
    else
        b->wired &= ~(1u << line);
    return 0;
}

uint64_t ioe_vbridge_drops(const struct ioe_vbridge *b)
{
    return b->drops;
}

} // extern "C"
