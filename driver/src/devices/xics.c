/*
 * KVM_DEV_TYPE_XICS (PAPR XICS) on the card's XIVE engine, the way Linux serves XICS on
 * POWER9 hosts ("XICS-on-XIVE", book3s_xive.c; reference kvm-ppc-s390-abi.md section 3.3).
 * Every XICS source is backed by one of the card's XIVE sources (KVM's per-source "HW
 * IPI"), every connected vCPU has the card's thread context of its index as its ICP and
 * one more card source as its IPI, and the event queues are pages libioe owns and maps
 * into the VM's DMA space above the guest's (docs/api.md, "KVM_DEV_TYPE_XICS"). The card
 * routes, queues and presents; libioe keeps what KVM keeps beside the hardware (guest
 * priorities, saved P/Q while masked, the XICS view of each ICP: CPPR, MFRR, pending
 * priorities, queue read positions) and serves the guest's XICS hcalls as
 * book3s_xive.c's xive_vm_h_* do.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xive_port.h"

#define FIRST_IRQ 16u     /* KVMPPC_XICS_FIRST_IRQ */
#define NR_IRQS 0x100000u /* KVMPPC_XICS_NR_IRQS */
#define ICS_SHIFT 10      /* source blocks (ICS) of 1024 */
#define ICS_SIZE (1u << ICS_SHIFT)
#define NR_ICS (NR_IRQS >> ICS_SHIFT)
#define XICS_DUMMY 1 /* a queue entry taken out by H_CPPR */
#define XICS_IPI 2
#define MASKED 0xff
#define Q_COUNT 8  /* priorities (queues) per vCPU */
#define Q_SHIFT 16 /* 64 KiB queues: PAGE_SHIFT of a 64K-page POWER9 host */
#define Q_BYTES (1u << Q_SHIFT)
#define Q_MASK ((Q_BYTES >> 2) - 1)
#define Q_GAP 2
/* the queues' guest-physical addresses: the top 256 MiB below 2^48 (MAX_VCPUS x 8 x 64K) */
#define Q_GPA_BASE ((1ull << 48) - (uint64_t)MAX_VCPUS * Q_COUNT * Q_BYTES)
#define TB_HZ 512000000ull /* the POWER9 timebase */

struct xsrc {
    uint32_t hw; /* the card source + 1 (KVM's ipi_number); 0: none yet */
    uint32_t act_server;
    uint8_t guest_priority, saved_priority, act_priority, saved_scan_prio;
    bool valid, lsi, asserted, old_p, old_q, saved_p, saved_q, in_queue;
};

struct xblock {
    struct xsrc s[ICS_SIZE];
};

struct xq {
    uint8_t *page; /* NULL: not provisioned */
    uint32_t idx, toggle, count, pending_count;
};

/* a connected vCPU (KVM's struct kvmppc_xive_vcpu) */
struct icp {
    uint32_t server; /* first: xive_port.h finds vCPUs by it */
    uint32_t ipi;    /* card source + 1 */
    uint32_t delayed_irq;
    uint8_t cppr, hw_cppr, mfrr, pending;
    bool valid;
    struct xq q[Q_COUNT];
};

struct xics_dev {
    struct device dev;
    uint32_t nr_servers;
    bool vp_block;
    uint8_t qmap; /* priorities provisioned on every vCPU */
    unsigned delayed_irqs, src_count, saved_src_count;
    struct icp *icps; /* by the card's vCPU index */
    uint8_t *hw_used; /* the card's sources of the VM in use */
    struct xblock *blocks[NR_ICS];
};

static struct xics_dev *to_xics(struct device *d)
{
    return (struct xics_dev *)d;
}

static struct icp *icp_of(const struct vcpu *v)
{
    return v->irq;
}

static int xport(struct xics_dev *d, uint32_t index, enum xop code, uint32_t off, uint64_t wd,
                 uint64_t *rd)
{
    return xive_port(d->dev.vm, index, code, off, wd, rd);
}

static struct sys *sys_of(const struct xics_dev *d)
{
    return d->dev.vm->sys;
}

/* xive_prio_from_guest: guest priorities above 5 share the host's 6 */
static uint8_t prio_from_guest(uint8_t prio)
{
    return prio == MASKED || prio < 6 ? prio : 6;
}

static uint8_t first_prio(uint8_t pending) /* ffs(pending) - 1 as a u8 */
{
    return pending ? (uint8_t)__builtin_ctz(pending) : MASKED;
}

/* kvmppc_xive_find_source: the source's block, or NULL */
static struct xblock *block_of(struct xics_dev *d, uint32_t irq)
{
    return irq >> ICS_SHIFT < NR_ICS ? d->blocks[irq >> ICS_SHIFT] : NULL;
}

static struct vcpu *find_server(struct xics_dev *d, uint32_t server)
{
    return xive_find_server(d->dev.vm, server);
}

/* ------------------------------------------------------------------ the card's sources */
/* xive_native_alloc_irq: a free card source, initialised (MSI, masked, PQ 01); 0: none */
static uint32_t hw_alloc(struct xics_dev *d)
{
    for (uint32_t i = 0; i < sys_of(d)->info.xive_sources; i++)
        if (!d->hw_used[i]) {
            if (xport(d, i, XOP_SOURCE_SET, 0, 0, NULL))
                return 0;
            d->hw_used[i] = 1;
            return i + 1;
        }
    return 0;
}

static uint8_t esb_load(struct xics_dev *d, uint32_t hw, uint32_t off)
{
    uint64_t r = 0;
    xport(d, hw - 1, XOP_ESB_LOAD, XIVE_MGMT_PAGE | off, 0, &r);
    return (uint8_t)r;
}

static void trigger(struct xics_dev *d, uint32_t hw)
{
    xport(d, hw - 1, XOP_TRIGGER, 0, 0, NULL);
}

