/*
 * ioe-simd's backend for the simulated cards (simd.h): one connection served by a fresh
 * card of ioe_simcard_ops (the C model or the Verilator model) with the host-memory model.
 * Guest memory comes as descriptors with DMA_MAP and is mapped shared (--dma fd), or every
 * DMA access of the card is asked of the client with DMA_READ/DMA_WRITE (--dma wire).
 * Notifications go to the client before the response of the request during which they
 * arrived, and with --free-run as soon as the card, stepped between requests, has them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ioe/regs.h>

#include "simd.h"

enum {
    CLOCK_CHUNK = 64,     /* --free-run: cycles stepped between looks at the client */
    CLOCK_CHECK = 64,     /* POLL reads / waited cycles between looks at the clock */
    STEP_CHUNK = 1 << 16, /* STEP: cycles between looks at a stop request */
    FENCE_QUIET = 16,     /* FENCE: quiet cycles of the stream before the answer */
};

struct mapping {
    uint64_t iova, size;
    void *base;
    size_t len;
};

struct srv {
    const struct simd_config *cfg;
    struct simd_conn *c;
    const struct ioe_simcard_ops *ops;
    void *card;
    struct ioe_hostmem *mem;
    int hello_done;
    int broken;     /* the link failed: finish the current request and leave */
    int gone;       /* the client closed the connection */
    int pending_fd; /* received with the bytes of a DMA_MAP, -1 */
    uint16_t seq;   /* the card's own sequence numbers (NOTIFY, DMA requests) */
    struct mapping *maps;
    size_t nr_maps, cap_maps;
    struct ioe_wire_decoder dec;
    struct ioe_wire_frame f;
    struct ioe_wire_msg m, r; /* request, response */
    uint8_t out[IOE_WIRE_MAX_FRAME];
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t deadline_after(uint64_t us)
{
    uint64_t now = now_us();
    return us > UINT64_MAX - now ? UINT64_MAX : now + us;
}

/* ---------------------------------------------------------------- the link */

static int send_msg(struct srv *s, const struct ioe_wire_msg *m)
{
    if (s->broken)
        return -EIO;
    int len = ioe_wire_pack(m, s->out);
    if (len < 0)
        return len;
    int err = s->c->link->ops->send(s->c->link, s->out, (size_t)len, -1, (int)s->cfg->timeout_ms);
    if (err)
        s->broken = 1;
    return err;
}

static void send_error(struct srv *s, unsigned code, uint16_t seq)
{
    struct ioe_wire_msg e = {.type = IOE_WIRE_ERROR, .seq = seq};
    e.u.error.code = (uint16_t)code;
    e.u.error.seq = seq;
    e.u.error.dropped = s->dec.dropped + s->c->dropped;
    send_msg(s, &e);
}

/* Read what the client sent (waiting at most timeout_ms, -1: no bound) into the decoder:
 * 1 bytes came, 0 nothing, -1 the client is gone or the server stops. */
static int receive(struct srv *s, int timeout_ms)
{
    int w = simd_wait(s->c, timeout_ms);
    if (w <= 0)
        return w;
    size_t room;
    uint8_t *p = ioe_wire_decoder_space(&s->dec, &room);
    int fd;
    ssize_t n = s->c->link->ops->recv(s->c->link, p, room, &fd, 0);
    if (n < 0) {
        s->gone = 1; /* the client closed the connection */
        return -1;
    }
    if (fd >= 0) { /* belongs to the DMA_MAP whose bytes these are */
        if (s->pending_fd >= 0)
            close(s->pending_fd);
        s->pending_fd = fd;
    }
    ioe_wire_decoder_commit(&s->dec, (size_t)n);
    return n > 0;
}

/* The card's notifications to the client, as many NOTIFY frames as needed. */
static void send_notes(struct srv *s)
{
    while (!s->broken && s->ops->pending(s->card)) {
        struct ioe_notification n[IOE_WIRE_MAX_NOTES];
        size_t k = s->ops->drain(s->card, n, IOE_WIRE_MAX_NOTES);
        struct ioe_wire_msg m = {.type = IOE_WIRE_NOTIFY, .seq = ++s->seq};
        m.u.notify.n = (uint32_t)k;
        for (size_t i = 0; i < k; i++)
            m.u.notify.rec[i] = (struct ioe_wire_note){.vm = (uint8_t)n[i].vm,
                                                       .vcpu = (uint8_t)n[i].vcpu,
                                                       .src = (uint8_t)n[i].src,
                                                       .cycle = n[i].cycle};
        send_msg(s, &m);
    }
}

/* ---------------------------------------------------------------- DMA over the wire */

/* The card's DMA beat asked of the client (--dma wire): send DMA_READ/DMA_WRITE and take
 * frames until its answer. 0 or -EFAULT (also when the client does not answer in time:
 * the connection is then given up). */
static int remote_beat(void *ctx, bool write, uint64_t addr, uint64_t *data, uint8_t strb)
{
    struct srv *s = ctx;
    struct ioe_wire_msg m = {.type = write ? IOE_WIRE_DMA_WRITE : IOE_WIRE_DMA_READ,
                             .seq = ++s->seq};
    m.u.dma.addr = addr;
    m.u.dma.data = *data;
    m.u.dma.strb = strb;
    if (send_msg(s, &m))
        return -EFAULT;
    uint64_t deadline = deadline_after((uint64_t)s->cfg->timeout_ms * 1000);
    struct ioe_wire_msg a;
    for (;;) {
        int r = ioe_wire_decoder_next(&s->dec, &s->f);
        if (r < 0) {
            send_error(s, (unsigned)-r, s->f.seq);
            continue;
        }
        if (r == 1) {
            int u = ioe_wire_unpack(&s->f, &a);
            if (u < 0) {
                s->c->dropped++;
                send_error(s, (unsigned)-u, s->f.seq);
                continue;
            }
            if (a.type == (m.type | IOE_WIRE_RESP) && a.seq == m.seq) {
                if (!write)
                    *data = a.u.dma.data;
                return (write ? a.u.status : a.u.dma.status) ? -EFAULT : 0;
            }
            if (a.type == IOE_WIRE_ERROR && a.u.error.seq == m.seq)
                return -EFAULT;
            if (a.type != IOE_WIRE_ERROR) /* one thing at a time: the DMA answer first */
                send_error(s, IOE_WIRE_E_OUT_OF_ORDER, a.seq);
            continue;
        }
        uint64_t now = now_us();
        if (s->broken || s->gone || now >= deadline) {
            s->broken = 1;
            return -EFAULT;
        }
        uint64_t left = (deadline - now + 999) / 1000;
        if (receive(s, left > 60000 ? 60000 : (int)left) < 0) {
            s->broken = 1;
            return -EFAULT;
        }
    }
}

/* ---------------------------------------------------------------- requests */

/* Read until (value & mask) == expect, one cycle apart, within timeout_us of wall clock. */
static int run_poll(struct srv *s, const struct ioe_wire_op *op, uint32_t *val, uint64_t timeout_us)
{
    uint64_t deadline = 0;
    for (unsigned n = 0;; n++) {
        int err = s->ops->read32(s->card, op->addr, val);
        if (err || (*val & op->a) == op->b)
            return err;
        if (n % CLOCK_CHECK == 0) {
            if (n == 0)
                deadline = deadline_after(timeout_us);
            else if (now_us() >= deadline || simd_stopping() || s->broken)
                return -ETIMEDOUT;
        }
        s->ops->step(s->card, 1);
    }
}

static int run_op(struct srv *s, const struct ioe_wire_op *op, uint32_t *val, uint64_t poll_us)
{
    *val = 0;
    if (op->addr % 4 || op->addr >= IOE_CSR_WINDOW_SIZE)
        return -EINVAL;
    switch (op->kind) {
    case IOE_CSR_READ: return s->ops->read32(s->card, op->addr, val);
    case IOE_CSR_WRITE: return s->ops->write32(s->card, op->addr, op->a);
    case IOE_CSR_POLL: return op->b & ~op->a ? -EINVAL : run_poll(s, op, val, poll_us);
    default: return -EINVAL;
    }
}

static int dma_map(struct srv *s, uint64_t iova, uint64_t size, uint64_t fd_offset)
{
    int fd = s->pending_fd;
    s->pending_fd = -1;
    if (s->cfg->dma_wire) { /* the client serves every access; nothing to map here */
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (fd < 0)
        return -EINVAL;
    struct stat st;
    long page = sysconf(_SC_PAGESIZE);
    uint64_t delta = fd_offset % (uint64_t)page;
    int err = 0;
    void *base = MAP_FAILED;
    if (size == 0 || iova + size < iova || fd_offset + size < fd_offset || fstat(fd, &st) ||
        (uint64_t)st.st_size < fd_offset + size || size + delta > SIZE_MAX)
        err = -EINVAL; /* beyond the end of the file: an access would be SIGBUS */
    else if (s->nr_maps == s->cap_maps) {
        size_t cap = s->cap_maps ? s->cap_maps * 2 : 8;
        struct mapping *p = realloc(s->maps, cap * sizeof(*p));
        if (!p)
            err = -ENOMEM;
        else {
            s->maps = p;
            s->cap_maps = cap;
        }
    }
    if (!err) {
        base = mmap(NULL, size + delta, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                    (off_t)(fd_offset - delta));
        if (base == MAP_FAILED)
            err = -errno;
    }
    close(fd);
    if (!err && (err = ioe_hostmem_map(s->mem, iova, (uint8_t *)base + delta, size)))
        munmap(base, size + delta);
    if (!err)
        s->maps[s->nr_maps++] = (struct mapping){iova, size, base, size + delta};
    return err;
}

static int dma_unmap(struct srv *s, uint64_t iova, uint64_t size)
{
    if (s->cfg->dma_wire)
        return 0;
    int err = ioe_hostmem_unmap(s->mem, iova, size);
    for (size_t i = 0; !err && i < s->nr_maps; i++) {
        if (s->maps[i].iova == iova && s->maps[i].size == size) {
            munmap(s->maps[i].base, s->maps[i].len);
            s->maps[i] = s->maps[--s->nr_maps];
            break;
        }
    }
    return err;
}

static int wait_note(struct srv *s, uint64_t timeout_us)
{
    uint64_t deadline = 0;
    for (unsigned n = 0;; n++) {
        if (s->ops->pending(s->card))
            return 1;
        if (timeout_us == 0)
            return 0;
        if (n % CLOCK_CHECK == 0) {
            if (n == 0)
                deadline = deadline_after(timeout_us);
            else if (now_us() >= deadline || simd_stopping() || s->broken)
                return 0;
        }
        s->ops->step(s->card, 1);
    }
}

/* FENCE: step until the card has raised no notification for FENCE_QUIET cycles (what an
 * LPI's background pass raises a few cycles after an operation is then out), sending what
 * it raised meanwhile; -ETIMEDOUT if the stream does not go quiet within timeout_ms. */
static int fence(struct srv *s)
{
    uint64_t deadline = 0;
    for (unsigned quiet = 0, n = 0; quiet < FENCE_QUIET; n++) {
        if (s->ops->pending(s->card)) {
            send_notes(s);
            quiet = 0;
        } else {
            quiet++;
        }
        if (n % CLOCK_CHECK == 0) {
            if (n == 0)
                deadline = deadline_after((uint64_t)s->cfg->timeout_ms * 1000);
            else if (now_us() >= deadline || simd_stopping() || s->broken)
                return -ETIMEDOUT;
        }
        s->ops->step(s->card, 1);
    }
    return 0;
}

/* Serve request s->m into response s->r. */
static void serve_request(struct srv *s)
{
    const struct ioe_wire_msg *m = &s->m;
    struct ioe_wire_msg *r = &s->r;
    memset(r, 0, sizeof(*r));
    r->type = m->type | IOE_WIRE_RESP;
    r->seq = m->seq;
    switch (m->type) {
    case IOE_WIRE_HELLO:
        if (m->u.hello.version < 1) {
            send_error(s, IOE_WIRE_E_BAD_VERSION, m->seq);
            return;
        }
        s->hello_done = 1;
        r->u.hello.version = IOE_WIRE_VERSION;
        s->ops->read32(s->card, IOE_CORE_ID, &r->u.hello.id);
        r->u.hello.caps = IOE_WIRE_CAP_SIM | IOE_WIRE_CAP_FENCE |
                          (s->cfg->dma_wire ? IOE_WIRE_CAP_DMA_WIRE : IOE_WIRE_CAP_FD_MEMORY) |
                          (s->cfg->free_run ? IOE_WIRE_CAP_ASYNC : 0);
        r->u.hello.max_payload = IOE_WIRE_MAX_PAYLOAD;
        memcpy(r->u.hello.name, s->cfg->name, IOE_WIRE_NAME_LEN);
        break;
    case IOE_WIRE_BATCH: {
        uint32_t i = 0;
        int err = 0;
        while (i < m->u.batch.n && !err) {
            err =
                run_op(s, &m->u.batch.op[i], &r->u.batch_rsp.value[i], m->u.batch.poll_timeout_us);
            i++;
        }
        r->u.batch_rsp.status = err;
        r->u.batch_rsp.done = i;
        break;
    }
    case IOE_WIRE_RESET: s->ops->reset(s->card); break;
    case IOE_WIRE_FENCE: r->u.status = fence(s); break;
    case IOE_WIRE_DMA_MAP:
        r->u.status = dma_map(s, m->u.dma_map.iova, m->u.dma_map.size, m->u.dma_map.fd_offset);
        break;
    case IOE_WIRE_DMA_UNMAP:
        r->u.status = dma_unmap(s, m->u.dma_map.iova, m->u.dma_map.size);
        break;
    case IOE_WIRE_STEP:
        for (uint64_t left = m->u.step.cycles; left && !simd_stopping() && !s->broken;) {
            uint64_t k = left < STEP_CHUNK ? left : STEP_CHUNK;
            s->ops->step(s->card, k);
            left -= k;
        }
        r->u.step_rsp.cycle = s->ops->cycles(s->card);
        break;
    case IOE_WIRE_MSI:
        r->u.status = s->ops->msi(s->card, m->u.msi.devid, m->u.msi.addr, m->u.msi.data);
        break;
    case IOE_WIRE_WIRED:
        r->u.status = m->u.wired.level > 1
                          ? -EINVAL
                          : s->ops->set_wired(s->card, m->u.wired.line, (int)m->u.wired.level);
        break;
    case IOE_WIRE_WAIT: r->u.status = wait_note(s, m->u.wait.timeout_us); break;
    default: /* NOTIFY, DMA_READ, DMA_WRITE: the card sends those, it does not take them */
        s->c->dropped++;
        send_error(s, IOE_WIRE_E_BAD_TYPE, m->seq);
        return;
    }
    send_notes(s);
    send_msg(s, r);
}

/* One frame the decoder gave. */
static void take_frame(struct srv *s)
{
    int u = ioe_wire_unpack(&s->f, &s->m);
    if (u < 0) {
        s->c->dropped++;
        send_error(s, (unsigned)-u, s->f.seq);
        return;
    }
    if (s->m.type == IOE_WIRE_ERROR)
        return; /* about a frame of ours; nothing waits for it now */
    if (s->m.type & IOE_WIRE_RESP) {
        s->c->dropped++;
        send_error(s, IOE_WIRE_E_OUT_OF_ORDER, s->m.seq);
        return;
    }
    if (!s->hello_done && s->m.type != IOE_WIRE_HELLO) {
        s->c->dropped++;
        send_error(s, IOE_WIRE_E_BAD_VERSION, s->m.seq);
        return;
    }
    serve_request(s);
}

static void srv_free(struct srv *s)
{
    if (s->card)
        s->ops->close(s->card);
    ioe_hostmem_destroy(s->mem);
    for (size_t i = 0; i < s->nr_maps; i++)
        munmap(s->maps[i].base, s->maps[i].len);
    free(s->maps);
    if (s->pending_fd >= 0)
        close(s->pending_fd);
    free(s);
}

int simd_serve_simcard(const struct simd_config *cfg, struct simd_conn *c)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->cfg = cfg;
    s->c = c;
    s->ops = cfg->card_ops;
    s->pending_fd = -1;
    ioe_wire_decoder_init(&s->dec);
    s->mem = ioe_hostmem_create(cfg->dma_latency, cfg->dma_outstanding);
    if (!s->mem) {
        srv_free(s);
        return -ENOMEM;
    }
    if (cfg->dma_wire)
        ioe_hostmem_set_remote(s->mem, remote_beat, s);
    struct ioe_simcard_config cc = {.mem = s->mem, .trace_path = cfg->trace_path};
    int err = s->ops->open(&cc, &s->card);
    if (err) {
        s->card = NULL;
        srv_free(s);
        return err;
    }
    while (!s->broken && !s->gone && !simd_stopping()) {
        int r = ioe_wire_decoder_next(&s->dec, &s->f);
        if (r == 1) {
            take_frame(s);
            continue;
        }
        if (r < 0) { /* bad len or CRC: answered, counted by the decoder */
            send_error(s, (unsigned)-r, s->f.seq);
            continue;
        }
        if (cfg->free_run && s->hello_done) { /* run while the client is quiet */
            r = receive(s, 0);
            if (r == 0) {
                s->ops->step(s->card, CLOCK_CHUNK);
                send_notes(s);
            }
        } else {
            r = receive(s, -1);
        }
        if (r < 0)
            break;
    }
    err = s->broken ? -EIO : 0;
    c->dropped += s->dec.dropped;
    srv_free(s);
    return err;
}
