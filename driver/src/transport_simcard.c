/*
 * Transport for cards simulated in this process: "soft" (C reference model) and "sim"
 * (Verilator model). Both implement ioe_simcard_ops, so one transport serves both; the
 * host-memory model stands for the DMA window.
 *
 * A simulated card advances only inside calls, unless it was opened with free_run: then
 * a clock thread steps it (CLOCK_CHUNK cycles at a time) whenever no call is in progress,
 * and every call takes the transport's mutex. The notification descriptor (an eventfd,
 * created on first request) is brought in step with the card's stream at the end of every
 * call and after every chunk of the clock thread; it is written and read only when the
 * stream changes between empty and not empty, so calls cost no system call otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ioe_model.h"
#include "ioe_simcard.h"
#include "transport.h"

enum {
    CLOCK_CHUNK = 64, /* cycles the clock thread steps between looks at its callers */
    CLOCK_CHECK = 64, /* polls / waited cycles between looks at the wall clock */
    SYNC_CYCLES = 4,  /* sc_sync: as many as notify.c steps a card at a request's end */
};

struct simcard_transport {
    struct ioe_transport base;
    const struct ioe_simcard_ops *card_ops;
    void *card;
    struct ioe_hostmem *mem;
    uint64_t timeout_ns; /* of one POLL */
    int efd;             /* notification eventfd, -1 until ioe_card_notify_fd() */
    bool efd_set;        /* the eventfd's counter is non-zero */
    bool direct;         /* neither free_run nor an eventfd: calls need no enter/leave */
    /* free_run only */
    bool free_run;
    pthread_mutex_t lock;
    pthread_cond_t idle; /* signalled when the last caller leaves */
    atomic_uint callers; /* calls in progress or waiting for the lock */
    bool stop;           /* under lock */
    pthread_t clock;
};

static struct simcard_transport *to_sc(struct ioe_transport *t)
{
    return (struct simcard_transport *)t;
}

/* Keep the eventfd readable exactly while the stream has records. */
static void sync_notify(struct simcard_transport *sc)
{
    if (sc->efd < 0)
        return;
    bool any = sc->card_ops->pending(sc->card) > 0;
    if (any == sc->efd_set)
        return;
    uint64_t v = 1;
    ssize_t r = any ? write(sc->efd, &v, sizeof(v)) : read(sc->efd, &v, sizeof(v));
    (void)r; /* an eventfd write of 1 or a read of a non-zero counter cannot fail */
    sc->efd_set = any;
}

/* Every call runs between enter() and leave(). Without free_run they take no lock. */
static void enter(struct simcard_transport *sc)
{
    if (sc->free_run) {
        atomic_fetch_add(&sc->callers, 1);
        pthread_mutex_lock(&sc->lock);
    }
}

static void leave(struct simcard_transport *sc)
{
    sync_notify(sc);
    if (sc->free_run) {
        if (atomic_fetch_sub(&sc->callers, 1) == 1)
            pthread_cond_signal(&sc->idle);
        pthread_mutex_unlock(&sc->lock);
    }
}

/* free_run: step the card whenever no call is in progress or waiting. */
static void *clock_main(void *arg)
{
    struct simcard_transport *sc = arg;
    pthread_mutex_lock(&sc->lock);
    while (!sc->stop) {
        if (atomic_load(&sc->callers)) {
            pthread_cond_wait(&sc->idle, &sc->lock);
            continue;
        }
        sc->card_ops->step(sc->card, CLOCK_CHUNK);
        sync_notify(sc);
        pthread_mutex_unlock(&sc->lock);
        sched_yield();
        pthread_mutex_lock(&sc->lock);
    }
    pthread_mutex_unlock(&sc->lock);
    return NULL;
}

static void sc_destroy(struct simcard_transport *sc)
{
    if (sc->card)
        sc->card_ops->close(sc->card);
    ioe_hostmem_destroy(sc->mem);
    if (sc->efd >= 0)
        close(sc->efd);
    pthread_cond_destroy(&sc->idle);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}

static void sc_close(struct ioe_transport *t)
{
    struct simcard_transport *sc = to_sc(t);
    if (sc->free_run) {
        pthread_mutex_lock(&sc->lock);
        sc->stop = true;
        pthread_cond_signal(&sc->idle);
        pthread_mutex_unlock(&sc->lock);
        pthread_join(sc->clock, NULL);
    }
    sc_destroy(sc);
}

static int sc_reset(struct ioe_transport *t)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    sc->card_ops->reset(sc->card);
    leave(sc);
    return 0;
}

/* Read until (value & mask) == expect, one cycle apart, within the wall-clock timeout.
 * Kept out of line so that the batch loop around it stays lean. */
