/*
 * The KVM-compatible API: descriptors, and the requests of the system, VM and vCPU
 * descriptors. The VGIC device is in vgic.c. Every request is handled under one lock;
 * errors are KVM's, in KVM's order of checks (the comments name the kernel function
 * whose order is followed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ioe/regs.h>

#include "internal.h"

#define IPA_LIMIT 48 /* KVM_CAP_ARM_VM_IPA_SIZE */
#define PAGE_SZ 4096u
#define IOVA_VM_SHIFT 48 /* the card reaches VM context c's guest memory at c << 48 | GPA */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj **table;
static size_t table_len;

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

static struct obj *lookup(int fd)
{
    return fd >= 0 && (size_t)fd < table_len ? table[fd] : NULL;
}

void obj_get(struct obj *o)
{
    o->refs++;
}

static void vm_release(struct vm *vm);

void obj_put(struct obj *o)
{
    if (--o->refs)
        return;
    if (o->type == OBJ_SYS) {
        struct sys *s = (struct sys *)o;
        ioe_card_close(s->card);
        free(s);
    } else if (o->type == OBJ_VM) {
        vm_release((struct vm *)o);
    }
}

/* ------------------------------------------------------------------ helpers */
uint32_t vcpu_aff_of_id(uint32_t id)
{
    /* KVM's reset_mpidr: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12] */
    return (id & 0x0f) | ((id >> 4) & 0xff) << 8 | ((id >> 12) & 0xff) << 16;
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr_attr)
{
    uint32_t aff = (uint32_t)(mpidr_attr >> KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->aff == aff)
            return vm->vcpus[i];
    return NULL;
}

bool vm_any_vcpu_running(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->running)
            return true;
    return false;
}

bool vm_any_vcpu_ran(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->has_run)
            return true;
    return false;
}

struct vm *sys_vm_of_ctx(struct sys *s, unsigned ctx)
{
    return ctx < 256 ? s->vms[ctx] : NULL;
}

/* ------------------------------------------------------------------ system fd */
static long check_extension(struct sys *s, struct vm *vm, long ext)
{
    switch (ext) {
    case KVM_CAP_IRQCHIP:
    case KVM_CAP_DEVICE_CTRL:
    case KVM_CAP_SIGNAL_MSI:
    case KVM_CAP_USER_MEMORY:
    case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
    case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
    case KVM_CAP_ARM_IRQ_LINE_LAYOUT_2:
    case KVM_CAP_VCPU_ATTRIBUTES:
    case KVM_CAP_ONE_REG: return 1;
    case KVM_CAP_NR_VCPUS:
    case KVM_CAP_MAX_VCPUS: return s->info.nr_vcpus;
    case KVM_CAP_MAX_VCPU_ID: return IOE_KVM_MAX_VCPU_IDS;
    case KVM_CAP_NR_MEMSLOTS: return IOE_KVM_USER_MEM_SLOTS;
    case KVM_CAP_ARM_VM_IPA_SIZE: return IPA_LIMIT;
    case KVM_CAP_PPC_IRQ_XIVE: return xive_card_supported(s); /* kvm_vm_ioctl_check_extension */
    case KVM_CAP_MSI_DEVID:
        /* only a VM can say: msis_require_devid, set when it gets an ITS */
        return vm ? vm->nr_its > 0 : -EINVAL;
    default: return 0;
    }
}

