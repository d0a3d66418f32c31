/*
 * Verilator model of the board's logic below its pins: ioe_wire_card (the wire bridge of
 * docs/wire.md in front of ioe_top with the small parameter set), the same RTL as the
 * iCEBreaker bitstream without its PLL and UART. The API moves bytes: what the host would
 * write to the UART goes in with ioe_vbridge_put(), what the card sends comes out with
 * ioe_vbridge_take(). The model runs only when stepped; at the board's 8 MHz clock
 * (IOE_VBRIDGE_CLK_HZ) a POLL timeout of N microseconds is 8 * N cycles.
 */
#ifndef IOE_VBRIDGE_H
#define IOE_VBRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOE_VBRIDGE_CLK_HZ 8000000u

struct ioe_vbridge;

/* 0, or -ENOMEM. */
int ioe_vbridge_open(struct ioe_vbridge **out);
void ioe_vbridge_close(struct ioe_vbridge *b);
/* Reset the whole board (bridge and card, like the user button); bytes queued in either
 * direction are discarded and the cycle count restarts at 0. */
void ioe_vbridge_reset(struct ioe_vbridge *b);
/* Queue n bytes for the bridge's input stream; it takes one per cycle while it has room
 * (the model keeps the rest until it does). */
void ioe_vbridge_put(struct ioe_vbridge *b, const void *buf, size_t n);
/* Bytes queued by put() that the bridge has not taken yet. */
size_t ioe_vbridge_unsent(const struct ioe_vbridge *b);
/* Take up to max bytes the bridge has sent (oldest first); returns how many. */
size_t ioe_vbridge_take(struct ioe_vbridge *b, void *buf, size_t max);
/* Bytes sent by the bridge and not taken yet. */
size_t ioe_vbridge_pending(const struct ioe_vbridge *b);
void ioe_vbridge_step(struct ioe_vbridge *b, uint64_t cycles);
uint64_t ioe_vbridge_cycles(const struct ioe_vbridge *b);
/* Drive a wired SPI input of the card (the board's buttons); -EINVAL for a line it lacks. */
int ioe_vbridge_set_wired(struct ioe_vbridge *b, unsigned line, int level);
/* Frames the bridge dropped (pulses of its drop output) since open or reset. */
uint64_t ioe_vbridge_drops(const struct ioe_vbridge *b);

#ifdef __cplusplus
}
#endif

#endif
