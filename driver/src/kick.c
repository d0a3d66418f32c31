/*
 * vCPU requests and kicks (<ioe/kick.h>): the Dekker pattern of vcpu-requests.rst, with
 * `mode` and `requests` as its two variables. The requester sets the request, then reads
 * the mode; the vCPU sets the mode, then reads the requests; each pair is ordered by a
 * sequentially consistent fence, so at least one side sees the other's write: either the
 * vCPU sees the request and does not enter, or the requester sees IN_GUEST_MODE and kicks.
 * (tests/kick.pml checks the pattern, and that it fails with the vCPU's order swapped.)
 */
#include <ioe/kick.h>

void ioe_kick_init(struct ioe_kick *k, void (*kick)(void *arg), void *arg)
{
    atomic_init(&k->mode, IOE_OUTSIDE_GUEST_MODE);
    atomic_init(&k->requests, 0);
    k->kick = kick;
    k->arg = arg;
}

bool ioe_kick_request(struct ioe_kick *k, unsigned req)
{
    /* kvm_make_request (release: the request's state is visible with it), then the fence
     * of kvm_vcpu_kick's mode check */
    atomic_fetch_or_explicit(&k->requests, 1ull << (req & 63), memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    uint32_t in = IOE_IN_GUEST_MODE;
    if (!atomic_compare_exchange_strong(&k->mode, &in, IOE_EXITING_GUEST_MODE))
        return false; /* outside guest mode: its next ioe_kick_enter sees the request */
    if (k->kick)
        k->kick(k->arg);
    return true;
}

bool ioe_kick_enter(struct ioe_kick *k)
{
    atomic_store_explicit(&k->mode, IOE_IN_GUEST_MODE, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&k->requests, memory_order_relaxed)) {
        atomic_store_explicit(&k->mode, IOE_OUTSIDE_GUEST_MODE, memory_order_relaxed);
        return false;
    }
    return true;
}

void ioe_kick_exit(struct ioe_kick *k)
{
    atomic_store_explicit(&k->mode, IOE_OUTSIDE_GUEST_MODE, memory_order_release);
}

uint64_t ioe_kick_take(struct ioe_kick *k)
{
    return atomic_exchange_explicit(&k->requests, 0, memory_order_acquire);
}
