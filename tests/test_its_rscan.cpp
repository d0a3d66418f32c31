/*
 * RESTORE_TABLES' scan rules for one entry (rtl/src/ioe_its_rscan.sv) on their own, against
 * a reference written from KVM's scanner (kvm-arm-abi.md §4.8.3: scan_its_table,
 * vgic_its_restore_dte, vgic_its_restore_ite) and the unit's contract: random DTEs and ITEs
 * (valid or not, Size 31, pINTIDs at and around the limits, next fields that stay inside the
 * ITT or leave it), random scan positions around the entry, the scan ended or not, the
 * collection found or not:
 *   - device table: reached, to zero (valid, not reached), a device (and its ITT's length);
 *   - ITT: reached, to zero, to check; the checks (EINVAL) and where the ITT scan goes on;
 *   - after a device's ITT: the last device, or the DeviceID the scan goes on at.
 * --seed N (or the first argument) picks the random stream (printed).
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <verilated.h>

#include "Vioe_its_rscan.h"
#include "vcheck.h"

namespace
{

constexpr uint32_t kLpiMax = (1u << 16) - 1; /* LpiBits 16 */

/* a value near b: b itself, b +- 1, or anything */
uint32_t near(std::mt19937_64 &rng, uint32_t b)
{
    switch (rng() % 4) {
    case 0: return b;
    case 1: return b + 1;
    case 2: return b - 1;
    default: return (uint32_t)rng();
    }
}

} // namespace

int main(int argc, char **argv)
{
    unsigned seed = vcheck_seed(argc, argv, "test_its_rscan");
    std::mt19937_64 rng(seed);
    Verilated::commandArgs(argc, argv);
    Vioe_its_rscan m;
    unsigned devs = 0, zeroed = 0, taken = 0, bad = 0;
    for (int n = 0; n < 200000; n++) {
        uint32_t slot = (uint32_t)(rng() % 0x20000), pos = near(rng, slot);
        bool done = rng() % 4 == 0;
        uint64_t rd = rng(), dte = rng(), ite = rng();
        if (rng() & 1)
            rd &= ~(0xffffffffull << 16); /* an invalid ITE */
        if (rng() % 4 == 0)
            rd |= 31; /* Size 31 */
        unsigned size = (unsigned)(dte & 0x1f) % 31;
        uint32_t evn = 1u << (size + 1), ev = (uint32_t)(rng() % evn), epos = near(rng, ev);
        switch (rng() % 4) { /* pINTIDs at the limits, next inside the ITT */
        case 0: ite = (ite & ~(0xffffffffull << 16)) | (uint64_t)(8191 + rng() % 3) << 16; break;
        case 1: ite = (ite & ~(0xffffffffull << 16)) | (uint64_t)(kLpiMax + rng() % 2) << 16; break;
        case 2:
            /* next at the ITT's end, or one past it */
            ite = (ite & 0xffffffffffffull) | (uint64_t)((evn - ev - 1 + rng() % 2) & 0xffff) << 48;
            ite = (ite & ~(0xffffffffull << 16)) | (uint64_t)(8192 + rng() % 50000) << 16;
            break;
        default: break;
        }
        bool hit = rng() & 1;
        m.slot_i = slot;
        m.rd_i = rd;
        m.pos_i = pos;
        m.done_i = done;
        m.dte_i = dte;
        m.ev_i = ev;
        m.epos_i = epos;
        m.evn_i = evn;
        m.ite_i = ite;
        m.coll_hit_i = hit;
        m.eval();
        /* device table */
        bool reach = !done && slot >= pos, v = rd >> 63;
        CHECK_EQ(m.dte_reach_o, reach);
        CHECK_EQ(m.dte_zero_o, v && !reach);
        CHECK_EQ(m.dte_dev_o, v && reach && (rd & 0x1f) <= 30);
        if (m.dte_dev_o)
            CHECK_EQ(m.dte_evn_o, 1ull << ((rd & 0x1f) + 1));
        /* ITT */
        uint32_t pint = (uint32_t)(rd >> 16);
        CHECK_EQ(m.ite_reach_o, ev >= epos);
        CHECK_EQ(m.ite_zero_o, pint && ev < epos);
        CHECK_EQ(m.ite_take_o, pint && ev >= epos);
        uint32_t ipint = (uint32_t)(ite >> 16), next = (uint32_t)(ite >> 48);
        bool want_bad = ipint < 8192 || ipint > kLpiMax || (uint64_t)ev + next >= evn || !hit;
        CHECK_EQ(m.ite_bad_o, want_bad);
        if (!want_bad)
            CHECK_EQ(m.ite_epos_o, next ? ev + next : evn);
        /* after the ITT */
        uint32_t dnext = (uint32_t)(dte >> 49 & 0x3fff);
        CHECK_EQ(m.dev_last_o, dnext == 0);
        if (dnext)
            CHECK_EQ(m.dev_pos_o, slot + dnext);
        devs += m.dte_dev_o;
        zeroed += m.dte_zero_o + m.ite_zero_o;
        taken += m.ite_take_o;
        bad += want_bad;
        if (failures > 10)
            break;
    }
    m.final();
    std::printf("test_its_rscan: %u devices, %u entries zeroed, %u ITEs taken, %u bad; %d "
                "failure(s)\n",
                devs, zeroed, taken, bad, failures);
    return failures != 0;
}
