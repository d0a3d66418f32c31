/*
 * The FT2232H link (target usb[:SERIAL]): the iCEBreaker's USB UART, channel B of its
 * FT2232H (0403:6010), through libftdi1 over libusb-1.0. This file moves bytes and
 * nothing else; the protocol above it is the one ioe-simd serves and CI tests
 * (transport_wire.c, docs/wire.md). No machine of ours has a USB bus: this file is the
 * only part of the usb target that CI cannot run.
 *
 * libftdi reads by polling the chip: a bulk read returns after the latency timer (1 ms)
 * with or without data. A reader thread does that and feeds a pipe, so the link has a
 * descriptor that turns readable when the card sends something (a NOTIFY between calls);
 * it costs about a thousand USB transfers a second while the card is open.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <ftdi.h>
#include <libusb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "wire_link.h"

#define IOE_USB_VID 0x0403   /* FTDI */
#define IOE_USB_PID 0x6010   /* FT2232H */
#define IOE_USB_BAUD 2000000 /* the UART of boards/icebreaker/ioe_icebreaker_top.sv */

struct usb_link {
    struct wire_link link;
    struct ftdi_context *ftdi;
    pthread_t reader;
    int pipe_rd, pipe_wr; /* reader thread -> recv */
    atomic_bool stop;
    atomic_int error; /* 0, or the negative errno that broke the link */
};

/* libftdi's transfers return libusb's codes, and -666 once the device is closed */
static int ftdi_errno(int rc)
{
    if (rc == LIBUSB_ERROR_NO_DEVICE || rc == -666)
        return -ENODEV;
    return rc == LIBUSB_ERROR_TIMEOUT ? -ETIMEDOUT : -EIO;
}

static void *usb_reader(void *arg)
{
    struct usb_link *u = arg;
    unsigned char buf[4096];
    while (!atomic_load(&u->stop)) {
        int n = ftdi_read_data(u->ftdi, buf, sizeof(buf));
        if (n < 0) {
            atomic_store(&u->error, ftdi_errno(n));
            break;
        }
        for (int off = 0; off < n;) {
            ssize_t w = write(u->pipe_wr, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                atomic_store(&u->error, -EIO);
                goto out;
            }
            off += (int)w;
        }
    }
out:
    close(u->pipe_wr); /* recv sees end of file once the bytes before it are read */
    u->pipe_wr = -1;
    return NULL;
}

