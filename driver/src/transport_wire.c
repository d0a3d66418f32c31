/*
 * The client transport of the wire protocol (docs/wire.md) over any byte link
 * (wire_link.h): targets "sim:unix:PATH" (ioe-simd on a Unix socket) and
 * "sim:spawn[:soft|sim]" (a private ioe-simd, wire_spawn.c); the USB board's link plugs in
 * through ioe_transport_wire_open_link().
 *
 * One request at a time, under the transport's mutex: send it, then take frames until its
 * response comes, buffering NOTIFY records and answering the card's DMA requests from the
 * mapped regions meanwhile. Every wait has a wall-clock deadline; a link that fails or a
 * card that does not answer in time breaks the transport: that call fails with -EIO or
 * -ETIMEDOUT and every later one with -EIO.
 *
 * The notification descriptor is an eventfd kept readable exactly while records are
 * buffered (as the in-process cards do); on a card with ASYNC it is an epoll descriptor
 * over that eventfd and the link, so it also turns readable when the card sends records
 * between calls (ioe_card_drain() then reads them off the link).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"
#include "wire.h"
#include "wire_link.h"

#define WIRE_DEFAULT_RESPONSE_MS 30000u /* a card's answer, besides the work asked of it */
#define WIRE_US_PER_STEP_CYCLE 100u     /* bound of one stepped cycle (Verilator: ~3 us) */

struct region {
    uint64_t iova, size;
    uint8_t *hva;
};

struct wire_transport {
    struct ioe_transport base;
    struct ioe_transport_ops ops; /* base.ops: sync only on a card with ASYNC and FENCE */
    bool wrote;                   /* a write, MSI or wired line since the last FENCE */
    pthread_mutex_t lock;
    struct wire_link *link; /* NULL once broken */
    struct wire_spawn *spawned;
    uint32_t wire_caps;
    uint16_t seq;
    uint64_t response_ms; /* base bound of one response */
    uint32_t poll_us;     /* bound of one POLL, sent with every BATCH */
    /* notification records received and not yet drained: a ring */
    struct ioe_notification *notes;
    size_t head, count, cap;
    int efd, epfd; /* -1 until ioe_card_notify_fd() */
    bool efd_set;
    /* DMA regions (served from here with DMA_WIRE; checked here always) */
    struct region *regions;
    size_t nr_regions, cap_regions;
    uint32_t dropped; /* frames from the card dropped after decoding (bad type, payload) */
    struct ioe_wire_decoder dec;
    struct ioe_wire_frame frame;
    struct ioe_wire_msg msg;
    uint8_t out[IOE_WIRE_MAX_FRAME];
};