/* xive_vm_source_eoi of a POWER9 IPI (no store EOI): PQ := 00, re-trigger if Q was set */
static void source_eoi(struct xics_dev *d, uint32_t hw)
{
    if (esb_load(d, hw, XIVE_ESB_SET_PQ_00) & XIVE_ESB_VAL_Q)
        trigger(d, hw);
}

/* xive_native_configure_irq: route to (v, prio) with EISN number, or mask (MASKED) */
static int configure_irq(struct xics_dev *d, uint32_t hw, const struct vcpu *v, uint8_t prio,
                         uint32_t number)
{
    uint64_t eas = KVM_XIVE_SOURCE_MASKED_MASK;
    if (prio != MASKED)
        eas = prio | (uint64_t)v->idx << KVM_XIVE_SOURCE_SERVER_SHIFT |
              (uint64_t)number << KVM_XIVE_SOURCE_EISN_SHIFT;
    return xive_card_err(xport(d, hw - 1, XOP_SOURCE_CONFIG, 0, eas, NULL));
}

/* kvmppc_xive_cleanup_irq and xive_native_free_irq */
static void hw_free(struct xics_dev *d, uint32_t hw)
{
    esb_load(d, hw, XIVE_ESB_SET_PQ_01);
    configure_irq(d, hw, NULL, MASKED, 0);
    d->hw_used[hw - 1] = 0;
}

/* ------------------------------------------------------------------ queues */
static uint64_t q_gpa(const struct vcpu *v, unsigned prio)
{
    return Q_GPA_BASE + ((uint64_t)v->idx * Q_COUNT + prio) * Q_BYTES;
}

/* the queue's entry in the VM's DMA window (iova.c): a pseudo memory slot beyond KVM's,
 * one per queue, so it takes one segment of the card's table */
static unsigned q_slot(const struct vcpu *v, unsigned prio)
{
    return IOE_KVM_USER_MEM_SLOTS + v->idx * Q_COUNT + prio;
}

static void release_queue(struct xics_dev *d, struct vcpu *v, unsigned prio)
{
    struct xq *q = &icp_of(v)->q[prio];
    xport(d, v->idx << 3 | prio, XOP_EQ_CONFIG, 0, 0, NULL);
    if (q->page) {
        dma_win_unmap(v->vm, q_slot(v, prio), q_gpa(v, prio), Q_BYTES);
        ioe_mem_free(q->page);
    }
    memset(q, 0, sizeof(*q));
}

/* xive_provision_queue: a zeroed page the card writes from (generation 1, index 0) */
static int provision_queue(struct xics_dev *d, struct vcpu *v, unsigned prio)
{
    struct xq *q = &icp_of(v)->q[prio];
    if (q->page)
        return 0;
    uint8_t *p = ioe_mem_alloc(Q_BYTES);
    if (!p)
        return -ENOMEM;
    int err = dma_win_map(v->vm, q_slot(v, prio), q_gpa(v, prio), Q_BYTES, (uint64_t)(uintptr_t)p);
    if (err) {
        ioe_mem_free(p);
        return err;
    }
    q->page = p;
    uint32_t cfg = Q_SHIFT | 1u << 8 | 1u << 9; /* ALWAYS_NOTIFY, generation 1, index 0 */
    err = xive_card_err(xport(d, v->idx << 3 | prio, XOP_EQ_CONFIG, cfg, q_gpa(v, prio), NULL));
    if (err)
        release_queue(d, v, prio);
    return err;
}

/* xive_check_provisioning: the priority's queue on every connected vCPU */
static int check_provisioning(struct xics_dev *d, uint8_t prio)
{
    struct vm *vm = d->dev.vm;
    if (d->qmap & 1u << prio)
        return 0;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        int err = icp_of(vm->vcpus[i]) ? provision_queue(d, vm->vcpus[i], prio) : 0;
        if (err)
            return err;
    }
    d->qmap |= (uint8_t)(1u << prio);
    return 0;
}

/* make the card's queue writes visible before libioe reads the pages */
static void eq_sync(struct xics_dev *d)
{
    xport(d, 0, XOP_VM_CTRL, XCTRL_EQ_SYNC, 0, NULL);
}

