/*
 * The s390 VM attributes (Documentation/virt/kvm/devices/vm.rst) on the s390x persona:
 * every group and attribute with the errno and check order of arch/s390/kvm/kvm-s390.c,
 * and the call sequences QEMU's s390 machine makes (CPU model before the first vCPU, TOD
 * across a migration, key wrapping on and off, migration mode around dirty logging).
 * Nothing here reaches the card, so it runs on the C model.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"

struct fixture {
    int kvm, vm;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->kvm = ioe_open_host("soft", "s390x", NULL);
    if (f->kvm < 0)
        fail_msg("ioe_open_host(soft, s390x): %s", ioe_last_error());
    f->vm = ioe_ioctl(f->kvm, KVM_CREATE_VM, 0);
    assert_true(f->vm >= 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ioe_close(f->vm);
    ioe_close(f->kvm);
    free(f);
    return 0;
}

static int attr(int vm, unsigned long req, uint32_t group, uint64_t a, void *p)
{
    struct kvm_device_attr d = {.group = group, .attr = a, .addr = (uint64_t)(uintptr_t)p};
    return ioe_ioctl(vm, req, &d);
}
#define SET(vm, g, a, p) attr(vm, KVM_SET_DEVICE_ATTR, g, a, p)
#define GET(vm, g, a, p) attr(vm, KVM_GET_DEVICE_ATTR, g, a, p)
#define HAS(vm, g, a) attr(vm, KVM_HAS_DEVICE_ATTR, g, a, NULL)

static void *bad_ptr(void)
{
    void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    return p;
}

static bool fac(const void *list, unsigned nr)
{
    return ((const uint8_t *)list)[nr >> 3] & (0x80 >> (nr & 7));
}

/* ------------------------------------------------------------------ HAS_ATTR */
static void test_has_attr(void **state)
{
    struct fixture *f = *state;
    static const struct {
        uint32_t group;
        uint64_t attr;
        int err;
    } rows[] = {
        {KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_ENABLE_CMMA, 0},
        {KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_CLR_CMMA, 0},
        {KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, 0},
        {KVM_S390_VM_MEM_CTRL, 3, ENXIO},
        {KVM_S390_VM_TOD, KVM_S390_VM_TOD_LOW, 0},
        {KVM_S390_VM_TOD, KVM_S390_VM_TOD_HIGH, 0},
        {KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, ENXIO}, /* as kvm_s390_vm_has_attr answers */
        {KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_ENABLE_AES_KW, 0},
        {KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_DISABLE_DEA_KW, 0},
        {KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_ENABLE_APIE, ENXIO}, /* no AP instructions */
        {KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, 0},
        {KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE_UV_FEAT_GUEST, 0},
        {KVM_S390_VM_CPU_MODEL, 8, ENXIO},
        {KVM_S390_VM_MIGRATION, 12345, 0}, /* every attr of the group */
        {KVM_S390_VM_CPU_TOPOLOGY, 0, ENXIO},
        {6, 0, ENXIO},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rows[i].err)
            assert_err(rows[i].err, HAS(f->vm, rows[i].group, rows[i].attr));
        else
            assert_ok(HAS(f->vm, rows[i].group, rows[i].attr));
    }
    /* the attribute structure itself unreadable */
    assert_err(EFAULT, ioe_ioctl(f->vm, KVM_HAS_DEVICE_ATTR, bad_ptr()));
}

