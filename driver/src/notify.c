/*
 * Notifications: a vCPU descriptor is readable while the card has something that vCPU
 * may be presented. The card notifies every change of a vCPU's presentation status; the
 * VM's interrupt controller says what the status is (irqchip_ops.vcpu_pending).
 *
 * The guarantee (docs/architecture.md, "Notifications"): when a request that may change
 * what a vCPU has to present returns, every vCPU descriptor says what the card has, as
 * KVM's injection is synchronous. Such requests end in sys_sync_notifications():
 *
 * - A card that advances only inside calls (the simulated cards without free_run) is
 *   stepped a few cycles and drained.
 * - A card that advances on its own (IOE_CARD_CAP_ASYNC: a real card, or a simulated one
 *   with free_run) notifies whenever it is ready: an event thread per open card waits on
 *   the card's notification descriptor and drains it under the API lock, between requests
 *   as well as during them. When its transport has a sync (the PCIe card: one read of
 *   NRING_FENCE, answered after the records of everything written before it, docs/pcie.md
 *   section 5), the request also syncs and drains in the caller's thread, so the guarantee
 *   holds there too; a request that wrote nothing to the card since the last sync costs
 *   nothing. Without a sync (free_run simulated cards, the wire protocol's ASYNC cards) the
 *   descriptors follow some microseconds later.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "transport.h"

static void set_readable(struct vcpu *v, bool on)
{
    uint64_t one = 1, junk;
    if (!v->o.fd_open || v->kick_only || on == v->readable)
        return;
    if (on) {
        if (write(v->o.fd, &one, sizeof(one)) == sizeof(one))
            v->readable = true;
    } else {
        if (read(v->o.fd, &junk, sizeof(junk)) == sizeof(junk) || errno == EAGAIN)
            v->readable = false;
    }
}

int vcpu_refresh(struct vcpu *v)
{
    struct device *ic = v->vm->irqchip;
    bool on = false;
    int err = ic && ic->ops->irqchip->vcpu_pending ? ic->ops->irqchip->vcpu_pending(ic, v, &on) : 0;
    if (err)
        return err < 0 ? err : -EIO;
    if (!on && v->vm->sys->host->vcpu_pending)
        on = v->vm->sys->host->vcpu_pending(v); /* arm64: SDEI, ahead of the IRQs */
    set_readable(v, on);
    if (on) /* after the eventfd it names; again at every change while it stays readable */
        ioe_kick_request(&v->kick, IOE_REQ_IRQ);
    return 0;
}

int vcpu_set_kick_only(struct vcpu *v, bool on)
{
    if (on) {
        set_readable(v, false); /* unreadable from now on */
        v->kick_only = true;
        return 0;
    }
    v->kick_only = false;
    return vcpu_refresh(v); /* what it has now */
}

/* Take every notification waiting on the card and refresh the vCPUs they name. */
static void drain(struct sys *s)
{
    struct ioe_notification n[32];
    int got;
    while ((got = ioe_card_drain(s->card, n, 32)) > 0) {
        for (int i = 0; i < got; i++) {
            if (n[i].src != IOE_NOTIFY_SRC_GIC && n[i].src != IOE_NOTIFY_SRC_XIVE)
                continue;
            struct vm *vm = sys_vm_of_ctx(s, n[i].vm);
            if (vm && n[i].vcpu < vm->nr_vcpus)
                vcpu_refresh(vm->vcpus[n[i].vcpu]);
        }
    }
}

void sys_sync_notifications(struct sys *s)
{
    if (s->events) {
        /* the event thread takes them as the card raises them; a card that can say when it
         * has raised what the request caused is drained here as well (under the API lock) */
        /* 2: the card's ring was full when it answered; the drain makes room for what it
         * held back, and the next sync waits for that (bounded: a card that keeps its ring
         * full leaves the rest to the event thread) */
        for (int i = 0; i < 64; i++) {
            int r = card_sync(s->card);
            if (r > 0)
                drain(s);
            if (r != 2)
                break;
        }
        return;
    }
    /* let a simulated card finish what the last operations started */
    ioe_card_step(s->card, 4);
    drain(s);
}

/* ------------------------------------------------------------------ event thread */
struct sys_events {
    struct sys *sys;
    pthread_t thread;
    int notify_fd; /* the card's: readable while notifications wait */
    int wake_fd;   /* ours: written to stop the thread */
    bool stop;
};

static void *event_thread(void *arg)
{
    struct sys_events *ev = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = ev->notify_fd, .events = POLLIN},
                              {.fd = ev->wake_fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        api_lock();
        bool stop = ev->stop;
        if (!stop)
            drain(ev->sys);
        api_unlock();
        if (stop)
            break;
    }
    return NULL;
}

int sys_events_start(struct sys *s)
{
    if (!(ioe_card_caps(s->card) & IOE_CARD_CAP_ASYNC))
        return 0; /* the card only advances inside requests: they drain it */
    struct sys_events *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return -ENOMEM;
    ev->sys = s;
    ev->notify_fd = ioe_card_notify_fd(s->card);
    ev->wake_fd = ev->notify_fd < 0 ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int err = ev->notify_fd < 0 ? ev->notify_fd : ev->wake_fd < 0 ? -errno : 0;
    if (!err)
        err = -pthread_create(&ev->thread, NULL, event_thread, ev);
    if (err) {
        if (ev->wake_fd >= 0)
            close(ev->wake_fd);
        free(ev);
        return err;
    }
    s->events = ev;
    return 0;
}

/* Called with the API lock held, when the card is going away. */
void sys_events_stop(struct sys *s)
{
    struct sys_events *ev = s->events;
    uint64_t one = 1;
    if (!ev)
        return;
    ev->stop = true;
    if (write(ev->wake_fd, &one, sizeof(one)) != sizeof(one))
        pthread_cancel(ev->thread); /* cannot happen with an eventfd; never hang */
    /* the thread takes the lock once more to see `stop`: let it */
    api_unlock();
    pthread_join(ev->thread, NULL);
    api_lock();
    close(ev->wake_fd);
    free(ev);
    s->events = NULL;
}
