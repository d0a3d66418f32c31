/*
 * Linux KVM's own software interrupt injection on this host, the alternative to the card:
 * the latency from an injection ioctl (or eventfd write) to a guest's interrupt handler
 * running, measured on a minimal VM through /dev/kvm. x86 only; elsewhere it reports why.
 */
#ifndef IOE_BENCH_KVM_BASELINE_H
#define IOE_BENCH_KVM_BASELINE_H

#include <stddef.h>
#include <stdint.h>

/* Measure Linux KVM's software injection path on this host: a minimal VM with an
 * in-kernel irqchip and a tiny guest whose interrupt handler signals back.
 * Returns 0 and fills up to n samples (ns from injection to the guest's signal) for
 * each method, or -errno with a one-line human reason in why[] when /dev/kvm is not
 * usable here (the caller prints it and skips). */
struct kvm_baseline {
    uint64_t *msi_ns;      /* KVM_SIGNAL_MSI, n entries (caller allocates) */
    uint64_t *msi_call_ns; /* the KVM_SIGNAL_MSI call alone (its return), n entries */
    uint64_t *irqfd_ns;    /* eventfd write to a KVM_IRQFD-bound GSI, n entries */
    unsigned n;
};
int kvm_baseline_run(struct kvm_baseline *b, char *why, size_t whylen);

/* Injections are this far apart (after the previous signal), inside KVM's default
 * halt-polling window: the samples are the polled wake-up of a just-halted vCPU, KVM's
 * best case (a vCPU asleep for longer takes a scheduler wake-up on top). The call
 * installs a no-op SIGUSR2 handler while it runs (to stop its vCPU thread). */
#define KVM_BASELINE_GAP_NS 50000l

#endif