static uint32_t q_word(const struct xq *q, uint32_t idx)
{
    const uint8_t *b = q->page + 4 * idx;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* __xive_read_eq: the next entry at (idx, toggle), or 0 when there is none */
static uint32_t read_eq(const struct xq *q, uint32_t *idx, uint32_t *toggle)
{
    if (!q->page)
        return 0;
    uint32_t cur = q_word(q, *idx);
    if (cur >> 31 == *toggle)
        return 0;
    *idx = (*idx + 1) & Q_MASK;
    if (!*idx)
        *toggle ^= 1;
    return cur & 0x7fffffff;
}

/* xive_try_pick_queue */
static int try_pick(struct vcpu *v, unsigned prio)
{
    struct icp *x = icp_of(v);
    struct xq *q = &x->q[prio];
    if (!x->valid || !q->page)
        return -ENXIO;
    if (q->count >= Q_MASK + 1 - Q_GAP)
        return -EBUSY;
    q->count++;
    return 0;
}

/* ------------------------------------------------------------------ source state */
/* xive_lock_and_mask: PQ := 10, keeping the old P and Q; the previous guest priority */
static uint8_t lock_and_mask(struct xics_dev *d, struct xsrc *s)
{
    uint8_t old = s->guest_priority;
    s->guest_priority = MASKED;
    if (old == MASKED)
        return old;
    uint8_t pq = esb_load(d, s->hw, XIVE_ESB_SET_PQ_10);
    s->old_p = pq & XIVE_ESB_VAL_P;
    s->old_q = pq & XIVE_ESB_VAL_Q;
    xport(d, s->hw - 1, XOP_SOURCE_SYNC, 0, 0, NULL);
    return old;
}

/* xive_finish_unmask: Q back in the ESB, an effective EOI unless P was set */
static void finish_unmask(struct xics_dev *d, struct xsrc *s, uint8_t prio)
{
    if (s->guest_priority == MASKED) {
        if (s->old_q)
            esb_load(d, s->hw, XIVE_ESB_SET_PQ_11);
        if (!s->old_p)
            source_eoi(d, s->hw);
    }
    s->guest_priority = prio;
}

/* xive_target_interrupt */
static int target_interrupt(struct xics_dev *d, struct xsrc *s, uint32_t irq, uint32_t server,
                            uint8_t prio)
{
    int err = xive_select_target(d->dev.vm, &server, prio, try_pick);
    if (err)
        return err;
    struct vcpu *old = s->act_priority != MASKED ? find_server(d, s->act_server) : NULL;
    if (old)
        icp_of(old)->q[s->act_priority].pending_count++; /* xive_inc_q_pending */
    s->act_priority = prio;
    s->act_server = server;
    return configure_irq(d, s->hw, find_server(d, server), prio, irq);
}

/* ------------------------------------------------------------------ device lifetime */
static int xics_create(struct device *dev)
{
    struct xics_dev *d = to_xics(dev);
    struct vm *vm = dev->vm;
    /* kvmppc_xive_create: one XIVE-family interrupt controller per VM */
    int err = vm_irqchip_check(vm, dev->ops);
    if (err)
        return err;
    d->icps = calloc(vm->sys->info.nr_vcpus, sizeof(*d->icps));
    d->hw_used = calloc(vm->sys->info.xive_sources, 1);
    d->nr_servers = IOE_KVM_MAX_VCPU_IDS; /* KVM_MAX_VCPUS until NR_SERVERS */
    err = d->icps && d->hw_used ? xive_card_err(xport(d, 0, XOP_VM_CTRL, XCTRL_CLEAR, 0, NULL))
                                : -ENOMEM;
    if (err) {
        free(d->icps);
        free(d->hw_used);
    }
    return err;
}

/* kvmppc_xive_disable_vcpu_interrupts, then kvmppc_xive_cleanup_vcpu */
static void cleanup_vcpu(struct xics_dev *d, struct vcpu *v)
{
    struct icp *x = icp_of(v);
    x->valid = false;
    for (unsigned b = 0; b < NR_ICS; b++)
        for (unsigned k = 0; d->blocks[b] && k < ICS_SIZE; k++) {
            struct xsrc *s = &d->blocks[b]->s[k];
            if (!s->valid || s->act_priority == MASKED || s->act_server != x->server)
                continue;
            s->act_priority = MASKED;
            esb_load(d, s->hw, XIVE_ESB_SET_PQ_01);
            configure_irq(d, s->hw, NULL, MASKED, 0);
        }
    if (x->ipi)
        hw_free(d, x->ipi);
    for (unsigned p = 0; p < Q_COUNT; p++)
        release_queue(d, v, p);
    v->irq = NULL;
}

/* kvmppc_xive_release: vCPUs disconnected, sources freed, the card's state cleared */
static void xics_release(struct device *dev)
{
    struct xics_dev *d = to_xics(dev);
    struct vm *vm = dev->vm;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (icp_of(vm->vcpus[i]))
            cleanup_vcpu(d, vm->vcpus[i]);
    for (unsigned b = 0; b < NR_ICS; b++)
        free(d->blocks[b]);
    xport(d, 0, XOP_VM_CTRL, XCTRL_CLEAR, 0, NULL);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vcpu_refresh(vm->vcpus[i]);
    free(d->icps);
    free(d->hw_used);
}

/* ------------------------------------------------------------------ GRP_CTRL */
static int ctrl_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xics_dev *d = to_xics(dev);
    if (a->attr != KVM_DEV_XICS_NR_SERVERS)
        return -ENXIO;
    return xive_nr_servers_set(&d->nr_servers, d->vp_block, a->addr);
}

static int ctrl_has(struct device *dev, const struct kvm_device_attr *a)
{
    (void)dev;
    return a->attr == KVM_DEV_XICS_NR_SERVERS ? 0 : -ENXIO;
}

/* ------------------------------------------------------------------ GRP_SOURCES */
static int source_has(struct device *dev, const struct kvm_device_attr *a)
{
    (void)dev;
    return a->attr >= FIRST_IRQ && a->attr < NR_IRQS ? 0 : -ENXIO;
}

/* xive_check_delayed_irq: an ICP restore left this source pending */
static bool check_delayed(struct xics_dev *d, uint32_t irq)
{
    struct vm *vm = d->dev.vm;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct icp *x = icp_of(vm->vcpus[i]);
        if (x && x->delayed_irq == irq) {
            x->delayed_irq = 0;
            d->delayed_irqs--;
            return true;
        }
    }
    return false;
}

