/*
 * The ITS engine's command queue (rtl/src/ioe_its_cmdq.sv) on its own, against its contract:
 *   - queue geometry: the size of CBASER.Size + 1 pages, the first beat's I/O address in the
 *     VM's window, CREADR after a command (wrapping at the end of the queue), and whether a
 *     command waits (enabled, CREADR != CWRITER);
 *   - a stream of commands encoded from their fields as the GICv3 command layout places
 *     them (every opcode the engine knows, SYNC, and unknown ones), fed as four beats each:
 *     the fields and the one opcode class decoded; a DMA error on any beat leaves a command
 *     that is no class (opcode 0); word 2 overwritten as RESTORE_TABLES does.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include <verilated.h>

#include "Vioe_its_cmdq.h"
#include "vcheck.h"

namespace
{

enum Opc : uint8_t {
    kMovi = 0x01,
    kInt = 0x03,
    kClear = 0x04,
    kSync = 0x05,
    kMapd = 0x08,
    kMapc = 0x09,
    kMapti = 0x0A,
    kMapi = 0x0B,
    kInv = 0x0C,
    kInvall = 0x0D,
    kMovall = 0x0E,
    kDiscard = 0x0F,
};

/* the fields of a command, and its four words in the GICv3 layout */
struct Cmd {
    uint8_t opc;
    uint32_t dev, ev, pint, rd1, rd2;
    uint16_t icid;
    uint8_t size;
    uint64_t itt; /* bits [51:8] of the ITT address */
    bool v;

    void words(uint64_t w[4]) const
    {
        w[0] = (uint64_t)dev << 32 | opc;
        w[1] = (uint64_t)pint << 32 | (opc == kMapd ? size : ev);
        w[2] = (uint64_t)v << 63;
        if (opc == kMapd)
            w[2] |= itt << 8;
        else
            w[2] |= (uint64_t)rd1 << 16 | icid;
        w[3] = (uint64_t)rd2 << 16;
    }
};

struct Bench {
    VerilatedContext ctx;
    Vioe_its_cmdq *t;

    Bench()
    {
        t = new Vioe_its_cmdq{&ctx};
        t->clk_i = 0;
        t->rst_ni = 0;
        t->en_i = 0;
        t->ivm_i = 0;
        t->cbaser_i = 0;
        t->cwriter_i = 0;
        t->creadr_i = 0;
        t->start_i = 0;
        t->beat_i = 0;
        t->data_i = 0;
        t->err_i = 0;
        t->w2_we_i = 0;
        t->w2_wd_i = 0;
        t->eval();
        tick();
        t->rst_ni = 1;
        t->eval();
    }
    ~Bench()
    {
        t->final();
        delete t;
    }
    void tick()
    {
        t->clk_i = 1;
        t->eval();
        t->clk_i = 0;
        t->eval();
    }
    /* the four beats of w, a DMA error on beat err_beat (0..3; 4: none); as the sequencer,
     * no beat after the error */
    void feed(const uint64_t w[4], unsigned err_beat)
    {
        t->start_i = 1;
        tick();
        t->start_i = 0;
        for (unsigned b = 0; b < 4; b++) {
            CHECK_EQ(t->last_o, b == 3);
            t->beat_i = 1;
            t->data_i = w[b];
            t->err_i = b == err_beat;
            tick();
            t->beat_i = 0;
            t->err_i = 0;
            if (b == err_beat)
                break;
        }
        t->eval();
    }
    unsigned classes() const
    {
        return t->is_mapd_o + t->is_mapc_o + t->is_mapti_o + t->is_int_o + t->is_movi_o +
               t->is_discard_o + t->is_clear_o + t->is_inv_o + t->is_invall_o + t->is_movall_o;
    }
};

void test_queue(Bench &b, std::mt19937 &rng)
{
    for (int n = 0; n < 2000; n++) {
        unsigned pages = 1 + rng() % 256;
        uint64_t pa = ((uint64_t)rng() << 16 | (rng() & 0xffff)) & 0xFFFFFFFFF0000ull;
        uint64_t cbaser = 1ull << 63 | (uint64_t)(rng() & 7) << 59 | pa | (pages - 1);
        uint32_t bytes = pages << 12;
        uint32_t rd = (rng() % (bytes / 32)) * 32, wr = (rng() % (bytes / 32)) * 32;
        if (n % 4 == 0)
            wr = rd;
        uint8_t vm = rng() & 0xff;
        bool en = rng() & 1;
        b.t->cbaser_i = cbaser;
        b.t->creadr_i = rd >> 5;
        b.t->cwriter_i = wr >> 5;
        b.t->ivm_i = vm;
        b.t->en_i = en;
        b.t->eval();
        CHECK_EQ(b.t->qsize_o, bytes);
        CHECK_EQ(b.t->pending_o, en && rd != wr);
        CHECK_EQ(b.t->fetch_addr_o, (uint64_t)vm << 48 | (pa + rd));
        CHECK_EQ(b.t->creadr_next_o, rd + 32 == bytes ? 0 : rd + 32);
    }
    /* the last slot of a one-page queue wraps to 0 */
    b.t->cbaser_i = 1ull << 63 | 0x10000;
    b.t->creadr_i = (4096 - 32) >> 5;
    b.t->eval();
    CHECK_EQ(b.t->creadr_next_o, 0);
}