__attribute__((noinline)) static int sc_poll(struct simcard_transport *sc, struct ioe_csr_op *op)
{
    uint64_t deadline = 0;
    for (unsigned n = 0;; n++) {
        uint32_t v;
        int err = sc->card_ops->read32(sc->card, op->addr, &v);
        if (err)
            return err;
        op->val = v;
        if ((v & op->mask) == op->expect)
            return 0;
        if (n % CLOCK_CHECK == 0) {
            uint64_t now = transport_now_ns();
            if (n == 0)
                deadline = now + sc->timeout_ns;
            else if (now >= deadline)
                return -ETIMEDOUT;
        }
        sc->card_ops->step(sc->card, 1);
    }
}

static int sc_run(struct simcard_transport *sc, struct ioe_csr_op *ops, size_t n)
{
    size_t i = 0;
    if (sc->card_ops->batch) { /* the card runs the batch itself, up to a POLL that waits */
        int err;
        i = sc->card_ops->batch(sc->card, ops, n, &err);
        if (err)
            return err;
    }
    for (; i < n; i++) {
        int err;
        switch (ops[i].kind) {
        case IOE_CSR_READ: err = sc->card_ops->read32(sc->card, ops[i].addr, &ops[i].val); break;
        case IOE_CSR_WRITE: err = sc->card_ops->write32(sc->card, ops[i].addr, ops[i].val); break;
        default: /* POLL: most match at the first read */
            err = sc->card_ops->read32(sc->card, ops[i].addr, &ops[i].val);
            if (!err && (ops[i].val & ops[i].mask) != ops[i].expect)
                err = sc_poll(sc, &ops[i]);
            break;
        }
        if (err)
            return err;
    }
    return 0;
}

__attribute__((noinline)) static int sc_batch_slow(struct simcard_transport *sc,
                                                   struct ioe_csr_op *ops, size_t n)
{
    if (sc->direct)
        return sc_run(sc, ops, n);
    enter(sc);
    int err = sc_run(sc, ops, n);
    leave(sc);
    return err;
}

/* The hot path, a single access on a card without free_run whose descriptor nobody asked
 * for, goes straight to the card: no lock, no look at the stream. */
static int sc_batch(struct ioe_transport *t, struct ioe_csr_op *ops, size_t n)
{
    struct simcard_transport *sc = to_sc(t);
    if (sc->direct && n == 1) {
        if (ops->kind == IOE_CSR_READ)
            return sc->card_ops->read32(sc->card, ops->addr, &ops->val);
        if (ops->kind == IOE_CSR_WRITE)
            return sc->card_ops->write32(sc->card, ops->addr, ops->val);
    }
    return sc_batch_slow(sc, ops, n);
}

static int sc_dma_map(struct ioe_transport *t, const struct ioe_dma_region *r)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    int err = ioe_hostmem_map(sc->mem, r->iova, r->hva, r->size);
    leave(sc);
    return err;
}

static int sc_dma_unmap(struct ioe_transport *t, uint64_t iova, uint64_t size)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    int err = ioe_hostmem_unmap(sc->mem, iova, size);
    leave(sc);
    return err;
}

static int sc_iova_ranges(struct ioe_transport *t, struct ioe_iova_range *out, size_t max)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    size_t n = ioe_hostmem_ranges(sc->mem, out, max);
    leave(sc);
    return (int)n;
}

static int sc_drain(struct ioe_transport *t, struct ioe_notification *buf, size_t max)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    int n = (int)sc->card_ops->drain(sc->card, buf, max);
    leave(sc);
    return n;
}

/* Step one cycle at a time until the card's stream has a record or the time is up. */
static int sc_wait(struct ioe_transport *t, uint64_t timeout_us)
{
    struct simcard_transport *sc = to_sc(t);
    uint64_t deadline = 0;
    int ready = 0;
    enter(sc);
    for (unsigned n = 0;; n++) {
        if (sc->card_ops->pending(sc->card) > 0) {
            ready = 1;
            break;
        }
        if (n % CLOCK_CHECK == 0) {
            uint64_t now = transport_now_ns();
            if (n == 0)
                deadline =
                    timeout_us > (UINT64_MAX - now) / 1000 ? UINT64_MAX : now + timeout_us * 1000;
            else if (now >= deadline)
                break;
        }
        if (timeout_us == 0)
            break;
        sc->card_ops->step(sc->card, 1);
    }
    leave(sc);
    return ready;
}

static int sc_notify_fd(struct ioe_transport *t)
{
    struct simcard_transport *sc = to_sc(t);
    int fd;
    enter(sc);
    if (sc->efd < 0) {
        sc->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        sc->efd_set = false;
        sc->direct = false;
    }
    fd = sc->efd >= 0 ? sc->efd : -errno;
    leave(sc);
    return fd;
}