/* xive_set_source */
static int source_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xics_dev *d = to_xics(dev);
    uint64_t val;
    if (a->attr < FIRST_IRQ || a->attr >= NR_IRQS)
        return -ENOENT;
    uint32_t irq = (uint32_t)a->attr;
    struct xblock **bp = &d->blocks[irq >> ICS_SHIFT];
    if (!*bp) {
        if (!(*bp = calloc(1, sizeof(**bp))))
            return -ENOMEM;
        for (unsigned k = 0; k < ICS_SIZE; k++)
            (*bp)->s[k].guest_priority = (*bp)->s[k].saved_priority = (*bp)->s[k].act_priority =
                MASKED;
    }
    struct xsrc *s = &(*bp)->s[irq & (ICS_SIZE - 1)];
    if (copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    uint32_t server = (uint32_t)(val & KVM_XICS_DESTINATION_MASK);
    uint8_t guest_prio = (uint8_t)(val >> KVM_XICS_PRIORITY_SHIFT);
    if (!s->hw && !(s->hw = hw_alloc(d)))
        return -ENOMEM;    /* no card source left for its "HW IPI" */
    s->guest_priority = 0; /* so that the masking below happens */
    lock_and_mask(d, s);
    uint8_t act_prio = prio_from_guest(guest_prio);
    s->act_priority = MASKED;
    /* a failure to provision or target leaves the source masked, and is not reported */
    if (act_prio != MASKED && !check_provisioning(d, act_prio))
        target_interrupt(d, s, irq, server, act_prio);
    if (d->delayed_irqs && check_delayed(d, irq))
        val |= KVM_XICS_PENDING;
    s->lsi = val & KVM_XICS_LEVEL_SENSITIVE;
    s->asserted = s->lsi && (val & KVM_XICS_PENDING);
    /* P and Q: a pending interrupt is restored as Q without P, which re-sends it */
    s->old_p = (val & KVM_XICS_PRESENTED) && !(val & KVM_XICS_PENDING);
    s->old_q = val & (KVM_XICS_QUEUED | KVM_XICS_PENDING);
    if (val & KVM_XICS_MASKED)
        s->guest_priority = MASKED;
    else
        finish_unmask(d, s, guest_prio);
    s->saved_priority = guest_prio;
    if (!s->valid)
        d->src_count++;
    s->valid = true;
    return 0;
}

/* xive_pre_save_scan: every source masked (P and Q kept), the queues scanned for the
 * interrupts still in them, the sources unmasked again */
static void pre_save_scan(struct xics_dev *d)
{
    struct vm *vm = d->dev.vm;
    for (unsigned b = 0; b < NR_ICS; b++)
        for (unsigned k = 0; d->blocks[b] && k < ICS_SIZE; k++) {
            struct xsrc *s = &d->blocks[b]->s[k];
            if (s->valid) {
                s->saved_scan_prio = lock_and_mask(d, s);
                s->saved_p = s->old_p;
                s->saved_q = s->old_q;
            }
        }
    eq_sync(d);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        for (unsigned p = 0; icp_of(vm->vcpus[i]) && p < Q_COUNT; p++) {
            struct xq *q = &icp_of(vm->vcpus[i])->q[p];
            uint32_t idx = q->idx, toggle = q->toggle, irq;
            while ((irq = read_eq(q, &idx, &toggle)))
                if (irq > XICS_IPI && block_of(d, irq) &&
                    block_of(d, irq)->s[irq & (ICS_SIZE - 1)].valid)
                    block_of(d, irq)->s[irq & (ICS_SIZE - 1)].in_queue = true;
        }
    for (unsigned b = 0; b < NR_ICS; b++)
        for (unsigned k = 0; d->blocks[b] && k < ICS_SIZE; k++) {
            struct xsrc *s = &d->blocks[b]->s[k];
            if (s->valid && s->saved_scan_prio != MASKED)
                finish_unmask(d, s, s->saved_scan_prio);
        }
}

/* xive_get_source */
static int source_get(struct device *dev, const struct kvm_device_attr *a)
{
    struct xics_dev *d = to_xics(dev);
    uint32_t irq = (uint32_t)a->attr; /* KVM looks the source up by its low 32 bits */
    struct xblock *b = block_of(d, irq);
    struct xsrc *s = b ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
    if (!s || !s->valid)
        return -ENOENT;
    if (!d->saved_src_count)
        pre_save_scan(d);
    d->saved_src_count++;
    uint64_t val = s->act_server, prio = s->saved_scan_prio;
    if (prio == MASKED) {
        val |= KVM_XICS_MASKED;
        prio = s->saved_priority;
    }
    val |= prio << KVM_XICS_PRIORITY_SHIFT;
    if (s->lsi) {
        val |= KVM_XICS_LEVEL_SENSITIVE | (s->saved_p ? KVM_XICS_PENDING : 0);
    } else {
        val |= (s->saved_p ? KVM_XICS_PRESENTED : 0) | (s->saved_q ? KVM_XICS_QUEUED : 0);
        if (s->in_queue || (prio == MASKED && s->saved_q))
            val |= KVM_XICS_PENDING;
    }
    if (d->saved_src_count == d->src_count) { /* xive_post_save_scan */
        for (unsigned k = 0; k < NR_ICS; k++)
            for (unsigned j = 0; d->blocks[k] && j < ICS_SIZE; j++)
                d->blocks[k]->s[j].in_queue = false;
        d->saved_src_count = 0;
    }
    return copy_to_user(a->addr, &val, sizeof(val));
}

static const struct attr_group xics_groups[] = {
    {KVM_DEV_XICS_GRP_SOURCES, source_set, source_get, source_has},
    {KVM_DEV_XICS_GRP_CTRL, ctrl_set, NULL, ctrl_has},
};

