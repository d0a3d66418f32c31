/*
 * ioectl: inspect and exercise an ioe card.
 *
 *   ioectl [--target T] info         identification, version, features, build parameters
 *   ioectl [--target T] regs         every register of the map with its value
 *   ioectl [--target T] read REG     one register, by name (SCRATCH) or address (0x00c)
 *   ioectl [--target T] write REG V  write then read back one register
 *   ioectl [--target T] selftest     CSR, DMA, MSI-ingress and notification round trips
 *   ioectl targets                   the targets this build can open
 *   ioectl [--target T] fw SUB       the management core's firmware (ioectl_fw.h)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ioe/card.h>
#include <ioe/ioe.h>
#include <ioe/regs.h>

#include "ioectl_fw.h"

struct reg {
    const char *block, *name;
    uint32_t addr;
    int access;
    uint32_t reset, wmask, flags;
};

#define X(b, n, a, acc, rst, wm, fl) {#b, #n, a, acc, rst, wm, fl},
static const struct reg regs[] = {IOE_REG_LIST(X)};
#undef X
#define NREGS (sizeof(regs) / sizeof(regs[0]))

static const char *access_name[] = {"rw", "ro", "param", "const", "wo"};

static const char *prog = "ioectl";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [OPTIONS] COMMAND [ARGS]\n"
            "Inspect and exercise an ioe (Interrupt Offload Engine) card.\n"
            "\n"
            "Commands:\n"
            "  info              card ID, version, feature bits and build parameters\n"
            "  regs              every register of the register map with its value\n"
            "  read REG          read one register (name such as SCRATCH, or address)\n"
            "  write REG VALUE   write one register and read it back\n"
            "  selftest          CSR, DMA, MSI-ingress and notification round trips\n"
            "  targets           the targets this build can open (for --target)\n" IOECTL_FW_USAGE
            "\n"
            "Options:\n"
            "  -t, --target T        card to open, NAME[:ARGS] (see 'targets'); default soft\n"
            "      --trace FILE      sim: write an FST waveform of the run to FILE\n"
            "      --dma-latency N   sim: host-memory latency in cycles (default %u)\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n"
            "\n"
            "Exit status: 0 on success, 1 when the card reports an error or a check fails,\n"
            "2 on bad usage.\n",
            prog, IOE_CARD_DEFAULT_DMA_LATENCY);
}

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return 2;
}

static void print_targets(FILE *f)
{
    for (const struct ioe_target_desc *d = ioe_card_targets(); d->syntax; d++)
        fprintf(f, "  %-20s %s\n", d->syntax, d->summary);
}

static int fail_target(const char *target)
{
    fprintf(stderr, "%s: unknown target '%s'; this build knows:\n", prog, target);
    print_targets(stderr);
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    return 2;
}

static int card_error(const char *what, int err)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
    return 1;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
        return false;
    *out = (uint32_t)v;
    return true;
}

static const struct reg *find_reg(const char *s)
{
    uint32_t addr;
    bool numeric = parse_u32(s, &addr);
    for (size_t i = 0; i < NREGS; i++) {
        if (numeric ? regs[i].addr == addr : strcasecmp(regs[i].name, s) == 0)
            return &regs[i];
    }
    return NULL;
}

static int cmd_info(struct ioe_card *card)
{
    struct ioe_card_info in;
    int err = ioe_card_info(card, &in);
    if (err)
        return card_error("reading identification registers", err);
    char id[5];
    for (int i = 0; i < 4; i++)
        id[i] = (char)(in.id >> (24 - 8 * i));
    id[4] = 0;
    printf("target        %s\n", ioe_card_backend(card));
    printf("card id       0x%08x (%s)\n", in.id, id);
    printf("version       %u.%u.%u\n", in.version >> 16, (in.version >> 8) & 0xff,
           in.version & 0xff);
    printf("features      0x%08x", in.features);
    static const struct {
        uint32_t bit;
        const char *name;
    } feats[] = {
        {IOE_CORE_FEATURES_CYCLE_SHIFT, "cycle"},
        {IOE_CORE_FEATURES_DMA_PROBE_SHIFT, "dma-probe"},
        {IOE_CORE_FEATURES_NOTIFY_TEST_SHIFT, "notify-test"},
        {IOE_CORE_FEATURES_GIC_SHIFT, "gic"},
        {IOE_CORE_FEATURES_ITS_SHIFT, "its"},
        {IOE_CORE_FEATURES_XIVE_SHIFT, "xive"},
    };
    for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
        if (in.features >> feats[i].bit & 1)
            printf(" %s", feats[i].name);
    printf("\n");
    printf("vm contexts   %u\n", in.nr_vms);
    printf("vcpus per vm  %u\n", in.nr_vcpus);
    printf("wired inputs  %u\n", in.nr_wired);
    printf("dma tags      %u\n", in.dma_tags);
    printf("gic nr_irqs   %u\n", in.nr_irqs);
    printf("gic id bits   %u\n", in.lpi_bits);
    printf("its devbits   %u\n", in.dev_bits);
    printf("its eventbits %u\n", in.event_bits);
    printf("its cache     %u entries\n", in.its_cache_entries);
    printf("xive sources  %u\n", in.xive_sources);
    printf("dma segments  %u\n", in.dma_segs);
    return 0;
}

static int print_reg(struct ioe_card *card, const struct reg *r)
{
    uint32_t v = 0;
    int err = r->access == IOE_REG_WO ? 0 : ioe_card_read32(card, r->addr, &v);
    if (err)
        return card_error(r->name, err);
    if (r->access == IOE_REG_WO)
        printf("0x%05x  %-18s %-5s  (write-only)\n", r->addr, r->name, access_name[r->access]);
    else
        printf("0x%05x  %-18s %-5s  0x%08x\n", r->addr, r->name, access_name[r->access], v);
    return 0;
}

static int cmd_regs(struct ioe_card *card)
{
    for (size_t i = 0; i < NREGS; i++) {
        int rc = print_reg(card, &regs[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static bool check(bool ok, const char *what)
{
    printf("  %-44s %s\n", what, ok ? "ok" : "FAILED");
    return ok;
}

static int cmd_selftest(struct ioe_card *card)
{
    bool ok = true;
    int err;
    uint32_t v;
    printf("selftest on %s\n", ioe_card_backend(card));

    /* CSR round trip */
    static const uint32_t pats[] = {0x00000000, 0xffffffff, 0xa5a5a5a5, 0x5a5a5a5a, 0x01234567};
    bool csr_ok = true;
    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
        err = ioe_card_write32(card, IOE_CORE_SCRATCH, pats[i]);
        if (!err)
            err = ioe_card_read32(card, IOE_CORE_SCRATCH, &v);
        csr_ok &= !err && v == pats[i];
    }
    ok &= check(csr_ok, "SCRATCH write/read round trip");
    ok &= check(ioe_card_read32(card, 0xffffc, &v) == -EIO, "unmapped address reports an error");

    /* DMA round trip through the probe */
    uint64_t *buf = ioe_mem_alloc(16 * sizeof(uint64_t)); /* reachable by any card */
    if (!buf)
        return card_error("allocating DMA buffer", -ENOMEM);
    const uint64_t iova = 0x10000000;
    buf[3] = 0x1122334455667788ull;
    err = ioe_card_dma_map(card, iova, buf, 16 * sizeof(uint64_t));
    if (err) {
        ioe_mem_free(buf);
        return card_error("mapping DMA buffer", err);
    }
    uint64_t rd = 0;
    bool dma_ok = !ioe_card_write64(card, IOE_CORE_DMA_ADDR_LO, iova + 3 * 8) &&
                  !ioe_card_write32(card, IOE_CORE_DMA_CMD, 1u << IOE_CORE_DMA_CMD_GO_SHIFT);
    uint32_t st = 0;
    for (int i = 0; dma_ok && i < 10000; i++) {
        if (ioe_card_read32(card, IOE_CORE_DMA_STATUS, &st))
            dma_ok = false;
        if (st >> IOE_CORE_DMA_STATUS_DONE_SHIFT & 1)
            break;
        ioe_card_step(card, 16);
    }
    dma_ok = dma_ok && (st >> IOE_CORE_DMA_STATUS_DONE_SHIFT & 1) &&
             !(st >> IOE_CORE_DMA_STATUS_ERR_SHIFT & 1) &&
             !ioe_card_read64(card, IOE_CORE_DMA_RDATA_LO, &rd) && rd == buf[3];
    ok &= check(dma_ok, "DMA probe reads host memory");
    uint32_t lat = 0;
    ioe_card_read32(card, IOE_CORE_DMA_LATENCY, &lat);
    printf("  %-44s %u cycles\n", "DMA probe round trip", lat);
    ioe_card_dma_unmap(card, iova, 16 * sizeof(uint64_t));
    ioe_mem_free(buf);

    /* MSI ingress capture */
    uint32_t cnt0 = 0, cnt1 = 0, dev = 0, data = 0;
    ioe_card_read32(card, IOE_CORE_MSI_COUNT, &cnt0);
    err = ioe_card_msi(card, 0x1234, 0x8090000, 42);
    bool msi_ok = !err && !ioe_card_read32(card, IOE_CORE_MSI_COUNT, &cnt1) &&
                  !ioe_card_read32(card, IOE_CORE_MSI_LAST_DEVID, &dev) &&
                  !ioe_card_read32(card, IOE_CORE_MSI_LAST_DATA, &data) && cnt1 == cnt0 + 1 &&
                  dev == 0x1234 && data == 42;
    ok &= check(msi_ok, "MSI ingress is captured");

    /* notification path */
    struct ioe_notification n = {0};
    err = ioe_card_write32(card, IOE_CORE_NOTIFY_TEST,
                           3u << IOE_CORE_NOTIFY_TEST_VM_SHIFT |
                               5u << IOE_CORE_NOTIFY_TEST_VCPU_SHIFT);
    bool note_ok = !err && ioe_card_wait(card, 1000000) == 1 && ioe_card_drain(card, &n, 1) == 1 &&
                   n.vm == 3 && n.vcpu == 5 && n.src == IOE_NOTIFY_SRC_TEST;
    ok &= check(note_ok, "NOTIFY_TEST reaches the host");

    uint64_t cyc = 0;
    if (ioe_card_read64(card, IOE_CORE_CYCLE_LO, &cyc) == 0)
        printf("  %-44s %llu\n", "cycle counter", (unsigned long long)cyc);
    printf("selftest %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},      {"trace", required_argument, NULL, 'T'},
        {"dma-latency", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},           {NULL, 0, NULL, 0},
    };
    const char *target = "soft";
    struct ioe_card_options opts = {0};
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 't': target = optarg; break;
        case 'T': opts.trace_path = optarg; break;
        case 'L':
            if (!parse_u32(optarg, &opts.dma_latency) || opts.dma_latency == 0)
                return fail_usage("invalid --dma-latency '%s' (a positive number of cycles)",
                                  optarg);
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("ioectl (ioe) %s\n", IOE_VERSION); return 0;
        case ':': return fail_usage("option '%s' needs an argument", argv[optind - 1]);
        default: return fail_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return fail_usage("%s", "missing command (info, regs, read, write, selftest, targets)");
    const char *cmd = argv[optind++];
    int nargs = argc - optind;
    const struct reg *r = NULL;
    uint32_t value = 0;

    if (!strcmp(cmd, "targets")) {
        if (nargs)
            return fail_usage("'%s' takes no arguments", cmd);
        print_targets(stdout);
        return 0;
    }
    if (!strcmp(cmd, "info") || !strcmp(cmd, "regs") || !strcmp(cmd, "selftest")) {
        if (nargs)
            return fail_usage("'%s' takes no arguments", cmd);
    } else if (!strcmp(cmd, "read") || !strcmp(cmd, "write")) {
        int want = !strcmp(cmd, "read") ? 1 : 2;
        if (nargs != want)
            return fail_usage(
                want == 1 ? "'%s' needs one register" : "'%s' needs a register and a value", cmd);
        r = find_reg(argv[optind]);
        if (!r)
            return fail_usage("unknown register '%s' (see 'ioectl regs')", argv[optind]);
        if (want == 2 && !parse_u32(argv[optind + 1], &value))
            return fail_usage("invalid value '%s' (a 32-bit number)", argv[optind + 1]);
    } else if (!strcmp(cmd, "fw")) {
        if (nargs != 1)
            return fail_usage("'%s' needs one subcommand (info, selftest, log, counters, console)",
                              cmd);
        if (ioectl_fw_check(argv[optind]))
            return fail_usage("unknown fw subcommand '%s'", argv[optind]);
    } else {
        return fail_usage("unknown command '%s'", cmd);
    }

    struct ioe_card *card;
    int err = ioe_card_open_opts(target, &opts, &card);
    if (err && *ioe_last_error()) { /* the transport says what it looked for */
        fprintf(stderr, "%s: %s: %s\n", prog, target, ioe_last_error());
        return 1;
    }
    if (err == -ENODEV)
        return fail_target(target);
    if (err == -EINVAL && opts.trace_path)
        return fail_usage("--trace needs the sim target, not '%s'", target);
    if (err)
        return card_error("opening the card", err);

    int rc;
    if (!strcmp(cmd, "info")) {
        rc = cmd_info(card);
    } else if (!strcmp(cmd, "regs")) {
        rc = cmd_regs(card);
    } else if (!strcmp(cmd, "selftest")) {
        rc = cmd_selftest(card);
    } else if (!strcmp(cmd, "fw")) {
        rc = ioectl_fw(card, prog, argv[optind]);
    } else if (!strcmp(cmd, "read")) {
        rc = print_reg(card, r);
    } else {
        err = ioe_card_write32(card, r->addr, value);
        rc = err ? card_error(r->name, err) : print_reg(card, r);
    }
    ioe_card_close(card);
    return rc;
}