static struct wire_transport *to_wt(struct ioe_transport *t)
{
    return (struct wire_transport *)t;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- notifications */

static void sync_notify(struct wire_transport *w)
{
    if (w->efd < 0 || (w->count > 0) == w->efd_set)
        return;
    uint64_t v = 1;
    ssize_t r = w->efd_set ? read(w->efd, &v, sizeof(v)) : write(w->efd, &v, sizeof(v));
    (void)r; /* cannot fail on an eventfd in this state */
    w->efd_set = !w->efd_set;
}

static int push_note(struct wire_transport *w, const struct ioe_wire_note *n)
{
    if (w->count == w->cap) { /* grow, keeping the order */
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct ioe_notification *p = malloc(cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        for (size_t i = 0; i < w->count; i++)
            p[i] = w->notes[(w->head + i) % w->cap];
        free(w->notes);
        w->notes = p;
        w->head = 0;
        w->cap = cap;
    }
    w->notes[(w->head + w->count++) % w->cap] =
        (struct ioe_notification){.vm = n->vm, .vcpu = n->vcpu, .src = n->src, .cycle = n->cycle};
    return 0;
}

/* ---------------------------------------------------------------- the link */

static void give_up(struct wire_transport *w)
{
    if (!w->link)
        return;
    w->link->ops->close(w->link); /* also leaves the epoll set */
    w->link = NULL;
    w->count = 0; /* nobody can act on them now: do not keep pollers awake */
    sync_notify(w);
}

static int send_frame(struct wire_transport *w, int len, int fd)
{
    if (len < 0)
        return -EIO; /* a message the codec refused: a bug, not the card's fault */
    int err = w->link->ops->send(w->link, w->out, (size_t)len, fd, (int)w->response_ms);
    if (err) {
        give_up(w);
        return err == -ETIMEDOUT ? err : -EIO;
    }
    return 0;
}

static int send_msg(struct wire_transport *w, const struct ioe_wire_msg *m, int fd)
{
    return send_frame(w, ioe_wire_pack(m, w->out), fd);
}

static int send_error(struct wire_transport *w, unsigned code, uint16_t seq)
{
    struct ioe_wire_msg e = {.type = IOE_WIRE_ERROR, .seq = seq};
    e.u.error.code = (uint16_t)code;
    e.u.error.seq = seq;
    e.u.error.dropped = w->dec.dropped + w->dropped;
    return send_msg(w, &e, -1);
}

static const struct region *find_region(const struct wire_transport *w, uint64_t addr)
{
    for (size_t i = 0; i < w->nr_regions; i++) {
        const struct region *r = &w->regions[i];
        if (addr >= r->iova && addr - r->iova < r->size && r->size - (addr - r->iova) >= 8)
            return r;
    }
    return NULL;
}

/* Answer a DMA request of the card from the mapped regions. */
static int serve_dma(struct wire_transport *w, const struct ioe_wire_msg *m)
{
    struct ioe_wire_msg r = {.type = m->type | IOE_WIRE_RESP, .seq = m->seq};
    const struct region *reg = (m->u.dma.addr & 7) ? NULL : find_region(w, m->u.dma.addr);
    if (!reg || !(w->wire_caps & IOE_WIRE_CAP_DMA_WIRE)) {
        r.u.dma.status = -EFAULT;
    } else {
        uint8_t *p = reg->hva + (m->u.dma.addr - reg->iova);
        for (unsigned i = 0; i < 8; i++) {
            if (m->type == IOE_WIRE_DMA_READ)
                r.u.dma.data |= (uint64_t)p[i] << (8 * i);
            else if (m->u.dma.strb & (1u << i))
                p[i] = (uint8_t)(m->u.dma.data >> (8 * i));
        }
    }
    if (m->type == IOE_WIRE_DMA_WRITE)
        r.u.status = r.u.dma.status;
    return send_msg(w, &r, -1);
}

/*
 * Take the frames waiting in the decoder. With `seq` >= 0, stop at the response of that
 * request (type `type | RESP`), left in w->msg: 1. 0 when the decoder needs more bytes.
 * -EIO when the card answered that request with ERROR (-EBUSY for BUSY), or on a link
 * failure while answering the card.
 */
static int take_frames(struct wire_transport *w, int seq, uint8_t type)
{
    for (;;) {
        int r = ioe_wire_decoder_next(&w->dec, &w->frame);
        if (r == 0)
            return 0;
        if (r < 0) { /* a frame lost on the way (counted by the decoder): tell the card */
            int err = send_error(w, (unsigned)-r, w->frame.seq);
            if (err)
                return err;
            if (seq >= 0 && w->frame.seq == seq && w->frame.type == (type | IOE_WIRE_RESP))
                return -EIO; /* our answer, damaged: it will not come again */
            continue;
        }
        r = ioe_wire_unpack(&w->frame, &w->msg);
        if (r < 0) {
            w->dropped++;
            int err = send_error(w, (unsigned)-r, w->frame.seq);
            if (err)
                return err;
            if (seq >= 0 && w->frame.seq == seq && w->frame.type == (type | IOE_WIRE_RESP))
                return -EIO;
            continue;
        }
        struct ioe_wire_msg *m = &w->msg;
        switch (m->type) {
        case IOE_WIRE_NOTIFY:
            for (uint32_t i = 0; i < m->u.notify.n; i++)
                if (push_note(w, &m->u.notify.rec[i]))
                    return -ENOMEM;
            continue;
        case IOE_WIRE_DMA_READ:
        case IOE_WIRE_DMA_WRITE: {
            int err = serve_dma(w, m);
            if (err)
                return err;
            continue;
        }
        case IOE_WIRE_ERROR: /* BUSY may come before the server read our seq */
            if (seq >= 0 && (m->u.error.seq == seq || m->u.error.code == IOE_WIRE_E_BUSY))
                return m->u.error.code == IOE_WIRE_E_BUSY ? -EBUSY : -EIO;
            continue; /* about a frame of ours nobody waits for any more */
        default:
            if (seq >= 0 && m->seq == seq && m->type == (type | IOE_WIRE_RESP))
                return 1;
            if (m->type & IOE_WIRE_RESP) { /* stale: a response nobody asked for */
                int err = send_error(w, IOE_WIRE_E_OUT_OF_ORDER, m->seq);
                if (err)
                    return err;
            } else { /* a request the host does not serve */
                int err = send_error(w, IOE_WIRE_E_BAD_TYPE, m->seq);
                if (err)
                    return err;
            }
            continue;
        }
    }
}

/* Read from the link into the decoder, waiting at most timeout_ms: the count, 0 when
 * nothing came, -EIO (the transport is given up). */
static int pump(struct wire_transport *w, int timeout_ms)
{
    size_t room;
    uint8_t *p = ioe_wire_decoder_space(&w->dec, &room);
    ssize_t n = w->link->ops->recv(w->link, p, room, NULL, timeout_ms);
    if (n < 0) {
        give_up(w);
        return -EIO;
    }
    ioe_wire_decoder_commit(&w->dec, (size_t)n);
    return (int)n;
}

/* Send request m (with descriptor fd, or -1) and wait for its response, at most
 * extra_ms beyond the base bound. The response is left in w->msg. */
static int call(struct wire_transport *w, struct ioe_wire_msg *m, int fd, uint64_t extra_ms)
{
    if (!w->link)
        return -EIO;
    m->seq = ++w->seq;
    uint8_t type = m->type;
    int err = send_msg(w, m, fd);
    if (err)
        return err;
    uint64_t bound = w->response_ms + extra_ms;
    int64_t deadline = bound > INT64_MAX / 4 ? INT64_MAX / 2 : now_ms() + (int64_t)bound;
    for (;;) {
        int r = take_frames(w, w->seq, type);
        if (r == 1)
            return 0;
        if (r < 0) {
            if (r == -ENOMEM || (r != -EIO && r != -EBUSY) || !w->link)
                give_up(w);
            return r;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            give_up(w); /* a card that does not answer: the link is in an unknown state */
            return -ETIMEDOUT;
        }
        r = pump(w, left > 60000 ? 60000 : (int)left);
        if (r < 0)
            return r;
    }
}

/* Take what the card sent between calls (ASYNC cards), without waiting. */
static int poll_link(struct wire_transport *w)
{
    while (w->link) {
        int r = pump(w, 0);
        if (r <= 0)
            return r;
        r = take_frames(w, -1, 0);
        if (r < 0) {
            give_up(w);
            return r;
        }
    }
    return -EIO;
}

/* ---------------------------------------------------------------- ops */

static int status_of(const struct ioe_wire_msg *m)
{
    return m->u.status > 0 ? -EIO : m->u.status;
}

#define LOCKED(w, expr)                                                                            \
    do {                                                                                           \
        pthread_mutex_lock(&(w)->lock);                                                            \
        int err_ = (expr);                                                                         \
        sync_notify(w);                                                                            \
        pthread_mutex_unlock(&(w)->lock);                                                          \
        return err_;                                                                               \
    } while (0)

static int do_simple(struct wire_transport *w, struct ioe_wire_msg *m, uint64_t extra_ms)
{
    int err = call(w, m, -1, extra_ms);
    return err ? err : status_of(&w->msg);
}

/* a request that may raise notifications: the next sync fences */
static int do_write(struct wire_transport *w, struct ioe_wire_msg *m)
{
    w->wrote = true;
    return do_simple(w, m, 0);
}

static int wt_reset(struct ioe_transport *t)
{
    struct wire_transport *w = to_wt(t);
    struct ioe_wire_msg m = {.type = IOE_WIRE_RESET};
    pthread_mutex_lock(&w->lock);
    int err = do_simple(w, &m, 0);
    if (!err)
        w->count = 0; /* the card's stream starts empty, as in process */
    sync_notify(w);
    pthread_mutex_unlock(&w->lock);
    return err;
}

/* One BATCH frame of at most 63 ops. */
static int batch_chunk(struct wire_transport *w, struct ioe_csr_op *ops, size_t n)
{
    struct ioe_wire_msg m = {.type = IOE_WIRE_BATCH};
    uint64_t polls = 0;
    m.u.batch.poll_timeout_us = w->poll_us;
    m.u.batch.n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        struct ioe_wire_op *o = &m.u.batch.op[i];
        o->kind = (uint8_t)ops[i].kind;
        o->addr = ops[i].addr;
        o->a = ops[i].kind == IOE_CSR_POLL ? ops[i].mask : ops[i].val;
        o->b = ops[i].kind == IOE_CSR_POLL ? ops[i].expect : 0;
        polls += ops[i].kind == IOE_CSR_POLL;
        w->wrote |= ops[i].kind == IOE_CSR_WRITE;
    }
    int err = call(w, &m, -1, polls * (w->poll_us / 1000 + 1));
    if (err)
        return err;
    const struct ioe_wire_msg *r = &w->msg;
    uint32_t done = r->u.batch_rsp.done;
    if (done > n || (r->u.batch_rsp.status == 0 && done != n) ||
        (r->u.batch_rsp.status != 0 && done == 0))
        return -EIO; /* an answer that does not fit the request */
    for (uint32_t i = 0; i < done; i++)
        if (ops[i].kind != IOE_CSR_WRITE)
            ops[i].val = r->u.batch_rsp.value[i];
    return status_of(r);
}

static int wt_batch(struct ioe_transport *t, struct ioe_csr_op *ops, size_t n)
{
    struct wire_transport *w = to_wt(t);
    int err = 0;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < n && !err; i += IOE_WIRE_MAX_OPS)
        err = batch_chunk(w, ops + i, n - i < IOE_WIRE_MAX_OPS ? n - i : IOE_WIRE_MAX_OPS);
    sync_notify(w);
    pthread_mutex_unlock(&w->lock);
    return err;
}

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
    return a < b + bsz && b < a + asz;
}

