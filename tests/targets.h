/*
 * How every test program chooses its targets, seed and operation count (include after
 * <cmocka.h>):
 *
 *   IOE_TEST_TARGETS="soft sim"  the targets of the API, scenario and card suites, space-
 *                                or comma-separated (default "soft sim").
 *   --targets A,B                the two targets a differential test compares
 *   IOE_TEST_DIFF="A B"          (default soft and sim): tt_diff_targets().
 *   --seed N / IOE_TEST_SEED=N   the seed of a random test (the flag wins; a fixed default,
 *                                never the time): tt_seed(dflt), printed the first time.
 *   --ops N / IOE_TEST_OPS=N     the operation count of a random test: tt_ops(dflt).
 *   IOE_TEST_FILTER=P1,P2        run only the tests whose names match one of the patterns
 *                                (fnmatch, e.g. "test_flat_*,test_top_lpi*"): tt_run_tests.
 *
 * main() calls tt_init(argc, argv) first (or tt_args(&argc, argv), which takes the shared
 * flags out of argv and leaves the program's own), then runs its tests with
 * tt_run_tests(name, tests, setup, teardown): an entry TT_TARGET_TEST(f) (or
 * TT_TARGET_TEST_SETUP_TEARDOWN(f, setup, teardown)) runs once per target with *state = the
 * target's name, TT_PAIR_TEST(f) once per ordered pair of targets (a->a included) with
 * *state = a const struct tt_pair *, a plain cmocka entry once. Before that, tt_only("sim")
 * keeps a program to one target and tt_filter(keep, why) drops the targets keep() rejects;
 * when no target is left, the per-target tests are reported skipped (exit 0). tt_count(),
 * tt_target(i), tt_list() and tt_has(name) give the targets to tests that loop over them.
 * tt_rand / tt_pick: a seeded generator for random tests.
 */
#ifndef IOE_TEST_TARGETS_H
#define IOE_TEST_TARGETS_H

#include <fnmatch.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TT_MAX_TARGETS 8
#define TT_DEFAULT_TARGETS "soft sim"

struct tt_pair {
    const char *src, *dst;
};

struct tt_state {
    int parsed;                         /* tt_args or the first query has run */
    char buf[256];                      /* IOE_TEST_TARGETS, split in place */
    const char *target[TT_MAX_TARGETS]; /* the chosen targets, in order */
    size_t n;
    unsigned char off[TT_MAX_TARGETS]; /* left out by tt_only or tt_filter */
    const char *why;                   /* why (the names of skipped tests say it) */
    char why_buf[64];
    const char *list[TT_MAX_TARGETS]; /* tt_list */
    char diff_buf[128];
    const char *diff[2];
    const char *seed_flag, *ops_flag; /* the flags' values (NULL: not given) */
    int seed_printed;
};

static inline struct tt_state *tt_state(void)
{
    static struct tt_state s;
    return &s;
}

static inline void tt_die(const char *what, const char *value)
{
    fprintf(stderr, "tests: bad %s: \"%s\"\n", what, value ? value : "");
    exit(2);
}

/* Split s in place on spaces and commas into at most max names; the count. */
static inline size_t tt_split(char *s, const char **out, size_t max, const char *what)
{
    size_t n = 0;
    for (;;) {
        s += strspn(s, " ,\t\n");
        if (!*s)
            return n;
        if (n == max)
            tt_die(what, "too many names");
        out[n++] = s;
        s += strcspn(s, " ,\t\n");
        if (*s)
            *s++ = 0;
    }
}

static inline void tt_parse_env(struct tt_state *s)
{
    if (s->parsed)
        return;
    s->parsed = 1;
    const char *env = getenv("IOE_TEST_TARGETS");
    if (!env || !env[strspn(env, " ,\t\n")])
        env = TT_DEFAULT_TARGETS;
    if (strlen(env) >= sizeof(s->buf))
        tt_die("IOE_TEST_TARGETS", env);
    strcpy(s->buf, env);
    s->n = tt_split(s->buf, s->target, TT_MAX_TARGETS, "IOE_TEST_TARGETS");
}

static inline void tt_set_diff(struct tt_state *s, const char *v, const char *what)
{
    if (strlen(v) >= sizeof(s->diff_buf))
        tt_die(what, v);
    strcpy(s->diff_buf, v);
    if (tt_split(s->diff_buf, s->diff, 2, what) != 2)
        tt_die(what, v);
}

/* Take --seed N, --ops N and --targets A,B (also --seed=N etc.) out of argv; the
 * program's own arguments are left in order. */
