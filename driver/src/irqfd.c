/*
 * KVM_SET_GSI_ROUTING and KVM_IRQFD, as virt/kvm/irqchip.c and virt/kvm/eventfd.c: a VMM
 * binds eventfds (a VFIO device's interrupt triggers) to GSIs, and a write to the eventfd
 * sets the GSI through the VM's interrupt controller as the architecture's kvm_set_irq
 * does. One injection thread per VM with irqfds polls them and injects under the API lock.
 * What differs between the personas is their `struct persona_irqfd` (persona.irqfd), one
 * of the descriptors at the end of each architecture's section below:
 *   arm64   routes to MSIs with a DeviceID or to SPIs (vgic-irqfd.c); until a VMM sets a
 *           table, GSI n routes to SPI n + 32. A resampling irqfd holds its SPI at level 1
 *           until the guest deactivates it, if it is level-triggered (the vGIC's EOI
 *           maintenance: devices/vgic_v3.c and vgic_v2.c call irqfd_acked).
 *   ppc64   book3s: no routing table (no HAVE_KVM_IRQ_ROUTING), GSI n is source n of the
 *           XICS or XIVE device (kvm_irq_map_gsi), and the eventfd's wakeup sets it to 1
 *           (kvm_arch_set_irq_inatomic), as KVM_IRQ_LINE with level 1 does. A resampling
 *           irqfd is accepted; on a XIVE host nothing ever acknowledges it, so its
 *           resamplefd is never signalled (KVM_CAP_IRQFD_RESAMPLE 0, !xive_enabled()).
 *   ppc-booke  the MPIC's routing table (devices/mpic.c keeps it) and kvm_set_irq through
 *           it, as KVM_IRQ_LINE; each signal is level 1 then 0 (no inatomic path), a
 *           resampling one level 1 until the MPIC's EOI register completes the source.
 *   s390x   adapter routes (interrupt.c kvm_set_routing_entry, set_adapter_int): the
 *           indicator and summary bits in guest memory, then an adapter interrupt on the
 *           FLIC, which libioe keeps (devices/flic.c). Resampling is accepted; s390 never
 *           acknowledges, so the resamplefd is never signalled either.
 *   x86_64  x86 KVM without an in-kernel irqchip: the checks, then EINVAL for any
 *           assignment or table (kvm_arch_irqfd_allowed, kvm_arch_can_set_irq_routing).
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
#define S390_PAGE 4096ull

struct irq_route {
    uint32_t gsi, type;
    union {
        struct {
            uint32_t irqchip, pin;
        } chip;                                      /* KVM_IRQ_ROUTING_IRQCHIP */
        struct kvm_msi msi;                          /* KVM_IRQ_ROUTING_MSI */
        struct kvm_irq_routing_s390_adapter adapter; /* KVM_IRQ_ROUTING_S390_ADAPTER */
    } u;
};

struct irqfd {
    int fd;         /* our dup of the eventfd */
    int resamplefd; /* our dup of KVM_IRQFD_FLAG_RESAMPLE's eventfd, or -1 */
    uint32_t gsi;
    struct irqfd *next;
};

