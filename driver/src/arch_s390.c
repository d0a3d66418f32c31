/*
 * The s390x persona: what only s390 KVM does. Its VM attributes (KVM_SET/GET/HAS_DEVICE_ATTR
 * on the VM descriptor, Documentation/virt/kvm/devices/vm.rst) follow
 * arch/s390/kvm/kvm-s390.c: the groups, the order of the checks and the errno of each.
 *
 * Nothing here involves the card: memory management, the TOD clock, key wrapping and the
 * CPU model are the host's business. libioe answers as a fixed s390 host (HOST_* below,
 * docs/api.md "s390x"), so a VMM sees one consistent machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "internal.h"

/* ------------------------------------------------------------------ the host we answer as */
#define HOST_CPUID 0x000ce1e085618000ull   /* version 0, id 0x0ce1e0, machine type 8561 */
#define HOST_IBC (0x0a11u << 16 | 0x0f31u) /* lowest and unblocked IBC level */
#define TOD_1900_TO_1970 2208988800ull     /* seconds from the TOD epoch to the Unix epoch */
#define FAC_BYTES (256 * 8)

/* facilities of the host (STFLE), of KVM's base list and of its CPU-model list
 * (arch/s390/tools/gen_facilities.c) */
static const short host_facilities[] = {0,   1,   2,   3,   4,   5,   6,   7,   8,  9,   10,
                                        13,  14,  17,  73,  74,  75,  76,  77,  78, 129, 130,
                                        131, 138, 139, 146, 150, 151, 155, 156, -1};
static const short kvm_base_facilities[] = {0,   1,   2,   3,   4,   5,   6,   7,  8,
                                            9,   10,  13,  14,  73,  75,  76,  77, 78,
                                            130, 131, 139, 146, 150, 151, 155, -1};
static const short kvm_cpumodel_facilities[] = {12, 15, 156, 165, 193, 194, 196, 197, -1};

/* CPU features the host offers (KVM_S390_VM_CPU_FEAT_*): 0..13 */
#define HOST_CPU_FEAT_WORD0 (~0ull << (64 - 14))

static void fac_set(uint8_t *fac, unsigned nr)
{
    fac[nr >> 3] |= 0x80 >> (nr & 7); /* MSB-0 bit numbering, as STFLE stores it */
}

static bool fac_test(const uint8_t *fac, unsigned nr)
{
    return nr < FAC_BYTES * 8 && (fac[nr >> 3] & (0x80 >> (nr & 7)));
}

static void fac_from_list(uint8_t *fac, const short *list)
{
    memset(fac, 0, FAC_BYTES);
    for (; *list >= 0; list++)
        fac_set(fac, (unsigned)*list);
}

static const struct kvm_s390_vm_cpu_subfunc *host_subfuncs(void)
{
    static struct kvm_s390_vm_cpu_subfunc sf; /* filled once; never changes */
    static bool done;
    if (!done) {
        memset(sf.plo, 0xff, 3);        /* PLO function codes 0-23 */
        sf.km[0] = sf.kmc[0] = 0xa0;    /* query and DEA */
        sf.kimd[0] = sf.klmd[0] = 0xf0; /* query, SHA-1, SHA-256, SHA-512 */
        sf.kmac[0] = 0xa0;
        done = true;
    }
    return &sf;
}

/* The host's TOD clock (bit 51 = 1 microsecond, epoch 1900) with its epoch index. */
static void host_tod(uint64_t *tod, uint8_t *ei)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned __int128 t = ((unsigned __int128)((uint64_t)ts.tv_sec + TOD_1900_TO_1970) * 1000000u +
                           (uint64_t)ts.tv_nsec / 1000u)
                          << 12;
    *tod = (uint64_t)t;
    *ei = (uint8_t)(t >> 64);
}

/* ------------------------------------------------------------------ VM state */
static bool vm_facility(const struct vm *vm, unsigned nr) /* test_kvm_facility */
{
    return fac_test(vm->arch.s390.fac_mask, nr) && fac_test(vm->arch.s390.fac_list, nr);
}

