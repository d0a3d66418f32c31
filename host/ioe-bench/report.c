/* ioe-bench output: statistics, the text table, JSON and an SVG plot of the CDFs. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "report.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pct(const struct series *s, double q)
{
    size_t i = (size_t)(q * (double)(s->n - 1) + 0.5);
    return s->v[i < s->n ? i : s->n - 1];
}

void series_stats(struct series *s, struct stats *st)
{
    double sum = 0;
    qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
    for (unsigned i = 0; i < s->n; i++)
        sum += (double)s->v[i];
    st->min = s->v[0];
    st->p50 = pct(s, 0.50);
    st->p90 = pct(s, 0.90);
    st->p99 = pct(s, 0.99);
    st->p999 = pct(s, 0.999);
    st->max = s->v[s->n - 1];
    st->mean = sum / s->n;
}

static const char *unit_name(enum unit u, int json)
{
    return u == UNIT_CYCLES ? json ? "cycles" : "cyc"
           : u == UNIT_NS   ? "ns"
           : json           ? "kcycles_per_s"
                            : "kc/s";
}

double series_ns(const struct series *s, uint64_t v, double mhz)
{
    return s->unit == UNIT_CYCLES ? (double)v * 1000.0 / mhz : s->unit == UNIT_NS ? (double)v : 0;
}

uint64_t bench_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

void progress(const struct opts *o, const char *what, unsigned done, unsigned total)
{
    if (!o->progress || (done != total && done % 16))
        return;
    int width = 30, fill = (int)((double)done / total * width);
    fprintf(stderr, "\r%-34.34s [%.*s%*s] %3u%%", what, fill, "##############################",
            width - fill, "", done * 100 / total);
    if (done == total)
        fputc('\n', stderr);
}

int series_goal_met(const struct series *s, const struct stats *st)
{
    return s->goal_kind == GOAL_P50_MAX ? (double)st->p50 <= s->goal : s->per_cycle >= s->goal;
}

/* "p50<=3 no", ">=1.00/cyc yes", or "" */
static void goal_text(const struct series *s, const struct stats *st, char *buf, size_t len)
{
    if (s->goal_kind == GOAL_NONE)
        snprintf(buf, len, "%s", "");
    else
        snprintf(buf, len, s->goal_kind == GOAL_P50_MAX ? "p50<=%.0f %s" : ">=%.1f/cyc %s", s->goal,
                 series_goal_met(s, st) ? "met" : "NOT met");
}

void report_table(FILE *f, struct series *s, unsigned n, const struct opts *o)
{
    const char *sec = NULL;
    fprintf(f, "%-38s %5s %7s %7s %7s %7s %7s %7s %10s %12s %9s  %s\n", "measurement", "unit",
            "min", "p50", "p90", "p99", "p99.9", "max", "p50 ns", "per second", "per cycle",
            "goal");
    for (unsigned i = 0; i < n; i++) {
        struct stats st;
        char goal[32], rate[16] = "", cyc[16] = "", p50ns[16] = "";
        series_stats(&s[i], &st);
        if (!sec || strcmp(sec, s[i].section)) {
            sec = s[i].section;
            fprintf(f, "-- %s\n", sec);
        }
        goal_text(&s[i], &st, goal, sizeof(goal));
        if (s[i].per_sec > 0)
            snprintf(rate, sizeof(rate), "%.0f", s[i].per_sec);
        if (s[i].per_cycle > 0)
            snprintf(cyc, sizeof(cyc), "%.3f", s[i].per_cycle);
        if (s[i].unit != UNIT_KCPS)
            snprintf(p50ns, sizeof(p50ns), "%.1f", series_ns(&s[i], st.p50, o->mhz));
        fprintf(f, "%-38s %5s %7llu %7llu %7llu %7llu %7llu %7llu %10s %12s %9s  %s\n", s[i].name,
                unit_name(s[i].unit, 0), (unsigned long long)st.min, (unsigned long long)st.p50,
                (unsigned long long)st.p90, (unsigned long long)st.p99, (unsigned long long)st.p999,
                (unsigned long long)st.max, p50ns, rate, cyc, goal);
    }
    fprintf(f,
            "cycles convert to ns at %.0f MHz; %u samples per latency measurement; seed 0x%llx;\n"
            "sim card: host-memory latency %u cycles, at most %u requests outstanding; rows named\n"
            "'interval' are cycles between MSIs accepted back to back (their rate: per cycle)\n",
            o->mhz, o->n, (unsigned long long)o->seed, o->dma_latency, o->dma_outstanding);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int report_json(const char *path, struct series *s, unsigned n, const struct opts *o,
                const char *skipped)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\n  \"tool\": \"ioe-bench\",\n  \"clock_mhz\": %.3f,\n  \"samples\": %u,\n",
            o->mhz, o->n);
    fprintf(f, "  \"seed\": %llu,\n  \"vm\": {\"irqs\": %u, \"vcpus\": %u},\n",
            (unsigned long long)o->seed, o->irqs, o->vcpus);
    fprintf(f,
            "  \"dma_latency\": %u,\n  \"dma_outstanding\": %u,\n  \"stream\": %u,\n"
            "  \"working_set\": {\"devices\": %u, \"events\": %u, \"iterations\": %u},\n",
            o->dma_latency, o->dma_outstanding, o->stream, o->ws_devices, o->ws_events,
            o->ws_iters);
    fprintf(f, "  \"skipped\": ");
    json_str(f, skipped ? skipped : "");
    fprintf(f, ",\n  \"series\": [\n");
    for (unsigned i = 0; i < n; i++) {
        struct stats st;
        series_stats(&s[i], &st);
        fprintf(f, "    {\"section\": ");
        json_str(f, s[i].section);
        fprintf(f, ", \"name\": ");
        json_str(f, s[i].name);
        fprintf(f,
                ", \"unit\": \"%s\", \"n\": %u, \"min\": %llu, \"p50\": %llu, \"p90\": %llu, "
                "\"p99\": %llu, \"p99_9\": %llu, \"max\": %llu, \"mean\": %.3f, \"p50_ns\": %.3f, "
                "\"per_second\": %.3f, \"per_cycle\": %.6f, \"plotted\": %s, \"goal\": ",
                unit_name(s[i].unit, 1), s[i].n, (unsigned long long)st.min,
                (unsigned long long)st.p50, (unsigned long long)st.p90, (unsigned long long)st.p99,
                (unsigned long long)st.p999, (unsigned long long)st.max, st.mean,
                series_ns(&s[i], st.p50, o->mhz), s[i].per_sec, s[i].per_cycle,
                s[i].no_plot ? "false" : "true");
        if (s[i].goal_kind == GOAL_NONE)
            fprintf(f, "null");
        else
            fprintf(f, "{\"kind\": \"%s\", \"value\": %g, \"met\": %s}",
                    s[i].goal_kind == GOAL_P50_MAX ? "p50_max_cycles" : "min_per_cycle", s[i].goal,
                    series_goal_met(&s[i], &st) ? "true" : "false");
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f);
}

