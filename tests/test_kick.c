/*
 * vCPU requests and kicks (<ioe/kick.h>, docs/api.md "vCPU requests and kicks").
 *
 * test_race: a notifier thread and a vCPU loop race through --ops entries (default one
 * million; the slow label runs more): the notifier writes each entry into a ring, then makes
 * a request; the vCPU loop takes its requests, consumes the ring, enters "guest mode" and
 * spins there until it is kicked. Every entry must arrive exactly once and in order, and
 * neither side may wait more than STALL_NS: a lost kick leaves the vCPU in guest mode with a
 * request pending and the notifier stuck on a full ring. Which guest entries also exit on
 * their own is seeded (--seed).
 * test_irq_kicks: on each target, an interrupt for a vCPU in guest mode kicks it
 * (IOE_REQ_IRQ); a vCPU outside guest mode finds the request at its next entry.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include <ioe/kick.h>

#include "gic_util.h"
#include "targets.h"

#define RING 64u
#define STALL_NS 5000000000ull /* 5 s without progress: a lost kick */
#define REQ_ENTRY 8            /* a VMM request number (0..7 are libioe's) */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct race {
    struct ioe_kick k;
    uint64_t n;
    uint64_t ring[RING];
    _Atomic uint64_t head, tail; /* written by the notifier / the vCPU */
    _Atomic bool ipi;            /* the kick: the "guest" sees it and exits */
    _Atomic bool failed;
    uint64_t kicks, entries, exits, aborted;
    uint64_t rng; /* the vCPU's xorshift state */
};

static void ipi(void *arg)
{
    atomic_store_explicit(&((struct race *)arg)->ipi, true, memory_order_release);
}

static void *notifier(void *arg)
{
    struct race *r = arg;
    for (uint64_t i = 1; i <= r->n && !atomic_load(&r->failed); i++) {
        uint64_t since = now_ns();
        while (atomic_load_explicit(&r->head, memory_order_relaxed) -
                   atomic_load_explicit(&r->tail, memory_order_acquire) ==
               RING) {
            if (now_ns() - since > STALL_NS) { /* the vCPU never drained the ring */
                atomic_store(&r->failed, true);
                return NULL;
            }
            sched_yield(); /* two busy threads on a loaded machine */
        }
        uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
        r->ring[h % RING] = i;
        atomic_store_explicit(&r->head, h + 1, memory_order_relaxed);
        /* the request's release orders the entry before it */
        r->kicks += ioe_kick_request(&r->k, REQ_ENTRY);
    }
    return NULL;
}

/* the vCPU loop; an error message or NULL */
static const char *vcpu_loop(struct race *r)
{
    uint64_t want = 1;
    while (want <= r->n) {
        if (ioe_kick_take(&r->k) & 1ull << REQ_ENTRY) {
            uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
            for (uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed); t != h; t++) {
                if (r->ring[t % RING] != want)
                    return "an entry arrived twice, out of order or not at all";
                want++;
                r->entries++;
                atomic_store_explicit(&r->tail, t + 1, memory_order_release);
            }
        }
        if (want > r->n)
            break;
        if (!ioe_kick_enter(&r->k)) {
            r->aborted++;
            continue;
        }
        /* guest mode: one entry in four also exits on its own after a few polls (an
         * MMIO exit, say), so that entries and requests race; the others run until kicked */
        r->rng ^= r->rng << 13, r->rng ^= r->rng >> 7, r->rng ^= r->rng << 17;
        uint64_t budget = r->rng % 4 ? UINT64_MAX : r->rng >> 58, since = now_ns();
        while (!atomic_exchange_explicit(&r->ipi, false, memory_order_acquire) && budget--) {
            if (now_ns() - since > STALL_NS || atomic_load(&r->failed))
                return "in guest mode with a request pending and no kick";
            sched_yield();
        }
        ioe_kick_exit(&r->k);
        r->exits++;
    }
    return NULL;
}

static void test_race(void **state)
{
    (void)state;
    static struct race r;
    memset(&r, 0, sizeof(r));
    r.n = tt_ops(1000000);
    r.rng = tt_seed(0x6b69636b) | 1;
    ioe_kick_init(&r.k, ipi, &r);
    uint64_t t0 = now_ns();
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, notifier, &r), 0);
    const char *err = vcpu_loop(&r);
    if (err)
        atomic_store(&r.failed, true);
    pthread_join(th, NULL);
    printf("%" PRIu64 " entries in %.2f s: %" PRIu64 " kicks, %" PRIu64 " guest exits, %" PRIu64
           " entries aborted by a pending request\n",
           r.entries, (double)(now_ns() - t0) / 1e9, r.kicks, r.exits, r.aborted);
    if (err)
        fail_msg("%s (after %" PRIu64 " entries)", err, r.entries);
    assert_false(atomic_load(&r.failed));
    assert_int_equal(r.entries, r.n);
    /* at most one kick per guest entry (an entry ends in an exit or an abort) */
    assert_true(r.kicks <= r.exits + r.aborted);
    assert_int_equal(ioe_kick_take(&r.k), 0);
}

