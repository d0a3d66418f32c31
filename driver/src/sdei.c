/*
 * SDEI (Arm DEN0054) for arm64 VMs, as Documentation/virt/kvm/arm/sdei.rst describes it
 * (v5 of a series never merged in Linux; libioe's choices are in docs/api.md "SDEI"):
 * events the VMM exposes, events the guest registers, events pending per vCPU, and the
 * contexts a vCPU saves while it runs a handler. The guest's calls come through
 * IOE_VCPU_SDEI_CALL with its registers; IOE_VCPU_SDEI_DELIVER enters a handler. The state
 * migrates through KVM_ARM_SDEI_COMMAND's GET/SET commands. Plain software: no card.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdei.h"

/* DEN0054 */
#define FN(n) (0xC4000020u + (n))
enum {
    FN_VERSION = FN(0x00),
    FN_REGISTER = FN(0x01),
    FN_ENABLE = FN(0x02),
    FN_DISABLE = FN(0x03),
    FN_CONTEXT = FN(0x04),
    FN_COMPLETE = FN(0x05),
    FN_COMPLETE_RESUME = FN(0x06),
    FN_UNREGISTER = FN(0x07),
    FN_STATUS = FN(0x08),
    FN_GET_INFO = FN(0x09),
    FN_ROUTING_SET = FN(0x0A),
    FN_PE_MASK = FN(0x0B),
    FN_PE_UNMASK = FN(0x0C),
    FN_INTERRUPT_BIND = FN(0x0D),
    FN_INTERRUPT_RELEASE = FN(0x0E),
    FN_SIGNAL = FN(0x0F),
    FN_FEATURES = FN(0x10),
    FN_PRIVATE_RESET = FN(0x11),
    FN_SHARED_RESET = FN(0x12),
};
#define SUCCESS 0
#define NOT_SUPPORTED (-1)
#define INVALID_PARAMETERS (-2)
#define DENIED (-3)
#define PENDING (-5)
#define VERSION (1ull << 48 | 1ull << 32) /* SDEI 1.1, vendor 0 */
#define IMPL_VERSION 0x10000u             /* KVM_SDEI_CMD_GET_VERSION: libioe's 1.0 */
#define TYPE_SHARED 1
#define PRIO_CRITICAL 1
#define NO_EVENT (~0ull)
#define HANDLER_PSTATE 0x3c5u /* EL1h, D A I F masked */

struct sdei_vm {
    unsigned n;
    struct kvm_sdei_exposed_event_state ex[KVM_SDEI_MAX_EVENTS];
    struct kvm_sdei_registered_event_state *reg[KVM_SDEI_MAX_EVENTS]; /* NULL: none */
};

struct sdei_vcpu {
    bool masked;
    uint32_t count[KVM_SDEI_MAX_EVENTS]; /* pending, by exposed event */
    uint64_t running[2];                 /* [priority]: the event whose handler runs */
    struct kvm_sdei_vcpu_regs_state saved[2];
};

/* ------------------------------------------------------------------ state */
static struct sdei_vm *vm_state(struct vm *vm)
{
    struct sdei_vm *s = vm->arch.arm64.sdei;
    if (!s && (s = calloc(1, sizeof(*s)))) {
        /* event 0, the software-signalled event, is always there */
        s->ex[0] = (struct kvm_sdei_exposed_event_state){.num = 0, .signaled = 1};
        s->n = 1;
        vm->arch.arm64.sdei = s;
    }
    return s;
}

static struct sdei_vcpu *vcpu_state(struct vcpu *v)
{
    struct sdei_vcpu *p = v->arch.arm64.sdei;
    if (!p && (p = calloc(1, sizeof(*p)))) {
        p->masked = true; /* every PE starts masked */
        p->running[0] = p->running[1] = NO_EVENT;
        v->arch.arm64.sdei = p;
    }
    return p;
}