/* kvm_arch_init_vm: the VM's CPU model starts from what the host offers and KVM supports */
static int vm_type(struct vm *vm, unsigned long type)
{
    if (type) /* KVM_VM_S390_UCONTROL is not offered */
        return -EINVAL;
    struct s390_vm *s = &vm->arch.s390;
    uint8_t host[FAC_BYTES], base[FAC_BYTES], ext[FAC_BYTES];
    fac_from_list(host, host_facilities);
    fac_from_list(base, kvm_base_facilities);
    fac_from_list(ext, kvm_cpumodel_facilities);
    for (unsigned i = 0; i < FAC_BYTES; i++) {
        s->fac_mask[i] = host[i] & (base[i] | ext[i]);
        s->fac_list[i] = host[i] & base[i];
    }
    fac_set(s->fac_mask, 138), fac_set(s->fac_list, 138); /* always in CZAM mode */
    fac_set(s->fac_mask, 74), fac_set(s->fac_list, 74);   /* STHYI, emulated */
    s->cpuid = HOST_CPUID | 0xffull << 56;                /* kvm_s390_get_initial_cpuid */
    s->ibc = HOST_IBC & 0xfff;
    s->subfuncs = *host_subfuncs();
    s->mem_limit = ~0ull << 12; /* TASK_SIZE_MAX: the host reports no smaller limit */
    return 0;
}

/* ------------------------------------------------------------------ KVM_S390_VM_MEM_CTRL */
static int mem_set(struct vm *vm, const struct kvm_device_attr *a)
{
    struct s390_vm *s = &vm->arch.s390;
    switch (a->attr) {
    case KVM_S390_VM_MEM_ENABLE_CMMA:
        if (vm->nr_vcpus)
            return -EBUSY;
        s->use_cmma = true;
        return 0;
    case KVM_S390_VM_MEM_CLR_CMMA:
        return s->use_cmma ? 0 : -EINVAL; /* the guest's CMMA states are the host's */
    case KVM_S390_VM_MEM_LIMIT_SIZE: {
        uint64_t limit;
        if (copy_from_user(&limit, a->addr, sizeof(limit)))
            return -EFAULT;
        if (s->mem_limit != KVM_S390_NO_MEM_LIMIT && limit > s->mem_limit)
            return -E2BIG;
        if (!limit)
            return -EINVAL;
        /* KVM builds a new guest address space rounded up to the table levels and keeps
         * reporting mem_limit as it was: so does libioe */
        return vm->nr_vcpus ? -EBUSY : 0;
    }
    default: return -ENXIO;
    }
}

static int mem_get(struct vm *vm, const struct kvm_device_attr *a)
{
    if (a->attr != KVM_S390_VM_MEM_LIMIT_SIZE)
        return -ENXIO;
    return copy_to_user(a->addr, &vm->arch.s390.mem_limit, sizeof(uint64_t));
}

/* ------------------------------------------------------------------ KVM_S390_VM_TOD */
/* __kvm_s390_set_tod_clock */
static void tod_set(struct vm *vm, uint64_t tod, uint8_t idx)
{
    struct s390_vm *s = &vm->arch.s390;
    uint64_t now;
    uint8_t ei;
    host_tod(&now, &ei);
    s->epoch = tod - now;
    s->epdx = 0;
    if (vm_facility(vm, 139)) {
        s->epdx = (uint8_t)(idx - ei);
        if (s->epoch > tod)
            s->epdx--;
    }
}

static void tod_get(struct vm *vm, struct kvm_s390_vm_tod_clock *c)
{
    uint64_t now;
    uint8_t ei;
    host_tod(&now, &ei);
    memset(c, 0, sizeof(*c));
    c->tod = now + vm->arch.s390.epoch;
    if (vm_facility(vm, 139)) {
        c->epoch_idx = (uint8_t)(ei + vm->arch.s390.epdx);
        if (c->tod < now)
            c->epoch_idx++;
    }
}

static int tod_set_attr(struct vm *vm, const struct kvm_device_attr *a)
{
    if (a->flags)
        return -EINVAL;
    switch (a->attr) {
    case KVM_S390_VM_TOD_EXT: {
        struct kvm_s390_vm_tod_clock c;
        if (copy_from_user(&c, a->addr, sizeof(c)))
            return -EFAULT;
        if (!vm_facility(vm, 139) && c.epoch_idx)
            return -EINVAL;
        tod_set(vm, c.tod, c.epoch_idx);
        return 0;
    }
    case KVM_S390_VM_TOD_HIGH: {
        uint8_t high;
        if (copy_from_user(&high, a->addr, sizeof(high)))
            return -EFAULT;
        return high ? -EINVAL : 0;
    }
    case KVM_S390_VM_TOD_LOW: {
        uint64_t tod;
        if (copy_from_user(&tod, a->addr, sizeof(tod)))
            return -EFAULT;
        tod_set(vm, tod, 0);
        return 0;
    }
    default: return -ENXIO;
    }
}

