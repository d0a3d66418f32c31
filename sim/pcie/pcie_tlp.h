/*
 * TLP encode and decode for the card's PCIe models and tests, and their beats on the
 * Xilinx 7-series AXI4-Stream interface (PG054, 64-bit). Header-only, C and C++.
 *
 * A TLP is its header DWs as the PCIe specification numbers them (hdr[0] holds Fmt/Type in
 * bits [31:24], Length in [9:0]) and its payload DWs as little-endian values (data[0]'s
 * bits [7:0] are the byte at the lowest address), as a CPU reads them.
 *
 * On the 7-series stream the DWs of the TLP follow one another, two per beat, the first in
 * tdata[31:0]: header DW0 | DW1, DW2 | DW3 or DW2 | data0 for a 3-DW header, then data.
 * Header DWs are presented as numbered; the hard block shows each payload DW with its
 * first byte in bits [31:24] (byte 0 of the TLP's DW), so a payload DW is byte-swapped
 * against data[]. tkeep is 0xFF, or 0x0F on a last beat with one DW.
 */
#ifndef IOE_PCIE_TLP_H
#define IOE_PCIE_TLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCIE_TLP_MAX_DW 1024u /* 4 KiB of payload */

/* Fmt[2:0] Type[4:0] of the first header byte */
enum pcie_tlp_kind {
    PCIE_MRD32 = 0x00,
    PCIE_MRD64 = 0x20,
    PCIE_MRDLK32 = 0x01,
    PCIE_MWR32 = 0x40,
    PCIE_MWR64 = 0x60,
    PCIE_IORD = 0x02,
    PCIE_IOWR = 0x42,
    PCIE_CFGRD0 = 0x04,
    PCIE_CFGWR0 = 0x44,
    PCIE_CFGRD1 = 0x05,
    PCIE_CFGWR1 = 0x45,
    PCIE_MSG = 0x30, /* routed to the root complex (r = 000) */
    PCIE_MSGD = 0x70,
    PCIE_FETCHADD32 = 0x4C,
    PCIE_SWAP32 = 0x4D,
    PCIE_CAS32 = 0x4E,
    PCIE_CPL = 0x0A,
    PCIE_CPLD = 0x4A,
};

enum pcie_cpl_status { PCIE_CPL_SC = 0, PCIE_CPL_UR = 1, PCIE_CPL_CRS = 2, PCIE_CPL_CA = 4 };

struct pcie_tlp {
    uint32_t hdr[4];
    uint32_t data[PCIE_TLP_MAX_DW];
    unsigned ndata; /* payload DWs carried (normally the Length field) */
};

/* ---- header fields */
static inline unsigned pcie_tlp_fmt_type(const struct pcie_tlp *t)
{
    return t->hdr[0] >> 24;
}
static inline bool pcie_tlp_4dw(const struct pcie_tlp *t)
{
    return (t->hdr[0] >> 29) & 1;
}
static inline bool pcie_tlp_has_data(const struct pcie_tlp *t)
{
    return (t->hdr[0] >> 30) & 1;
}
static inline unsigned pcie_tlp_hdr_dw(const struct pcie_tlp *t)
{
    return pcie_tlp_4dw(t) ? 4 : 3;
}
static inline bool pcie_tlp_poisoned(const struct pcie_tlp *t)
{
    return (t->hdr[0] >> 14) & 1;
}
/* Length in DWs (0 encodes 1024) */
static inline unsigned pcie_tlp_length(const struct pcie_tlp *t)
{
    unsigned l = t->hdr[0] & 0x3FF;
    return l ? l : 1024;
}
static inline uint16_t pcie_tlp_req_id(const struct pcie_tlp *t)
{
    /* requests: DW1 [31:16]; completions: DW2 [31:16] */
    unsigned k = pcie_tlp_fmt_type(t) & 0x1F;
    return (uint16_t)((k == 0x0A ? t->hdr[2] : t->hdr[1]) >> 16);
}
static inline uint8_t pcie_tlp_tag(const struct pcie_tlp *t)
{
    unsigned k = pcie_tlp_fmt_type(t) & 0x1F;
    return (uint8_t)((k == 0x0A ? t->hdr[2] : t->hdr[1]) >> 8);
}
static inline unsigned pcie_tlp_first_be(const struct pcie_tlp *t)
{
    return t->hdr[1] & 0xF;
}
static inline unsigned pcie_tlp_last_be(const struct pcie_tlp *t)
{
    return (t->hdr[1] >> 4) & 0xF;
}
static inline uint64_t pcie_tlp_addr(const struct pcie_tlp *t)
{
    if (pcie_tlp_4dw(t))
        return ((uint64_t)t->hdr[2] << 32) | (t->hdr[3] & ~3u);
    return t->hdr[2] & ~3u;
}
/* completion fields */
static inline uint16_t pcie_cpl_completer(const struct pcie_tlp *t)
{
    return (uint16_t)(t->hdr[1] >> 16);
}
static inline unsigned pcie_cpl_status(const struct pcie_tlp *t)
{
    return (t->hdr[1] >> 13) & 7;
}
/* Byte Count (0 encodes 4096) */
static inline unsigned pcie_cpl_byte_count(const struct pcie_tlp *t)
{
    unsigned b = t->hdr[1] & 0xFFF;
    return b ? b : 4096;
}
static inline unsigned pcie_cpl_lower_addr(const struct pcie_tlp *t)
{
    return t->hdr[2] & 0x7F;
}

