/*
 * The Verilator card behind its JTAG port, driven pin by pin: what ioe-simd's --jtag serves to
 * OpenOCD's remote_bitbang driver. The port (rtl/src/ioe_jtag_sim_port.sv: ioe_jtag_tap, the
 * debug bridge and the CSR port's arbiter) is its own small model, clocked with the card's
 * model (ioe_vsim.h, ioe_top with the default set). TCK is derived from the card's clock: every
 * change of the pins is followed by IOE_VJTAG_CLOCKS_PER_EDGE cycles, so TCK runs at most at a
 * quarter of the card clock. Nothing else reaches the card: DMA answers with an error (no host
 * memory is mapped), MSIs and wired lines stay idle, notifications are left in the model.
 */
#ifndef IOE_VJTAG_H
#define IOE_VJTAG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOE_VJTAG_CLOCKS_PER_EDGE 2u
/* The IDCODE of ioe's own TAP (version 1, part 0x10e0, no JEDEC manufacturer): what
 * boards/sim/openocd.cfg expects. */
#define IOE_JTAG_IDCODE 0x110e0001u

struct ioe_vjtag;

/* The card out of reset; its TAP answers IDCODE with idcode (bit 0 must be 1); trace_path
 * (or NULL) gets an FST waveform of the card (ioe_top). -errno. */
int ioe_vjtag_open(uint32_t idcode, const char *trace_path, struct ioe_vjtag **out);
void ioe_vjtag_close(struct ioe_vjtag *j);
/* Drive TCK, TMS and TDI, then clock the card. */
void ioe_vjtag_pins(struct ioe_vjtag *j, int tck, int tms, int tdi);
int ioe_vjtag_tdo(const struct ioe_vjtag *j);
/* Hold (1) or release (0) TRST# and the card's reset (SRST#). */
void ioe_vjtag_reset(struct ioe_vjtag *j, int trst, int srst);
/* Cycles and TCK rising edges since open. */
uint64_t ioe_vjtag_cycles(const struct ioe_vjtag *j);
uint64_t ioe_vjtag_tck_edges(const struct ioe_vjtag *j);

#ifdef __cplusplus
}
#endif

#endif