/* ------------------------------------------------------------------ vCPU connection */
/* kvmppc_xive_connect_vcpu, after kvm_vcpu_ioctl_enable_cap's checks (device.c) */
static int connect_vcpu(struct device *dev, struct vcpu *v, const struct kvm_enable_cap *cap)
{
    struct xics_dev *d = to_xics(dev);
    uint32_t server = (uint32_t)cap->args[1];
    int err = xive_connect_check(dev, v, server, d->nr_servers, &d->vp_block);
    if (err)
        return err;
    struct icp *x = &d->icps[v->idx];
    memset(x, 0, sizeof(*x));
    x->server = server;
    x->mfrr = MASKED;
    x->valid = true;
    v->irq = x;
    /* the thread context as KVM's w01: ACK# 0xff, CPPR 0 */
    err = xive_card_err(xport(d, v->idx, XOP_VP_SET, 0, 0x00000000ff000000ull, NULL));
    if (!err && !(x->ipi = hw_alloc(d)))
        err = -EIO;
    /* the provisioned priorities, and always queue 0: the IPI's (the card has no
     * notification without a queue, where KVM's queue 0 may stay unqueued) */
    for (unsigned p = 0; !err && p < Q_COUNT; p++)
        if (!p || d->qmap & 1u << p)
            err = provision_queue(d, v, p);
    if (!err && !(err = configure_irq(d, x->ipi, v, 0, XICS_IPI)))
        esb_load(d, x->ipi, XIVE_ESB_SET_PQ_00);
    if (err)
        cleanup_vcpu(d, v);
    return err;
}

/* ------------------------------------------------------------------ the ICP */
static void set_hw_cppr(struct xics_dev *d, struct vcpu *v, uint8_t cppr)
{
    xport(d, v->idx, XOP_TM_STORE, TM_QW1_OS + TM_CPPR, cppr, NULL);
}

/* xive_vm_ack_pending: take the card's exception into the pending priorities */
static void ack_pending(struct xics_dev *d, struct vcpu *v)
{
    struct icp *x = icp_of(v);
    uint64_t ack = 0;
    xport(d, v->idx, XOP_TM_LOAD, TM_SPC_ACK_OS_REG, 0, &ack);
    if (!(ack >> 8 & TM_QW1_NSR_EO))
        return;
    uint8_t cppr = (uint8_t)ack;
    if (cppr < 8)
        x->pending |= (uint8_t)(1u << cppr);
    x->hw_cppr = cppr;
}

enum scan { SCAN_FETCH, SCAN_POLL, SCAN_EOI };

/* xive_vm_scan_interrupts: the most favoured interrupt to present (0: none) */
static uint32_t scan(struct xics_dev *d, struct vcpu *v, uint8_t pending, enum scan type)
{
    struct icp *x = icp_of(v);
    uint32_t hirq = 0;
    uint8_t prio = MASKED;
    eq_sync(d);
    while ((x->mfrr != MASKED || pending) && !hirq) {
        prio = first_prio(pending);
        if (prio >= x->cppr || prio > 7) { /* not past the guest's CPPR */
            if (x->mfrr < x->cppr) {
                prio = x->mfrr;
                hirq = XICS_IPI;
            }
            break;
        }
        struct xq *q = &x->q[prio];
        uint32_t idx = q->idx, toggle = q->toggle;
        do {
            hirq = read_eq(q, &idx, &toggle);
            if (hirq == XICS_IPI && type == SCAN_FETCH) {
                /* an MFRR change signal: EOI the vCPU's IPI so that it can fire again */
                source_eoi(d, x->ipi);
                q->idx = idx;
                q->toggle = toggle;
            }
        } while (hirq == XICS_IPI || hirq == XICS_DUMMY);
        if (!hirq) {
            pending &= (uint8_t) ~(1u << prio);
            if (q->pending_count) { /* retargeted sources leave the queue's reservations */
                q->count -= q->pending_count < q->count ? q->pending_count : q->count;
                q->pending_count = 0;
            }
        }
        if (prio >= x->mfrr && x->mfrr < x->cppr) { /* the IPI is at least as favoured */
            prio = x->mfrr;
            hirq = XICS_IPI;
            break;
        }
        if (type == SCAN_FETCH) {
            q->idx = idx;
            q->toggle = toggle;
        }
    }
    if (type == SCAN_POLL)
        return hirq;
    x->pending = pending;
    if (type == SCAN_EOI)
        return hirq;
    if (hirq)
        x->cppr = prio;
    if (x->cppr != x->hw_cppr) {
        x->hw_cppr = x->cppr;
        set_hw_cppr(d, v, x->cppr);
    }
    return hirq;
}

/* xive_vm_push_pending_to_hw: re-raise what the guest may now take */
static void push_pending_to_hw(struct xics_dev *d, struct vcpu *v)
{
    struct icp *x = icp_of(v);
    uint8_t pending = x->pending;
    if (x->mfrr != MASKED)
        pending |= x->mfrr < 8 ? (uint8_t)(1u << x->mfrr) : 0x80;
    if (pending)
        xport(d, v->idx, XOP_TM_STORE, TM_SPC_SET_OS_PENDING, first_prio(pending), NULL);
}

/* xive_vm_scan_for_rerouted_irqs: entries of sources now routed elsewhere become dummies
 * and their sources are re-sent to the new target */
static void scan_rerouted(struct xics_dev *d, struct vcpu *v)
{
    struct icp *x = icp_of(v);
    eq_sync(d);
    for (unsigned prio = x->cppr; prio < Q_COUNT; prio++) {
        struct xq *q = &x->q[prio];
        if (!q->page)
            continue;
        for (uint32_t idx = q->idx, toggle = q->toggle;; idx = (idx + 1) & Q_MASK) {
            uint32_t entry = q_word(q, idx), irq = entry & 0x7fffffff;
            if (entry >> 31 == toggle)
                break;
            struct xblock *b = irq > XICS_IPI ? block_of(d, irq) : NULL;
            struct xsrc *s = b ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
            if (s && s->hw && s->act_server != x->server) {
                uint8_t *w = q->page + 4 * idx;
                w[0] &= 0x80;
                w[1] = w[2] = 0;
                w[3] = XICS_DUMMY;
                esb_load(d, s->hw, XIVE_ESB_SET_PQ_11); /* the EOI re-sends it */
                source_eoi(d, s->hw);
            }
            if (idx == Q_MASK)
                toggle ^= 1;
        }
    }
}