/* CDF of every latency series on a logarithmic ns axis. */
int report_svg(const char *path, struct series *s, unsigned n, const struct opts *o)
{
    static const char *const colors[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                         "#66a61e", "#e6ab02", "#a6761d", "#666666",
                                         "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"};
    const unsigned ncol = sizeof(colors) / sizeof(colors[0]);
    const double W = 980, L = 70, R = 410, T = 40, B = 60;
    double lo = 1e18, hi = 0;
    unsigned plotted = 0;
    for (unsigned i = 0; i < n; i++) {
        struct stats st;
        if (s[i].no_plot)
            continue;
        plotted++;
        series_stats(&s[i], &st);
        double a = series_ns(&s[i], st.min, o->mhz), b = series_ns(&s[i], st.max, o->mhz);
        lo = fmin(lo, a > 0.1 ? a : 0.1);
        hi = fmax(hi, b);
    }
    const double H = fmax(520, T + 20 + 14.0 * plotted + B);
    double x0 = floor(log10(lo)), x1 = ceil(log10(hi > lo ? hi : lo * 10));
    if (x1 <= x0)
        x1 = x0 + 1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
            "height=\"100%%\" fill=\"white\"/>\n",
            W, H);
    fprintf(f,
            "<text x=\"%.0f\" y=\"22\" font-size=\"15\">ioe-bench: latency CDF (ns, log "
            "scale; cycles at %.0f MHz)</text>\n",
            L, o->mhz);
    double pw = W - L - R, ph = H - T - B;
    fprintf(f,
            "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
            "stroke=\"black\"/>\n",
            L, T, pw, ph);
    for (double d = x0; d <= x1; d++) {
        double x = L + (d - x0) / (x1 - x0) * pw;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", x,
                T, x, T + ph);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x, T + ph + 18,
                pow(10, d));
    }
    for (int q = 0; q <= 4; q++) {
        double y = T + ph - q / 4.0 * ph;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, y + 4,
                q / 4.0);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">ns</text>\n", L + pw / 2,
            H - 15);
    for (unsigned i = 0, m = 0; i < n; i++) {
        if (s[i].no_plot)
            continue;
        /* colours repeat with a dash pattern after the first round */
        const char *c = colors[m % ncol], *dash = m / ncol ? "6 3" : "none";
        fprintf(f,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                "stroke-dasharray=\"%s\" points=\"",
                c, dash);
        /* at most 250 points a curve: evenly spaced ranks, the last one included */
        unsigned pts = s[i].n < 250 ? s[i].n : 250;
        for (unsigned j = 0; j < pts; j++) {
            unsigned k = pts > 1 ? (unsigned)((uint64_t)j * (s[i].n - 1) / (pts - 1)) : 0;
            double ns = series_ns(&s[i], s[i].v[k], o->mhz);
            double x = L + (log10(ns > 0.1 ? ns : 0.1) - x0) / (x1 - x0) * pw;
            double y = T + ph - (double)(k + 1) / s[i].n * ph;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        double ly = T + 10 + 14.0 * m;
        fprintf(f,
                "\"/>\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"3\" stroke-dasharray=\"%s\"/>\n",
                L + pw + 12, ly + 2, L + pw + 30, ly + 2, c, dash);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\">", L + pw + 35, ly + 5);
        m++;
        for (const char *p = s[i].section; *p && *p != '('; p++)
            fputc(*p == '<' ? ' ' : *p, f);
        fprintf(f, ": %s</text>\n", s[i].name[0] ? s[i].name : "");
    }
    fprintf(f, "</svg>\n");
    return fclose(f);
}
