/*
 * A private ioe-simd for the target "sim:spawn[:soft|sim]" (wire_link.h): started with
 * posix_spawn on a socket in a fresh temporary directory, connected to, and stopped on
 * close. It runs with --once, so it also exits when this process dies.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire_link.h"

#ifndef IOE_LIB_TO_BIN
#define IOE_LIB_TO_BIN "../bin"
#endif

#define SPAWN_READY_MS 30000 /* the server's socket must accept within this */

extern char **environ;

struct wire_spawn {
    pid_t pid;
    char dir[PATH_MAX];
    char path[PATH_MAX + 8];
};

static int usable(const char *p)
{
    return p && *p && access(p, X_OK) == 0;
}

/* The ioe-simd program: $IOE_SIMD, next to libioe (its bindir, or the same directory), or
 * the build tree's. */
static int find_simd(char *out, size_t size)
{
    const char *env = getenv("IOE_SIMD");
    if (env && *env) {
        if (!usable(env))
            return -ENOENT;
        snprintf(out, size, "%s", env);
        return 0;
    }
    Dl_info info;
    if (dladdr((void *)find_simd, &info) && info.dli_fname) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", info.dli_fname);
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = 0;
            static const char *const rel[] = {"/" IOE_LIB_TO_BIN "/ioe-simd", "/ioe-simd"};
            for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
                if (snprintf(out, size, "%s%s", dir, rel[i]) < (int)size && usable(out))
                    return 0;
            }
        }
    }
#ifdef IOE_SIMD_BUILD_PATH
    if (usable(IOE_SIMD_BUILD_PATH)) {
        snprintf(out, size, "%s", IOE_SIMD_BUILD_PATH);
        return 0;
    }
#endif
    return -ENOENT;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

void wire_spawn_stop(struct wire_spawn *s)
{
    if (!s)
        return;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int st;
        for (int i = 0; i < 500 && waitpid(s->pid, &st, WNOHANG) == 0; i++)
            sleep_ms(10);
        if (waitpid(s->pid, &st, WNOHANG) == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    unlink(s->path);
    rmdir(s->dir);
    free(s);
}

int wire_spawn_start(const char *card, const struct ioe_card_options *opts, struct wire_spawn **out,
                     struct wire_link **link)
{
    if (strcmp(card, "soft") != 0 && strcmp(card, "sim") != 0)
        return -ENODEV;
    if (opts->trace_path && strcmp(card, "sim") != 0)
        return -EINVAL; /* only the RTL model has waveforms */
    char prog[PATH_MAX];
    if (find_simd(prog, sizeof(prog)))
        return -ENODEV;
    struct wire_spawn *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 64) /* a socket's path has room for 107 bytes */
        tmp = "/tmp";
    snprintf(s->dir, sizeof(s->dir), "%s/ioe-simd.XXXXXX", tmp);
    if (!mkdtemp(s->dir)) {
        int err = -errno;
        free(s);
        return err;
    }
    snprintf(s->path, sizeof(s->path), "%s/sock", s->dir);

    char num[4][16];
    const char *argv[20];
    int a = 0;
    argv[a++] = prog;
    argv[a++] = "--card";
    argv[a++] = card;
    argv[a++] = "--listen";
    argv[a++] = s->path;
    argv[a++] = "--once";
    if (opts->free_run)
        argv[a++] = "--free-run";
    if (opts->timeout_ms) {
        snprintf(num[0], sizeof(num[0]), "%u", opts->timeout_ms);
        argv[a++] = "--timeout-ms";
        argv[a++] = num[0];
    }
    if (opts->dma_latency) {
        snprintf(num[1], sizeof(num[1]), "%u", opts->dma_latency);
        argv[a++] = "--dma-latency";
        argv[a++] = num[1];
    }
    if (opts->dma_outstanding) {
        snprintf(num[2], sizeof(num[2]), "%u", opts->dma_outstanding);
        argv[a++] = "--dma-outstanding";
        argv[a++] = num[2];
    }
    if (opts->trace_path) {
        argv[a++] = "--trace";
        argv[a++] = opts->trace_path;
    }
    argv[a] = NULL;
    int err = -posix_spawn(&s->pid, prog, NULL, NULL, (char *const *)argv, environ);
    if (err) {
        s->pid = 0;
        wire_spawn_stop(s);
        return err;
    }
    /* connect as soon as it listens; a server that exited first failed to start */
    for (int waited = 0;; waited += 5) {
        err = wire_link_unix_connect(s->path, link);
        if (!err) {
            *out = s;
            return 0;
        }
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            err = WIFEXITED(st) && WEXITSTATUS(st) == 2 ? -EINVAL : -ENODEV;
            break;
        }
        if (waited >= SPAWN_READY_MS) {
            err = -ETIMEDOUT;
            break;
        }
        sleep_ms(5);
    }
    wire_spawn_stop(s);
    return err;
}