static int tod_get_attr(struct vm *vm, const struct kvm_device_attr *a)
{
    if (a->flags)
        return -EINVAL;
    struct kvm_s390_vm_tod_clock c;
    switch (a->attr) {
    case KVM_S390_VM_TOD_EXT: tod_get(vm, &c); return copy_to_user(a->addr, &c, sizeof(c));
    case KVM_S390_VM_TOD_HIGH: {
        uint8_t high = 0;
        return copy_to_user(a->addr, &high, sizeof(high));
    }
    case KVM_S390_VM_TOD_LOW: {
        uint64_t now;
        uint8_t ei;
        host_tod(&now, &ei);
        now += vm->arch.s390.epoch;
        return copy_to_user(a->addr, &now, sizeof(now));
    }
    default: return -ENXIO;
    }
}

/* ------------------------------------------------------------------ KVM_S390_VM_CPU_MODEL */
static int cpu_set(struct vm *vm, const struct kvm_device_attr *a)
{
    struct s390_vm *s = &vm->arch.s390;
    switch (a->attr) {
    case KVM_S390_VM_CPU_PROCESSOR: {
        if (vm->nr_vcpus)
            return -EBUSY;
        struct kvm_s390_vm_cpu_processor p;
        if (copy_from_user(&p, a->addr, sizeof(p)))
            return -EFAULT;
        s->cpuid = p.cpuid;
        unsigned lowest = HOST_IBC >> 16 & 0xfff, unblocked = HOST_IBC & 0xfff;
        if (lowest && p.ibc)
            s->ibc = p.ibc > unblocked ? unblocked : p.ibc < lowest ? lowest : p.ibc;
        memcpy(s->fac_list, p.fac_list, FAC_BYTES);
        return 0;
    }
    case KVM_S390_VM_CPU_PROCESSOR_FEAT: {
        struct kvm_s390_vm_cpu_feat f;
        if (copy_from_user(&f, a->addr, sizeof(f)))
            return -EFAULT;
        for (unsigned i = 0; i < 16; i++)
            if (f.feat[i] & ~(i ? 0 : HOST_CPU_FEAT_WORD0))
                return -EINVAL;
        if (vm->nr_vcpus)
            return -EBUSY;
        s->cpu_feat = f;
        return 0;
    }
    case KVM_S390_VM_CPU_PROCESSOR_SUBFUNC: {
        if (vm->nr_vcpus)
            return -EBUSY;
        struct kvm_s390_vm_cpu_subfunc sf;
        if (copy_from_user(&sf, a->addr, sizeof(sf)))
            return -EFAULT;
        s->subfuncs = sf;
        return 0;
    }
    case KVM_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST: {
        uint64_t feat;
        if (copy_from_user(&feat, a->addr, sizeof(feat)))
            return -EFAULT;
        if (feat) /* the host has no Ultravisor: nothing may be set */
            return -EINVAL;
        return vm->nr_vcpus ? -EBUSY : 0;
    }
    default: return -ENXIO;
    }
}

static int cpu_get(struct vm *vm, const struct kvm_device_attr *a)
{
    const struct s390_vm *s = &vm->arch.s390;
    switch (a->attr) {
    case KVM_S390_VM_CPU_PROCESSOR: {
        struct kvm_s390_vm_cpu_processor p = {.cpuid = s->cpuid, .ibc = s->ibc};
        memcpy(p.fac_list, s->fac_list, FAC_BYTES);
        return copy_to_user(a->addr, &p, sizeof(p));
    }
    case KVM_S390_VM_CPU_MACHINE: {
        struct kvm_s390_vm_cpu_machine *m = calloc(1, sizeof(*m)); /* 4 KiB */
        if (!m)
            return -ENOMEM;
        m->cpuid = HOST_CPUID;
        m->ibc = HOST_IBC;
        memcpy(m->fac_mask, s->fac_mask, FAC_BYTES);
        fac_from_list((uint8_t *)m->fac_list, host_facilities);
        int err = copy_to_user(a->addr, m, sizeof(*m));
        free(m);
        return err;
    }
    case KVM_S390_VM_CPU_PROCESSOR_FEAT: return copy_to_user(a->addr, &s->cpu_feat, 128);
    case KVM_S390_VM_CPU_MACHINE_FEAT: {
        struct kvm_s390_vm_cpu_feat f = {.feat = {HOST_CPU_FEAT_WORD0}};
        return copy_to_user(a->addr, &f, sizeof(f));
    }
    case KVM_S390_VM_CPU_PROCESSOR_SUBFUNC:
        return copy_to_user(a->addr, &s->subfuncs, sizeof(s->subfuncs));
    case KVM_S390_VM_CPU_MACHINE_SUBFUNC:
        return copy_to_user(a->addr, host_subfuncs(), sizeof(struct kvm_s390_vm_cpu_subfunc));
    case KVM_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST:
    case KVM_S390_VM_CPU_MACHINE_UV_FEAT_GUEST: {
        uint64_t none = 0;
        return copy_to_user(a->addr, &none, sizeof(none));
    }
    default: return -ENXIO;
    }
}

