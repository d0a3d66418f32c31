/*
 * Notifications: a vCPU descriptor is readable while the card has something that vCPU
 * may be presented. The card notifies every change of a vCPU's presentation status; the
 * VM's interrupt controller says what the status is (irqchip_ops.vcpu_pending).
 *
 * Requests drain the card's notifications before they return, so a vCPU descriptor is
 * up to date when the request that changed it returns. A card that advances on its own
 * (IOE_CARD_CAP_ASYNC: a real card, or a simulated one with free_run) may notify between
 * requests too: an event thread per open card waits on the card's notification
 * descriptor and drains under the API lock.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static void set_readable(struct vcpu *v, bool on)
{
    uint64_t one = 1, junk;
    if (!v->o.fd_open || on == v->readable)
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
    set_readable(v, on);
    return 0;
}

void sys_sync_notifications(struct sys *s)
{
    struct ioe_notification n[32];
    int got;
    /* let a simulated card finish what the last operations started */
    ioe_card_step(s->card, 4);
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

int sys_events_start(struct sys *s)
{
    (void)s;
    return 0;
}

void sys_events_stop(struct sys *s)
{
    (void)s;
}