static int create_vm(struct sys *s, unsigned long type)
{
    /* kvm_arm_setup_stage2 / kvm_init_stage2_mmu order */
    unsigned ipa;
    if (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
        return -EINVAL;
    ipa = (unsigned)KVM_VM_TYPE_ARM_IPA_SIZE(type);
    if (ipa) {
        if (ipa > IPA_LIMIT || ipa < IOE_KVM_PHYS_SHIFT_MIN)
            return -EINVAL;
    } else {
        ipa = IOE_KVM_PHYS_SHIFT_DEFAULT;
    }
    unsigned ctx;
    for (ctx = 0; ctx < s->info.nr_vms; ctx++)
        if (!s->vms[ctx])
            break;
    if (ctx == s->info.nr_vms)
        return -ENOSPC; /* every VM context of the card is in use */
    struct vm *vm = calloc(1, sizeof(*vm));
    if (!vm)
        return -ENOMEM;
    vm->o.type = OBJ_VM;
    vm->o.refs = 1;
    vm->sys = s;
    vm->ctx = ctx;
    vm->ipa_bits = ipa;
    vm->vtimer = 27;
    vm->ptimer = 30;
    int err = gic_op(s, ctx, 0, GIC_GICD, false, 0, GIC_VM_RESET, 0, NULL);
    if (err) {
        free(vm);
        return err < 0 ? err : -EIO;
    }
    int fd = obj_install(&vm->o);
    if (fd < 0) {
        free(vm);
        return fd;
    }
    s->vms[ctx] = vm;
    obj_get(&s->o);
    return fd;
}

static int sys_ioctl(struct sys *s, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_GET_API_VERSION: return arg ? -EINVAL : KVM_API_VERSION;
    case KVM_CHECK_EXTENSION: return (int)check_extension(s, NULL, (long)arg);
    case KVM_CREATE_VM: return create_vm(s, arg);
    default: return -EINVAL; /* kvm_arch_dev_ioctl on arm64 */
    }
}

/* ------------------------------------------------------------------ VM fd */
static void vm_release(struct vm *vm)
{
    struct sys *s = vm->sys;
    gic_op(s, vm->ctx, 0, GIC_GICD, false, 0, GIC_VM_RESET, 0, NULL);
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++)
        if (vm->slots[i].used)
            ioe_card_dma_unmap(s->card, (uint64_t)vm->ctx << IOVA_VM_SHIFT | vm->slots[i].gpa,
                               vm->slots[i].size);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        free(vm->vcpus[i]);
    its_vm_release(vm);
    xive_vm_release(vm);
    if (vm->vgic)
        vgic_release(vm->vgic);
    s->vms[vm->ctx] = NULL;
    free(vm);
    obj_put(&s->o);
}

static int create_vcpu(struct vm *vm, unsigned long id)
{
    /* kvm_vm_ioctl_create_vcpu order */
    if (id >= IOE_KVM_MAX_VCPU_IDS)
        return -EINVAL;
    if (vm->nr_vcpus >= vm->sys->info.nr_vcpus)
        return -EINVAL;
    if (vm->vgic && vm->vgic->initialized)
        return -EBUSY; /* kvm_arch_vcpu_precreate */
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->id == id)
            return -EEXIST;
    struct vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->o.type = OBJ_VCPU;
    v->vm = vm;
    v->idx = vm->nr_vcpus;
    v->id = (uint32_t)id;
    v->aff = vcpu_aff_of_id(v->id);
    v->rd_base = IOE_VGIC_ADDR_UNDEF;
    v->region = -1;
    vm->vcpus[vm->nr_vcpus++] = v;
    int fd = vm->vgic ? vgic_vcpu_created(vm->vgic, v) : 0;
    if (!fd)
        fd = obj_install(&v->o);
    if (fd < 0) {
        vm->vcpus[--vm->nr_vcpus] = NULL;
        free(v);
        return fd;
    }
    obj_get(&vm->o);
    return fd;
}

