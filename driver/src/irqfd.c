/*
 * KVM_SET_GSI_ROUTING and KVM_IRQFD, as virt/kvm/irqchip.c and virt/kvm/eventfd.c with
 * arm64's kvm_set_routing_entry (arch/arm64/kvm/vgic/vgic-irqfd.c): a VMM binds eventfds
 * (a VFIO device's MSI triggers) to GSIs routed to MSIs with a DeviceID or to SPIs, and a
 * write to the eventfd injects through the VM's interrupt controller on the card, as
 * KVM_SIGNAL_MSI and KVM_IRQ_LINE do. One injection thread per VM with irqfds polls them
 * and injects under the API lock. Only the arm64 persona has these requests (arch_arm64.c).
 *
 * Until a VMM sets a table, GSI n routes to SPI n + 32 for the VGIC's SPIs (the default
 * routing arm64 installs at VGIC init). Not here: KVM_IRQFD_FLAG_RESAMPLE (libioe does not
 * see the guest's EOI of an SPI: EINVAL, KVM's answer where resampling is not allowed, and
 * no KVM_CAP_IRQFD_RESAMPLE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

#define ARM64_IRQCHIP_NUM_PINS (1020 - 32) /* KVM_IRQCHIP_NUM_PINS */
#define ARM64_NR_IRQCHIPS 1                /* KVM_NR_IRQCHIPS */
#define MAX_IRQFDS 1024                    /* what one injection thread polls */

struct route {
    uint32_t gsi, type;
    uint32_t irqchip, pin; /* KVM_IRQ_ROUTING_IRQCHIP */
    struct kvm_msi msi;    /* KVM_IRQ_ROUTING_MSI */
};

struct irqfd {
    int fd; /* our dup of the eventfd */
    uint32_t gsi;
    struct irqfd *next;
};

struct vm_irq {
    struct route *routes;
    size_t nr_routes;
    bool user_table; /* KVM_SET_GSI_ROUTING replaced the default routing */
    struct irqfd *fds;
    unsigned gen; /* changes whenever fds does */
    pthread_t thread;
    bool thread_on, stop;
    int wake; /* eventfd: the list changed, or stop */
};

static struct vm_irq *vm_irq_get(struct vm *vm)
{
    if (!vm->irq)
        vm->irq = calloc(1, sizeof(*vm->irq));
    return vm->irq;
}

/* ------------------------------------------------------------------ KVM_SET_GSI_ROUTING */

/* setup_routing_entry's rule and arm64's kvm_set_routing_entry */
static int add_route(struct route *rt, size_t n, const struct kvm_irq_routing_entry *ue)
{
    for (size_t i = 0; i < n; i++)
        if (rt[i].gsi == ue->gsi &&
            (rt[i].type != KVM_IRQ_ROUTING_IRQCHIP || ue->type != KVM_IRQ_ROUTING_IRQCHIP ||
             ue->u.irqchip.irqchip == rt[i].irqchip))
            return -EINVAL; /* one non-irqchip route per GSI, one per irqchip */
    struct route *r = &rt[n];
    *r = (struct route){.gsi = ue->gsi, .type = ue->type};
    switch (ue->type) {
    case KVM_IRQ_ROUTING_IRQCHIP:
        r->irqchip = ue->u.irqchip.irqchip;
        r->pin = ue->u.irqchip.pin;
        if (r->pin >= ARM64_IRQCHIP_NUM_PINS || r->irqchip >= ARM64_NR_IRQCHIPS)
            return -EINVAL;
        return 0;
    case KVM_IRQ_ROUTING_MSI:
        r->msi = (struct kvm_msi){.address_lo = ue->u.msi.address_lo,
                                  .address_hi = ue->u.msi.address_hi,
                                  .data = ue->u.msi.data,
                                  .flags = ue->flags,
                                  .devid = ue->u.msi.devid};
        return 0;
    default: return -EINVAL;
    }
}

