/*
 * ioe-bench: interrupt latency of the card, measured on the Verilator model at clock-cycle
 * resolution.
 *
 * This first version measures the GIC engine at the card boundary (the benchmark issue
 * adds the ITS, XIVE, wall-clock and Linux-KVM comparisons, plots and JSON):
 *   line -> notification   cycles from the LINE operation reaching the card's register
 *                          block to the vCPU's notification leaving the card
 *   ack -> status          cycles from the acknowledge (ICC_IAR1 read) reaching the card
 *                          to the notification that the vCPU's presentation status changed
 *                          (nothing may be presented while the acknowledged one runs)
 *   ack -> engine idle     cycles from the acknowledge to STATUS.BUSY reading clear (polled
 *                          through AXI4-Lite reads of 3 cycles each, so up to 3 cycles late):
 *                          the engine takes its next operation after that
 *   eoi -> next            cycles from the EOI reaching the card to the notification that
 *                          the next pending interrupt (lower priority, waiting behind the
 *                          one that ran) may be presented
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

static const char *prog = "ioe-bench";

enum { OP_READ32 = 1, OP_WRITE32, OP_READ64, OP_WRITE64, OP_LINE, OP_VM_CONFIG, OP_VCPU_CONFIG };
#define ICC_PMR (3u << 14 | 4u << 7 | 6u << 3)
#define ICC_IAR1 (3u << 14 | 12u << 7 | 12u << 3)
#define ICC_EOIR1 (ICC_IAR1 | 1u)
#define ICC_IGRPEN1 (ICC_IAR1 | 7u)

struct bench {
    struct ioe_card *card;
    uint64_t *lat_line, *lat_ack, *lat_eoi, *lat_idle;
    unsigned n, irqs, vcpus;
};

/* Start one GIC operation; returns the card cycle at which its OP write reached the card. */
static int gic_start(struct ioe_card *c, unsigned space, uint32_t off, unsigned code,
                     uint64_t wdata, uint64_t *t0)
{
    int err;
    if ((err = ioe_card_write32(c, IOE_GIC_TARGET, space << IOE_GIC_TARGET_SPACE_SHIFT)) ||
        (err = ioe_card_write32(c, IOE_GIC_OFFSET, off)) ||
        (err = ioe_card_write64(c, IOE_GIC_WDATA_LO, wdata)) || (err = ioe_card_cycles(c, t0)))
        return err;
    return ioe_card_write32(c, IOE_GIC_OP, code);
}

static int gic_wait(struct ioe_card *c)
{
    uint32_t st = 1;
    for (int i = 0; i < 1000000 && (st & 1); i++) {
        int err = ioe_card_read32(c, IOE_GIC_STATUS, &st);
        if (err)
            return err;
    }
    return (st & 1) ? -ETIMEDOUT : (st & (1u << IOE_GIC_STATUS_BADTARGET_SHIFT)) ? -EIO : 0;
}

static int gic(struct ioe_card *c, unsigned space, uint32_t off, unsigned code, uint64_t wdata)
{
    uint64_t t0;
    int err = gic_start(c, space, off, code, wdata, &t0);
    return err ? err : gic_wait(c);
}

/* Cycles from t0 to the next GIC notification. */
static int wait_note(struct ioe_card *c, uint64_t t0, uint64_t *lat)
{
    struct ioe_notification n;
    for (;;) {
        int r = ioe_card_wait(c, 100000);
        if (r <= 0)
            return r ? r : -ETIMEDOUT;
        if (ioe_card_drain(c, &n, 1) == 1 && n.src == IOE_NOTIFY_SRC_GIC) {
            *lat = n.cycle - t0;
            return 0;
        }
    }
}