static int dma_map_locked(struct wire_transport *w, const struct ioe_dma_region *r)
{
    if (!w->link)
        return -EIO;
    for (size_t i = 0; i < w->nr_regions; i++)
        if (overlaps(r->iova, r->size, w->regions[i].iova, w->regions[i].size))
            return -EEXIST;
    if (w->nr_regions == w->cap_regions) {
        size_t cap = w->cap_regions ? w->cap_regions * 2 : 8;
        struct region *p = realloc(w->regions, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        w->regions = p;
        w->cap_regions = cap;
    }
    if (w->wire_caps & IOE_WIRE_CAP_FD_MEMORY) { /* the card maps the file itself */
        struct ioe_wire_msg m = {.type = IOE_WIRE_DMA_MAP};
        m.u.dma_map.iova = r->iova;
        m.u.dma_map.size = r->size;
        m.u.dma_map.fd_offset = r->fd_offset;
        int err = call(w, &m, r->fd, 0);
        if (err || (err = status_of(&w->msg)))
            return err;
    }
    w->regions[w->nr_regions++] = (struct region){r->iova, r->size, r->hva};
    return 0;
}

static int wt_dma_map(struct ioe_transport *t, const struct ioe_dma_region *r)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, dma_map_locked(w, r));
}

static int dma_unmap_locked(struct wire_transport *w, uint64_t iova, uint64_t size)
{
    if (!w->link)
        return -EIO;
    for (size_t i = 0; i < w->nr_regions; i++) {
        if (w->regions[i].iova != iova || w->regions[i].size != size)
            continue;
        if (w->wire_caps & IOE_WIRE_CAP_FD_MEMORY) {
            struct ioe_wire_msg m = {.type = IOE_WIRE_DMA_UNMAP};
            m.u.dma_map.iova = iova;
            m.u.dma_map.size = size;
            int err = do_simple(w, &m, 0);
            if (err)
                return err;
        }
        w->regions[i] = w->regions[--w->nr_regions];
        return 0;
    }
    return -ENOENT;
}