int vm_set_gsi_routing(struct vm *vm, uint64_t uptr)
{
    struct kvm_irq_routing hdr;
    if (copy_from_user(&hdr, uptr, sizeof(hdr)))
        return -EFAULT;
    if (hdr.nr > IOE_KVM_MAX_IRQ_ROUTES || hdr.flags)
        return -EINVAL;
    struct vm_irq *vi = vm_irq_get(vm);
    struct kvm_irq_routing_entry *ue = calloc(hdr.nr ? hdr.nr : 1, sizeof(*ue));
    struct route *rt = calloc(hdr.nr ? hdr.nr : 1, sizeof(*rt));
    int err = !vi || !ue || !rt ? -ENOMEM : 0;
    if (!err && hdr.nr &&
        copy_from_user(ue, uptr + offsetof(struct kvm_irq_routing, entries), hdr.nr * sizeof(*ue)))
        err = -EFAULT;
    for (uint32_t i = 0; i < hdr.nr && !err; i++) /* kvm_set_irq_routing: every GSI first */
        if (ue[i].gsi >= IOE_KVM_MAX_IRQ_ROUTES)
            err = -EINVAL;
    for (uint32_t i = 0; i < hdr.nr && !err; i++) {
        uint32_t allowed = ue[i].type == KVM_IRQ_ROUTING_MSI ? KVM_MSI_VALID_DEVID : 0;
        err = ue[i].flags & ~allowed ? -EINVAL : add_route(rt, i, &ue[i]);
    }
    free(ue);
    if (err) {
        free(rt);
        return err;
    }
    free(vi->routes); /* the new table replaces the old one whole */
    vi->routes = rt;
    vi->nr_routes = hdr.nr;
    vi->user_table = true;
    return 0;
}

/* kvm_vm_ioctl: the header is read, then kvm_arch_can_set_irq_routing finds no irqchip */
int vm_set_gsi_routing_no_irqchip(struct vm *vm, uint64_t uptr)
{
    (void)vm;
    struct kvm_irq_routing hdr;
    return copy_from_user(&hdr, uptr, sizeof(hdr)) ? -EFAULT : -EINVAL;
}

/* kvm_set_irq for an irqfd: every route of the GSI, level 1 then 0 (an edge) */
static void inject(struct vm *vm, uint32_t gsi)
{
    struct vm_irq *vi = vm->irq;
    const struct irqchip_ops *ic = vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
    uint32_t nr_spis = 0;
    struct route def = {.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .pin = gsi};
    bool by_default = !vi->user_table && vgic_v3_initialized(vm, &nr_spis) && gsi < nr_spis &&
                      gsi < ARM64_IRQCHIP_NUM_PINS; /* kvm_vgic_setup_default_irq_routing */
    size_t n = by_default ? 1 : vi->nr_routes;
    for (size_t i = 0; i < n && ic; i++) {
        const struct route *r = by_default ? &def : &vi->routes[i];
        if (r->gsi != gsi)
            continue;
        if (r->type == KVM_IRQ_ROUTING_MSI && ic->signal_msi) {
            struct kvm_msi m = r->msi; /* kvm_set_msi */
            ic->signal_msi(vm->irqchip, &m);
        } else if (r->type == KVM_IRQ_ROUTING_IRQCHIP && ic->irq_line) {
            uint32_t spi = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (r->pin + 32);
            ic->irq_line(vm->irqchip, spi, 1); /* vgic_irqfd_set_irq */
            ic->irq_line(vm->irqchip, spi, 0);
        }
    }
    sys_sync_notifications(vm->sys);
}

/* ------------------------------------------------------------------ the injection thread */

static void *irq_thread(void *arg)
{
    struct vm *vm = arg;
    struct pollfd p[MAX_IRQFDS + 1];
    uint32_t gsi[MAX_IRQFDS];
    api_lock();
    struct vm_irq *vi = vm->irq;
    while (!vi->stop) {
        unsigned gen = vi->gen, n = 0;
        for (struct irqfd *f = vi->fds; f && n < MAX_IRQFDS; f = f->next, n++) {
            p[n] = (struct pollfd){.fd = f->fd, .events = POLLIN};
            gsi[n] = f->gsi;
        }
        p[n] = (struct pollfd){.fd = vi->wake, .events = POLLIN};
        api_unlock();
        int r = poll(p, n + 1, -1);
        api_lock();
        if (r < 0 && errno != EINTR)
            break;
        uint64_t v;
        if (p[n].revents & POLLIN && read(vi->wake, &v, sizeof(v)) < 0)
            v = 0;
        if (vi->stop || gen != vi->gen)
            continue; /* our descriptors are unchanged only while gen is */
        for (unsigned i = 0; i < n; i++)
            if ((p[i].revents & POLLIN) && read(p[i].fd, &v, sizeof(v)) == sizeof(v))
                inject(vm, gsi[i]);
    }
    api_unlock();
    return NULL;
}

static void wake(struct vm_irq *vi)
{
    uint64_t one = 1;
    if (vi->thread_on && write(vi->wake, &one, sizeof(one)) != sizeof(one))
        vi->stop = true; /* cannot happen with an eventfd */
}

