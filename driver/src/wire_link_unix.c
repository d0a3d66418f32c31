/*
 * The Unix-socket link of the wire protocol (wire_link.h): a stream socket, descriptors
 * passed with SCM_RIGHTS, MSG_NOSIGNAL on every send so a dead peer is -EIO, not SIGPIPE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "wire_link.h"

struct unix_link {
    struct wire_link base;
    int fd;
};

static struct unix_link *to_ul(struct wire_link *l)
{
    return (struct unix_link *)l;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `events` on fd until deadline (-1: none): 1 ready, 0 timed out, -EIO. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int left = -1;
        if (deadline >= 0) {
            int64_t d = deadline - now_ms();
            left = d < 0 ? 0 : d > 1000000 ? 1000000 : (int)d;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -EIO;
        if (r == 0) {
            if (deadline >= 0 && now_ms() >= deadline)
                return 0;
            continue;
        }
        return 1; /* readable, writable, or an error/hangup the next call reports */
    }
}

static int ul_send(struct wire_link *l, const void *buf, size_t n, int fd, int timeout_ms)
{
    struct unix_link *ul = to_ul(l);
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    const uint8_t *p = buf;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } ctl;
    while (n) {
        struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) { /* with the first byte sent */
            memset(&ctl, 0, sizeof(ctl));
            mh.msg_control = ctl.b;
            mh.msg_controllen = sizeof(ctl.b);
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t r = sendmsg(ul->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            fd = -1;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(ul->fd, POLLOUT, deadline);
            if (w < 0)
                return w;
            if (w == 0)
                return -ETIMEDOUT;
            continue;
        }
        return -EIO; /* EPIPE, ECONNRESET, ... */
    }
    return 0;
}

static ssize_t ul_recv(struct wire_link *l, void *buf, size_t max, int *fd, int timeout_ms)
{
    struct unix_link *ul = to_ul(l);
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    if (fd)
        *fd = -1;
    for (;;) {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(4 * sizeof(int))];
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = max};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.b,
                            .msg_controllen = sizeof(ctl.b)};
        ssize_t r = recvmsg(ul->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (r > 0) {
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                    continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                    int got;
                    memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                    if (fd && *fd < 0)
                        *fd = got;
                    else
                        close(got); /* more than the one a frame carries */
                }
            }
            return r;
        }
        if (r == 0)
            return -EIO; /* the peer closed */
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -EIO;
        if (timeout_ms == 0)
            return 0;
        int w = wait_fd(ul->fd, POLLIN, deadline);
        if (w <= 0)
            return w;
    }
}

static int ul_poll_fd(struct wire_link *l)
{
    return to_ul(l)->fd;
}

static void ul_close(struct wire_link *l)
{
    struct unix_link *ul = to_ul(l);
    close(ul->fd);
    free(ul);
}

static const struct wire_link_ops unix_link_ops = {
    .name = "unix",
    .send = ul_send,
    .recv = ul_recv,
    .poll_fd = ul_poll_fd,
    .close = ul_close,
};

int wire_link_unix_adopt(int fd, struct wire_link **out)
{
    struct unix_link *ul = calloc(1, sizeof(*ul));
    if (!ul) {
        close(fd);
        return -ENOMEM;
    }
    ul->base.ops = &unix_link_ops;
    ul->fd = fd;
    *out = &ul->base;
    return 0;
}

int wire_link_unix_connect(const char *path, struct wire_link **out)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
        return -ENODEV;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (errno == EINTR)
            continue;
        int err = errno;
        close(fd);
        char msg[sizeof(sa.sun_path) + 96];
        snprintf(msg, sizeof(msg), "no card at %s (is ioe-simd listening there?): %s", path,
                 strerror(err));
        set_last_error("%s", msg);
        /* nobody listening there: no such card */
        return err == ENOENT || err == ECONNREFUSED || err == ENOTSOCK ? -ENODEV : -err;
    }
    return wire_link_unix_adopt(fd, out);
}