static inline void tt_args(int *argc, char **argv)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    int out = 1;
    for (int a = 1; a < *argc; a++) {
        static const char *const flags[] = {"--seed", "--ops", "--targets"};
        int f = -1;
        const char *val = NULL;
        for (int i = 0; i < 3 && f < 0; i++) {
            size_t l = strlen(flags[i]);
            if (!strncmp(argv[a], flags[i], l) && (argv[a][l] == '=' || !argv[a][l])) {
                f = i;
                if (argv[a][l] == '=')
                    val = argv[a] + l + 1;
                else if (a + 1 < *argc)
                    val = argv[++a];
                else
                    tt_die(flags[i], "missing value");
            }
        }
        if (f < 0)
            argv[out++] = argv[a];
        else if (f == 0)
            s->seed_flag = val;
        else if (f == 1)
            s->ops_flag = val;
        else
            tt_set_diff(s, val, "--targets");
    }
    argv[out] = NULL;
    *argc = out;
}

/* tt_args for a program with no arguments of its own: any other argument is an error. */
static inline void tt_init(int argc, char **argv)
{
    tt_args(&argc, argv);
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--seed N] [--ops N] [--targets A,B]\n", argv[0]);
        exit(2);
    }
}

/* The value of a flag (flag_value; NULL: not given), else of env, else dflt. */
static inline uint64_t tt_number(const char *flag_value, const char *flag, const char *env,
                                 uint64_t dflt)
{
    const char *v = flag_value ? flag_value : getenv(env);
    if (!v || !*v)
        return dflt;
    char *end;
    uint64_t x = strtoull(v, &end, 0);
    if (*end || *v == '-')
        tt_die(flag_value ? flag : env, v);
    return x;
}

/* The seed: --seed, else IOE_TEST_SEED, else dflt; printed the first time. */
static inline uint64_t tt_seed(uint64_t dflt)
{
    struct tt_state *s = tt_state();
    uint64_t seed = tt_number(s->seed_flag, "--seed", "IOE_TEST_SEED", dflt);
    if (!s->seed_printed++)
        printf("seed 0x%" PRIx64 " (reproduce with --seed 0x%" PRIx64 " or IOE_TEST_SEED)\n", seed,
               seed);
    return seed;
}

/* A random test's generator (xorshift64; *state seeded non-zero): the next value, and one
 * below n. */
static inline uint64_t tt_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static inline uint32_t tt_pick(uint64_t *state, uint32_t n)
{
    return (uint32_t)(tt_rand(state) % n);
}

/* The operation count: --ops, else IOE_TEST_OPS, else dflt. */
static inline uint64_t tt_ops(uint64_t dflt)
{
    return tt_number(tt_state()->ops_flag, "--ops", "IOE_TEST_OPS", dflt);
}

/* The two targets a differential test compares: --targets, else IOE_TEST_DIFF, else soft
 * and sim. */
static inline struct tt_pair tt_diff_targets(void)
{
    struct tt_state *s = tt_state();
    if (!s->diff[0]) {
        const char *env = getenv("IOE_TEST_DIFF");
        tt_set_diff(s, env && *env ? env : "soft sim", "IOE_TEST_DIFF");
    }
    return (struct tt_pair){s->diff[0], s->diff[1]};
}

/* The chosen targets (IOE_TEST_TARGETS, narrowed by tt_only and tt_filter). */
static inline size_t tt_count(void)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += !s->off[i];
    return k;
}

static inline const char *tt_target(size_t i)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    for (size_t t = 0; t < s->n; t++)
        if (!s->off[t] && !i--)
            return s->target[t];
    return NULL;
}

/* The chosen targets as an array of tt_count() names. */
static inline const char *const *tt_list(void)
{
    struct tt_state *s = tt_state();
    for (size_t i = 0; i < tt_count(); i++)
        s->list[i] = tt_target(i);
    return s->list;
}

/* Is `name` among the chosen targets (IOE_TEST_TARGETS)? */
static inline bool tt_has(const char *name)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->target[i], name))
            return true;
    return false;
}

/* Leave out the targets keep() rejects (printed with `why`); with none left, the
 * per-target tests are reported skipped. */
static inline void tt_filter(bool (*keep)(const char *target), const char *why)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    for (size_t i = 0; i < s->n; i++)
        if (!s->off[i] && !keep(s->target[i])) {
            s->off[i] = 1;
            s->why = why;
            printf("%s: %s: skipped\n", s->target[i], why);
        }
}

/* The card behind a target: "soft" or "sim" for the in-process cards and for a private
 * ioe-simd ("sim:spawn" serves sim, "sim:spawn:soft" soft); the target itself otherwise. */
static inline const char *tt_card(const char *target)
{
    if (!strcmp(target, "sim:spawn") || !strcmp(target, "sim:spawn:sim"))
        return "sim";
    if (!strcmp(target, "sim:spawn:soft"))
        return "soft";
    return target;
}

/* This program's per-target tests run on the card `name` only (tt_card; skipped when no
 * chosen target has it). */