static int wt_dma_unmap(struct ioe_transport *t, uint64_t iova, uint64_t size)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, dma_unmap_locked(w, iova, size));
}

static int drain_locked(struct wire_transport *w, struct ioe_notification *buf, size_t max)
{
    if (!w->link)
        return -EIO;
    if (w->wire_caps & IOE_WIRE_CAP_ASYNC) {
        int err = poll_link(w);
        if (err < 0 && !w->link)
            return err;
    }
    size_t n = 0;
    for (; n < max && w->count; n++, w->count--) {
        buf[n] = w->notes[w->head];
        w->head = (w->head + 1) % w->cap;
    }
    return (int)n;
}

static int wt_drain(struct ioe_transport *t, struct ioe_notification *buf, size_t max)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, drain_locked(w, buf, max));
}

static int wait_locked(struct wire_transport *w, uint64_t timeout_us)
{
    if (!w->link)
        return -EIO;
    if (w->count)
        return 1;
    if (w->wire_caps & IOE_WIRE_CAP_SIM) { /* the card steps itself until a record */
        struct ioe_wire_msg m = {.type = IOE_WIRE_WAIT};
        m.u.wait.timeout_us = timeout_us;
        int err = call(w, &m, -1, timeout_us / 1000 + 1);
        if (err)
            return err;
        return w->count > 0 || w->msg.u.status > 0;
    }
    /* a real card: watch the link for NOTIFY */
    int64_t deadline = now_ms() + (int64_t)(timeout_us / 1000);
    for (;;) {
        int r = take_frames(w, -1, 0);
        if (r < 0) {
            give_up(w);
            return r;
        }
        if (w->count)
            return 1;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        r = pump(w, left > 60000 ? 60000 : (int)left);
        if (r < 0)
            return r;
    }
}