/* ------------------------------------------------------------------ MEM_CTRL */
static void test_mem_ctrl(void **state)
{
    struct fixture *f = *state;
    uint64_t limit = 0, big = KVM_S390_NO_MEM_LIMIT, zero = 0, small = 1ull << 31;
    assert_ok(GET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &limit));
    assert_int_equal(limit, 0xfffffffffffff000ull); /* TASK_SIZE_MAX */
    assert_err(ENXIO, GET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_ENABLE_CMMA, &limit));
    /* LIMIT_SIZE: EFAULT, E2BIG, EINVAL, then EBUSY */
    assert_err(EFAULT, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, bad_ptr()));
    assert_err(E2BIG, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &big));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &zero));
    assert_ok(SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &small));
    /* CMMA: clearing needs it enabled; enabling needs no vCPU yet */
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_CLR_CMMA, NULL));
    assert_ok(SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_ENABLE_CMMA, NULL));
    assert_ok(SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_CLR_CMMA, NULL));
    assert_err(ENXIO, SET(f->vm, KVM_S390_VM_MEM_CTRL, 7, NULL));
    int cpu = ioe_ioctl(f->vm, KVM_CREATE_VCPU, 0);
    assert_true(cpu >= 0);
    assert_err(EBUSY, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_ENABLE_CMMA, NULL));
    assert_err(E2BIG, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &big));
    assert_err(EBUSY, SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE, &small));
    ioe_close(cpu);
}

/* ------------------------------------------------------------------ TOD */
static void test_tod(void **state)
{
    struct fixture *f = *state;
    struct kvm_s390_vm_tod_clock c, d;
    uint64_t low;
    uint8_t high = 1;
    struct kvm_device_attr flagged = {.flags = 1,
                                      .group = KVM_S390_VM_TOD,
                                      .attr = KVM_S390_VM_TOD_LOW,
                                      .addr = (uint64_t)(uintptr_t)&low};
    assert_err(EINVAL, ioe_ioctl(f->vm, KVM_GET_DEVICE_ATTR, &flagged));
    assert_err(EINVAL, ioe_ioctl(f->vm, KVM_SET_DEVICE_ATTR, &flagged));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_HIGH, &high));
    high = 0;
    assert_ok(SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_HIGH, &high));
    assert_ok(GET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_HIGH, &high));
    assert_int_equal(high, 0);
    assert_err(ENXIO, SET(f->vm, KVM_S390_VM_TOD, 3, &low));
    assert_err(EFAULT, GET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_LOW, bad_ptr()));
    /* a migration: the source's clock set on the destination keeps running from there */
    const uint64_t src = 0x123456789abcdef0ull;
    memset(&c, 0, sizeof(c));
    c.tod = src;
    c.epoch_idx = 0;
    assert_ok(SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &c));
    assert_ok(GET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &d));
    assert_true(d.tod >= src && d.tod - src < (60ull * 1000000 << 12)); /* within a minute */
    assert_ok(GET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_LOW, &low));
    assert_true(low >= d.tod);
    /* the multiple-epoch facility (139) is in this VM's model: an epoch index is taken */
    c.epoch_idx = 2;
    assert_ok(SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &c));
    assert_ok(GET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &d));
    assert_int_equal(d.epoch_idx, 2);
    /* a CPU model without it refuses a non-zero index */
    struct kvm_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    ((uint8_t *)p->fac_list)[139 >> 3] &= (uint8_t) ~(0x80 >> (139 & 7));
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &c));
    c.epoch_idx = 0;
    assert_ok(SET(f->vm, KVM_S390_VM_TOD, KVM_S390_VM_TOD_EXT, &c));
    free(p);
}