/* ------------------------------------------------------------------ KVM_S390_VM_CRYPTO */
static int crypto_set(struct vm *vm, const struct kvm_device_attr *a)
{
    struct s390_vm *s = &vm->arch.s390;
    bool aes =
        a->attr == KVM_S390_VM_CRYPTO_ENABLE_AES_KW || a->attr == KVM_S390_VM_CRYPTO_DISABLE_AES_KW;
    bool enable =
        a->attr == KVM_S390_VM_CRYPTO_ENABLE_AES_KW || a->attr == KVM_S390_VM_CRYPTO_ENABLE_DEA_KW;
    switch (a->attr) {
    case KVM_S390_VM_CRYPTO_ENABLE_AES_KW:
    case KVM_S390_VM_CRYPTO_DISABLE_AES_KW:
    case KVM_S390_VM_CRYPTO_ENABLE_DEA_KW:
    case KVM_S390_VM_CRYPTO_DISABLE_DEA_KW:
        if (!vm_facility(vm, 76)) /* message-security-assist extension 3 */
            return -EINVAL;
        break;
    case KVM_S390_VM_CRYPTO_ENABLE_APIE:
    case KVM_S390_VM_CRYPTO_DISABLE_APIE: return -EOPNOTSUPP; /* no AP instructions */
    default: return -ENXIO;
    }
    uint8_t *mask = aes ? s->aes_wrapping_key_mask : s->dea_wrapping_key_mask;
    size_t len = aes ? sizeof(s->aes_wrapping_key_mask) : sizeof(s->dea_wrapping_key_mask);
    /* a fresh wrapping-key mask on every enable, cleared on disable */
    if (!enable)
        memset(mask, 0, len);
    else if (getrandom(mask, len, 0) != (ssize_t)len)
        return -EAGAIN;
    *(aes ? &s->aes_kw : &s->dea_kw) = enable;
    return 0;
}

/* ------------------------------------------------------------------ KVM_S390_VM_MIGRATION */
static int migration_set(struct vm *vm, const struct kvm_device_attr *a)
{
    struct s390_vm *s = &vm->arch.s390;
    switch (a->attr) {
    case KVM_S390_VM_MIGRATION_START: {
        if (s->migration_mode)
            return 0;
        bool any = false;
        for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++)
            any |= vm->slots[i].used;
        if (!any)
            return -EINVAL;
        if (s->use_cmma) /* the CMMA dirty state lives in the slots' dirty bitmaps */
            for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++)
                if (vm->slots[i].used && !(vm->slots[i].flags & KVM_MEM_LOG_DIRTY_PAGES))
                    return -EINVAL;
        s->migration_mode = true;
        return 0;
    }
    case KVM_S390_VM_MIGRATION_STOP: s->migration_mode = false; return 0;
    default: return -ENXIO;
    }
}

static int migration_get(struct vm *vm, const struct kvm_device_attr *a)
{
    if (a->attr != KVM_S390_VM_MIGRATION_STATUS)
        return -ENXIO;
    uint64_t mode = vm->arch.s390.migration_mode;
    return copy_to_user(a->addr, &mode, sizeof(mode));
}

/* kvm_arch_prepare_memory_region */
static int prepare_memory_region(struct vm *vm, const struct kvm_userspace_memory_region *m,
                                 bool flags_only)
{
    if (!flags_only) { /* slots begin and end on 1 MiB segments, below the memory limit */
        if ((m->userspace_addr & 0xfffff) || (m->memory_size & 0xfffff))
            return -EINVAL;
        if (m->guest_phys_addr + m->memory_size > vm->arch.s390.mem_limit)
            return -EINVAL;
    }
    /* a slot created or changed without dirty logging ends migration mode */
    if (!(m->flags & KVM_MEM_LOG_DIRTY_PAGES))
        vm->arch.s390.migration_mode = false;
    return 0;
}