static int set_memory_region(struct vm *vm, uint64_t uptr)
{
    struct kvm_userspace_memory_region m;
    if (copy_from_user(&m, uptr, sizeof(m)))
        return -EFAULT;
    /* __kvm_set_memory_region order */
    if (m.flags & ~(uint32_t)(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
        return -EINVAL;
    unsigned as_id = m.slot >> 16, id = m.slot & 0xffff;
    if (m.memory_size & (PAGE_SZ - 1))
        return -EINVAL;
    if (m.guest_phys_addr & (PAGE_SZ - 1))
        return -EINVAL;
    if (m.userspace_addr & (PAGE_SZ - 1))
        return -EINVAL;
    if (as_id >= 1 || id >= IOE_KVM_USER_MEM_SLOTS)
        return -EINVAL;
    if (m.guest_phys_addr + m.memory_size < m.guest_phys_addr)
        return -EINVAL;
    struct memslot *old = &vm->slots[id];
    struct ioe_card *card = vm->sys->card;
    uint64_t base = (uint64_t)vm->ctx << IOVA_VM_SHIFT;
    if (!m.memory_size) {
        if (!old->used)
            return -EINVAL;
        ioe_card_dma_unmap(card, base | old->gpa, old->size);
        old->used = false;
        return 0;
    }
    bool move = false;
    if (old->used) {
        if (m.userspace_addr != old->hva || m.memory_size != old->size ||
            ((m.flags ^ old->flags) & KVM_MEM_READONLY))
            return -EINVAL;
        if (m.guest_phys_addr == old->gpa) {
            old->flags = m.flags;
            return 0;
        }
        move = true;
    }
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++) {
        const struct memslot *o = &vm->slots[i];
        if (i != id && o->used && m.guest_phys_addr < o->gpa + o->size &&
            o->gpa < m.guest_phys_addr + m.memory_size)
            return -EEXIST;
    }
    /* kvm_arch_prepare_memory_region: beyond the IPA space */
    if (m.guest_phys_addr + m.memory_size > (1ull << vm->ipa_bits))
        return -EFAULT;
    if (move)
        ioe_card_dma_unmap(card, base | old->gpa, old->size);
    int err = ioe_card_dma_map(card, base | m.guest_phys_addr, (void *)(uintptr_t)m.userspace_addr,
                               m.memory_size);
    if (err) {
        old->used = false;
        return err;
    }
    *old = (struct memslot){true, m.flags, m.guest_phys_addr, m.memory_size, m.userspace_addr};
    return 0;
}

static int create_device(struct vm *vm, uint64_t uptr)
{
    struct kvm_create_device cd;
    if (copy_from_user(&cd, uptr, sizeof(cd)))
        return -EFAULT;
    int fd = -1, err;
    bool test = cd.flags & KVM_CREATE_DEVICE_TEST;
    switch (cd.type) {
    case KVM_DEV_TYPE_ARM_VGIC_ITS: err = its_create(vm, test, &fd); break;
    case KVM_DEV_TYPE_XIVE: err = xive_create(vm, test, &fd); break;
    default: err = vgic_create(vm, cd.type, test, &fd); break;
    }
    if (err || (cd.flags & KVM_CREATE_DEVICE_TEST))
        return err;
    cd.fd = (uint32_t)fd;
    if (copy_to_user(uptr, &cd, sizeof(cd))) {
        /* the device exists: KVM keeps it too, only the copy-out failed */
        return -EFAULT;
    }
    return 0;
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    int err;
    switch (req) {
    case KVM_CHECK_EXTENSION: return (int)check_extension(vm->sys, vm, (long)arg);
    case KVM_CREATE_VCPU: return create_vcpu(vm, arg);
    case KVM_SET_USER_MEMORY_REGION: return set_memory_region(vm, arg);
    case KVM_CREATE_DEVICE: return create_device(vm, arg);
    case KVM_IRQ_LINE: {
        struct kvm_irq_level l;
        if (copy_from_user(&l, arg, sizeof(l)))
            return -EFAULT;
        err = vm->xive ? xive_irq_line(vm, l.irq, l.level) : vgic_irq_line(vm, l.irq, l.level);
        sys_sync_notifications(vm->sys);
        return err;
    }
    case KVM_SIGNAL_MSI: {
        struct kvm_msi msi;
        if (copy_from_user(&msi, arg, sizeof(msi)))
            return -EFAULT;
        /* kvm_send_userspace_msi, then kvm_set_msi (arm64) */
        if (!vm->vgic || (msi.flags & ~(uint32_t)KVM_MSI_VALID_DEVID))
            return -EINVAL;
        err = its_signal_msi(vm, &msi);
        sys_sync_notifications(vm->sys);
        return err;
    }
    case IOE_MMIO: {
        struct ioe_mmio m;
        if (copy_from_user(&m, arg, sizeof(m)))
            return -EFAULT;
        err = vm->vgic ? vgic_mmio(vm->vgic, &m) : -ENXIO;
        if (err == -ENXIO)
            err = its_mmio(vm, &m);
        sys_sync_notifications(vm->sys);
        if (err)
            return err;
        return copy_to_user(arg, &m, sizeof(m));
    }
    default:
        err = xive_vm_ioctl(vm, req, arg);
        return err == -ENOTTY ? -EINVAL : err; /* kvm_arch_vm_ioctl on arm64 */
    }
}

/* ------------------------------------------------------------------ vCPU fd */
static int vcpu_run(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (!v->has_run) {
        /* kvm_arch_vcpu_run_pid_change: VGIC resources, then the timer */
        if (vm->vgic) {
            int err = vgic_map_resources(vm->vgic);
            if (err)
                return err;
            if (vm->vtimer == vm->ptimer)
                return -EINVAL; /* kvm_timer_enable: timer_irqs_are_valid */
        }
        v->has_run = true;
    }
    v->running = true;
    return 0;
}

static int vcpu_timer_attr(struct vcpu *v, unsigned long req, const struct kvm_device_attr *a)
{
    struct vm *vm = v->vm;
    uint32_t *slot = a->attr == KVM_ARM_VCPU_TIMER_IRQ_VTIMER   ? &vm->vtimer
                     : a->attr == KVM_ARM_VCPU_TIMER_IRQ_PTIMER ? &vm->ptimer
                                                                : NULL;
    if (req == KVM_HAS_DEVICE_ATTR)
        return slot ? 0 : -ENXIO;
    if (req == KVM_GET_DEVICE_ATTR) {
        if (!slot)
            return -ENXIO;
        int irq = (int)*slot;
        return copy_to_user(a->addr, &irq, sizeof(irq));
    }
    /* kvm_arm_timer_set_attr order */
    int irq;
    if (!vm->vgic)
        return -EINVAL;
    if (copy_from_user(&irq, a->addr, sizeof(irq)))
        return -EFAULT;
    if (irq < 16 || irq >= 32)
        return -EINVAL;
    if (vm_any_vcpu_ran(vm))
        return -EBUSY; /* KVM_ARCH_FLAG_TIMER_PPIS_IMMUTABLE, checked before the attr */
    if (!slot)
        return -ENXIO;
    *slot = (uint32_t)irq;
    return 0;
}

static int vcpu_attr(struct vcpu *v, unsigned long req, uint64_t uptr)
{
    struct kvm_device_attr a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    switch (a.group) {
    case KVM_ARM_VCPU_TIMER_CTRL: return vcpu_timer_attr(v, req, &a);
    case KVM_ARM_VCPU_PMU_V3_CTRL:
        /* the vCPUs have no PMUv3 feature */
        return req == KVM_HAS_DEVICE_ATTR ? -ENXIO : -ENODEV;
    default: return -ENXIO; /* includes PVTIME: stolen time is not implemented */
    }
}

static int vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    struct sys *s = v->vm->sys;
    struct ioe_irq irq;
    uint64_t st, val;
    int err;
    switch (req) {
    case KVM_RUN: return vcpu_run(v);
    case IOE_VCPU_EXIT: v->running = false; return 0;
    case KVM_SET_DEVICE_ATTR:
    case KVM_GET_DEVICE_ATTR:
    case KVM_HAS_DEVICE_ATTR: return vcpu_attr(v, req, arg);
    case IOE_VCPU_ACK:
        if (!v->vm->vgic || !v->vm->vgic->initialized)
            return -ENXIO;
        memset(&irq, 0, sizeof(irq));
        irq.intid = 1023;
        err = gic_op(s, v->vm->ctx, v->idx, GIC_STATUS, false, 0, GIC_READ32, 0, &st);
        if (!err && st >> 31) {
            irq.group = st >> 24 & 1;
            irq.priority = st >> 16 & 0xff;
            err = gic_op(s, v->vm->ctx, v->idx, GIC_ICC, false,
                         irq.group ? ICC_IAR1_EL1 : ICC_IAR0_EL1, GIC_READ64, 0, &val);
            irq.intid = (uint32_t)val;
        }
        sys_sync_notifications(s); /* the card notifies every status change */
        if (err)
            return err < 0 ? err : -EIO;
        return copy_to_user(arg, &irq, sizeof(irq));
    case IOE_VCPU_EOI:
    case IOE_VCPU_DIR:
        if (!v->vm->vgic || !v->vm->vgic->initialized)
            return -ENXIO;
        if (copy_from_user(&irq, arg, sizeof(irq)))
            return -EFAULT;
        if (irq.group > 1)
            return -EINVAL;
        err = gic_op(s, v->vm->ctx, v->idx, GIC_ICC, false,
                     req == IOE_VCPU_DIR ? ICC_DIR_EL1
                     : irq.group         ? ICC_EOIR1_EL1
                                         : ICC_EOIR0_EL1,
                     GIC_WRITE64, irq.intid, NULL);
        sys_sync_notifications(s); /* the card notifies every status change */
        return err < 0 ? err : err ? -EIO : 0;
    case IOE_VCPU_SYSREG: {
        struct ioe_sysreg sr;
        if (!v->vm->vgic || !v->vm->vgic->initialized)
            return -ENXIO;
        if (copy_from_user(&sr, arg, sizeof(sr)))
            return -EFAULT;
        err = gic_op(s, v->vm->ctx, v->idx, GIC_ICC, false, sr.enc & 0xffff,
                     sr.is_write ? GIC_WRITE64 : GIC_READ64, sr.value, &val);
        sys_sync_notifications(s); /* the card notifies every status change */
        if (err)
            return err < 0 ? err : -ENXIO;
        if (!sr.is_write) {
            sr.value = val;
            return copy_to_user(arg, &sr, sizeof(sr));
        }
        return 0;
    }
    case IOE_VCPU_SGI:
        if (!v->vm->vgic || !v->vm->vgic->initialized)
            return -ENXIO;
        if (copy_from_user(&val, arg, sizeof(val)))
            return -EFAULT;
        err = gic_op(s, v->vm->ctx, v->idx, GIC_ICC, false, ICC_SGI1R_EL1, GIC_WRITE64, val, NULL);
        sys_sync_notifications(s);
        return err < 0 ? err : err ? -EIO : 0;
    default: err = xive_vcpu_ioctl(v, req, arg); return err == -ENOTTY ? -EINVAL : err;
    }
}