void sdei_vm_free(struct vm *vm)
{
    struct sdei_vm *s = vm->arch.arm64.sdei;
    for (unsigned i = 0; s && i < s->n; i++)
        free(s->reg[i]);
    free(s);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        free(vm->vcpus[i]->arch.arm64.sdei);
}

/* the doc's numbers: 0, or bits [23:22] = 0b01 with bits [31:24] clear */
static bool valid_num(uint64_t num)
{
    return num == 0 || (num < 1u << 24 && (num >> 22 & 3) == 1);
}

/* the index of an exposed event, or -1 */
static int find(const struct sdei_vm *s, uint64_t num)
{
    for (unsigned i = 0; s && i < s->n; i++)
        if (s->ex[i].num == num)
            return (int)i;
    return -1;
}

/* a registration's slot: the vCPU for private events, 0 for shared ones */
static unsigned slot(const struct sdei_vm *s, int e, const struct vcpu *v)
{
    return s->ex[e].type == TYPE_SHARED ? 0 : v->idx;
}

static bool bit(const __u64 *map, unsigned i)
{
    return map[i / 64] >> (i % 64) & 1;
}

static void set_bit(__u64 *map, unsigned i, bool on)
{
    map[i / 64] = on ? map[i / 64] | 1ull << (i % 64) : map[i / 64] & ~(1ull << (i % 64));
}

static bool registered(const struct sdei_vm *s, int e, unsigned k)
{
    return s->reg[e] && bit(s->reg[e]->registered, k);
}