/* ------------------------------------------------------------------ the XICS hcalls */
/* xive_vm_h_*: h->args are r4.., h->rets what is left in r4.. */
static long h_xirr(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    struct icp *x = icp_of(v);
    ack_pending(d, v);
    uint8_t old_cppr = x->cppr;
    uint32_t hirq = scan(d, v, x->pending, SCAN_FETCH);
    h->rets[0] = hirq | (uint32_t)old_cppr << 24;
    return H_SUCCESS;
}

static uint64_t timebase(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * TB_HZ + (uint64_t)ts.tv_nsec * (TB_HZ / 1000000) / 1000;
}

static long h_xirr_x(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    h_xirr(d, v, h);
    h->rets[1] = timebase();
    return H_SUCCESS;
}

static long h_ipoll(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    struct icp *x = icp_of(v);
    uint8_t pending = x->pending;
    struct vcpu *t = v;
    if (x->server != h->args[0]) {
        if (!(t = find_server(d, (uint32_t)h->args[0])))
            return H_PARAMETER;
        pending = 0xff; /* every priority of another vCPU */
    } else {
        uint64_t qw1 = 0;
        xport(d, v->idx, XOP_TM_LOAD, TM_QW1_OS, 0, &qw1);
        if ((uint8_t)qw1 < 8) /* PIPR */
            pending |= (uint8_t)(1u << (uint8_t)qw1);
    }
    uint32_t hirq = scan(d, t, pending, SCAN_POLL);
    h->rets[0] = hirq | (uint32_t)icp_of(t)->cppr << 24;
    return H_SUCCESS;
}

static long h_cppr(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    struct icp *x = icp_of(v);
    uint8_t cppr = prio_from_guest((uint8_t)h->args[0]), old = x->cppr;
    x->cppr = cppr;
    if (cppr > old)
        push_pending_to_hw(d, v); /* masking less */
    else
        scan_rerouted(d, v); /* masking more */
    x->hw_cppr = cppr;
    set_hw_cppr(d, v, cppr);
    return H_SUCCESS;
}

static long h_eoi(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    struct icp *x = icp_of(v);
    uint32_t irq = (uint32_t)(h->args[0] & 0xffffff);
    long rc = H_SUCCESS;
    x->cppr = prio_from_guest((uint8_t)(h->args[0] >> 24));
    if (irq != XICS_IPI && irq) { /* IPIs come from MFRR and need no EOI */
        struct xblock *b = block_of(d, irq);
        struct xsrc *s = b ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
        if (!s) {
            rc = H_PARAMETER;
        } else if (s->guest_priority == MASKED) {
            s->old_p = false; /* the unmask will do the EOI */
        } else if (s->hw) {
            source_eoi(d, s->hw);
            if (s->lsi && s->asserted) /* an emulated LSI still asserted fires again */
                trigger(d, s->hw);
        }
    }
    scan(d, v, x->pending, SCAN_EOI);
    push_pending_to_hw(d, v);
    x->hw_cppr = x->cppr;
    set_hw_cppr(d, v, x->cppr);
    return rc;
}

static long h_ipi(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h)
{
    (void)v;
    struct vcpu *t = find_server(d, (uint32_t)h->args[0]);
    if (!t)
        return H_PARAMETER;
    icp_of(t)->mfrr = (uint8_t)h->args[1];
    if (h->args[1] < icp_of(t)->cppr) /* KVM compares the whole argument */
        trigger(d, icp_of(t)->ipi);
    return H_SUCCESS;
}

/* ------------------------------------------------------------------ in-kernel RTAS */
/* kvmppc_xive_set_xive: targeting and masking at once (ibm,set-xive) */
static int set_xive(struct xics_dev *d, uint32_t irq, uint32_t server, uint32_t priority)
{
    int err = 0;
    if (priority != MASKED && (err = check_provisioning(d, prio_from_guest((uint8_t)priority))))
        return err;
    struct xblock *b = block_of(d, irq);
    struct xsrc *s = b ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
    if (!s || !s->hw)
        return -EINVAL; /* (KVM would use the missing IPI of a source never set) */
    if (priority == MASKED)
        lock_and_mask(d, s);
    uint8_t act = priority != MASKED ? prio_from_guest((uint8_t)priority) : s->act_priority;
    if (act != MASKED && (s->act_server != server || s->act_priority != act))
        err = target_interrupt(d, s, irq, server, act);
    if (priority != MASKED)
        finish_unmask(d, s, (uint8_t)priority);
    s->saved_priority = (uint8_t)priority;
    return err;
}