/* ------------------------------------------------------------------ dispatch */
static int has_attr(struct vm *vm, const struct kvm_device_attr *a)
{
    switch (a->group) {
    case KVM_S390_VM_MEM_CTRL: return a->attr <= KVM_S390_VM_MEM_LIMIT_SIZE ? 0 : -ENXIO;
    case KVM_S390_VM_TOD:
        return a->attr == KVM_S390_VM_TOD_LOW || a->attr == KVM_S390_VM_TOD_HIGH ? 0 : -ENXIO;
    case KVM_S390_VM_CPU_MODEL:
        return a->attr <= KVM_S390_VM_CPU_MACHINE_UV_FEAT_GUEST ? 0 : -ENXIO;
    case KVM_S390_VM_CRYPTO: return a->attr <= KVM_S390_VM_CRYPTO_DISABLE_DEA_KW ? 0 : -ENXIO;
    case KVM_S390_VM_MIGRATION: return 0;
    case KVM_S390_VM_CPU_TOPOLOGY: return vm_facility(vm, 11) ? 0 : -ENXIO;
    default: return -ENXIO;
    }
}

/* kvm_s390_vm_set_attr / _get_attr: one handler per group */
static const struct {
    int (*set)(struct vm *vm, const struct kvm_device_attr *a);
    int (*get)(struct vm *vm, const struct kvm_device_attr *a);
} groups[] = {
    [KVM_S390_VM_MEM_CTRL] = {mem_set, mem_get},
    [KVM_S390_VM_TOD] = {tod_set_attr, tod_get_attr},
    [KVM_S390_VM_CRYPTO] = {crypto_set, NULL},
    [KVM_S390_VM_CPU_MODEL] = {cpu_set, cpu_get},
    [KVM_S390_VM_MIGRATION] = {migration_set, migration_get},
    /* KVM_S390_VM_CPU_TOPOLOGY needs facility 11, which KVM_CAP_S390_CPU_TOPOLOGY would
     * enable and libioe does not offer: ENXIO like any group without a handler */
};

static int vm_attr(struct vm *vm, unsigned long req, uint64_t uptr)
{
    struct kvm_device_attr a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    if (req == KVM_HAS_DEVICE_ATTR)
        return has_attr(vm, &a);
    if (a.group >= sizeof(groups) / sizeof(groups[0]))
        return -ENXIO;
    int (*fn)(struct vm *, const struct kvm_device_attr *) =
        req == KVM_SET_DEVICE_ATTR ? groups[a.group].set : groups[a.group].get;
    return fn ? fn(vm, &a) : -ENXIO;
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_SET_DEVICE_ATTR:
    case KVM_GET_DEVICE_ATTR:
    case KVM_HAS_DEVICE_ATTR: return vm_attr(vm, req, arg);
    /* adapter routes and irqfds (irqfd.c), delivered through the FLIC */
    case KVM_SET_GSI_ROUTING: return vm_set_gsi_routing(vm, arg);
    case KVM_IRQFD: return vm_irqfd(vm, arg);
    default: return -ENOTTY;
    }
}

static long check_extension(struct sys *s, struct vm *vm, long ext)
{
    (void)vm;
    switch (ext) {
    case KVM_CAP_ONE_REG:
    case KVM_CAP_ENABLE_CAP:
    case KVM_CAP_VM_ATTRIBUTES:
    /* HAVE_KVM_IRQCHIP and HAVE_KVM_IRQ_ROUTING; KVM_CAP_IRQFD_RESAMPLE is s390's own 1 */
    case KVM_CAP_IRQFD:
    case KVM_CAP_IRQFD_RESAMPLE: return 1;
    case KVM_CAP_IRQ_ROUTING: return IOE_KVM_MAX_IRQ_ROUTES;
    default: return persona_caps_common(s, ext);
    }
}

/* s390 has no KVM_IRQ_LINE (no __KVM_HAVE_IRQ_LINE): kvm_arch_vm_ioctl's default */
static int irq_line(struct vm *vm, uint32_t irq, uint32_t level)
{
    (void)vm, (void)irq, (void)level;
    return -ENOTTY;
}

const struct persona persona_s390x = {
    .name = "s390x",
    .arch = HOST_S390X,
    .vm_type = vm_type,
    .check_extension = check_extension,
    .irq_line = irq_line,
    .irqfd = &irqfd_s390x,
    .vm_ioctl = vm_ioctl,
    .prepare_memory_region = prepare_memory_region,
    .enotty_sys = EINVAL,
    .enotty_vm = ENOTTY,
    .enotty_vcpu = ENOTTY,
};