static inline void tt_only(const char *name)
{
    struct tt_state *s = tt_state();
    tt_parse_env(s);
    for (size_t i = 0; i < s->n; i++)
        s->off[i] |= strcmp(tt_card(s->target[i]), name) != 0;
    snprintf(s->why_buf, sizeof(s->why_buf), "%s not in IOE_TEST_TARGETS", name);
    s->why = s->why_buf;
    if (!tt_count())
        printf("%s is not among IOE_TEST_TARGETS: the tests are skipped\n", name);
}

/* The markers of TT_TARGET_TEST and TT_PAIR_TEST in a test's initial state. */
static inline void *tt_each_target(void)
{
    static char tag;
    return &tag;
}

static inline void *tt_each_pair(void)
{
    static char tag;
    return &tag;
}

#define TT_TARGET_TEST(f) cmocka_unit_test_prestate(f, tt_each_target())
#define TT_TARGET_TEST_SETUP_TEARDOWN(f, setup, teardown)                                          \
    cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, tt_each_target())
#define TT_PAIR_TEST(f) cmocka_unit_test_prestate(f, tt_each_pair())

static inline void tt_skipped(void **state)
{
    (void)state;
    skip();
}

/* Keep the first n tests whose names match a pattern of IOE_TEST_FILTER (all without it),
 * in order; the count kept. */
static inline size_t tt_keep_filtered(struct CMUnitTest *t, size_t n)
{
    const char *env = getenv("IOE_TEST_FILTER");
    if (!env || !*env)
        return n;
    char buf[512];
    const char *pat[32];
    if (strlen(env) >= sizeof(buf))
        tt_die("IOE_TEST_FILTER", env);
    strcpy(buf, env);
    size_t np = tt_split(buf, pat, 32, "IOE_TEST_FILTER"), k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < np; p++)
            if (!fnmatch(pat[p], t[i].name, 0)) {
                t[k++] = t[i];
                break;
            }
    if (!k)
        tt_die("IOE_TEST_FILTER (no test matches)", env);
    return k;
}

/* Run tests (an array) as one cmocka group: TT_TARGET_TEST entries once per chosen target,
 * TT_PAIR_TEST entries once per ordered pair, the others once. */
#define tt_run_tests(name, tests, setup, teardown)                                                 \
    tt_run_tests_n(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

static inline int tt_run_tests_n(const char *name, const struct CMUnitTest *tests, size_t n,
                                 CMFixtureFunction setup, CMFixtureFunction teardown)
{
    size_t nt = tt_count(), max = 0;
    for (size_t i = 0; i < n; i++)
        max += tests[i].initial_state == tt_each_target() ? (nt ? nt : 1)
               : tests[i].initial_state == tt_each_pair() ? (nt ? nt * nt : 1)
                                                          : 1;
    struct CMUnitTest *all = calloc(max, sizeof(*all));
    char **names = calloc(max, sizeof(*names));
    struct tt_pair *pairs = calloc(nt * nt + 1, sizeof(*pairs));
    if (!all || !names || !pairs)
        tt_die("memory", "calloc");
    for (size_t a = 0; a < nt; a++)
        for (size_t b = 0; b < nt; b++)
            pairs[a * nt + b] = (struct tt_pair){tt_target(a), tt_target(b)};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct CMUnitTest *t = &tests[i];
        int per_target = t->initial_state == tt_each_target(),
            per_pair = t->initial_state == tt_each_pair();
        size_t reps = per_target ? nt : per_pair ? nt * nt : 1;
        if (!reps) { /* no target to run it on: one skipped entry */
            const char *why = tt_state()->why ? tt_state()->why : "no target";
            size_t len = strlen(t->name) + strlen(why) + 8;
            names[k] = malloc(len);
            if (!names[k])
                tt_die("memory", "malloc");
            snprintf(names[k], len, "%s (%s)", t->name, why);
            all[k] = (struct CMUnitTest){names[k], tt_skipped, NULL, NULL, NULL};
            k++;
            continue;
        }
        for (size_t r = 0; r < reps; r++) {
            all[k] = *t;
            if (per_target || per_pair) {
                const char *a = per_target ? tt_target(r) : pairs[r].src;
                const char *b = per_target ? "" : pairs[r].dst;
                size_t len = strlen(t->name) + strlen(a) + strlen(b) + 8;
                names[k] = malloc(len);
                if (!names[k])
                    tt_die("memory", "malloc");
                snprintf(names[k], len, "%s/%s%s%s", t->name, a, per_pair ? "->" : "", b);
                all[k].name = names[k];
                all[k].initial_state = per_target ? (void *)a : (void *)&pairs[r];
            }
            k++;
        }
    }
    size_t kept = tt_keep_filtered(all, k);
    int rc = _cmocka_run_group_tests(name, all, kept, setup, teardown);
    for (size_t i = 0; i < k; i++)
        free(names[i]);
    free(names);
    free(pairs);
    free(all);
    return rc;
}

#endif