/* ---- encoders: every one fills the whole struct */

/* A request header: kind, Length ndw (payload copied from data when the kind has data),
 * requester ID, tag, byte enables and address (DW2 or DW2..3; a 64-bit kind takes addr's
 * high half too). For configuration requests addr carries the bus/device/function and
 * register DW2 as the specification lays it out. */
static inline void pcie_tlp_request(struct pcie_tlp *t, unsigned kind, uint64_t addr, unsigned ndw,
                                    unsigned first_be, unsigned last_be, uint16_t req_id,
                                    uint8_t tag, const uint32_t *data)
{
    memset(t, 0, sizeof(*t));
    t->hdr[0] = ((uint32_t)kind << 24) | (ndw & 0x3FF);
    t->hdr[1] =
        ((uint32_t)req_id << 16) | ((uint32_t)tag << 8) | ((last_be & 0xF) << 4) | (first_be & 0xF);
    if ((kind >> 5) & 1) {
        t->hdr[2] = (uint32_t)(addr >> 32);
        t->hdr[3] = (uint32_t)addr & ~3u;
    } else {
        t->hdr[2] = (uint32_t)addr;
        if ((kind & 0x1F) < 4) /* memory and I/O: DW aligned */
            t->hdr[2] &= ~3u;
    }
    if ((kind >> 6) & 1) {
        t->ndata = ndw ? ndw : 1024;
        if (data)
            memcpy(t->data, data, t->ndata * 4);
    }
}

/* A memory read or write at addr (3-DW header below 4 GiB, 4-DW above), as a CPU or a
 * device issues it: byte enables all-ones except as given. */
static inline void pcie_tlp_mem(struct pcie_tlp *t, bool write, uint64_t addr, unsigned ndw,
                                unsigned first_be, unsigned last_be, uint16_t req_id, uint8_t tag,
                                const uint32_t *data)
{
    bool wide = (addr >> 32) != 0;
    unsigned kind = write ? (wide ? PCIE_MWR64 : PCIE_MWR32) : (wide ? PCIE_MRD64 : PCIE_MRD32);
    pcie_tlp_request(t, kind, addr, ndw, first_be, ndw > 1 ? last_be : 0, req_id, tag, data);
}

/* A completion (CplD when data is not NULL, of ndw DWs; Cpl otherwise) */
static inline void pcie_tlp_cpl(struct pcie_tlp *t, uint16_t completer, unsigned status,
                                unsigned byte_count, uint16_t req_id, uint8_t tag,
                                unsigned lower_addr, const uint32_t *data, unsigned ndw)
{
    memset(t, 0, sizeof(*t));
    t->hdr[0] = ((uint32_t)(data ? PCIE_CPLD : PCIE_CPL) << 24) | (data ? (ndw & 0x3FF) : 0);
    t->hdr[1] = ((uint32_t)completer << 16) | ((status & 7) << 13) | (byte_count & 0xFFF);
    t->hdr[2] = ((uint32_t)req_id << 16) | ((uint32_t)tag << 8) | (lower_addr & 0x7F);
    if (data) {
        t->ndata = ndw;
        memcpy(t->data, data, ndw * 4);
    }
}

