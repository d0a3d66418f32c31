/*
 * KVM_{SET,GET,HAS}_DEVICE_ATTR in one line each, for the VGIC API tests (include after
 * <cmocka.h> and assert_errno.h): the value at `addr` is a u32 or a u64 as the group says.
 */
#ifndef IOE_TEST_VGIC_ATTR_H
#define IOE_TEST_VGIC_ATTR_H

#include <stdint.h>

#include <ioe/ioe.h>

static inline int dattr(int fd, unsigned long req, uint32_t group, uint64_t attr, const void *addr)
{
    struct kvm_device_attr a = {
        .flags = 0, .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr};
    return ioe_ioctl(fd, req, &a);
}

static inline int set_u64(int fd, uint32_t group, uint64_t attr, uint64_t val)
{
    return dattr(fd, KVM_SET_DEVICE_ATTR, group, attr, &val);
}

static inline int set_u32(int fd, uint32_t group, uint64_t attr, uint32_t val)
{
    return dattr(fd, KVM_SET_DEVICE_ATTR, group, attr, &val);
}

static inline int has(int fd, uint32_t group, uint64_t attr)
{
    return dattr(fd, KVM_HAS_DEVICE_ATTR, group, attr, NULL);
}

static inline uint32_t get_u32(int fd, uint32_t group, uint64_t attr)
{
    uint32_t v = 0xdeadbeef;
    assert_ok(dattr(fd, KVM_GET_DEVICE_ATTR, group, attr, &v));
    return v;
}

static inline uint64_t get_u64(int fd, uint32_t group, uint64_t attr)
{
    uint64_t v = 0xdeadbeefdeadbeefull;
    assert_ok(dattr(fd, KVM_GET_DEVICE_ATTR, group, attr, &v));
    return v;
}

#endif
