/*
 * <ioe/kick.h> - vCPU requests and kicks between libioe and a VMM's run loop, in the
 * manner of KVM's (Documentation/virtual/kvm/vcpu-requests.rst; docs/api.md "vCPU requests
 * and kicks"). Lock-free; any thread may make a request, one thread runs the vCPU. A C11
 * header (<stdatomic.h>).
 *
 *   vCPU thread                                  requester (any thread)
 *   for (;;) {                                   ...write the state the request names...
 *       reqs = ioe_kick_take(k);  handle reqs    ioe_kick_request(k, REQ);
 *       if (!ioe_kick_enter(k)) continue;          (sets the bit, then kicks the vCPU
 *       ...run the guest until it exits or          if it is in guest mode)
 *          the kick callback forces an exit...
 *       ioe_kick_exit(k);
 *   }
 */
#ifndef IOE_KICK_H
#define IOE_KICK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* vcpu->mode */
#define IOE_OUTSIDE_GUEST_MODE 0u
#define IOE_IN_GUEST_MODE 1u
#define IOE_EXITING_GUEST_MODE 2u

/* requests libioe makes (bits 0..7 are libioe's, 8..63 the VMM's own) */
#define IOE_REQ_IRQ 0 /* the vCPU's descriptor is readable: an interrupt or SDEI event */

struct ioe_kick {
    _Atomic uint32_t mode;
    _Atomic uint64_t requests;
    /* forces the vCPU thread out of guest mode (the VMM's IPI: a signal, an eventfd write);
     * called by the requester, possibly with libioe's lock held: it must not call libioe */
    void (*kick)(void *arg);
    void *arg;
};

/* A vCPU that is outside guest mode, with no request and `kick` (may be NULL). */
void ioe_kick_init(struct ioe_kick *k, void (*kick)(void *arg), void *arg);
/* Make request `req` (0..63) and kick the vCPU if it is in guest mode; true when this call
 * kicked it (one kick per guest entry: IN_GUEST -> EXITING). */
bool ioe_kick_request(struct ioe_kick *k, unsigned req);
/* The vCPU thread is about to enter the guest: true to go on; false when a request is
 * pending (the thread stays outside guest mode and handles it first). */
bool ioe_kick_enter(struct ioe_kick *k);
/* The vCPU thread left the guest. */
void ioe_kick_exit(struct ioe_kick *k);
/* Take every pending request (cleared), with what was written before they were made. */
uint64_t ioe_kick_take(struct ioe_kick *k);

/* The kick block of a libioe vCPU descriptor (valid while the descriptor is open), or NULL
 * with errno EBADF. libioe makes IOE_REQ_IRQ on it when it finds the descriptor readable;
 * the VMM sets k->kick / k->arg once, before running the vCPU. */
struct ioe_kick *ioe_vcpu_kick(int vcpu_fd);
/* on: the VMM waits on the kick block only (as with KVM, whose vCPU descriptors are not
 * pollable): libioe stops keeping the descriptor's readability, which poll() and epoll
 * never report from then on, so making IOE_REQ_IRQ costs no system call. off (the
 * default): the descriptor is brought up to date at once and kept so. 0, or -1 with errno
 * EBADF for a descriptor that is not a libioe vCPU's. */
int ioe_vcpu_kick_only(int vcpu_fd, bool on);

#endif
