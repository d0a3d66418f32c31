/*
 * The KVM-compatible API: descriptors, ioe_open* / ioe_ioctl / ioe_close, and the system
 * descriptor's requests. Every request is handled under one lock (also taken by the event
 * thread of a card that notifies on its own); each object's descriptor dispatches through
 * its obj_ops (vm.c, vcpu.c, device.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj **table;
static size_t table_len;

void api_lock(void)
{
    pthread_mutex_lock(&lock);
}

void api_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

/* ------------------------------------------------------------------ descriptors */
int obj_install(struct obj *o)
{
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0)
        return -errno;
    if ((size_t)fd >= table_len) {
        size_t n = (size_t)fd * 2 + 16;
        struct obj **t = realloc(table, n * sizeof(*t));
        if (!t) {
            close(fd);
            return -ENOMEM;
        }
        memset(t + table_len, 0, (n - table_len) * sizeof(*t));
        table = t;
        table_len = n;
    }
    o->fd = fd;
    o->fd_open = true;
    table[fd] = o;
    return fd;
}

struct obj *obj_lookup(int fd)
{
    return fd >= 0 && (size_t)fd < table_len ? table[fd] : NULL;
}

void obj_get(struct obj *o)
{
    o->refs++;
}

void obj_put(struct obj *o)
{
    if (--o->refs == 0 && o->ops->free)
        o->ops->free(o);
}

/* ------------------------------------------------------------------ system descriptor */
static int create_vm(struct sys *s, unsigned long type)
{
    unsigned ctx;
    struct vm *vm = calloc(1, sizeof(*vm));
    if (!vm)
        return -ENOMEM;
    vm->sys = s;
    int err = s->host->vm_type(vm, type);
    if (err) {
        free(vm);
        return err;
    }
    for (ctx = 0; ctx < s->info.nr_vms; ctx++)
        if (!s->vms[ctx])
            break;
    if (ctx == s->info.nr_vms) {
        free(vm);
        return -ENOSPC; /* every VM context of the card is in use */
    }
    vm->ctx = ctx;
    err = vm_init(vm);
    int fd = err ? err : obj_install(&vm->o);
    if (fd < 0) {
        free(vm);
        return fd;
    }
    s->vms[ctx] = vm;
    obj_get(&s->o);
    return fd;
}

static int sys_ioctl(struct obj *o, unsigned long req, unsigned long arg)
{
    struct sys *s = (struct sys *)o;
    switch (req) {
    case KVM_GET_API_VERSION: return arg ? -EINVAL : KVM_API_VERSION;
    case KVM_CHECK_EXTENSION: return (int)vm_check_extension(s, NULL, (long)arg);
    case KVM_CREATE_VM: return create_vm(s, arg);
    default: return -s->host->enotty_sys; /* kvm_arch_dev_ioctl */
    }
}

static void sys_closed(struct obj *o)
{
    obj_put(o);
}

static void sys_free(struct obj *o)
{
    struct sys *s = (struct sys *)o;
    sys_events_stop(s);
    ioe_card_close(s->card);
    free(s);
}

static struct sys *sys_self(struct obj *o)
{
    return (struct sys *)o;
}

static const struct obj_ops sys_obj_ops = {sys_ioctl, sys_closed, sys_free, sys_self};

/* ------------------------------------------------------------------ public entry points */
int ioe_open(const char *target)
{
    return ioe_open_host(target, NULL, NULL);
}

int ioe_open_opts(const char *target, const struct ioe_card_options *opts)
{
    return ioe_open_host(target, NULL, opts);
}

static int open_failed(struct sys *s, int err)
{
    if (s->card)
        ioe_card_close(s->card);
    free(s);
    errno = -err;
    return -1;
}

int ioe_open_host(const char *target, const char *host, const struct ioe_card_options *opts)
{
    int err = 0;
    set_last_error("%s", "");
    const struct persona *p = persona_find(host, &err);
    if (!p) {
        errno = -err;
        return -1;
    }
    struct sys *s = calloc(1, sizeof(*s));
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    s->o.ops = &sys_obj_ops;
    s->o.refs = 1;
    s->host = p;
    err = ioe_card_open_opts(target, opts, &s->card);
    if (err) {
        s->card = NULL;
        if (!*ioe_last_error()) /* the transport said nothing more precise */
            set_last_error(err == -ENODEV ? "target '%s': no such card (ioectl targets lists them)"
                                          : "target '%s': the card cannot be opened",
                           target ? target : "(null)");
        return open_failed(s, err);
    }
    if ((err = ioe_card_info(s->card, &s->info))) {
        set_last_error("target '%s': the card does not identify as an ioe card", target);
        return open_failed(s, err);
    }
    api_lock();
    int fd = obj_install(&s->o);
    api_unlock();
    if (fd < 0)
        return open_failed(s, fd);
    if ((err = sys_events_start(s))) {
        ioe_close(fd);
        errno = -err;
        return -1;
    }
    return fd;
}

int ioe_ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);

    api_lock();
    struct obj *o = obj_lookup(fd);
    int ret = o ? o->ops->ioctl(o, request, arg) : -EBADF;
    api_unlock();
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

struct ioe_card *ioe_card_of(int fd)
{
    api_lock();
    struct obj *o = obj_lookup(fd);
    struct ioe_card *card = o ? o->ops->sys(o)->card : NULL;
    api_unlock();
    if (!card)
        errno = EBADF;
    return card;
}

int ioe_close(int fd)
{
    api_lock();
    struct obj *o = obj_lookup(fd);
    if (!o) {
        api_unlock();
        errno = EBADF;
        return -1;
    }
    table[fd] = NULL;
    o->fd_open = false;
    close(fd);
    o->ops->closed(o);
    api_unlock();
    return 0;
}