static int wt_wait(struct ioe_transport *t, uint64_t timeout_us)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, wait_locked(w, timeout_us));
}

static int notify_fd_locked(struct wire_transport *w)
{
    if (w->efd >= 0)
        return w->epfd >= 0 ? w->epfd : w->efd;
    if (!w->link)
        return -EIO;
    w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->efd < 0)
        return -errno;
    w->efd_set = false;
    int lfd = w->link->ops->poll_fd ? w->link->ops->poll_fd(w->link) : -1;
    if (!(w->wire_caps & IOE_WIRE_CAP_ASYNC) || lfd < 0)
        return w->efd;
    /* ASYNC: readable also when the card sent something between calls */
    int err = 0;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e1 = {.events = EPOLLIN, .data.fd = w->efd};
    struct epoll_event e2 = {.events = EPOLLIN, .data.fd = lfd};
    if (w->epfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &e1) ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, lfd, &e2))
        err = -errno;
    if (err) {
        if (w->epfd >= 0)
            close(w->epfd);
        close(w->efd);
        w->efd = w->epfd = -1;
        return err;
    }
    return w->epfd;
}

static int wt_notify_fd(struct ioe_transport *t)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, notify_fd_locked(w));
}

static int step_locked(struct wire_transport *w, uint64_t cycles, uint64_t *count)
{
    struct ioe_wire_msg m = {.type = IOE_WIRE_STEP};
    m.u.step.cycles = cycles;
    uint64_t extra = cycles > UINT64_MAX / WIRE_US_PER_STEP_CYCLE
                         ? UINT64_MAX / 8
                         : cycles * WIRE_US_PER_STEP_CYCLE / 1000;
    int err = call(w, &m, -1, extra);
    if (err || (err = status_of(&w->msg)))
        return err;
    if (count)
        *count = w->msg.u.step_rsp.cycle;
    return 0;
}

