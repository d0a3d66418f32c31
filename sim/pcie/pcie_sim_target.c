/*
 * The "sim:pcie" target: libioe's VFIO transport (transport_vfio.c) over the VFIO stand-in
 * (vfio_standin.c), which serves it from the root-complex model and the Verilator model of
 * the PCIe card in this process. The transport is the VFIO one unchanged; only its close
 * also closes the stand-in under it. docs/pcie.md, section 6.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"
#include "vfio_standin.h"

struct pcie_sim {
    struct ioe_transport_ops ops; /* the VFIO transport's, with close below */
    void (*vfio_close)(struct ioe_transport *t);
    struct ioe_vfio_sys sys;
};

/* the root complex of the sim:pcie card opened last (tests: a peer device's writes) */
static struct ioe_pcie_rc *last_rc;

struct ioe_pcie_rc *ioe_pcie_sim_last_rc(void)
{
    return __atomic_load_n(&last_rc, __ATOMIC_ACQUIRE);
}

static void pcie_sim_close(struct ioe_transport *t)
{
    struct pcie_sim *w = (struct pcie_sim *)((char *)t->ops - offsetof(struct pcie_sim, ops));
    struct ioe_pcie_rc *mine = ioe_vfio_standin_rc(&w->sys);
    __atomic_compare_exchange_n(&last_rc, &mine, NULL, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    w->vfio_close(t);
    ioe_vfio_standin_close(&w->sys);
    free(w);
}

int ioe_transport_pcie_sim_open(const char *name, const char *args,
                                const struct ioe_card_options *opts, struct ioe_transport **out)
{
    if (!args || strcmp(name, "sim") != 0 || strcmp(args, "pcie") != 0)
        return -ENODEV;
    if (opts->dma_outstanding)
        return -EINVAL; /* the card's requester has its own tags */
    struct pcie_sim *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    struct ioe_vfio_standin_params p = {.group = 1};
    p.rc.trace_path = opts->trace_path;
    p.rc.rtt_ns = opts->dma_latency * 4; /* cycles of the 250 MHz user clock; 0: default */
    p.rc.timeout_ms = opts->timeout_ms;
    int err = ioe_vfio_standin_open(&p, &w->sys);
    if (err) {
        free(w);
        return err;
    }
    struct ioe_transport *t;
    err = ioe_transport_vfio_open_sys(&w->sys, ioe_vfio_standin_bdf(&w->sys), opts, &t);
    if (err) {
        ioe_vfio_standin_close(&w->sys);
        free(w);
        return err;
    }
    w->ops = *t->ops;
    w->vfio_close = t->ops->close;
    w->ops.close = pcie_sim_close;
    t->ops = &w->ops;
    __atomic_store_n(&last_rc, ioe_vfio_standin_rc(&w->sys), __ATOMIC_RELEASE);
    *out = t;
    return 0;
}
