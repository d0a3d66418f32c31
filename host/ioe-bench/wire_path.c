/*
 * Round trips by target: what one operation costs on each way of reaching a card, the
 * in-process models beside the same models in ioe-simd over a Unix socket (sim:spawn,
 * the wire protocol of docs/wire.md).
 *   register read              ns of one ioe_card_read32() of SCRATCH: one BATCH round trip
 *                              out of process, a function call in process
 *   IRQ_LINE -> vCPU readable  the API path of api_path.c (KVM_IRQ_LINE to poll() reporting
 *                              the vCPU's descriptor readable) on that target
 * A target whose ioe-simd cannot be started is skipped with the reason.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "bench.h"

static const char *const targets[] = {"soft", "sim:spawn:soft", "sim", "sim:spawn"};

static int read_rtt(const struct opts *o, const char *target, uint64_t *v)
{
    struct ioe_card *c;
    int err = ioe_card_open(target, &c);
    if (err)
        return err;
    uint32_t x;
    for (unsigned i = 0; i < 16 && !err; i++) /* warm up */
        err = ioe_card_read32(c, IOE_CORE_SCRATCH, &x);
    for (unsigned i = 0; i < o->n && !err; i++) {
        uint64_t t0 = now_ns();
        err = ioe_card_read32(c, IOE_CORE_SCRATCH, &x);
        v[i] = now_ns() - t0;
        progress(o, "register read round trip", i + 1, o->n);
    }
    ioe_card_close(c);
    return err;
}

int bench_wire(const struct opts *o, struct series *out, unsigned *nout, char *why, size_t len)
{
    static const char *const section = "Round trips by target (wall clock)";
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        uint64_t *v = calloc(o->n, sizeof(uint64_t));
        if (!v)
            return -ENOMEM;
        int err = read_rtt(o, targets[t], v);
        if (err == -ENODEV && strchr(targets[t], ':')) { /* no ioe-simd to start */
            snprintf(why, len, "%s: %s (ioe-simd not found: set IOE_SIMD)", targets[t],
                     strerror(-err));
            free(v);
            continue;
        }
        if (err) {
            free(v);
            return err;
        }
        struct series *s = &out[(*nout)++];
        *s = (struct series){.section = section, .unit = UNIT_NS, .v = v, .n = o->n};
        snprintf(s->name, sizeof(s->name), "%s: register read", targets[t]);
        unsigned at = *nout;
        if ((err = bench_api(o, targets[t], out, nout)))
            return err;
        /* keep the injection row, renamed; the ACK + EOI row is api_path's own section's */
        out[at].section = section;
        snprintf(out[at].name, sizeof(out[at].name), "%s: IRQ_LINE -> readable", targets[t]);
        free(out[at + 1].v);
        *nout = at + 1;
    }
    return 0;
}
