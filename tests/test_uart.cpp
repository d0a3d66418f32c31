// The board's UART (rtl/src/ioe_uart_rx.sv, ioe_uart_tx.sv) at the bit level, at 8 and 4
// clocks per bit (8 MHz: 1 and 2 Mbaud): the transmitter's waveform; the receiver
// against a sender whose bit time differs from its own (within tolerance it must
// receive every byte; far outside it must notice), a false start, a bad stop bit and a
// break, and the two back to back. Prints its seed; `test_uart SEED` repeats a run.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "Vioe_uart_rx.h"
#include "Vioe_uart_rx4.h"
#include "Vioe_uart_tx.h"
#include "Vioe_uart_tx4.h"
#include "verilated.h"
#include "vcheck.h"

namespace
{

// The line of a sender with `period` receiver cycles per bit: a list of per-cycle levels.
struct Line {
    std::vector<uint8_t> lv;
    double t = 0; // position in cycles
    void level(int v, double cycles)
    {
        double end = t + cycles;
        while (lv.size() < (size_t)std::ceil(end))
            lv.push_back((uint8_t)v);
        t = end;
    }
    void byte(int b, double period, int stop = 1)
    {
        level(0, period);
        for (int i = 0; i < 8; i++)
            level((b >> i) & 1, period);
        level(stop, period);
    }
};

// The tests at kCpb clocks per bit, on the models verilated with ClksPerBit = kCpb.
template <class M> void reset(M &m)
{
    m.rst_ni = 0;
    m.clk_i = 0;
    m.eval();
    m.clk_i = 1;
    m.eval();
    m.rst_ni = 1;
}

template <class RxModel, class TxModel, int kCpb> struct Suite {
    struct Rx {
        VerilatedContext ctx;
        RxModel m{&ctx};
        std::vector<int> bytes; // received bytes, -1 for a frame error
        Rx()
        {
            m.rx_i = 1;
            reset(m);
        }
        void cycle(int line)
        {
            m.rx_i = line;
            m.clk_i = 0;
            m.eval();
            if (m.valid_o)
                bytes.push_back(m.data_o);
            if (m.frame_err_o)
                bytes.push_back(-1);
            m.clk_i = 1;
            m.eval();
        }
    };

    // The transmitter, fed from a list of bytes; cycle() returns the line after the edge.
    struct Tx {
        VerilatedContext ctx;
        TxModel m{&ctx};
        size_t next = 0; // bytes of the list taken
        Tx()
        {
            m.valid_i = 0;
            reset(m);
        }
        int cycle(const std::vector<int> &q)
        {
            m.valid_i = next < q.size();
            m.data_i = next < q.size() ? (uint8_t)q[next] : 0;
            m.clk_i = 0;
            m.eval();
            if (m.valid_i && m.ready_o)
                next++;
            m.clk_i = 1;
            m.eval();
            return m.tx_o;
        }
    };

    static std::vector<int> receive(const Line &l, int idle_after = 40)
    {
        Rx rx;
        for (int i = 0; i < 5; i++)
            rx.cycle(1);
        for (uint8_t v : l.lv)
            rx.cycle(v);
        for (int i = 0; i < idle_after; i++)
            rx.cycle(1);
        return rx.bytes;
    }

    // Bytes at `period` cycles per bit with random idle gaps and a random sub-cycle phase.
    static int mismatched(std::mt19937 &rng, double period, std::vector<int> &sent)
    {
        Line l;
        l.level(1, 3 + (rng() % 1000) / 1000.0);
        for (int i = 0; i < 200; i++) {
            int b = (int)(rng() & 0xff);
            sent.push_back(b);
            l.byte(b, period);
            l.level(1, (rng() % 3) * period * 0.5);
        }
        std::vector<int> got = receive(l);
        int bad = got.size() != sent.size();
        for (size_t i = 0; i < got.size() && i < sent.size(); i++)
            bad += got[i] != sent[i];
        return bad;
    }

    static void test_tx_waveform()
    {
        Tx tx;
        const std::vector<int> msg = {0x55, 0x00, 0xff, 0xa5, 0x3c};
        std::vector<uint8_t> line;
        for (int c = 0; c < 5 * 10 * kCpb + 40; c++)
            line.push_back((uint8_t)tx.cycle(msg));
        CHECK(tx.next == 5);
        // the first start bit begins in the cycle after the byte is taken; decode ideally
        size_t s = 0;
        while (s < line.size() && line[s])
            s++;
        for (int k = 0; k < 5; k++) {
            size_t base = s + (size_t)k * 10 * kCpb; // back to back: no idle between bytes
            for (int c = 0; c < kCpb; c++)
                CHECK(line[base + c] == 0);
            int b = 0;
            for (int i = 0; i < 8; i++) {
                for (int c = 0; c < kCpb; c++)
                    CHECK(line[base + (1 + i) * kCpb + c] == ((msg[k] >> i) & 1));
                b |= line[base + (1 + i) * kCpb + kCpb / 2] << i;
            }
            for (int c = 0; c < kCpb; c++)
                CHECK(line[base + 9 * kCpb + c] == 1);
            CHECK(b == msg[k]);
        }
        for (size_t c = s + 50 * kCpb; c < line.size(); c++)
            CHECK(line[c] == 1); // idle high
    }

    static void test_rx_tolerance(std::mt19937 &rng)
    {
        // the sender's bit time off by up to 3% (8 clocks per bit) or 2% (4): every byte
        // arrives. The start edge is seen up to a clock late, so the margin shrinks with
        // fewer clocks per bit; the FT2232H and the board's oscillator are crystals, tens
        // of ppm apart.
        const double tol = kCpb >= 8 ? 0.03 : 0.02;
        for (double err : {-tol, -tol / 2, 0.0, tol / 2, tol}) {
            std::vector<int> sent;
            int bad = mismatched(rng, kCpb * (1 + err), sent);
            if (bad)
                std::fprintf(stderr, "baud off by %+.1f%%: %d bad bytes\n", 100 * err, bad);
            CHECK(bad == 0);
        }
        // off by 20%: the receiver must get bytes wrong (or see frame errors)
        for (double err : {-0.2, 0.2}) {
            std::vector<int> sent;
            CHECK(mismatched(rng, kCpb * (1 + err), sent) > 0);
        }
    }

    static void test_rx_false_start_and_stop()
    {
        Line l;
        l.level(1, 10);
        l.level(0, kCpb / 2 - 1.5); // a glitch shorter than half a bit: no character
        l.level(1, 3 * kCpb);
        l.byte(0x5a, kCpb);
        std::vector<int> got = receive(l);
        CHECK(got.size() == 1 && got[0] == 0x5a);

        // a stop bit of 0, then a break: one frame error, nothing else until the line idles
        Line b;
        b.level(1, 10);
        b.byte(0x81, kCpb, 0);
        b.level(0, 30 * kCpb);
        b.level(1, 2 * kCpb);
        b.byte(0x42, kCpb);
        got = receive(b);
        CHECK(got.size() == 2 && got[0] == -1 && got[1] == 0x42);
    }

    static void test_loopback(std::mt19937 &rng)
    {
        Tx tx;
        Rx rx;
        std::vector<int> sent;
        for (int i = 0; i < 256; i++)
            sent.push_back((int)(rng() & 0xff));
        for (int c = 0; c < 256 * 10 * kCpb + 100; c++)
            rx.cycle(tx.cycle(sent));
        CHECK(rx.bytes == sent);
    }

    static void run(std::mt19937 &rng)
    {
        test_tx_waveform();
        test_rx_tolerance(rng);
        test_rx_false_start_and_stop();
        test_loopback(rng);
    }
};

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = argc > 1 ? (unsigned)std::strtoul(argv[1], nullptr, 0) : 1;
    std::printf("test_uart: seed %u\n", seed);
    std::mt19937 rng(seed);
    Suite<Vioe_uart_rx, Vioe_uart_tx, 8>::run(rng); // 8 MHz, 1 Mbaud (the fallback)
    int at8 = failures;
    Suite<Vioe_uart_rx4, Vioe_uart_tx4, 4>::run(rng); // the board: 8 MHz, 2 Mbaud
    std::printf("test_uart: 8 clocks per bit %s, 4 clocks per bit %s\n", at8 ? "FAILED" : "ok",
                failures > at8 ? "FAILED" : "ok");
    std::printf("test_uart: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