static struct xsrc *rtas_source(struct xics_dev *d, uint32_t irq)
{
    struct xblock *b = block_of(d, irq);
    return b && b->s[irq & (ICS_SIZE - 1)].hw ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* the calls of book3s_rtas.c: args and rets are the big-endian words of struct
 * rtas_args; a failure is -3 in rets[0] */
static void rtas_set_xive(struct xics_dev *d, const uint8_t *args, uint8_t *rets)
{
    int err = set_xive(d, be32_at(args), be32_at(args + 4), be32_at(args + 8));
    be32_put(rets, err ? (uint32_t)-3 : 0);
}

static void rtas_get_xive(struct xics_dev *d, const uint8_t *args, uint8_t *rets)
{
    struct xsrc *s = rtas_source(d, be32_at(args));
    if (s) {
        be32_put(rets + 4, s->act_server);
        be32_put(rets + 8, s->guest_priority);
    }
    be32_put(rets, s ? 0 : (uint32_t)-3);
}

static void rtas_int_off(struct xics_dev *d, const uint8_t *args, uint8_t *rets)
{
    struct xsrc *s = rtas_source(d, be32_at(args));
    if (s)
        s->saved_priority = lock_and_mask(d, s);
    be32_put(rets, s ? 0 : (uint32_t)-3);
}

static void rtas_int_on(struct xics_dev *d, const uint8_t *args, uint8_t *rets)
{
    struct xsrc *s = rtas_source(d, be32_at(args));
    bool ok = s && s->act_priority != MASKED; /* never targeted: an error */
    if (ok && s->saved_priority != MASKED)
        finish_unmask(d, s, s->saved_priority);
    be32_put(rets, ok ? 0 : (uint32_t)-3);
}

static const struct {
    const char *name;
    uint32_t nargs, nret;
    void (*fn)(struct xics_dev *d, const uint8_t *args, uint8_t *rets);
} rtas_calls[] = {
    {"ibm,set-xive", 3, 1, rtas_set_xive},
    {"ibm,get-xive", 1, 3, rtas_get_xive},
    {"ibm,int-off", 1, 1, rtas_int_off},
    {"ibm,int-on", 1, 1, rtas_int_on},
};

/* kvm_vm_ioctl_rtas_define_token: a token per name (token 0 undefines the name's first) */
int xics_rtas_define_token(struct vm *vm, uint64_t uptr)
{
    struct kvm_rtas_token_args a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    unsigned *n = &vm->arch.ppc64.nr_rtas, call = 0;
    while (call < sizeof(rtas_calls) / sizeof(rtas_calls[0]) &&
           strncmp(rtas_calls[call].name, a.name, sizeof(a.name)))
        call++;
    if (!a.token) { /* undefining what is not defined is no error */
        for (unsigned i = 0; i < *n; i++)
            if (vm->arch.ppc64.rtas[i].call == call) {
                memmove(&vm->arch.ppc64.rtas[i], &vm->arch.ppc64.rtas[i + 1],
                        (*n - i - 1) * sizeof(vm->arch.ppc64.rtas[0]));
                --*n;
                break;
            }
        return 0;
    }
    for (unsigned i = 0; i < *n; i++)
        if (vm->arch.ppc64.rtas[i].token == a.token)
            return -EEXIST;
    if (call == sizeof(rtas_calls) / sizeof(rtas_calls[0]))
        return -ENOENT;
    if (*n == sizeof(vm->arch.ppc64.rtas) / sizeof(vm->arch.ppc64.rtas[0]))
        return -ENOMEM; /* libioe keeps 16 */
    vm->arch.ppc64.rtas[*n].call = (uint8_t)call;
    vm->arch.ppc64.rtas[(*n)++].token = a.token;
    return 0;
}

/* kvmppc_rtas_hcall: struct rtas_args (88 bytes) at the guest address args[0]; *ret is
 * r3 (H_TOO_HARD: the hypervisor's call); an errno fails the request (KVM_RUN's error) */
static int h_rtas(struct xics_dev *d, struct ioe_ppc_hcall *h, long *ret)
{
    struct vm *vm = d->dev.vm;
    uint64_t gpa = h->args[0] & 0x0fffffffffffffffull; /* KVM_PAM: a real address */
    uint8_t buf[88], *hva = NULL;
    *ret = H_TOO_HARD;
    if (!vm->arch.ppc64.nr_rtas)
        return 0;
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS && !hva; i++) {
        const struct memslot *m = &vm->slots[i];
        if (m->used && gpa >= m->gpa && gpa - m->gpa <= m->size - sizeof(buf))
            hva = (uint8_t *)(uintptr_t)(m->hva + (gpa - m->gpa));
    }
    if (!hva || copy_from_user(buf, (uint64_t)(uintptr_t)hva, sizeof(buf)))
        return -EFAULT;
    uint32_t token = be32_at(buf), nargs = be32_at(buf + 4), nret = be32_at(buf + 8);
    if (nargs >= 16)
        return -EINVAL;
    for (unsigned i = 0; i < vm->arch.ppc64.nr_rtas; i++) {
        unsigned c = vm->arch.ppc64.rtas[i].call;
        if (vm->arch.ppc64.rtas[i].token != token)
            continue;
        if (nargs != rtas_calls[c].nargs || nret != rtas_calls[c].nret)
            be32_put(buf + 12 + 4 * nargs, (uint32_t)-3);
        else
            rtas_calls[c].fn(d, buf + 12, buf + 12 + 4 * nargs);
        *ret = H_SUCCESS;
        return copy_to_user((uint64_t)(uintptr_t)hva, buf, sizeof(buf));
    }
    return 0; /* no such token: the hypervisor's */
}

static const struct {
    uint64_t nr;
    long (*fn)(struct xics_dev *d, struct vcpu *v, struct ioe_ppc_hcall *h);
} hcalls[] = {
    {H_XIRR, h_xirr}, {H_CPPR, h_cppr},   {H_EOI, h_eoi},
    {H_IPI, h_ipi},   {H_IPOLL, h_ipoll}, {H_XIRR_X, h_xirr_x},
};

/* kvmppc_xive_xics_hcall */
static int hcall(struct xics_dev *d, struct vcpu *v, uint64_t uptr)
{
    struct ioe_ppc_hcall h;
    if (copy_from_user(&h, uptr, sizeof(h)))
        return -EFAULT;
    memset(h.rets, 0, sizeof(h.rets));
    long ret = icp_of(v) ? H_UNSUPPORTED : H_TOO_HARD; /* not in XICS mode: the hypervisor's */
    for (size_t i = 0; icp_of(v) && i < sizeof(hcalls) / sizeof(hcalls[0]); i++)
        if (hcalls[i].nr == h.nr) {
            ret = hcalls[i].fn(d, v, &h);
            break;
        }
    int err = h.nr == H_RTAS ? h_rtas(d, &h, &ret) : 0; /* whatever the vCPU's connection */
    h.ret = (uint64_t)(int64_t)ret;
    sys_sync_notifications(sys_of(d));
    vcpu_refresh(v); /* an acknowledge lowers NSR without a notification */
    return err ? err : copy_to_user(uptr, &h, sizeof(h));
}