static int thread_start(struct vm *vm)
{
    struct vm_irq *vi = vm->irq;
    if (vi->thread_on)
        return 0;
    vi->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vi->wake < 0)
        return -errno;
    int err = -pthread_create(&vi->thread, NULL, irq_thread, vm);
    if (err) {
        close(vi->wake);
        return err;
    }
    vi->thread_on = true;
    return 0;
}

/* ------------------------------------------------------------------ KVM_IRQFD */

/* eventfd_ctx_fdget: -EBADF for no file, -EINVAL for one that is not an eventfd */
static int eventfd_check(int32_t fd)
{
    char name[32];
    int err = fd_get(fd);
    if (!err && obj_lookup(fd))
        return -EINVAL; /* a libioe descriptor stands for a KVM file, not an eventfd */
    if (!err)
        err = fd_name(fd, name, sizeof(name));
    return err ? err : strcmp(name, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

static int irqfd_deassign(struct vm *vm, const struct kvm_irqfd *a)
{
    int err = eventfd_check((int32_t)a->fd);
    if (err)
        return err;
    struct vm_irq *vi = vm->irq;
    for (struct irqfd **p = vi ? &vi->fds : NULL; p && *p;) {
        struct irqfd *f = *p;
        if (f->gsi == a->gsi && fd_same_file(f->fd, (int)a->fd)) {
            *p = f->next;
            close(f->fd);
            free(f);
            vi->gen++;
            wake(vi);
        } else {
            p = &f->next;
        }
    }
    return 0; /* nothing to remove is no error */
}

static int irqfd_assign(struct vm *vm, const struct kvm_irqfd *a)
{
    if (!vgic_v3_initialized(vm, NULL))
        return -EAGAIN; /* kvm_arch_intc_initialized */
    /* kvm_arch_irqfd_allowed: resampling is not allowed here (the top of the file) */
    if (a->flags & KVM_IRQFD_FLAG_RESAMPLE)
        return -EINVAL;
    int err = eventfd_check((int32_t)a->fd);
    if (err)
        return err;
    struct vm_irq *vi = vm_irq_get(vm);
    if (!vi)
        return -ENOMEM;
    unsigned n = 0;
    for (struct irqfd *f = vi->fds; f; f = f->next, n++)
        if (fd_same_file(f->fd, (int)a->fd))
            return -EBUSY; /* the eventfd serves another GSI already */
    if (n >= MAX_IRQFDS)
        return -ENOMEM;
    struct irqfd *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->fd = fcntl((int)a->fd, F_DUPFD_CLOEXEC, 0);
    f->gsi = a->gsi;
    if (f->fd < 0 || (err = thread_start(vm))) {
        if (f->fd >= 0)
            close(f->fd);
        free(f);
        return err ? err : -ENOMEM;
    }
    f->next = vi->fds;
    vi->fds = f;
    vi->gen++;
    wake(vi); /* the thread polls it now, and injects at once if it is already signalled */
    return 0;
}

/* kvm_irqfd; without an irqchip kvm_arch_irqfd_allowed refuses every assignment */
static int irqfd_request(struct vm *vm, uint64_t uptr, bool irqchip)
{
    struct kvm_irqfd a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    if (a.flags & ~(uint32_t)(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
        return -EINVAL;
    if (a.flags & KVM_IRQFD_FLAG_DEASSIGN)
        return irqfd_deassign(vm, &a);
    return irqchip ? irqfd_assign(vm, &a) : -EINVAL;
}

int vm_irqfd(struct vm *vm, uint64_t uptr)
{
    return irqfd_request(vm, uptr, true);
}

int vm_irqfd_no_irqchip(struct vm *vm, uint64_t uptr)
{
    return irqfd_request(vm, uptr, false);
}

/* The VM goes: stop the thread (it takes the API lock we hold: let it), drop everything. */
void vm_irq_destroy(struct vm *vm)
{
    struct vm_irq *vi = vm->irq;
    if (!vi)
        return;
    if (vi->thread_on) {
        vi->stop = true;
        wake(vi);
        api_unlock();
        pthread_join(vi->thread, NULL);
        api_lock();
        close(vi->wake);
    }
    while (vi->fds) {
        struct irqfd *f = vi->fds;
        vi->fds = f->next;
        close(f->fd);
        free(f);
    }
    free(vi->routes);
    free(vi);
    vm->irq = NULL;
}