static int wt_step(struct ioe_transport *t, uint64_t cycles)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, step_locked(w, cycles, NULL));
}

static int wt_cycles(struct ioe_transport *t, uint64_t *cycles)
{
    struct wire_transport *w = to_wt(t);
    LOCKED(w, step_locked(w, 0, cycles));
}

static int wt_msi(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data)
{
    struct wire_transport *w = to_wt(t);
    struct ioe_wire_msg m = {.type = IOE_WIRE_MSI};
    m.u.msi.devid = devid;
    m.u.msi.data = data;
    m.u.msi.addr = addr;
    LOCKED(w, do_write(w, &m));
}

static int wt_set_wired(struct ioe_transport *t, unsigned line, int level)
{
    struct wire_transport *w = to_wt(t);
    struct ioe_wire_msg m = {.type = IOE_WIRE_WIRED};
    m.u.wired.line = line;
    m.u.wired.level = (uint32_t)level;
    LOCKED(w, do_write(w, &m));
}

/* The notification fence (transport.h's sync): a FENCE after a request that wrote to the
 * card; its NOTIFY frames come before the answer, which the card sends once its stream
 * has been quiet (docs/wire.md), so every record those requests raised is buffered when
 * it returns. */
static int wt_sync(struct ioe_transport *t)
{
    struct wire_transport *w = to_wt(t);
    struct ioe_wire_msg m = {.type = IOE_WIRE_FENCE};
    pthread_mutex_lock(&w->lock);
    int err = 0;
    bool wrote = w->wrote;
    w->wrote = false;
    if (wrote)
        err = do_simple(w, &m, 0);
    sync_notify(w);
    pthread_mutex_unlock(&w->lock);
    return err ? err : wrote;
}