/* ------------------------------------------------------------------ CPU_MODEL */
static void test_cpu_model(void **state)
{
    struct fixture *f = *state;
    struct kvm_s390_vm_cpu_machine *m = calloc(1, sizeof(*m));
    struct kvm_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
    struct kvm_s390_vm_cpu_feat feat, mfeat;
    struct kvm_s390_vm_cpu_subfunc *sf = calloc(1, sizeof(*sf)), *msf = calloc(1, sizeof(*msf));
    assert_int_equal(sizeof(*m), 4112);
    assert_int_equal(sizeof(*p), 2064);
    assert_int_equal(sizeof(*sf), 2048);

    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE, m));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_err(ENXIO, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE, m)); /* r/o */
    /* the guest starts as the host with version 0xff and the facilities KVM passes on */
    assert_int_equal(p->cpuid, m->cpuid | 0xffull << 56);
    assert_int_equal(p->ibc, m->ibc & 0xfff);
    for (unsigned nr = 0; nr < 2048 * 8; nr++)
        if (fac(p->fac_list, nr))
            assert_true(fac(m->fac_mask, nr));
    assert_true(fac(p->fac_list, 76) && fac(p->fac_list, 138) && fac(p->fac_list, 74));
    assert_false(fac(p->fac_list, 17)); /* the host's MSA is not in KVM's lists */
    assert_true(fac(m->fac_list, 17));

    /* PROCESSOR: IBC clamped into the host's range */
    p->ibc = 0xfff;
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_int_equal(p->ibc, m->ibc & 0xfff);
    p->ibc = 1;
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_int_equal(p->ibc, m->ibc >> 16 & 0xfff);
    assert_err(EFAULT, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, bad_ptr()));

    /* features: only what the machine offers */
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE_FEAT, &mfeat));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, &feat));
    for (int i = 0; i < 16; i++)
        assert_int_equal(feat.feat[i], 0);
    feat = mfeat;
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, &feat));
    feat.feat[15] = 1;
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, &feat));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, &feat));
    assert_memory_equal(&feat, &mfeat, sizeof(feat));

    /* subfunctions: start as the machine's, then what the VMM writes */
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE_SUBFUNC, msf));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_SUBFUNC, sf));
    assert_memory_equal(sf, msf, sizeof(*sf));
    memset(sf->plo, 0, sizeof(sf->plo));
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_SUBFUNC, sf));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_SUBFUNC, msf));
    assert_memory_equal(sf, msf, sizeof(*sf));

    /* the Ultravisor features: none on this host */
    uint64_t uv = 1;
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_MACHINE_UV_FEAT_GUEST, &uv));
    assert_int_equal(uv, 0);
    uv = 1;
    assert_err(EINVAL,
               SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST, &uv));
    assert_err(ENXIO, GET(f->vm, KVM_S390_VM_CPU_MODEL, 9, &uv));

    /* after the first vCPU: EBUSY, after the checks each attribute makes first */
    int cpu = ioe_ioctl(f->vm, KVM_CREATE_VCPU, 0);
    assert_true(cpu >= 0);
    assert_err(EBUSY, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, bad_ptr()));
    assert_err(EFAULT,
               SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, bad_ptr()));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT,
                           &(struct kvm_s390_vm_cpu_feat){.feat = {[3] = 1}}));
    assert_err(EBUSY, SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_FEAT, &mfeat));
    assert_err(EBUSY,
               SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_SUBFUNC, bad_ptr()));
    uv = 0;
    assert_err(EBUSY,
               SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST, &uv));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    ioe_close(cpu);
    free(m), free(p), free(sf), free(msf);
}

/* ------------------------------------------------------------------ CRYPTO */
static void test_crypto(void **state)
{
    struct fixture *f = *state;
    for (uint64_t a = KVM_S390_VM_CRYPTO_ENABLE_AES_KW; a <= KVM_S390_VM_CRYPTO_DISABLE_DEA_KW; a++)
        assert_ok(SET(f->vm, KVM_S390_VM_CRYPTO, a, NULL));
    assert_err(EOPNOTSUPP, SET(f->vm, KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_ENABLE_APIE, NULL));
    assert_err(ENXIO, SET(f->vm, KVM_S390_VM_CRYPTO, 6, NULL));
    assert_err(ENXIO, GET(f->vm, KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_ENABLE_AES_KW, NULL));
    /* without MSA extension 3 in the CPU model, key wrapping is refused */
    struct kvm_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
    assert_ok(GET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    ((uint8_t *)p->fac_list)[76 >> 3] &= (uint8_t) ~(0x80 >> (76 & 7));
    assert_ok(SET(f->vm, KVM_S390_VM_CPU_MODEL, KVM_S390_VM_CPU_PROCESSOR, p));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_ENABLE_AES_KW, NULL));
    assert_err(EOPNOTSUPP, SET(f->vm, KVM_S390_VM_CRYPTO, KVM_S390_VM_CRYPTO_DISABLE_APIE, NULL));
    free(p);
}

