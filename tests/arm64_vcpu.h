/*
 * An arm64 vCPU set up as a VMM sets it up (QEMU's kvm_arm_vcpu_init, kvmtool's
 * kvm_cpu__arch_init): the target from KVM_ARM_PREFERRED_TARGET on the VM, then
 * KVM_ARM_VCPU_INIT with PSCI 0.2, every vCPU but the boot one powered off. The one helper
 * every arm64 suite uses after KVM_CREATE_VCPU.
 */
#ifndef IOE_TEST_ARM64_VCPU_H
#define IOE_TEST_ARM64_VCPU_H

#include <stdint.h>

#include <ioe/ioe.h>

/* 0, or -1 with errno; `extra` adds KVM_ARM_VCPU_* feature bits (PMU_V3, ...) */
static inline int t_arm64_vcpu_init(int vm, int vcpu, int index, uint32_t extra)
{
    struct kvm_vcpu_init init;
    if (ioe_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init))
        return -1;
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2 | extra;
    if (index > 0)
        init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
    return ioe_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
}

#endif