static _Atomic int kicked;
static void count_kick(void *arg)
{
    (void)arg;
    atomic_fetch_add(&kicked, 1);
}

/* A VM of 2 running vCPUs whose SPI 40 (priority 0x80, enabled) goes to vCPU 1; its kick
 * block. */
static struct ioe_kick *spi40_vm(struct tvm *t, const char *target)
{
    t_vm_open(t, target, 2, 64);
    t_run_all(t);
    t_guest_init(t);
    t_mmio(t, DIST_BASE + 0x400 + 40, 1, 1, 0x80);
    t_mmio(t, DIST_BASE + 0x6000 + 8 * 40, 8, 1, 1);
    t_gicd_w(t, 0x104, 1u << 8);
    struct ioe_kick *k = ioe_vcpu_kick(t->vcpu[1]);
    assert_non_null(k);
    return k;
}

static void test_irq_kicks(void **state)
{
    struct tvm t;
    struct ioe_kick *k = spi40_vm(&t, *state);
    assert_null(ioe_vcpu_kick(t.vm)); /* not a vCPU */
    assert_int_equal(errno, EBADF);
    k->kick = count_kick;
    atomic_store(&kicked, 0);
    /* SPI 40 for vCPU 1 while it is in guest mode: kicked once, the request is there */
    ioe_kick_take(k);
    assert_true(ioe_kick_enter(k));
    t_line(&t, 1, 0, 40, 1);
    assert_int_equal(atomic_load(&kicked), 1);
    assert_int_equal(atomic_load(&k->mode), IOE_EXITING_GUEST_MODE);
    ioe_kick_exit(k);
    assert_int_equal(ioe_kick_take(k), 1ull << IOE_REQ_IRQ);
    assert_int_equal(t_ack(&t, 1).intid, 40);
    t_line(&t, 1, 0, 40, 0);
    t_eoi(&t, 1, 40, 1);
    /* outside guest mode: no kick; the next entry is refused until the request is taken */
    t_line(&t, 1, 0, 40, 1);
    assert_int_equal(atomic_load(&kicked), 1);
    assert_false(ioe_kick_enter(k));
    assert_int_equal(ioe_kick_take(k), 1ull << IOE_REQ_IRQ);
    assert_true(ioe_kick_enter(k));
    ioe_kick_exit(k);
    t_exit_all(&t);
    t_vm_close(&t);
}

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* Kick-only mode: IOE_REQ_IRQ without the descriptor's readability; turned off, the
 * descriptor says at once what the vCPU has. */
static void test_kick_only(void **state)
{
    struct tvm t;
    struct ioe_kick *k = spi40_vm(&t, *state);
    assert_int_equal(ioe_vcpu_kick_only(t.vm, true), -1); /* not a vCPU */
    assert_int_equal(errno, EBADF);
    ioe_kick_take(k);
    assert_int_equal(ioe_vcpu_kick_only(t.vcpu[1], true), 0);
    t_line(&t, 1, 0, 40, 1);
    assert_int_equal(ioe_kick_take(k), 1ull << IOE_REQ_IRQ);
    assert_false(readable(t.vcpu[1]));
    assert_int_equal(t_ack(&t, 1).intid, 40);
    t_line(&t, 1, 0, 40, 0);
    t_eoi(&t, 1, 40, 1);
    /* pending while in kick-only mode: readable as soon as the mode is off */
    t_line(&t, 1, 0, 40, 1);
    assert_false(readable(t.vcpu[1]));
    assert_int_equal(ioe_vcpu_kick_only(t.vcpu[1], false), 0);
    assert_true(readable(t.vcpu[1]));
    /* readable, then kick-only: unreadable at once, and stays so through the ACK */
    assert_int_equal(ioe_vcpu_kick_only(t.vcpu[1], true), 0);
    assert_false(readable(t.vcpu[1]));
    assert_int_equal(t_ack(&t, 1).intid, 40);
    t_line(&t, 1, 0, 40, 0);
    t_eoi(&t, 1, 40, 1);
    assert_int_equal(ioe_vcpu_kick_only(t.vcpu[1], false), 0);
    assert_false(readable(t.vcpu[1])); /* nothing pending */
    t_exit_all(&t);
    t_vm_close(&t);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race),
        TT_TARGET_TEST(test_irq_kicks),
        TT_TARGET_TEST(test_kick_only),
    };
    return tt_run_tests("kick", tests, NULL, NULL);
}