/* ------------------------------------------------------------------ public entry points */
int ioe_open(const char *target)
{
    return ioe_open_host(target, NULL, NULL);
}

int ioe_open_opts(const char *target, const struct ioe_card_options *opts)
{
    return ioe_open_host(target, NULL, opts);
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
    s->o.type = OBJ_SYS;
    s->o.refs = 1;
    s->host = p;
    err = ioe_card_open_opts(target, opts, &s->card);
    if (!err) {
        err = ioe_card_info(s->card, &s->info);
        if (err)
            ioe_card_close(s->card);
    }
    if (err) {
        set_last_error(err == -ENODEV ? "target '%s': no such card" : "target '%s': cannot open",
                       target ? target : "(null)");
        free(s);
        errno = -err;
        return -1;
    }
    pthread_mutex_lock(&lock);
    int fd = obj_install(&s->o);
    pthread_mutex_unlock(&lock);
    if (fd < 0) {
        ioe_card_close(s->card);
        free(s);
        errno = -fd;
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

    pthread_mutex_lock(&lock);
    struct obj *o = lookup(fd);
    int ret;
    if (!o) {
        ret = -EBADF;
    } else {
        switch (o->type) {
        case OBJ_SYS: ret = sys_ioctl((struct sys *)o, request, arg); break;
        case OBJ_VM: ret = vm_ioctl((struct vm *)o, request, arg); break;
        case OBJ_VCPU: ret = vcpu_ioctl((struct vcpu *)o, request, arg); break;
        case OBJ_ITS: ret = its_device_ioctl((struct its_dev *)o, request, arg); break;
        case OBJ_XIVE: ret = xive_device_ioctl((struct xive_dev *)o, request, arg); break;
        default: ret = vgic_device_ioctl((struct vgic *)o, request, arg); break;
        }
    }
    pthread_mutex_unlock(&lock);
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

int ioe_close(int fd)
{
    pthread_mutex_lock(&lock);
    struct obj *o = lookup(fd);
    if (!o) {
        pthread_mutex_unlock(&lock);
        errno = EBADF;
        return -1;
    }
    table[fd] = NULL;
    o->fd_open = false;
    close(fd);
    switch (o->type) {
    case OBJ_SYS:
    case OBJ_VM: obj_put(o); break;
    case OBJ_VCPU: obj_put(&((struct vcpu *)o)->vm->o); break;
    default: obj_put(&((struct devobj *)o)->vm->o); break; /* device objects */
    }
    pthread_mutex_unlock(&lock);
    return 0;
}
