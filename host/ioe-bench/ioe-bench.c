/*
 * ioe-bench: interrupt latency and throughput of the card, with the software path measured
 * beside it in the same run.
 *
 *   card: GIC engine (sim)   the Verilator model at clock-cycle resolution (gic_card.c)
 *   card: ITS engine (sim)   MSIs into the ingress port: translation-cache hits, misses,
 *                            streams, a vgic_lpi_stress-shaped working set (its_card.c)
 *   card: XIVE engine (sim)  ESB triggers through the ingress port (xive_card.c)
 *   API, soft / sim          libioe's public API at wall-clock resolution: KVM_IRQ_LINE
 *                            (api_path.c), KVM_SIGNAL_MSI on an ITS and ESB triggers on a
 *                            XIVE device (api_msi.c)
 *   Round trips by target    one register read and one KVM_IRQ_LINE injection on soft and
 *                            sim, in process and in ioe-simd over a socket (wire_path.c)
 *   simulation speed         card cycles per second of the Verilator model, idle and under
 *                            a sustained XIVE trigger load (sim_speed.c)
 *   Linux KVM                KVM's own software injection on this host (kvm_baseline.c),
 *                            skipped with the reason where /dev/kvm cannot run a guest
 *
 * Output: a table on stdout, --json FILE, --plot FILE (SVG, latency CDFs).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ioe/card.h>

#include "bench.h"
#include "kvm_baseline.h"
#include "report.h"

static const char *prog = "ioe-bench";

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: %s [OPTIONS]\n"
        "Measure the card's interrupt latency and the software path beside it.\n"
        "\n"
        "  -n, --iterations N   samples per latency measurement (default 1000)\n"
        "      --quick          100 samples, 2 working-set iterations (CI and the demo)\n"
        "      --irqs N         interrupts of the measured VMs (default 256, KVM's default)\n"
        "  -v, --vcpus N        vCPUs of the measured VMs (default 4)\n"
        "      --dma-latency N  host-memory latency of the sim card in cycles (default %u)\n"
        "      --dma-outstanding N  host-memory requests in flight at most (default %u)\n"
        "ITS working set, shaped like the kernel's vgic_lpi_stress (every device's events\n"
        "mapped to LPIs spread over the vCPUs; an MSI for every (device, event) each\n"
        "iteration):\n"
        "  -d, --devices N      devices (default 4)\n"
        "  -e, --events N       events per device (default 64)\n"
        "  -i, --set-iterations N  iterations (default 4, 2 with --quick)\n"
        "      --clock-mhz F    convert cycles to ns at F MHz (default 125: what the logic depth\n"
        "                       supports, docs/performance.md)\n"
        "      --seed N         seed of the randomised injection order (default 1)\n"
        "      --json FILE      write every measurement as JSON\n"
        "      --plot FILE      write the latency CDFs as an SVG plot\n"
        "      --no-progress    no progress bar\n"
        "Simulation speed of the sim card (cycles per second, idle and under MSI load):\n"
        "      --sim-speed      measure only that (default: with everything else)\n"
        "      --speed-runs N   runs of each (default 3, 1 with --quick)\n"
        "      --speed-cycles N card cycles per run (default 1000000, 200000 with --quick)\n"
        "  -h, --help           show this help and exit\n"
        "\n"
        "Measured: the GIC, ITS and XIVE engines on the Verilator model (cycles);\n"
        "KVM_IRQ_LINE, KVM_SIGNAL_MSI (ITS) and ESB triggers (XIVE) through the API on the\n"
        "soft and sim backends (ns); and Linux KVM's software injection (KVM_SIGNAL_MSI,\n"
        "irqfd) on this host where /dev/kvm works.\n",
        prog, IOE_CARD_DEFAULT_DMA_LATENCY, IOE_CARD_DEFAULT_DMA_OUTSTANDING);
}

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "%s: invalid %s '%s'\nTry '%s --help'.\n", prog, what, arg, prog);
    return 2;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"iterations", required_argument, NULL, 'n'},
        {"quick", no_argument, NULL, 'q'},
        {"irqs", required_argument, NULL, 'R'},
        {"vcpus", required_argument, NULL, 'v'},
        {"dma-latency", required_argument, NULL, 'L'},
        {"dma-outstanding", required_argument, NULL, 'O'},
        {"devices", required_argument, NULL, 'd'},
        {"events", required_argument, NULL, 'e'},
        {"set-iterations", required_argument, NULL, 'i'},
        {"clock-mhz", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"json", required_argument, NULL, 'j'},
        {"plot", required_argument, NULL, 'p'},
        {"no-progress", no_argument, NULL, 'P'},
        {"sim-speed", no_argument, NULL, 'S'},
        {"speed-runs", required_argument, NULL, 'r'},
        {"speed-cycles", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct opts o = {.n = 1000,
                     .irqs = 256,
                     .vcpus = 4,
                     .mhz = 125,
                     .seed = 1,
                     .progress = isatty(2),
                     .dma_latency = IOE_CARD_DEFAULT_DMA_LATENCY,
                     .dma_outstanding = IOE_CARD_DEFAULT_DMA_OUTSTANDING,
                     .ws_devices = 4,
                     .ws_events = 64,
                     .stream = 1000};
    unsigned ws_iters = 0;                         /* 0: the default of the mode */
    unsigned speed_runs = 0, speed_cycles_arg = 0; /* 0: the default of the mode */
    int quick = 0, speed_only = 0;
    const char *json = NULL, *plot = NULL;
    char *end;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:v:d:e:i:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_uint(optarg, 1, 10000000, &o.n))
                return bad("--iterations", optarg);
            break;
        case 'q':
            o.n = 100;
            quick = 1;
            break;
        case 'i':
            if (parse_uint(optarg, 1, 1000000, &ws_iters))
                return bad("--set-iterations", optarg);
            break;
        case 'R':
            if (parse_uint(optarg, 64, 1024, &o.irqs) || o.irqs % 32)
                return bad("--irqs (64..1024, multiple of 32)", optarg);
            break;
        case 'v':
            if (parse_uint(optarg, 1, 64, &o.vcpus))
                return bad("--vcpus", optarg);
            break;
        case 'L':
            if (parse_uint(optarg, 1, 100000, &o.dma_latency))
                return bad("--dma-latency", optarg);
            break;
        case 'O':
            if (parse_uint(optarg, 1, 4096, &o.dma_outstanding))
                return bad("--dma-outstanding", optarg);
            break;
        case 'd':
            if (parse_uint(optarg, 1, 4096, &o.ws_devices))
                return bad("--devices (1..4096)", optarg);
            break;
        case 'e':
            if (parse_uint(optarg, 1, 65536, &o.ws_events))
                return bad("--events (1..65536)", optarg);
            break;
        case 'c':
            o.mhz = strtod(optarg, &end);
            if (*end || !(o.mhz > 0))
                return bad("--clock-mhz", optarg);
            break;
        case 's':
            errno = 0;
            o.seed = strtoull(optarg, &end, 0);
            if (errno || *end || optarg[0] == '-' || end == optarg)
                return bad("--seed", optarg);
            if (!o.seed)
                o.seed = 1;
            break;
        case 'j': json = optarg; break;
        case 'p': plot = optarg; break;
        case 'P': o.progress = 0; break;
        case 'S': speed_only = 1; break;
        case 'r':
            if (parse_uint(optarg, 1, 1000, &speed_runs))
                return bad("--speed-runs (1..1000)", optarg);
            break;
        case 'C':
            if (parse_uint(optarg, 1000, 1000000000, &speed_cycles_arg))
                return bad("--speed-cycles (1000..1000000000)", optarg);
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

    o.ws_iters = ws_iters ? ws_iters : quick ? 2 : 4;
    o.speed_runs = speed_runs ? speed_runs : quick ? 1 : 3;
    o.speed_cycles = speed_cycles_arg ? speed_cycles_arg : quick ? 200000 : 1000000;
    if ((uint64_t)o.ws_devices * o.ws_events > 32768) {
        fprintf(stderr, "%s: --devices x --events is at most 32768 (LPIs of the card)\n", prog);
        return 2;
    }

    struct series s[96];
    unsigned ns = 0;
    if (speed_only) {
        int err = bench_sim_speed(&o, s, &ns);
        if (err) {
            fprintf(stderr, "%s: simulation speed: %s\n", prog, strerror(-err));
            return 1;
        }
        report_table(stdout, s, ns, &o);
        int rc = json && report_json(json, s, ns, &o, NULL);
        if (rc)
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, json, strerror(errno));
        for (unsigned i = 0; i < ns; i++)
            free(s[i].v);
        return rc;
    }
    static const struct {
        const char *what;
        int (*run)(const struct opts *, struct series *, unsigned *);
    } card[] = {{"GIC", bench_gic_card}, {"ITS", bench_its_card}, {"XIVE", bench_xive_card}};
    for (unsigned k = 0; k < sizeof(card) / sizeof(card[0]); k++) {
        int err = card[k].run(&o, s, &ns);
        if (err) {
            fprintf(stderr, "%s: card measurement (%s) failed: %s%s\n", prog, card[k].what,
                    strerror(-err),
                    err == -EIO || err == -EOPNOTSUPP
                        ? " (does the card have that many interrupts and vCPUs?)"
                        : "");
            return 1;
        }
    }
    /* sim:pcie: the PCIe card's Verilator model through the VFIO transport and the
     * root-complex model; its requests end with the notification fence (docs/pcie.md) */
    static const char *const targets[] = {"soft", "sim", "sim:pcie"};
    static const struct {
        const char *what;
        int (*run)(const struct opts *, const char *, struct series *, unsigned *);
    } api[] = {{"KVM_IRQ_LINE", bench_api},
               {"KVM_SIGNAL_MSI", bench_api_its},
               {"ESB trigger", bench_api_xive}};
    for (unsigned t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
        for (unsigned k = 0; k < sizeof(api) / sizeof(api[0]); k++) {
            int err = api[k].run(&o, targets[t], s, &ns);
            if (err) {
                fprintf(stderr, "%s: API measurement (%s) on %s failed: %s\n", prog, api[k].what,
                        targets[t], strerror(-err));
                return 1;
            }
        }
    char wire_why[256] = "";
    int err = bench_wire(&o, s, &ns, wire_why, sizeof(wire_why));
    if (err) {
        fprintf(stderr, "%s: round trips by target failed: %s\n", prog, strerror(-err));
        return 1;
    }
    if ((err = bench_sim_speed(&o, s, &ns))) {
        fprintf(stderr, "%s: simulation speed: %s\n", prog, strerror(-err));
        return 1;
    }

    /* the alternative users have today: Linux KVM's software injection on this host */
    char why[256] = "";
    struct kvm_baseline kb = {.n = o.n};
    kb.msi_ns = calloc(o.n, sizeof(uint64_t));
    kb.msi_call_ns = calloc(o.n, sizeof(uint64_t));
    kb.irqfd_ns = calloc(o.n, sizeof(uint64_t));
    if (!kb.msi_ns || !kb.msi_call_ns || !kb.irqfd_ns) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    progress(&o, "Linux KVM (/dev/kvm)", 0, 1);
    err = kvm_baseline_run(&kb, why, sizeof(why));
    progress(&o, "Linux KVM (/dev/kvm)", 1, 1);
    if (!err) {
        s[ns++] = (struct series){.section = "Linux KVM on this host (software injection)",
                                  .name = "KVM_SIGNAL_MSI -> guest handler",
                                  .unit = UNIT_NS,
                                  .v = kb.msi_ns,
                                  .n = o.n};
        s[ns++] = (struct series){.section = "Linux KVM on this host (software injection)",
                                  .name = "irqfd write -> guest handler",
                                  .unit = UNIT_NS,
                                  .v = kb.irqfd_ns,
                                  .n = o.n};
        s[ns++] = (struct series){.section = "Linux KVM on this host (software injection)",
                                  .name = "KVM_SIGNAL_MSI call (to its return)",
                                  .unit = UNIT_NS,
                                  .v = kb.msi_call_ns,
                                  .n = o.n};
    } else {
        free(kb.msi_ns);
        free(kb.msi_call_ns);
        free(kb.irqfd_ns);
    }

    printf("ioe-bench: VMs with %u interrupts and %u vCPUs\n", o.irqs, o.vcpus);
    report_table(stdout, s, ns, &o);
    if (err)
        printf("Linux KVM on this host: skipped: %s\n", why);
    if (wire_why[0])
        printf("Round trips by target: skipped %s\n", wire_why);
    int rc = 0;
    if (json && report_json(json, s, ns, &o, err ? why : NULL)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, json, strerror(errno));
        rc = 1;
    }
    if (plot && report_svg(plot, s, ns, &o)) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, plot, strerror(errno));
        rc = 1;
    }
    for (unsigned i = 0; i < ns; i++)
        free(s[i].v);
    return rc;
}