void check_decode(Bench &b, const Cmd &c)
{
    static const uint8_t kClassOf[] = {kMapd,    kMapc,  kMapti, kInt,    kMovi,
                                       kDiscard, kClear, kInv,   kInvall, kMovall};
    bool known = std::memchr(kClassOf, c.opc, sizeof kClassOf) || c.opc == kMapi;
    CHECK_EQ(b.classes(), known ? 1 : 0);
    CHECK_EQ(b.t->is_mapd_o, c.opc == kMapd);
    CHECK_EQ(b.t->is_mapc_o, c.opc == kMapc);
    CHECK_EQ(b.t->is_mapti_o, c.opc == kMapti || c.opc == kMapi);
    CHECK_EQ(b.t->is_int_o, c.opc == kInt);
    CHECK_EQ(b.t->is_movi_o, c.opc == kMovi);
    CHECK_EQ(b.t->is_discard_o, c.opc == kDiscard);
    CHECK_EQ(b.t->is_clear_o, c.opc == kClear);
    CHECK_EQ(b.t->is_inv_o, c.opc == kInv);
    CHECK_EQ(b.t->is_invall_o, c.opc == kInvall);
    CHECK_EQ(b.t->is_movall_o, c.opc == kMovall);
    /* the commands that change a translation flush the translation cache */
    CHECK_EQ(b.t->inv_cache_o, c.opc == kMapd || c.opc == kMapc || c.opc == kMovi ||
                                   c.opc == kDiscard || c.opc == kMovall);
    CHECK_EQ(b.t->dev_o, c.dev);
    CHECK_EQ(b.t->v_o, c.v);
    CHECK_EQ(b.t->rd2_o, c.rd2);
    if (c.opc == kMapd) {
        CHECK_EQ(b.t->size_o, c.size);
        CHECK_EQ(b.t->itt_o, c.itt);
    } else {
        CHECK_EQ(b.t->ev_o, c.ev);
        CHECK_EQ(b.t->icid_o, c.icid);
        CHECK_EQ(b.t->rd1_o, c.rd1);
        /* MAPI names its LPI by the EventID */
        CHECK_EQ(b.t->lpi_o, c.opc == kMapi ? c.ev : c.pint);
    }
}

void test_stream(Bench &b, std::mt19937 &rng)
{
    static const uint8_t kOpcs[] = {kMovi, kInt, kClear,  kSync,   kMapd,    kMapc, kMapti,
                                    kMapi, kInv, kInvall, kMovall, kDiscard, 0x00,  0x02,
                                    0x06,  0x07, 0x10,    0x8A,    0xFF};
    for (int n = 0; n < 20000; n++) {
        Cmd c{};
        c.opc = kOpcs[rng() % sizeof kOpcs];
        c.dev = rng();
        c.ev = rng();
        c.pint = rng();
        c.rd1 = rng();
        c.rd2 = rng();
        c.icid = rng() & 0xffff;
        c.size = rng() & 31;
        c.itt = ((uint64_t)rng() << 32 | rng()) & ((1ull << 44) - 1);
        c.v = rng() & 1;
        if (c.opc == kMapd)
            c.ev = c.size;
        uint64_t w[4];
        c.words(w);
        unsigned err_beat = rng() % 8 == 0 ? rng() % 4 : 4;
        b.feed(w, err_beat);
        if (err_beat == 4) {
            check_decode(b, c);
        } else {
            CHECK_EQ(b.classes(), 0);
            CHECK_EQ(b.t->inv_cache_o, 0);
        }
        /* RESTORE_TABLES' use of word 2: a collection table entry, then cleared */
        if (n % 16 == 0) {
            uint64_t cte = (uint64_t)rng() << 32 | rng();
            b.t->w2_we_i = 1;
            b.t->w2_wd_i = cte;
            b.tick();
            b.t->w2_we_i = 0;
            b.t->eval();
            CHECK_EQ(b.t->w2_o, cte);
            CHECK_EQ(b.t->icid_o, cte & 0xffff);
            CHECK_EQ(b.t->rd1_o, (cte >> 16) & 0xffffffff);
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_cmdq");
    std::mt19937 rng(seed);
    Bench b;
    test_queue(b, rng);
    test_stream(b, rng);
    std::printf("test_its_cmdq: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