static bool running(const struct sdei_vm *s, int e, const struct vcpu *v)
{
    /* a shared event runs on at most one vCPU: look at them all */
    for (unsigned i = 0; i < v->vm->nr_vcpus; i++) {
        const struct vcpu *w = v->vm->vcpus[i];
        const struct sdei_vcpu *p = w->arch.arm64.sdei;
        if ((s->ex[e].type == TYPE_SHARED || w == v) && p &&
            (p->running[0] == s->ex[e].num || p->running[1] == s->ex[e].num))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ delivery */
/* the event to run next on v and its priority, or -1 */
static int next_event(struct vcpu *v, int *prio)
{
    struct sdei_vm *s = v->vm->arch.arm64.sdei;
    struct sdei_vcpu *p = v->arch.arm64.sdei;
    if (!s || !p || p->masked || p->running[PRIO_CRITICAL] != NO_EVENT)
        return -1;
    for (int pr = PRIO_CRITICAL; pr >= 0; pr--) {
        if (pr == 0 && p->running[0] != NO_EVENT)
            break;
        for (unsigned e = 0; e < s->n; e++) {
            unsigned k = slot(s, (int)e, v);
            if (s->ex[e].priority == pr && p->count[e] && registered(s, (int)e, k) &&
                bit(s->reg[e]->enabled, k) && !bit(s->reg[e]->unregister_pending, k)) {
                *prio = pr;
                return (int)e;
            }
        }
    }
    return -1;
}

/* a call or command may have made an event deliverable on any vCPU of the VM */
static void refresh_all(struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vcpu_refresh(vm->vcpus[i]);
}

bool sdei_vcpu_pending(struct vcpu *v)
{
    int prio;
    return next_event(v, &prio) >= 0;
}

static int deliver(struct vcpu *v, uint64_t uptr)
{
    struct ioe_sdei_ctx c;
    if (copy_from_user(&c, uptr, sizeof(c)))
        return -EFAULT;
    int prio, e = next_event(v, &prio);
    if (e < 0)
        return 0;
    struct sdei_vm *s = v->vm->arch.arm64.sdei;
    struct sdei_vcpu *p = v->arch.arm64.sdei;
    unsigned k = slot(s, e, v);
    memcpy(p->saved[prio].regs, c.regs, sizeof(c.regs));
    p->saved[prio].pc = c.pc;
    p->saved[prio].pstate = c.pstate;
    p->running[prio] = s->ex[e].num;
    p->count[e]--;
    /* the handler's entry: x0 event, x1 argument, x2/x3 the interrupted pc and pstate */
    struct ioe_sdei_ctx h = {.regs = {s->ex[e].num, s->reg[e]->ep_arg[k], c.pc, c.pstate},
                             .pc = s->reg[e]->ep_address[k],
                             .pstate = HANDLER_PSTATE};
    memcpy(&h.regs[4], &c.regs[4], sizeof(c.regs) - 4 * sizeof(c.regs[0]));
    int err = copy_to_user(uptr, &h, sizeof(h));
    vcpu_refresh(v);
    return err ? err : 1;
}

/* ------------------------------------------------------------------ the guest's calls */
struct call {
    struct vcpu *v;
    struct sdei_vm *s;
    struct sdei_vcpu *p;
    struct ioe_sdei_call *c; /* c->ctx.regs[0..4]: in the arguments, out the results */
};

static int64_t do_unregister(struct call *k, int e, unsigned sl)
{
    struct kvm_sdei_registered_event_state *r = k->s->reg[e];
    set_bit(r->enabled, sl, false);
    if (running(k->s, e, k->v)) {
        set_bit(r->unregister_pending, sl, true);
        return PENDING;
    }
    set_bit(r->registered, sl, false);
    for (unsigned i = 0; i < k->v->vm->nr_vcpus; i++) { /* its pending signals go too */
        struct vcpu *w = k->v->vm->vcpus[i];
        if (w->arch.arm64.sdei && slot(k->s, e, w) == sl)
            w->arch.arm64.sdei->count[e] = 0;
    }
    return SUCCESS;
}

/* SDEI_PRIVATE_RESET / SHARED_RESET: unregister every such event; DENIED if one runs */
static int64_t reset(struct call *k, bool shared)
{
    int64_t ret = SUCCESS;
    for (unsigned e = 0; e < k->s->n; e++) {
        unsigned sl = slot(k->s, (int)e, k->v);
        if ((k->s->ex[e].type == TYPE_SHARED) == shared && registered(k->s, (int)e, sl) &&
            do_unregister(k, (int)e, sl) == PENDING)
            ret = DENIED;
    }
    return ret;
}

static struct vcpu *vcpu_by_mpidr_reg(struct vm *vm, uint64_t mpidr)
{
    /* MPIDR_EL1 Aff3 [39:32] Aff2..0 [23:0] -> KVM's attr layout Aff3 [31:24] */
    uint64_t attr = ((mpidr & 0xffffff) | (mpidr >> 32 & 0xff) << 24) << 32;
    return mpidr & ~0xff00ffffffull ? NULL : vm_vcpu_by_mpidr(vm, attr);
}

static int64_t call_register(struct call *k, int e, const uint64_t *x)
{
    struct sdei_vm *s = k->s;
    unsigned sl = slot(s, e, k->v);
    uint64_t flags = x[4], aff = x[5];
    if (s->ex[e].type == TYPE_SHARED &&
        (flags > 1 || (flags == 1 && !vcpu_by_mpidr_reg(k->v->vm, aff))))
        return INVALID_PARAMETERS;
    if (!s->reg[e]) {
        if (!(s->reg[e] = calloc(1, sizeof(*s->reg[e]))))
            return NOT_SUPPORTED;
        s->reg[e]->num = s->ex[e].num;
    }
    struct kvm_sdei_registered_event_state *r = s->reg[e];
    if (bit(r->registered, sl) || bit(r->unregister_pending, sl))
        return DENIED;
    r->ep_address[sl] = x[2];
    r->ep_arg[sl] = x[3];
    if (s->ex[e].type == TYPE_SHARED) {
        r->route_mode = (uint8_t)flags;
        r->route_affinity = flags ? aff : 0;
    }
    set_bit(r->registered, sl, true);
    return SUCCESS;
}

static int64_t call_get_info(struct call *k, int e, uint64_t info)
{
    const struct kvm_sdei_exposed_event_state *ex = &k->s->ex[e];
    switch (info) {
    case 0: return ex->type;
    case 1: return ex->signaled;
    case 2: return ex->priority;
    case 3:
    case 4:
        if (ex->type != TYPE_SHARED)
            return INVALID_PARAMETERS;
        if (!registered(k->s, e, 0))
            return DENIED;
        return info == 3 ? k->s->reg[e]->route_mode : (int64_t)k->s->reg[e]->route_affinity;
    default: return INVALID_PARAMETERS;
    }
}

static int64_t call_routing_set(struct call *k, int e, uint64_t flags, uint64_t aff)
{
    struct kvm_sdei_registered_event_state *r = k->s->reg[e];
    if (k->s->ex[e].type != TYPE_SHARED || flags > 1 ||
        (flags == 1 && !vcpu_by_mpidr_reg(k->v->vm, aff)))
        return INVALID_PARAMETERS;
    if (!registered(k->s, e, 0) || bit(r->enabled, 0) || running(k->s, e, k->v))
        return DENIED;
    r->route_mode = (uint8_t)flags;
    r->route_affinity = flags ? aff : 0;
    return SUCCESS;
}

/* the handler running on this vCPU (critical first): its priority, or -1 */
static int running_prio(const struct sdei_vcpu *p)
{
    return p->running[PRIO_CRITICAL] != NO_EVENT ? PRIO_CRITICAL
           : p->running[0] != NO_EVENT           ? 0
                                                 : -1;
}

/* EVENT_COMPLETE / COMPLETE_AND_RESUME: back to the interrupted context */
static int64_t call_complete(struct call *k, bool resume, uint64_t resume_addr)
{
    int prio = running_prio(k->p);
    if (prio < 0)
        return DENIED;
    const struct kvm_sdei_vcpu_regs_state *sv = &k->p->saved[prio];
    int e = find(k->s, k->p->running[prio]);
    k->p->running[prio] = NO_EVENT;
    if (e >= 0) {
        unsigned sl = slot(k->s, e, k->v);
        if (k->s->reg[e] && bit(k->s->reg[e]->unregister_pending, sl)) {
            set_bit(k->s->reg[e]->unregister_pending, sl, false);
            do_unregister(k, e, sl);
        }
    }
    memcpy(k->c->ctx.regs, sv->regs, sizeof(sv->regs));
    k->c->ctx.pc = resume ? resume_addr : sv->pc;
    k->c->ctx.pstate = resume ? HANDLER_PSTATE : sv->pstate;
    k->c->elr = resume ? sv->pc : 0;
    k->c->spsr = resume ? sv->pstate : 0;
    k->c->action = resume ? IOE_SDEI_RESUME : IOE_SDEI_RESTORE;
    return SUCCESS;
}

/* the functions that name an event in x1: INVALID_PARAMETERS when it is not exposed */
static int64_t call_event(struct call *k, uint32_t fn, const uint64_t *x)
{
    int e = valid_num(x[1]) ? find(k->s, x[1]) : -1;
    if (e < 0)
        return INVALID_PARAMETERS;
    unsigned sl = slot(k->s, e, k->v);
    struct kvm_sdei_registered_event_state *r = k->s->reg[e];
    bool reg = registered(k->s, e, sl);
    switch (fn) {
    case FN_REGISTER: return call_register(k, e, x);
    case FN_ENABLE:
    case FN_DISABLE:
        if (!reg || bit(r->unregister_pending, sl))
            return DENIED;
        set_bit(r->enabled, sl, fn == FN_ENABLE);
        return SUCCESS;
    case FN_UNREGISTER:
        if (!reg || bit(r->unregister_pending, sl))
            return DENIED;
        return do_unregister(k, e, sl);
    case FN_STATUS:
        return (int64_t)reg | (int64_t)(reg && bit(r->enabled, sl)) << 1 |
               (int64_t)running(k->s, e, k->v) << 2;
    case FN_GET_INFO: return call_get_info(k, e, x[2]);
    case FN_ROUTING_SET: return call_routing_set(k, e, x[2], x[3]);
    default: /* FN_SIGNAL: a signalable event, to a PE of the VM */
    {
        struct vcpu *t = vcpu_by_mpidr_reg(k->v->vm, x[2]);
        if (!k->s->ex[e].signaled || !t || !vcpu_state(t))
            return INVALID_PARAMETERS;
        t->arch.arm64.sdei->count[e]++;
        return SUCCESS;
    }
    }
}

static int64_t call_fn(struct call *k, uint32_t fn, const uint64_t *x)
{
    switch (fn) {
    case FN_VERSION: return (int64_t)VERSION;
    case FN_CONTEXT: {
        int prio = running_prio(k->p);
        if (prio < 0)
            return DENIED;
        return x[1] > 17 ? INVALID_PARAMETERS : (int64_t)k->p->saved[prio].regs[x[1]];
    }
    case FN_COMPLETE: return call_complete(k, false, 0);
    case FN_COMPLETE_RESUME: return call_complete(k, true, x[1]);
    case FN_PE_MASK: {
        bool was = k->p->masked;
        k->p->masked = true;
        return !was; /* 1: this call masked the PE */
    }
    case FN_PE_UNMASK: k->p->masked = false; return SUCCESS;
    case FN_FEATURES: return x[1] == 0 ? 0 : INVALID_PARAMETERS; /* no binding slots */
    case FN_PRIVATE_RESET: return reset(k, false);
    case FN_SHARED_RESET: return reset(k, true);
    case FN_REGISTER:
    case FN_ENABLE:
    case FN_DISABLE:
    case FN_UNREGISTER:
    case FN_STATUS:
    case FN_GET_INFO:
    case FN_ROUTING_SET:
    case FN_SIGNAL: return call_event(k, fn, x);
    default: return NOT_SUPPORTED; /* INTERRUPT_BIND/RELEASE, and anything else */
    }
}

static int guest_call(struct vcpu *v, uint64_t uptr)
{
    struct ioe_sdei_call c;
    if (copy_from_user(&c, uptr, sizeof(c)))
        return -EFAULT;
    struct call k = {v, vm_state(v->vm), vcpu_state(v), &c};
    if (!k.s || !k.p)
        return -ENOMEM;
    uint64_t x[6];
    memcpy(x, c.ctx.regs, sizeof(x));
    c.action = IOE_SDEI_RETURN;
    c.elr = c.spsr = 0;
    int64_t ret = call_fn(&k, (uint32_t)x[0], x);
    if (c.action == IOE_SDEI_RETURN)
        c.ctx.regs[0] = (uint64_t)ret;
    int err = copy_to_user(uptr, &c, sizeof(c));
    refresh_all(v->vm);
    return err;
}

/* ------------------------------------------------------------------ KVM_ARM_SDEI_COMMAND */
/* copy `count` records of `size` bytes between the user's array and out/in */
static int check_count(uint32_t count, uint32_t have)
{
    return count == 0 || count > have ? -EINVAL : 0;
}

static int set_exposed(struct sdei_vm *s, const struct kvm_sdei_exposed_event_state *in)
{
    if (!valid_num(in->num) || in->type > TYPE_SHARED || in->priority > PRIO_CRITICAL ||
        in->signaled > 1)
        return -EINVAL;
    int e = find(s, in->num);
    if (e >= 0) {
        s->ex[e].notifier = in->notifier; /* an existing event: only its notifier changes */
        return 0;
    }
    if (s->n == KVM_SDEI_MAX_EVENTS)
        return -ENOSPC;
    s->ex[s->n++] = *in;
    return 0;
}

static int set_registered(struct sdei_vm *s, const struct kvm_sdei_registered_event_state *in)
{
    int e = find(s, in->num);
    if (e < 0 || in->route_mode > 1)
        return -EINVAL;
    if (s->reg[e])
        return -EEXIST;
    if (!(s->reg[e] = malloc(sizeof(*in))))
        return -ENOMEM;
    *s->reg[e] = *in;
    return 0;
}

static unsigned nr_registered(const struct sdei_vm *s)
{
    unsigned n = 0;
    for (unsigned e = 0; e < s->n; e++)
        n += s->reg[e] != NULL;
    return n;
}

static int vm_command(struct vm *vm, struct kvm_sdei_cmd *c)
{
    struct sdei_vm *s = vm_state(vm);
    if (!s)
        return -ENOMEM;
    size_t xs = sizeof(struct kvm_sdei_exposed_event_state);
    size_t rs = sizeof(struct kvm_sdei_registered_event_state);
    int err = 0;
    switch (c->cmd) {
    case KVM_SDEI_CMD_GET_VERSION: c->version = IMPL_VERSION; return 0;
    case KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT: c->count = s->n; return 0;
    case KVM_SDEI_CMD_GET_REGISTERED_EVENT_COUNT: c->count = nr_registered(s); return 0;
    case KVM_SDEI_CMD_GET_EXPOSED_EVENT:
        if ((err = check_count(c->count, s->n)))
            return err;
        return copy_to_user(c->exposed_event_state, s->ex, c->count * xs);
    case KVM_SDEI_CMD_SET_EXPOSED_EVENT:
        if ((err = check_count(c->count, KVM_SDEI_MAX_EVENTS)))
            return err;
        for (uint32_t i = 0; i < c->count && !err; i++) {
            struct kvm_sdei_exposed_event_state in;
            err = copy_from_user(&in, c->exposed_event_state + i * xs, xs);
            err = err ? err : set_exposed(s, &in);
        }
        return err;
    case KVM_SDEI_CMD_GET_REGISTERED_EVENT: {
        if ((err = check_count(c->count, nr_registered(s))))
            return err;
        uint32_t k = 0;
        for (unsigned e = 0; e < s->n && k < c->count && !err; e++)
            if (s->reg[e])
                err = copy_to_user(c->registered_event_state + k++ * rs, s->reg[e], rs);
        return err;
    }
    case KVM_SDEI_CMD_SET_REGISTERED_EVENT: {
        if ((err = check_count(c->count, KVM_SDEI_MAX_EVENTS)))
            return err;
        struct kvm_sdei_registered_event_state *in = malloc(rs);
        if (!in)
            return -ENOMEM;
        for (uint32_t i = 0; i < c->count && !err; i++) {
            err = copy_from_user(in, c->registered_event_state + i * rs, rs);
            err = err ? err : set_registered(s, in);
        }
        free(in);
        return err;
    }
    default: return -EINVAL;
    }
}

static unsigned nr_vcpu_events(const struct sdei_vm *s, const struct sdei_vcpu *p)
{
    unsigned n = 0;
    for (unsigned e = 0; e < s->n; e++)
        n += p->count[e] != 0;
    return n;
}

static int get_vcpu_events(const struct sdei_vm *s, const struct sdei_vcpu *p, uint32_t count,
                           uint64_t uptr)
{
    int err = check_count(count, nr_vcpu_events(s, p));
    uint32_t k = 0;
    for (unsigned e = 0; e < s->n && k < count && !err; e++) {
        if (!p->count[e])
            continue;
        struct kvm_sdei_vcpu_event_state st = {.num = s->ex[e].num, .event_count = p->count[e]};
        err = copy_to_user(uptr + k++ * sizeof(st), &st, sizeof(st));
    }
    return err;
}

static int set_vcpu_events(struct sdei_vm *s, struct sdei_vcpu *p, uint32_t count, uint64_t uptr)
{
    int err = check_count(count, KVM_SDEI_MAX_EVENTS);
    for (uint32_t i = 0; i < count && !err; i++) {
        struct kvm_sdei_vcpu_event_state st;
        if ((err = copy_from_user(&st, uptr + i * sizeof(st), sizeof(st))))
            break;
        int e = find(s, st.num);
        if (e < 0)
            return -EINVAL;
        p->count[e] = st.event_count;
    }
    return err;
}

static int set_vcpu_state(struct sdei_vm *s, struct sdei_vcpu *p, uint64_t uptr)
{
    struct kvm_sdei_vcpu_state st;
    if (copy_from_user(&st, uptr, sizeof(st)))
        return -EFAULT;
    if (st.masked > 1 || (st.critical_num != NO_EVENT && find(s, st.critical_num) < 0) ||
        (st.normal_num != NO_EVENT && find(s, st.normal_num) < 0))
        return -EINVAL;
    p->masked = st.masked;
    p->running[PRIO_CRITICAL] = st.critical_num;
    p->running[0] = st.normal_num;
    p->saved[PRIO_CRITICAL] = st.critical_regs;
    p->saved[0] = st.normal_regs;
    return 0;
}

static int vcpu_command(struct vcpu *v, struct kvm_sdei_cmd *c)
{
    struct sdei_vm *s = vm_state(v->vm);
    struct sdei_vcpu *p = vcpu_state(v);
    if (!s || !p)
        return -ENOMEM;
    switch (c->cmd) {
    case KVM_SDEI_CMD_GET_VCPU_EVENT_COUNT: c->count = nr_vcpu_events(s, p); return 0;
    case KVM_SDEI_CMD_GET_VCPU_EVENT: return get_vcpu_events(s, p, c->count, c->vcpu_event_state);
    case KVM_SDEI_CMD_SET_VCPU_EVENT: return set_vcpu_events(s, p, c->count, c->vcpu_event_state);
    case KVM_SDEI_CMD_GET_VCPU_STATE: {
        struct kvm_sdei_vcpu_state st = {.masked = p->masked,
                                         .critical_num = p->running[PRIO_CRITICAL],
                                         .normal_num = p->running[0],
                                         .critical_regs = p->saved[PRIO_CRITICAL],
                                         .normal_regs = p->saved[0]};
        return copy_to_user(c->vcpu_state, &st, sizeof(st));
    }
    case KVM_SDEI_CMD_SET_VCPU_STATE: return set_vcpu_state(s, p, c->vcpu_state);
    case KVM_SDEI_CMD_INJECT_EVENT: {
        int e = valid_num(c->num) ? find(s, c->num) : -1;
        if (e < 0)
            return -EINVAL;
        p->count[e]++;
        return 0;
    }
    default: return -EINVAL;
    }
}

/* KVM_ARM_SDEI_COMMAND: copy in, run, copy the command back (version, count) */
static int command(struct vm *vm, struct vcpu *v, unsigned long arg)
{
    struct kvm_sdei_cmd c;
    if (copy_from_user(&c, arg, sizeof(c)))
        return -EFAULT;
    int err = v ? vcpu_command(v, &c) : vm_command(vm, &c);
    refresh_all(vm);
    return err ? err : copy_to_user(arg, &c, sizeof(c));
}

int sdei_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    return req == KVM_ARM_SDEI_COMMAND ? command(vm, NULL, arg) : -ENOTTY;
}

int sdei_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_ARM_SDEI_COMMAND: return command(v->vm, v, arg);
    case IOE_VCPU_SDEI_CALL: return guest_call(v, arg);
    case IOE_VCPU_SDEI_DELIVER: {
        if (!vcpu_state(v))
            return -ENOMEM;
        return deliver(v, arg);
    }
    default: return -ENOTTY;
    }
}
