/*
 * ioe-simd's backend for the board (--card board): the Verilator model of the iCEBreaker's
 * logic below its pins (sim/include/ioe_vbridge.h: the wire bridge in front of ioe_top with
 * the small set). The client's bytes go into the bridge's input stream as the board's UART
 * would deliver them, and what the bridge sends goes back unchanged: every frame the client
 * sees was built by the RTL, not by ioe-simd. The client thus runs through the bridge that
 * the bitstream carries (docs/boards.md), with the board's capabilities (ASYNC only: no
 * stepping, MSI or wired lines from the host, no DMA).
 *
 * The board stays powered between connections, as a real one does: one model for the
 * server's lifetime, so a card's state survives a client that reconnects.
 *
 * The board's clock runs while it has work: from a request's first byte until every
 * request has been answered and the card has been quiet for QUIET_CYCLES (so notifications
 * raised after a response still go out); an idle board waits for the client.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "ioe_vbridge.h"
#include "simd.h"

#define CHUNK_CYCLES 32u
#define QUIET_CYCLES (IOE_VBRIDGE_CLK_HZ / 1000u) /* 1 ms of the board's clock */

/* Count the frames in one direction: requests from the client, answers from the bridge. */
static unsigned count_frames(struct ioe_wire_decoder *d, const uint8_t *buf, size_t n, int answers)
{
    unsigned k = 0;
    while (n > 0) {
        size_t took = ioe_wire_decoder_push(d, buf, n);
        buf += took;
        n -= took;
        struct ioe_wire_frame f;
        int r;
        while ((r = ioe_wire_decoder_next(d, &f)) != 0) {
            if (r < 0)
                continue; /* a dropped frame: the bridge answers it with an ERROR */
            int answer = (f.type & IOE_WIRE_RESP) || f.type == IOE_WIRE_ERROR;
            /* the host's own ERROR frames get no answer */
            if (answers ? answer : !answer)
                k++;
        }
    }
    return k;
}

int simd_serve_board(const struct simd_config *cfg, struct simd_conn *c)
{
    static struct ioe_vbridge *b; /* the board, powered from the first connection on */
    if (!b && ioe_vbridge_open(&b))
        return -ENOMEM;
    static struct ioe_wire_decoder in, out; /* one connection at a time */
    ioe_wire_decoder_init(&in);
    ioe_wire_decoder_init(&out);
    long outstanding = 0; /* requests the bridge has not answered yet */
    uint64_t quiet = QUIET_CYCLES;
    int err = 0;
    uint8_t buf[4096];
    while (!simd_stopping()) {
        int busy = outstanding > 0 || ioe_vbridge_unsent(b) > 0 || quiet < QUIET_CYCLES;
        int w = simd_wait(c, busy ? 0 : -1);
        if (w < 0)
            break;
        if (w > 0) {
            int fd;
            ssize_t n = c->link->ops->recv(c->link, buf, sizeof(buf), &fd, 0);
            if (n < 0)
                break; /* the client left */
            if (fd >= 0)
                close(fd); /* the board maps no memory (DMA_MAP gets BAD_TYPE) */
            ioe_vbridge_put(b, buf, (size_t)n);
            outstanding += count_frames(&in, buf, (size_t)n, 0);
        }
        ioe_vbridge_step(b, CHUNK_CYCLES);
        quiet += CHUNK_CYCLES;
        size_t n;
        while ((n = ioe_vbridge_take(b, buf, sizeof(buf))) > 0) {
            quiet = 0;
            outstanding -= count_frames(&out, buf, n, 1);
            if (outstanding < 0)
                outstanding = 0; /* ERROR answers to frames the client decoder dropped too */
            if ((err = c->link->ops->send(c->link, buf, n, -1, (int)cfg->timeout_ms)) < 0)
                goto done;
        }
    }
done:
    c->dropped = (uint32_t)ioe_vbridge_drops(b); /* since the board was powered */
    return err == -EIO ? 0 : err;
}