/* ------------------------------------------------------------------ MIGRATION */
static void slot(int vm, uint32_t id, uint32_t flags, void *mem, uint64_t size)
{
    struct kvm_userspace_memory_region r = {.slot = id,
                                            .flags = flags,
                                            .guest_phys_addr = 0,
                                            .memory_size = size,
                                            .userspace_addr = (uint64_t)(uintptr_t)mem};
    assert_ok(ioe_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
}

static void test_migration(void **state)
{
    struct fixture *f = *state;
    uint64_t st = 7;
    assert_ok(GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, &st));
    assert_int_equal(st, 0);
    assert_err(ENXIO, GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, &st));
    assert_err(ENXIO, SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, NULL));
    assert_err(EFAULT, GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, bad_ptr()));
    /* no memory: the VM's state is invalid for it */
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, NULL));
    const uint64_t size = 1 << 20;
    void *raw = ioe_mem_alloc(2 * size);
    assert_non_null(raw);
    /* s390 slots begin and end on 1 MiB segments */
    void *mem = (void *)(((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1));
    struct kvm_userspace_memory_region r = {
        .slot = 1, .memory_size = size, .userspace_addr = (uint64_t)(uintptr_t)mem + 4096};
    assert_err(EINVAL, ioe_ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &r));
    r.userspace_addr -= 4096;
    r.memory_size -= 4096;
    assert_err(EINVAL, ioe_ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &r));
    slot(f->vm, 0, 0, mem, size);
    /* with CMMA in use, every slot must log dirty pages */
    assert_ok(SET(f->vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_ENABLE_CMMA, NULL));
    assert_err(EINVAL, SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, NULL));
    slot(f->vm, 0, KVM_MEM_LOG_DIRTY_PAGES, mem, size);
    assert_ok(SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, NULL));
    assert_ok(SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, NULL));
    assert_ok(GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, &st));
    assert_int_equal(st, 1);
    /* turning dirty logging off ends migration mode */
    slot(f->vm, 0, 0, mem, size);
    assert_ok(GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, &st));
    assert_int_equal(st, 0);
    slot(f->vm, 0, KVM_MEM_LOG_DIRTY_PAGES, mem, size);
    assert_ok(SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_START, NULL));
    assert_ok(SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STOP, NULL));
    assert_ok(SET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STOP, NULL));
    assert_ok(GET(f->vm, KVM_S390_VM_MIGRATION, KVM_S390_VM_MIGRATION_STATUS, &st));
    assert_int_equal(st, 0);
    struct kvm_userspace_memory_region del = {.slot = 0};
    assert_ok(ioe_ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &del));
    assert_ok(ioe_mem_free(raw));
}

/* ------------------------------------------------------------------ other personas */
static void test_other_hosts(void **state)
{
    (void)state;
    /* the VM descriptor takes no device attributes on the other hosts (arm64 has its own
     * SMCCC group, which libioe does not offer: ENXIO there) */
    static const struct {
        const char *host;
        int err;
    } t[] = {{"x86_64", ENOTTY}, {"ppc64", ENOTTY}, {"ppc-booke", ENOTTY}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int kvm = ioe_open_host("soft", t[i].host, NULL);
        int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        assert_err(t[i].err, HAS(vm, KVM_S390_VM_MEM_CTRL, KVM_S390_VM_MEM_LIMIT_SIZE));
        ioe_close(vm);
        ioe_close(kvm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_has_attr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mem_ctrl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tod, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cpu_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crypto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
        cmocka_unit_test(test_other_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
