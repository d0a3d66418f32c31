/*
 * SDEI for arm64 VMs (sdei.c): the VMM's KVM_ARM_SDEI_COMMAND, the guest's SDEI calls and
 * event delivery. All of it is libioe software; the card is not involved.
 */
#ifndef IOE_SDEI_H
#define IOE_SDEI_H

#include "internal.h"

/* KVM_ARM_SDEI_COMMAND on a VM; the vCPU's SDEI requests; -ENOTTY for other requests */
int sdei_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg);
int sdei_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg);
/* an SDEI event may be delivered to the vCPU now (its descriptor is readable) */
bool sdei_vcpu_pending(struct vcpu *v);
/* the VM goes away: its SDEI state and its vCPUs' */
void sdei_vm_free(struct vm *vm);

#endif