/* kvmppc_xive_get_icp / kvmppc_xive_set_icp through KVM_GET/SET_ONE_REG */
static int set_icp(struct xics_dev *d, struct vcpu *v, uint64_t val)
{
    struct icp *x = icp_of(v);
    uint8_t cppr = (uint8_t)(val >> KVM_REG_PPC_ICP_CPPR_SHIFT);
    uint32_t xisr = (uint32_t)(val >> KVM_REG_PPC_ICP_XISR_SHIFT) & KVM_REG_PPC_ICP_XISR_MASK;
    uint8_t mfrr = (uint8_t)(val >> KVM_REG_PPC_ICP_MFRR_SHIFT);
    x->cppr = x->hw_cppr = cppr;
    set_hw_cppr(d, v, cppr);
    x->mfrr = mfrr;
    if (mfrr < cppr)
        trigger(d, x->ipi);
    /* a source in the legacy one-entry queue is re-sent, or later when it is restored */
    if (xisr > XICS_IPI) {
        struct xblock *b = block_of(d, xisr);
        struct xsrc *s = b ? &b->s[xisr & (ICS_SIZE - 1)] : NULL;
        if (s && s->valid) {
            trigger(d, s->hw);
        } else {
            x->delayed_irq = xisr;
            d->delayed_irqs++;
        }
    }
    sys_sync_notifications(sys_of(d));
    vcpu_refresh(v);
    return 0;
}

static int one_reg(struct xics_dev *d, struct vcpu *v, unsigned long req, uint64_t uptr)
{
    struct kvm_one_reg r;
    uint64_t val;
    uint8_t vp[16];
    if (copy_from_user(&r, uptr, sizeof(r)))
        return -EFAULT;
    if (r.id == KVM_REG_PPC_VP_STATE && icp_of(v)) {
        /* kvmppc_xive_native_get/set_vp: not a XIVE-native vCPU */
        return req == KVM_SET_ONE_REG && copy_from_user(vp, r.addr, sizeof(vp)) ? -EFAULT : -EPERM;
    }
    if (r.id != KVM_REG_PPC_ICP_STATE)
        return -ENOTTY; /* the persona answers */
    if (req == KVM_SET_ONE_REG) {
        if (copy_from_user(&val, r.addr, sizeof(val)))
            return -EFAULT;
        return icp_of(v) ? set_icp(d, v, val) : -ENXIO;
    }
    if (!icp_of(v))
        return -ENXIO;
    struct icp *x = icp_of(v);
    val = (uint64_t)x->cppr << KVM_REG_PPC_ICP_CPPR_SHIFT |
          (uint64_t)x->mfrr << KVM_REG_PPC_ICP_MFRR_SHIFT |
          (uint64_t)MASKED << KVM_REG_PPC_ICP_PPRI_SHIFT;
    return copy_to_user(r.addr, &val, sizeof(val));
}

static int xics_vcpu_ioctl(struct device *dev, struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_GET_ONE_REG:
    case KVM_SET_ONE_REG: return one_reg(to_xics(dev), v, req, arg);
    case IOE_PPC_HCALL: return hcall(to_xics(dev), v, arg);
    default: return -ENOTTY;
    }
}

static int xics_vcpu_pending(struct device *dev, struct vcpu *v, bool *pending)
{
    *pending = false;
    return icp_of(v) ? xive_card_nsr(dev->vm, v, pending) : 0;
}

/* KVM_IRQ_LINE: kvmppc_xive_set_irq. powerpc's KVM_IRQ_LINE puts its result in the status
 * that only KVM_IRQ_LINE_STATUS returns, so the request itself always succeeds. */
static int xics_irq_line(struct device *dev, uint32_t irq, uint32_t level)
{
    struct xics_dev *d = to_xics(dev);
    struct xblock *b = block_of(d, irq);
    struct xsrc *s = b ? &b->s[irq & (ICS_SIZE - 1)] : NULL;
    if (!s || !s->valid)
        return 0; /* -EINVAL in the status */
    if ((level == 1 && s->lsi) || level == KVM_INTERRUPT_SET_LEVEL) {
        s->asserted = true;
    } else if (level == 0 || level == KVM_INTERRUPT_UNSET) {
        s->asserted = false;
        return 0;
    }
    trigger(d, s->hw);
    return 0;
}

/* KVM_IRQ_LINE_STATUS: kvmppc_xive_set_irq's result */
static int32_t xics_line_status(struct device *dev, uint32_t irq)
{
    const struct xblock *b = block_of(to_xics(dev), irq);
    return b && b->s[irq & (ICS_SIZE - 1)].valid ? 0 : -EINVAL;
}

static const struct irqchip_ops xics_irqchip = {
    .irq_line = xics_irq_line,
    .line_status = xics_line_status,
    .vcpu_pending = xics_vcpu_pending,
    .vcpu_ioctl = xics_vcpu_ioctl,
};

const struct device_ops xics_ops = {
    .name = "kvm-xive", /* XICS-on-XIVE's kvm_device_ops */
    .type = KVM_DEV_TYPE_XICS,
    .hosts = HOST_BIT(HOST_PPC64),
    .size = sizeof(struct xics_dev),
    .available = xive_card_available,
    .create = xics_create,
    .release = xics_release,
    .groups = xics_groups,
    .nr_groups = sizeof(xics_groups) / sizeof(xics_groups[0]),
    .irqchip = &xics_irqchip,
    .irqchip_exists = EEXIST,
    .vcpu_cap = KVM_CAP_IRQ_XICS,
    .connect_vcpu = connect_vcpu,
};
