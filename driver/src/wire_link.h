/*
 * The byte link under the wire protocol (docs/wire.md): a Unix socket to ioe-simd, the
 * FT2232H UART of a board. A link moves bytes and nothing else: framing, checksums and
 * retries are the codec's (wire.h) and the transport's (transport_wire.c).
 *
 * Every op returns 0 / a count or a negative errno. A peer that is gone is -EIO (a link
 * that can tell a device was unplugged may say -ENODEV); after that the link stays broken
 * and its owner closes it. No op raises SIGPIPE.
 */
#ifndef IOE_WIRE_LINK_H
#define IOE_WIRE_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ioe/card.h>

struct wire_link;
struct ioe_transport;

struct wire_link_ops {
    const char *name; /* "unix", "usb" */
    /* Send all n bytes within timeout_ms (-1: no bound) and, when fd >= 0, pass a copy of
     * descriptor fd along with them (SCM_RIGHTS; -EOPNOTSUPP on a link that cannot).
     * 0, -ETIMEDOUT, -EIO. */
    int (*send)(struct wire_link *l, const void *buf, size_t n, int fd, int timeout_ms);
    /* Receive 1 to max bytes, waiting at most timeout_ms (0: do not wait, -1: no bound).
     * Returns the count, 0 when nothing came in time, -EIO when the peer is gone. When fd
     * is not NULL it receives a descriptor passed with these bytes (the caller owns it),
     * else -1; a link that cannot pass descriptors always gives -1. */
    ssize_t (*recv)(struct wire_link *l, void *buf, size_t max, int *fd, int timeout_ms);
    /* A descriptor that polls readable when recv has bytes (the socket); NULL when the
     * link has none: callers then use recv's timeout. */
    int (*poll_fd)(struct wire_link *l);
    void (*close)(struct wire_link *l);
};

struct wire_link {
    const struct wire_link_ops *ops;
};

/* Unix stream socket (wire_link_unix.c) */
int wire_link_unix_connect(const char *path, struct wire_link **out);
/* A link over an accepted or connected socket; the link owns fd from then on. */
int wire_link_unix_adopt(int fd, struct wire_link **out);

/* A private ioe-simd (wire_spawn.c) serving `card` ("soft" or "sim", else -ENODEV) with the
 * options that mean something to it (free_run, timeout_ms, dma_latency, dma_outstanding,
 * trace_path), on a socket in a fresh temporary directory; *link is connected to it. The
 * program is $IOE_SIMD, else ioe-simd in the bindir next to libioe's libdir, else the
 * build tree's. The server exits when its client disconnects; wire_spawn_stop() also
 * stops it (SIGTERM) and removes the directory. */
struct wire_spawn;
int wire_spawn_start(const char *card, const struct ioe_card_options *opts, struct wire_spawn **out,
                     struct wire_link **link);
void wire_spawn_stop(struct wire_spawn *s);

/* The client transport over a link (transport_wire.c): says HELLO, reads the caps, and
 * serves libioe's card API. Takes ownership of the link (closed on failure too). */
int ioe_transport_wire_open_link(struct wire_link *link, const struct ioe_card_options *opts,
                                 struct ioe_transport **out);

#endif