static void wt_destroy(struct wire_transport *w)
{
    give_up(w);
    if (w->spawned)
        wire_spawn_stop(w->spawned);
    if (w->epfd >= 0)
        close(w->epfd);
    if (w->efd >= 0)
        close(w->efd);
    free(w->notes);
    free(w->regions);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static void wt_close(struct ioe_transport *t)
{
    wt_destroy(to_wt(t));
}

/* Every card's ops; the simulation ops exist only on a card with SIM. */
#define WIRE_CARD_OPS                                                                              \
    .name = "wire", .close = wt_close, .reset = wt_reset, .batch = wt_batch,                       \
    .dma_map = wt_dma_map, .dma_unmap = wt_dma_unmap, .drain = wt_drain, .wait = wt_wait,          \
    .notify_fd = wt_notify_fd

static const struct ioe_transport_ops wire_ops_sim = {
    WIRE_CARD_OPS, .step = wt_step, .cycles = wt_cycles, .msi = wt_msi, .set_wired = wt_set_wired,
};

static const struct ioe_transport_ops wire_ops_card = {WIRE_CARD_OPS};
#undef WIRE_CARD_OPS

/* ---------------------------------------------------------------- open */

static int hello(struct wire_transport *w)
{
    struct ioe_wire_msg m = {.type = IOE_WIRE_HELLO};
    m.u.hello.version = IOE_WIRE_VERSION;
    int err = call(w, &m, -1, 0);
    if (err)
        return err == -EBUSY ? -EBUSY : err;
    if (w->msg.u.hello.version != IOE_WIRE_VERSION)
        return -EPROTO;
    w->wire_caps = w->msg.u.hello.caps;
    if ((w->wire_caps & IOE_WIRE_CAP_FD_MEMORY) && (w->wire_caps & IOE_WIRE_CAP_DMA_WIRE))
        return -EPROTO; /* at most one of the two (docs/wire.md) */
    uint32_t c = 0;
    if (w->wire_caps & IOE_WIRE_CAP_SIM)
        c |= IOE_CARD_CAP_STEP | IOE_CARD_CAP_MSI | IOE_CARD_CAP_WIRED;
    if (w->wire_caps & IOE_WIRE_CAP_FD_MEMORY)
        c |= IOE_CARD_CAP_FD_MEMORY;
    if (w->wire_caps & IOE_WIRE_CAP_ASYNC)
        c |= IOE_CARD_CAP_ASYNC;
    w->base.caps = c;
    w->ops = (w->wire_caps & IOE_WIRE_CAP_SIM) ? wire_ops_sim : wire_ops_card;
    if ((w->wire_caps & IOE_WIRE_CAP_ASYNC) && (w->wire_caps & IOE_WIRE_CAP_FENCE))
        w->ops.sync = wt_sync;
    w->base.ops = &w->ops;
    return 0;
}

static int open_link(struct wire_link *link, struct wire_spawn *spawned,
                     const struct ioe_card_options *opts, struct ioe_transport **out)
{
    struct wire_transport *w = calloc(1, sizeof(*w));
    if (!w) {
        link->ops->close(link);
        if (spawned)
            wire_spawn_stop(spawned);
        return -ENOMEM;
    }
    pthread_mutex_init(&w->lock, NULL);
    w->link = link;
    w->spawned = spawned;
    w->efd = w->epfd = -1;
    w->base.ops = &wire_ops_card;
    ioe_wire_decoder_init(&w->dec);
    uint64_t poll_ms = opts->timeout_ms ? opts->timeout_ms : IOE_CARD_DEFAULT_TIMEOUT_MS;
    w->poll_us = poll_ms * 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(poll_ms * 1000);
    w->response_ms = opts->timeout_ms ? opts->timeout_ms : WIRE_DEFAULT_RESPONSE_MS;
    int err = hello(w);
    if (err) {
        wt_destroy(w);
        return err;
    }
    *out = &w->base;
    return 0;
}

int ioe_transport_wire_open_link(struct wire_link *link, const struct ioe_card_options *opts,
                                 struct ioe_transport **out)
{
    static const struct ioe_card_options none;
    return open_link(link, NULL, opts ? opts : &none, out);
}

/* The free_run option asks for a card that runs on its own: the server must say ASYNC. */
static int open_checked(struct wire_link *link, struct wire_spawn *spawned,
                        const struct ioe_card_options *opts, struct ioe_transport **out)
{
    int err = open_link(link, spawned, opts, out);
    if (!err && opts->free_run && !((*out)->caps & IOE_CARD_CAP_ASYNC)) {
        wt_close(*out); /* a server not started with --free-run */
        return -EINVAL;
    }
    return err;
}

int ioe_transport_wire_open_unix(const char *name, const char *args,
                                 const struct ioe_card_options *opts, struct ioe_transport **out)
{
    struct wire_link *link;
    if (!args || strcmp(name, "sim") != 0 || strncmp(args, "unix:", 5) != 0)
        return -ENODEV;
    /* a server of its own: these were given on its command line */
    if (opts->trace_path || opts->dma_latency || opts->dma_outstanding)
        return -EINVAL;
    int err = wire_link_unix_connect(args + 5, &link);
    return err ? err : open_checked(link, NULL, opts, out);
}

int ioe_transport_wire_open_spawn(const char *name, const char *args,
                                  const struct ioe_card_options *opts, struct ioe_transport **out)
{
    struct wire_link *link;
    struct wire_spawn *spawned;
    if (!args || strcmp(name, "sim") != 0 ||
        (strcmp(args, "spawn") != 0 && strncmp(args, "spawn:", 6) != 0))
        return -ENODEV;
    int err = wire_spawn_start(args[5] ? args + 6 : "sim", opts, &spawned, &link);
    return err ? err : open_checked(link, spawned, opts, out);
}