static int usb_send(struct wire_link *l, const void *buf, size_t n, int fd, int timeout_ms)
{
    struct usb_link *u = (struct usb_link *)l;
    (void)timeout_ms; /* bounded by libftdi's USB write timeout (set at open) */
    if (fd >= 0)
        return -EOPNOTSUPP;
    if (atomic_load(&u->error))
        return atomic_load(&u->error);
    const unsigned char *p = buf;
    while (n > 0) {
        int chunk = n > 4096 ? 4096 : (int)n;
        int w = ftdi_write_data(u->ftdi, p, chunk);
        if (w < 0)
            return ftdi_errno(w);
        if (w == 0)
            return -ETIMEDOUT;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t usb_recv(struct wire_link *l, void *buf, size_t max, int *fd, int timeout_ms)
{
    struct usb_link *u = (struct usb_link *)l;
    if (fd)
        *fd = -1;
    struct pollfd p = {.fd = u->pipe_rd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    if (r == 0)
        return 0;
    ssize_t n;
    do
        n = read(u->pipe_rd, buf, max);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0) /* the reader stopped: unplugged or failed */
        return atomic_load(&u->error) ? atomic_load(&u->error) : -EIO;
    return n;
}

static int usb_poll_fd(struct wire_link *l)
{
    return ((struct usb_link *)l)->pipe_rd;
}

static void usb_close(struct wire_link *l)
{
    struct usb_link *u = (struct usb_link *)l;
    atomic_store(&u->stop, true);
    pthread_join(u->reader, NULL);
    close(u->pipe_rd);
    ftdi_usb_close(u->ftdi);
    ftdi_free(u->ftdi);
    free(u);
}

static const struct wire_link_ops usb_link_ops = {
    .name = "usb",
    .send = usb_send,
    .recv = usb_recv,
    .poll_fd = usb_poll_fd,
    .close = usb_close,
};

/* Configure the open channel as docs/boards.md's UART: 8N1, no flow control, the board's
 * bit rate, latency timer 1 ms, buffers flushed. */
static int usb_setup(struct ftdi_context *ftdi)
{
    int rc = ftdi_set_bitmode(ftdi, 0, BITMODE_RESET);
    if (!rc)
        rc = ftdi_set_baudrate(ftdi, IOE_USB_BAUD);
    if (!rc)
        rc = ftdi_set_line_property(ftdi, BITS_8, STOP_BIT_1, NONE);
    if (!rc)
        rc = ftdi_setflowctrl(ftdi, SIO_DISABLE_FLOW_CTRL);
    if (!rc)
        rc = ftdi_set_latency_timer(ftdi, 1);
    if (!rc)
        rc = ftdi_tcioflush(ftdi);
    return rc;
}

static int wire_link_usb_open(const char *serial, struct wire_link **out)
{
    char what[160];
    snprintf(what, sizeof(what), "an FT2232H (USB %04x:%04x, interface B%s%s)", IOE_USB_VID,
             IOE_USB_PID, serial ? ", serial " : "", serial ? serial : "");
    struct ftdi_context *ftdi = ftdi_new();
    if (!ftdi) {
        set_last_error("libftdi could not start libusb while looking for %s", what);
        return -ENODEV;
    }
    ftdi->usb_read_timeout = 100;
    ftdi->usb_write_timeout = 1000;
    if (ftdi_set_interface(ftdi, INTERFACE_B) < 0) {
        ftdi_free(ftdi);
        return -ENODEV;
    }
    int rc = ftdi_usb_open_desc(ftdi, IOE_USB_VID, IOE_USB_PID, NULL, serial);
    if (rc < 0) {
        /* -3: no such device; -4/-5: found, but it could not be opened or claimed */
        bool denied = rc == -4 || rc == -5;
        char msg[384];
        snprintf(msg, sizeof(msg), "looked for %s: %s%s", what, ftdi_get_error_string(ftdi),
                 denied ? " (no permission on the USB device, or another driver holds it)" : "");
        set_last_error("%s", msg);
        ftdi_free(ftdi);
        return denied ? -EACCES : -ENODEV;
    }
    if (usb_setup(ftdi) < 0) {
        char msg[384];
        snprintf(msg, sizeof(msg), "%s found, but its UART could not be set up: %s", what,
                 ftdi_get_error_string(ftdi));
        set_last_error("%s", msg);
        ftdi_usb_close(ftdi);
        ftdi_free(ftdi);
        return -EIO;
    }
    struct usb_link *u = calloc(1, sizeof(*u));
    int p[2];
    if (!u || pipe2(p, O_CLOEXEC) < 0) {
        free(u);
        ftdi_usb_close(ftdi);
        ftdi_free(ftdi);
        return -ENOMEM;
    }
    u->link.ops = &usb_link_ops;
    u->ftdi = ftdi;
    u->pipe_rd = p[0];
    u->pipe_wr = p[1];
    if (pthread_create(&u->reader, NULL, usb_reader, u) != 0) {
        close(p[0]);
        close(p[1]);
        ftdi_usb_close(ftdi);
        ftdi_free(ftdi);
        free(u);
        return -ENOMEM;
    }
    *out = &u->link;
    return 0;
}

/* "usb" or "usb:SERIAL": the first FT2232H, or the one with that serial number */
int ioe_transport_usb_open(const char *name, const char *args, const struct ioe_card_options *opts,
                           struct ioe_transport **out)
{
    (void)name;
    if (args && !*args)
        return -ENODEV;
    /* a board: no waveform, no simulated memory latency */
    if (opts->trace_path || opts->dma_latency || opts->dma_outstanding)
        return -EINVAL;
    struct wire_link *link;
    int err = wire_link_usb_open(args, &link);
    return err ? err : ioe_transport_wire_open_link(link, opts, out);
}