struct vm_irq {
    struct irq_route *routes;
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

static const struct irqchip_ops *irqchip_of(struct vm *vm)
{
    return vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
}

static const struct persona_irqfd *irqfd_of(struct vm *vm)
{
    return vm->sys->host->irqfd;
}

/* ------------------------------------------------------------------ arm64 */
static bool arm64_intc_ready(struct vm *vm)
{
    return vgic_initialized(vm, NULL);
}

static int arm64_route(struct vm *vm, struct irq_route *r, const struct kvm_irq_routing_entry *ue)
{
    (void)vm;
    switch (ue->type) {
    case KVM_IRQ_ROUTING_IRQCHIP:
        r->u.chip.irqchip = ue->u.irqchip.irqchip;
        r->u.chip.pin = ue->u.irqchip.pin;
        return r->u.chip.pin >= ARM64_IRQCHIP_NUM_PINS || r->u.chip.irqchip >= ARM64_NR_IRQCHIPS
                   ? -EINVAL
                   : 0;
    case KVM_IRQ_ROUTING_MSI:
        r->u.msi = (struct kvm_msi){.address_lo = ue->u.msi.address_lo,
                                    .address_hi = ue->u.msi.address_hi,
                                    .data = ue->u.msi.data,
                                    .flags = ue->flags,
                                    .devid = ue->u.msi.devid};
        return 0;
    default: return -EINVAL;
    }
}

/* every route of the GSI: kvm_set_msi (level 1 only) or vgic_irqfd_set_irq */
static void arm64_set_irq(struct vm *vm, uint32_t gsi, int level)
{
    struct vm_irq *vi = vm->irq;
    const struct irqchip_ops *ic = irqchip_of(vm);
    uint32_t nr_spis = 0;
    struct irq_route def = {.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.chip.pin = gsi};
    bool by_default = !vi->user_table && vgic_initialized(vm, &nr_spis) && gsi < nr_spis &&
                      gsi < ARM64_IRQCHIP_NUM_PINS; /* kvm_vgic_setup_default_irq_routing */
    size_t n = by_default ? 1 : vi->nr_routes;
    for (size_t i = 0; i < n && ic; i++) {
        const struct irq_route *r = by_default ? &def : &vi->routes[i];
        if (r->gsi != gsi)
            continue;
        if (r->type == KVM_IRQ_ROUTING_MSI && ic->signal_msi && level) {
            struct kvm_msi m = r->u.msi;
            ic->signal_msi(vm->irqchip, &m);
        } else if (r->type == KVM_IRQ_ROUTING_IRQCHIP && ic->irq_line) {
            uint32_t spi = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (r->u.chip.pin + 32);
            ic->irq_line(vm->irqchip, spi, (uint32_t)level);
        }
    }
}

/* kvm_irq_map_chip_pin: the default table maps GSI n to pin n; a VMM's table its last
 * irqchip route of the pin (chip[][] is filled in table order) */
static int arm64_chip_gsi(struct vm *vm, uint32_t irqchip, uint32_t pin)
{
    struct vm_irq *vi = vm->irq;
    uint32_t nr_spis = 0;
    int gsi = -1;
    if (!vi->user_table)
        return irqchip == 0 && vgic_initialized(vm, &nr_spis) && pin < nr_spis &&
                       pin < ARM64_IRQCHIP_NUM_PINS
                   ? (int)pin
                   : -1;
    for (size_t i = 0; i < vi->nr_routes; i++)
        if (vi->routes[i].type == KVM_IRQ_ROUTING_IRQCHIP &&
            vi->routes[i].u.chip.irqchip == irqchip && vi->routes[i].u.chip.pin == pin)
            gsi = (int)vi->routes[i].gsi;
    return gsi;
}

const struct persona_irqfd irqfd_arm64 = {.irqchip = true,
                                          .resample = true,
                                          .intc_ready = arm64_intc_ready,
                                          .set_route = arm64_route,
                                          .set_irq = arm64_set_irq,
                                          .chip_gsi = arm64_chip_gsi};

/* ------------------------------------------------------------------ ppc64, ppc-booke */
/* kvm_set_irq is what KVM_IRQ_LINE does, and nothing without the device (an irqfd ignores
 * the error): book3s maps GSI n to source n (kvm_irq_map_gsi, kvmppc_xive_set_irq), the
 * MPIC walks its routing table (devices/mpic.c) */
static void chip_set_irq(struct vm *vm, uint32_t gsi, int level)
{
    const struct irqchip_ops *ic = irqchip_of(vm);
    if (ic && ic->irq_line)
        ic->irq_line(vm->irqchip, gsi, (uint32_t)level);
}

const struct persona_irqfd irqfd_ppc64 = {
    .irqchip = true, .resample = true, .inatomic = true, .set_irq = chip_set_irq};
const struct persona_irqfd irqfd_ppc_booke = {
    .irqchip = true, .resample = true, .set_irq = chip_set_irq, .chip_gsi = mpic_chip_gsi};

/* ------------------------------------------------------------------ s390x */
/* kvm_set_routing_entry: adapter routes only, their bits within one page of guest RAM */
static int s390_route(struct vm *vm, struct irq_route *r, const struct kvm_irq_routing_entry *ue)
{
    const struct kvm_irq_routing_s390_adapter *a = &ue->u.adapter;
    if (ue->type != KVM_IRQ_ROUTING_S390_ADAPTER)
        return -EINVAL;
    if (a->summary_addr + a->summary_offset / 8 >=
            (a->summary_addr & ~(S390_PAGE - 1)) + S390_PAGE ||
        a->ind_addr + a->ind_offset / 8 >= (a->ind_addr & ~(S390_PAGE - 1)) + S390_PAGE)
        return -EINVAL;
    if (!vm_gpa_in_ram(vm, a->summary_addr, 1) || !vm_gpa_in_ram(vm, a->ind_addr, 1))
        return -EFAULT; /* gpa_to_hva */
    r->u.adapter = *a;
    return 0;
}

/* set_adapter_int on every route of the GSI: only the 0 -> 1 transition */
static void s390_set_irq(struct vm *vm, uint32_t gsi, int level)
{
    struct vm_irq *vi = vm->irq;
    for (size_t i = 0; i < vi->nr_routes && level; i++)
        if (vi->routes[i].gsi == gsi && vi->routes[i].type == KVM_IRQ_ROUTING_S390_ADAPTER)
            flic_adapter_irq(vm, &vi->routes[i].u.adapter);
}

const struct persona_irqfd irqfd_s390x = {
    .irqchip = true, .resample = true, .set_route = s390_route, .set_irq = s390_set_irq};

/* x86_64 (no in-kernel irqchip here): every check passes to EINVAL */
const struct persona_irqfd irqfd_no_irqchip = {.irqchip = false};

/* ------------------------------------------------------------------ KVM_SET_GSI_ROUTING */

/* setup_routing_entry's rule, then the architecture's kvm_set_routing_entry */
static int add_route(struct vm *vm, struct irq_route *rt, size_t n,
                     const struct kvm_irq_routing_entry *ue)
{
    for (size_t i = 0; i < n; i++)
        if (rt[i].gsi == ue->gsi &&
            (rt[i].type != KVM_IRQ_ROUTING_IRQCHIP || ue->type != KVM_IRQ_ROUTING_IRQCHIP ||
             ue->u.irqchip.irqchip == rt[i].u.chip.irqchip))
            return -EINVAL; /* one non-irqchip route per GSI, one per irqchip */
    rt[n] = (struct irq_route){.gsi = ue->gsi, .type = ue->type};
    const struct persona_irqfd *a = irqfd_of(vm);
    return a->set_route ? a->set_route(vm, &rt[n], ue) : -EINVAL;
}

int vm_set_gsi_routing(struct vm *vm, uint64_t uptr)
{
    struct kvm_irq_routing hdr;
    if (copy_from_user(&hdr, uptr, sizeof(hdr)))
        return -EFAULT;
    if (!irqfd_of(vm)->irqchip)
        return -EINVAL; /* kvm_arch_can_set_irq_routing */
    if (hdr.nr > IOE_KVM_MAX_IRQ_ROUTES || hdr.flags)
        return -EINVAL;
    struct vm_irq *vi = vm_irq_get(vm);
    struct kvm_irq_routing_entry *ue = calloc(hdr.nr ? hdr.nr : 1, sizeof(*ue));
    struct irq_route *rt = calloc(hdr.nr ? hdr.nr : 1, sizeof(*rt));
    int err = !vi || !ue || !rt ? -ENOMEM : 0;
    if (!err && hdr.nr &&
        copy_from_user(ue, uptr + offsetof(struct kvm_irq_routing, entries), hdr.nr * sizeof(*ue)))
        err = -EFAULT;
    for (uint32_t i = 0; i < hdr.nr && !err; i++) /* kvm_set_irq_routing: every GSI first */
        if (ue[i].gsi >= IOE_KVM_MAX_IRQ_ROUTES)
            err = -EINVAL;
    for (uint32_t i = 0; i < hdr.nr && !err; i++) {
        uint32_t allowed = ue[i].type == KVM_IRQ_ROUTING_MSI ? KVM_MSI_VALID_DEVID : 0;
        err = ue[i].flags & ~allowed ? -EINVAL : add_route(vm, rt, i, &ue[i]);
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

/* ------------------------------------------------------------------ injection */

/* irqfd_inject, the work an eventfd's signal schedules: an edge, or for a resampling
 * irqfd level 1 until the guest acknowledges */
static void inject_work(struct vm *vm, const struct persona_irqfd *a, uint32_t gsi, bool resample)
{
    a->set_irq(vm, gsi, 1);
    if (!resample)
        a->set_irq(vm, gsi, 0);
}

/* irqfd_wakeup */
static void signalled(struct vm *vm, uint32_t gsi, bool resample)
{
    const struct persona_irqfd *a = irqfd_of(vm);
    if (a->inatomic)
        a->set_irq(vm, gsi, 1);
    else
        inject_work(vm, a, gsi, resample);
    sys_sync_notifications(vm->sys);
}

/* ------------------------------------------------------------------ the injection thread */

static void *irq_thread(void *arg)
{
    struct vm *vm = arg;
    struct pollfd p[MAX_IRQFDS + 1];
    uint32_t gsi[MAX_IRQFDS];
    bool resample[MAX_IRQFDS];
    api_lock();
    struct vm_irq *vi = vm->irq;
    while (!vi->stop) {
        unsigned gen = vi->gen, n = 0;
        for (struct irqfd *f = vi->fds; f && n < MAX_IRQFDS; f = f->next, n++) {
            p[n] = (struct pollfd){.fd = f->fd, .events = POLLIN};
            gsi[n] = f->gsi;
            resample[n] = f->resamplefd >= 0;
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
                signalled(vm, gsi[i], resample[i]);
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

static void irqfd_free(struct irqfd *f)
{
    close(f->fd);
    if (f->resamplefd >= 0)
        close(f->resamplefd);
    free(f);
}

static bool gsi_resampled(const struct vm_irq *vi, uint32_t gsi)
{
    for (const struct irqfd *f = vi->fds; f; f = f->next)
        if (f->gsi == gsi && f->resamplefd >= 0)
            return true;
    return false;
}

static int acked_gsi(struct vm *vm, uint32_t irqchip, uint32_t pin)
{
    const struct persona_irqfd *a = irqfd_of(vm);
    struct vm_irq *vi = vm->irq;
    bool any = false;
    for (const struct irqfd *f = vi ? vi->fds : NULL; f && !any; f = f->next)
        any = f->resamplefd >= 0;
    int gsi = any && a->chip_gsi ? a->chip_gsi(vm, irqchip, pin) : -1;
    return gsi >= 0 && gsi_resampled(vi, (uint32_t)gsi) ? gsi : -1;
}

bool irqfd_resampling(struct vm *vm, uint32_t irqchip, uint32_t pin)
{
    return acked_gsi(vm, irqchip, pin) >= 0;
}

/* irqfd_resampler_ack: the GSI goes to level 0, then every resamplefd of it is signalled */
void irqfd_acked(struct vm *vm, uint32_t irqchip, uint32_t pin)
{
    int gsi = acked_gsi(vm, irqchip, pin);
    uint64_t one = 1;
    if (gsi < 0)
        return;
    irqfd_of(vm)->set_irq(vm, (uint32_t)gsi, 0);
    for (const struct irqfd *f = vm->irq->fds; f; f = f->next)
        if (f->gsi == (uint32_t)gsi && f->resamplefd >= 0 &&
            write(f->resamplefd, &one, sizeof(one)) < 0)
            break; /* cannot fail on an eventfd short of a counter at 2^64 - 2 */
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
            bool resample = f->resamplefd >= 0;
            irqfd_free(f);
            vi->gen++;
            wake(vi);
            if (resample && !gsi_resampled(vi, a->gsi)) { /* irqfd_resampler_shutdown */
                irqfd_of(vm)->set_irq(vm, a->gsi, 0);
                sys_sync_notifications(vm->sys);
            }
        } else {
            p = &f->next;
        }
    }
    return 0; /* nothing to remove is no error */
}

/* the eventfd was signalled before it was bound: kvm_irqfd_assign's poll schedules the
 * work at once */
static void inject_pending(struct vm *vm, const struct irqfd *f)
{
    struct pollfd p = {.fd = f->fd, .events = POLLIN};
    uint64_t v;
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && read(f->fd, &v, sizeof(v)) == sizeof(v)) {
        inject_work(vm, irqfd_of(vm), f->gsi, f->resamplefd >= 0);
        sys_sync_notifications(vm->sys);
    }
}

static int irqfd_assign(struct vm *vm, const struct kvm_irqfd *a)
{
    const struct persona_irqfd *arch = irqfd_of(vm);
    bool resample = a->flags & KVM_IRQFD_FLAG_RESAMPLE;
    if (arch->intc_ready && !arch->intc_ready(vm))
        return -EAGAIN; /* kvm_arch_intc_initialized */
    if (!arch->irqchip || (resample && !arch->resample))
        return -EINVAL; /* kvm_arch_irqfd_allowed (the top of the file) */
    int err = eventfd_check((int32_t)a->fd);
    if (!err && resample)
        err = eventfd_check((int32_t)a->resamplefd);
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
    f->resamplefd = resample ? fcntl((int)a->resamplefd, F_DUPFD_CLOEXEC, 0) : -1;
    f->gsi = a->gsi;
    if (f->fd < 0 || (resample && f->resamplefd < 0) || (err = thread_start(vm))) {
        if (f->fd >= 0)
            close(f->fd);
        if (f->resamplefd >= 0)
            close(f->resamplefd);
        free(f);
        return err ? err : -ENOMEM;
    }
    f->next = vi->fds;
    vi->fds = f;
    vi->gen++;
    inject_pending(vm, f);
    wake(vi); /* the thread polls it now */
    return 0;
}

/* kvm_irqfd */
int vm_irqfd(struct vm *vm, uint64_t uptr)
{
    struct kvm_irqfd a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    if (a.flags & ~(uint32_t)(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
        return -EINVAL;
    if (a.flags & KVM_IRQFD_FLAG_DEASSIGN)
        return irqfd_deassign(vm, &a);
    return irqfd_assign(vm, &a);
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
        irqfd_free(f);
    }
    free(vi->routes);
    free(vi);
    vm->irq = NULL;
}