static int run_gic(struct bench *b)
{
    struct ioe_card *c = b->card;
    int err;
    if ((err = gic(c, 0, 0, OP_VM_CONFIG, b->irqs | b->vcpus << 16)))
        return err;
    for (unsigned v = 1; v < b->vcpus; v++) { /* vCPU 0 keeps affinity 0 */
        if ((err = ioe_card_write32(c, IOE_GIC_TARGET, v << IOE_GIC_TARGET_VCPU_SHIFT)) ||
            (err = ioe_card_write64(c, IOE_GIC_WDATA_LO, v)) ||
            (err = ioe_card_write32(c, IOE_GIC_OP, OP_VCPU_CONFIG)) || (err = gic_wait(c)))
            return err;
    }
    if ((err = gic(c, 0, 0x0000, OP_WRITE32, 2)) ||
        (err = gic(c, 0, 0x0104, OP_WRITE32, 0xffffffff)) ||
        (err = gic(c, 3, ICC_PMR, OP_WRITE64, 0xf0)) ||
        (err = gic(c, 3, ICC_IGRPEN1, OP_WRITE64, 1)))
        return err;
    /* SPIs 32..47 at priority 0x40, 48..63 at 0x80 */
    for (uint32_t w = 8; w < 16; w++)
        if ((err = gic(c, 0, 0x400 + 4 * w, OP_WRITE32, w < 12 ? 0x40404040u : 0x80808080u)))
            return err;
    for (unsigned i = 0; i < b->n; i++) {
        uint32_t hi = 32 + i % 16, lo = 48 + i % 16;
        uint64_t t0;
        /* line -> notification */
        if ((err = gic_start(c, 0, 0, OP_LINE, hi | 1u << 31, &t0)) ||
            (err = wait_note(c, t0, &b->lat_line[i])) || (err = gic_wait(c)) ||
            (err = gic(c, 0, 0, OP_LINE, lo | 1u << 31)))
            return err;
        /* acknowledge -> status */
        uint64_t t1;
        if ((err = gic_start(c, 3, ICC_IAR1, OP_READ64, 0, &t0)) ||
            (err = wait_note(c, t0, &b->lat_ack[i])) || (err = gic_wait(c)) ||
            (err = ioe_card_cycles(c, &t1)) || (err = gic(c, 0, 0, OP_LINE, hi)))
            return err;
        b->lat_idle[i] = t1 - t0;
        /* EOI -> the waiting lower-priority interrupt may be presented */
        if ((err = gic_start(c, 3, ICC_EOIR1, OP_WRITE64, hi, &t0)) ||
            (err = wait_note(c, t0, &b->lat_eoi[i])) || (err = gic_wait(c)))
            return err;
        if ((err = gic(c, 3, ICC_IAR1, OP_READ64, 0)) || (err = gic(c, 0, 0, OP_LINE, lo)) ||
            (err = gic(c, 3, ICC_EOIR1, OP_WRITE64, lo)))
            return err;
        struct ioe_notification junk[8];
        ioe_card_step(c, 16);
        while (ioe_card_drain(c, junk, 8) > 0)
            ;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t *v, unsigned n, double mhz)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    uint64_t p50 = v[n / 2], p99 = v[(n * 99) / 100], mx = v[n - 1];
    printf("%-26s %8llu %8llu %8llu %8llu   cycles  (p50 %.1f ns at %.0f MHz)\n", name,
           (unsigned long long)v[0], (unsigned long long)p50, (unsigned long long)p99,
           (unsigned long long)mx, (double)p50 * 1000.0 / mhz, mhz);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [OPTIONS]\n"
            "Measure the card's interrupt latency on the Verilator model (cycle resolution).\n"
            "\n"
            "  -n, --iterations N   samples per measurement (default 1000)\n"
            "      --irqs N         interrupts of the measured VM (default 256, KVM's default)\n"
            "      --vcpus N        vCPUs of the measured VM (default 4)\n"
            "      --quick          100 samples\n"
            "      --clock-mhz F    convert cycles to ns at F MHz (default 250)\n"
            "  -h, --help           show this help and exit\n"
            "\n"
            "Measured today: the GIC engine (line -> notification, acknowledge -> status,\n"
            "EOI -> next presentable).\n"
            "ITS, XIVE, wall-clock and Linux-KVM comparisons come with the benchmark issue.\n",
            prog);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"iterations", required_argument, NULL, 'n'},
        {"quick", no_argument, NULL, 'q'},
        {"clock-mhz", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"irqs", required_argument, NULL, 'i'},
        {"vcpus", required_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    unsigned n = 1000, irqs = 256, vcpus = 4;
    double mhz = 250;
    int o;
    char *end;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":n:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'n':
            n = (unsigned)strtoul(optarg, &end, 10);
            if (*end || n == 0 || n > 10000000) {
                fprintf(stderr, "%s: invalid --iterations '%s'\n", prog, optarg);
                return 2;
            }
            break;
        case 'q': n = 100; break;
        case 'i':
            irqs = (unsigned)strtoul(optarg, &end, 10);
            if (*end || irqs < 64 || irqs > 1024 || irqs % 32) {
                fprintf(stderr, "%s: invalid --irqs '%s' (64..1024, multiple of 32)\n", prog,
                        optarg);
                return 2;
            }
            break;
        case 'v':
            vcpus = (unsigned)strtoul(optarg, &end, 10);
            if (*end || vcpus < 1 || vcpus > 255) {
                fprintf(stderr, "%s: invalid --vcpus '%s'\n", prog, optarg);
                return 2;
            }
            break;
        case 'c':
            mhz = strtod(optarg, &end);
            if (*end || !(mhz > 0)) {
                fprintf(stderr, "%s: invalid --clock-mhz '%s'\n", prog, optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "%s: option '%s' needs an argument\nTry '%s --help'.\n", prog,
                    argv[optind - 1], prog);
            return 2;
        default:
            fprintf(stderr, "%s: unknown option '%s'\nTry '%s --help'.\n", prog, argv[optind - 1],
                    prog);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n", prog, argv[optind],
                prog);
        return 2;
    }
    struct bench b = {.n = n, .irqs = irqs, .vcpus = vcpus};
    b.lat_line = calloc(n, sizeof(uint64_t));
    b.lat_ack = calloc(n, sizeof(uint64_t));
    b.lat_eoi = calloc(n, sizeof(uint64_t));
    b.lat_idle = calloc(n, sizeof(uint64_t));
    int err = !b.lat_line || !b.lat_ack || !b.lat_eoi || !b.lat_idle
                  ? -ENOMEM
                  : ioe_card_open("sim", &b.card);
    if (!err) {
        err = run_gic(&b);
        ioe_card_close(b.card);
    }
    if (err) {
        fprintf(stderr, "%s: GIC measurement failed: %s%s\n", prog, strerror(-err),
                err == -EIO ? " (does the card have that many interrupts and vCPUs?)" : "");
        return 1;
    }
    printf("ioe-bench: GIC engine on the Verilator model, VM with %u interrupts and %u vCPUs, %u "
           "samples\n",
           irqs, vcpus, n);
    printf("%-26s %8s %8s %8s %8s\n", "", "min", "p50", "p99", "max");
    report("line -> notification", b.lat_line, n, mhz);
    report("ack -> status ready", b.lat_ack, n, mhz);
    report("ack -> engine idle", b.lat_idle, n, mhz);
    report("eoi -> next presentable", b.lat_eoi, n, mhz);
    free(b.lat_line);
    free(b.lat_ack);
    free(b.lat_eoi);
    free(b.lat_idle);
    return 0;
}
