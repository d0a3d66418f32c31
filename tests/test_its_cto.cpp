/*
 * The ITS engine's DMA completion timeout (rtl/src/ioe_its_cto.sv) on its own, built with
 * TimeoutCycles = 16 (docs/its.md, "DMA completion timeout"):
 *   - a request without a response gets an error response with its tag 16 to 24 cycles
 *     after it was taken, chosen in a cycle without a host response;
 *   - every response reaches the client from flops, one cycle after the host response or
 *     the cycle that chose the timeout;
 *   - the tag's next request carries the next generation; the late host response of the
 *     request that timed out (old generation) is dropped, the new one's is passed;
 *   - responses in time pass unchanged and nothing times out afterwards; a stray response
 *     (a tag never issued) is dropped; two tags timing out together are both answered.
 * Deterministic (no random stream).
 */
#include <cstdint>
#include <cstdio>

#include <verilated.h>

#include "Vioe_its_cto.h"
#include "vcheck.h"

namespace
{

constexpr unsigned kTimeout = 16;

/* dma_req_t: tag [146:137], write [136], addr [135:72], wdata [71:8], wstrb [7:0];
 * dma_rsp_t: tag [74:65], err [64], rdata [63:0] */
struct Bench {
    Vioe_its_cto m;
    uint64_t cycle = 0;

    void tick()
    {
        m.clk_i = 0;
        m.eval();
        m.clk_i = 1;
        m.eval();
        cycle++;
    }
    void reset()
    {
        m.rst_ni = 0;
        m.c_req_valid_i = 0;
        m.m_req_ready_i = 1;
        m.m_rsp_valid_i = 0;
        tick();
        m.rst_ni = 1;
        tick();
    }
    /* issue a request with client tag t; returns the tag it went out with */
    unsigned request(unsigned t, uint64_t addr)
    {
        for (int i = 0; i < 5; i++)
            m.c_req_i[i] = 0;
        wide_put(m.c_req_i, 137, 10, t);
        wide_put(m.c_req_i, 72, 64, addr);
        m.c_req_valid_i = 1;
        m.eval();
        CHECK(m.m_req_valid_o);
        CHECK_EQ(wide_get(m.m_req_o, 72, 64), addr);
        unsigned wire = (unsigned)wide_get(m.m_req_o, 137, 10);
        tick();
        m.c_req_valid_i = 0;
        m.eval();
        return wire;
    }
    /* drive a host response for one cycle; returns whether the client saw it (in the next
     * cycle: the response is registered) */
    bool respond(unsigned wire_tag, uint64_t data, unsigned *tag = nullptr, bool *err = nullptr)
    {
        m.m_rsp_valid_i = 1;
        for (int i = 0; i < 3; i++)
            m.m_rsp_i[i] = 0;
        wide_put(m.m_rsp_i, 65, 10, wire_tag);
        wide_put(m.m_rsp_i, 0, 64, data);
        m.eval();
        CHECK(!m.c_rsp_valid_o); /* nothing passes through in the same cycle */
        tick();
        m.m_rsp_valid_i = 0;
        m.eval();
        bool seen = m.c_rsp_valid_o;
        if (seen) {
            if (tag)
                *tag = (unsigned)wide_get(m.c_rsp_o, 65, 10);
            if (err)
                *err = wide_get(m.c_rsp_o, 64, 1);
            CHECK_EQ(wide_get(m.c_rsp_o, 0, 64), data);
            tick(); /* the client took it */
        }
        return seen;
    }
    /* step until the client sees a response (at most n cycles): cycles waited, or -1 */
    int wait_rsp(unsigned n, unsigned *tag, bool *err)
    {
        for (unsigned i = 0; i <= n; i++) {
            m.eval();
            if (m.c_rsp_valid_o) {
                *tag = (unsigned)wide_get(m.c_rsp_o, 65, 10);
                *err = wide_get(m.c_rsp_o, 64, 1);
                CHECK_EQ(wide_get(m.c_rsp_o, 0, 64), 0);
                tick();
                return (int)i;
            }
            tick();
        }
        return -1;
    }
};

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Bench b;
    b.reset();
    unsigned tag = 0;
    bool err = false;

    /* 1. no response: an error response after 16..24 cycles (+1, the response register),
     * tag 0 */
    unsigned w0 = b.request(0, 0x1000);
    CHECK_EQ(w0, 0);
    int waited = b.wait_rsp(4 * kTimeout, &tag, &err);
    std::printf("timeout after %d cycles\n", waited + 1);
    CHECK(waited >= (int)kTimeout && waited <= (int)(kTimeout * 3 / 2));
    CHECK_EQ(tag, 0);
    CHECK(err);

    /* 2. the next request of tag 0 has generation 1; the late response (generation 0) is
     * dropped, the new one passes */
    unsigned w1 = b.request(0, 0x2000);
    CHECK_EQ(w1, 0x40);
    CHECK(!b.respond(w0, 0xdead));
    CHECK(b.respond(w1, 0xbeef, &tag, &err));
    CHECK_EQ(tag, 0);
    CHECK(!err);

    /* 3. a walker tag answered in time: passes, and nothing times out later */
    unsigned w37 = b.request(37, 0x3000);
    CHECK_EQ(w37, 37);
    for (int i = 0; i < 5; i++)
        b.tick();
    CHECK(b.respond(w37, 0x1234, &tag, &err));
    CHECK_EQ(tag, 37);
    CHECK(!err);
    CHECK_EQ(b.wait_rsp(4 * kTimeout, &tag, &err), -1);

    /* 4. a stray response (tag 5 is never issued; tag 40 is not outstanding) is dropped */
    CHECK(!b.respond(5, 1));
    CHECK(!b.respond(40, 2));

    /* 5. two tags time out while host responses (stray ones, dropped) take every cycle:
     * no error response meanwhile; then both are answered, one per cycle */
    unsigned wa = b.request(0, 0x4000), wb = b.request(40, 0x5000);
    CHECK_EQ(wa, 0x40); /* still generation 1: only a timeout advances it */
    CHECK_EQ(wb, 40);
    int leaked = 0;
    for (unsigned i = 0; i < 2 * kTimeout; i++)
        leaked += b.respond(5, 0);
    CHECK_EQ(leaked, 0);
    unsigned seen[2] = {99, 99};
    CHECK_EQ(b.wait_rsp(1, &seen[0], &err), 1);
    CHECK(err);
    CHECK_EQ(b.wait_rsp(0, &seen[1], &err), 0);
    CHECK(err);
    CHECK_EQ(seen[0], 0); /* the lower tag first */
    CHECK_EQ(seen[1], 40);
    CHECK_EQ(b.wait_rsp(4 * kTimeout, &tag, &err), -1);
    b.m.final();
    std::printf("test_its_cto: %d failure(s)\n", failures);
    return failures != 0;
}