/* Byte count and lower address of a memory read's first completion (PCIe 3.0 §2.3.1.1) */
static inline unsigned pcie_read_byte_count(unsigned ndw, unsigned first_be, unsigned last_be)
{
    if (ndw == 1) {
        if (!first_be)
            return 1;
        unsigned lo = 0, hi = 3;
        while (!((first_be >> lo) & 1))
            lo++;
        while (!((first_be >> hi) & 1))
            hi--;
        return hi - lo + 1;
    }
    unsigned b = ndw * 4, i;
    for (i = 0; i < 4 && !((first_be >> i) & 1); i++)
        b--;
    for (i = 3; i < 4 && !((last_be >> i) & 1); i--)
        b--;
    return b;
}
static inline unsigned pcie_read_lower_addr(uint64_t addr, unsigned first_be)
{
    unsigned lo = 0;
    while (lo < 3 && first_be && !((first_be >> lo) & 1))
        lo++;
    return (unsigned)((addr & 0x7C) | lo);
}

/* ---- the 7-series AXI4-Stream */
static inline uint32_t pcie_bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

/* Beats of t (its header and t->ndata payload DWs): tdata[i], tkeep[i]; returns the count
 * (at most 2 + PCIE_TLP_MAX_DW / 2 + 1). */
static inline size_t pcie_axis_pack(const struct pcie_tlp *t, uint64_t *tdata, uint8_t *tkeep)
{
    unsigned h = pcie_tlp_hdr_dw(t), n = h + t->ndata;
    size_t beats = 0;
    for (unsigned i = 0; i < n; i += 2) {
        uint64_t v = 0;
        for (unsigned k = 0; k < 2 && i + k < n; k++) {
            unsigned d = i + k;
            uint32_t dw = d < h ? t->hdr[d] : pcie_bswap32(t->data[d - h]);
            v |= (uint64_t)dw << (32 * k);
        }
        tdata[beats] = v;
        tkeep[beats] = i + 1 < n ? 0xFF : 0x0F;
        beats++;
    }
    return beats;
}

/* The TLP of the beats of one packet (the last with tlast); -1 when the beats are too few
 * for the header or carry more payload than PCIE_TLP_MAX_DW. t->ndata is what the beats
 * carry, whatever the Length field says. */
static inline int pcie_axis_unpack(struct pcie_tlp *t, const uint64_t *tdata, const uint8_t *tkeep,
                                   size_t beats)
{
    memset(t, 0, sizeof(*t));
    unsigned n = 0;
    uint32_t dws[2 + PCIE_TLP_MAX_DW + 4];
    for (size_t b = 0; b < beats; b++)
        for (unsigned k = 0; k < 2; k++)
            if ((tkeep[b] >> (4 * k)) & 1) {
                if (n >= sizeof(dws) / sizeof(dws[0]))
                    return -1;
                dws[n++] = (uint32_t)(tdata[b] >> (32 * k));
            }
    if (n < 3)
        return -1;
    t->hdr[0] = dws[0];
    unsigned h = pcie_tlp_hdr_dw(t);
    if (n < h || n - h > PCIE_TLP_MAX_DW)
        return -1;
    memcpy(t->hdr, dws, h * 4);
    t->ndata = n - h;
    for (unsigned i = 0; i < t->ndata; i++)
        t->data[i] = pcie_bswap32(dws[h + i]);
    return 0;
}

/* m_axis_rx_tuser of a TLP hitting BAR `bar` (tuser[9:2] one-hot, bit 2 = BAR0; bar < 0:
 * none), poisoned by the hard block's err_fwd when err_fwd */
static inline uint32_t pcie_axis_rx_tuser(int bar, bool err_fwd)
{
    return (bar >= 0 ? 1u << (2 + bar) : 0) | (err_fwd ? 2u : 0);
}

#endif