static int sc_step(struct ioe_transport *t, uint64_t cycles)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    sc->card_ops->step(sc->card, cycles);
    leave(sc);
    return 0;
}

static int sc_cycles(struct ioe_transport *t, uint64_t *cycles)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    *cycles = sc->card_ops->cycles(sc->card);
    leave(sc);
    return 0;
}

static int sc_msi(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    int err = sc->card_ops->msi(sc->card, devid, addr, data);
    leave(sc);
    return err;
}

static int sc_set_wired(struct ioe_transport *t, unsigned line, int level)
{
    struct simcard_transport *sc = to_sc(t);
    enter(sc);
    int err = sc->card_ops->set_wired(sc->card, line, level);
    leave(sc);
    return err;
}

/* The notification fence of a free-running card: with the clock thread held off, the card
 * is stepped SYNC_CYCLES, as a card stepped inside calls is at the end of a request
 * (notify.c), so what the request's accesses raised is in the stream when it returns.
 * Without free_run the request's end steps the card itself: nothing to do. */
static int sc_sync(struct ioe_transport *t)
{
    struct simcard_transport *sc = to_sc(t);
    if (!sc->free_run)
        return 0;
    enter(sc);
    sc->card_ops->step(sc->card, SYNC_CYCLES);
    leave(sc);
    return 1;
}

static const struct ioe_transport_ops simcard_transport_ops = {
    .name = "simcard",
    .close = sc_close,
    .reset = sc_reset,
    .batch = sc_batch,
    .dma_map = sc_dma_map,
    .dma_unmap = sc_dma_unmap,
    .drain = sc_drain,
    .wait = sc_wait,
    .notify_fd = sc_notify_fd,
    .sync = sc_sync,
    .step = sc_step,
    .cycles = sc_cycles,
    .msi = sc_msi,
    .set_wired = sc_set_wired,
    .iova_ranges = sc_iova_ranges,
};

int ioe_transport_simcard_open(const char *name, const char *args,
                               const struct ioe_card_options *opts, struct ioe_transport **out)
{
    const struct ioe_simcard_ops *card_ops;
    if (args)
        return -ENODEV; /* "soft" and "sim" take no arguments */
    if (strcmp(name, "soft") == 0)
        card_ops = &ioe_model_ops;
    else if (strcmp(name, "sim") == 0)
        card_ops = &ioe_vsim_ops;
    else
        return -ENODEV;
    if (opts->trace_path && card_ops != &ioe_vsim_ops)
        return -EINVAL; /* only the RTL model has waveforms */
    if ((opts->iova_bits && (opts->iova_bits < 12 || opts->iova_bits > 63)) ||
        opts->nr_iova_holes > IOE_CARD_MAX_IOVA_HOLES)
        return -EINVAL;

    struct simcard_transport *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return -ENOMEM;
    sc->base.ops = &simcard_transport_ops;
    sc->base.caps = IOE_CARD_CAP_STEP | IOE_CARD_CAP_MSI | IOE_CARD_CAP_WIRED |
                    (opts->free_run ? IOE_CARD_CAP_ASYNC : 0);
    sc->card_ops = card_ops;
    sc->efd = -1;
    sc->free_run = opts->free_run;
    sc->direct = !opts->free_run;
    sc->timeout_ns =
        (uint64_t)(opts->timeout_ms ? opts->timeout_ms : IOE_CARD_DEFAULT_TIMEOUT_MS) * 1000000u;
    atomic_init(&sc->callers, 0);
    pthread_mutex_init(&sc->lock, NULL);
    pthread_cond_init(&sc->idle, NULL);
    sc->mem = ioe_hostmem_create(
        opts->dma_latency ? opts->dma_latency : IOE_CARD_DEFAULT_DMA_LATENCY,
        opts->dma_outstanding ? opts->dma_outstanding : IOE_CARD_DEFAULT_DMA_OUTSTANDING);
    if (!sc->mem) {
        sc_destroy(sc);
        return -ENOMEM;
    }
    int err = ioe_hostmem_set_aperture(sc->mem, opts->iova_bits ? opts->iova_bits : 64,
                                       opts->iova_holes, opts->nr_iova_holes);
    if (err) {
        sc_destroy(sc);
        return err;
    }
    struct ioe_simcard_config cfg = {.mem = sc->mem, .trace_path = opts->trace_path};
    err = card_ops->open(&cfg, &sc->card);
    if (err) {
        sc->card = NULL;
        sc_destroy(sc);
        return err;
    }
    if (sc->free_run) {
        err = -pthread_create(&sc->clock, NULL, clock_main, sc);
        if (err) {
            sc_destroy(sc);
            return err;
        }
    }
    *out = &sc->base;
    return 0;
}
