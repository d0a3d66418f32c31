/*
 * SDEI on arm64 VMs (docs/api.md "SDEI"), on every target: KVM_ARM_SDEI_COMMAND's commands
 * and errors, the guest's SDEI calls (DEN0054 results), delivery (a signalled or injected
 * event makes the target vCPU's descriptor readable while its PE is unmasked, ahead of its
 * IRQs; the handler's entry; COMPLETE and COMPLETE_AND_RESUME give back the interrupted
 * context), and migration of the whole state between every ordered pair of targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "assert_errno.h"
#include "gic_util.h"
#include "targets.h"

#define FN(n) (0xC4000020ull + (n))
#define VERSION FN(0)
#define REGISTER FN(1)
#define ENABLE FN(2)
#define DISABLE FN(3)
#define CONTEXT FN(4)
#define COMPLETE FN(5)
#define COMPLETE_RESUME FN(6)
#define UNREGISTER FN(7)
#define STATUS FN(8)
#define GET_INFO FN(9)
#define ROUTING_SET FN(0xA)
#define PE_MASK FN(0xB)
#define PE_UNMASK FN(0xC)
#define INTERRUPT_BIND FN(0xD)
#define SIGNAL FN(0xF)
#define PRIVATE_RESET FN(0x11)
#define SHARED_RESET FN(0x12)
#define NOT_SUPPORTED ((uint64_t)-1)
#define INVALID ((uint64_t)-2)
#define DENIED ((uint64_t)-3)
#define PENDING ((uint64_t)-5)
#define EV_SHARED 0x400001u /* shared, critical */
#define EV_PRIV 0x400002u   /* private, normal */
#define BAD_PTR ((void *)(uintptr_t)8)
#define MPIDR(i) ((uint64_t)(i)) /* vCPU ids 0, 1: Aff0 = id */

static struct ioe_sdei_call last;

/* the guest of vCPU c calls fn(a[0..4]); x0 after the call */
static uint64_t callv(struct tvm *t, int c, uint64_t fn, const uint64_t *a)
{
    memset(&last, 0, sizeof(last));
    last.ctx.regs[0] = fn;
    memcpy(&last.ctx.regs[1], a, 5 * sizeof(*a));
    last.ctx.pc = 0x7000;
    assert_ok(ioe_ioctl(t->vcpu[c], IOE_VCPU_SDEI_CALL, &last));
    return last.ctx.regs[0];
}
#define CALL(t, c, fn, ...) callv(t, c, fn, (const uint64_t[5]){__VA_ARGS__})
#define CALL0(t, c, fn) CALL(t, c, fn, 0)

static int cmd(int fd, uint32_t c, uint32_t count, const void *p)
{
    struct kvm_sdei_cmd k = {.cmd = c, .count = count, .num = (uintptr_t)p};
    int r = ioe_ioctl(fd, KVM_ARM_SDEI_COMMAND, &k);
    return r ? r : (int)k.count;
}

static int inject(int vcpu, uint64_t num)
{
    struct kvm_sdei_cmd k = {.cmd = KVM_SDEI_CMD_INJECT_EVENT, .num = num};
    return ioe_ioctl(vcpu, KVM_ARM_SDEI_COMMAND, &k);
}

static void expose(struct tvm *t)
{
    struct kvm_sdei_exposed_event_state ev[2] = {
        {.num = EV_SHARED, .type = 1, .priority = 1, .notifier = 0x11},
        {.num = EV_PRIV, .type = 0, .priority = 0, .signaled = 1, .notifier = 0x22}};
    assert_ok(cmd(t->vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 2, ev));
}

/* the interrupted context the VMM passes to IOE_VCPU_SDEI_DELIVER: x<i> = base + i */
static int deliver(struct tvm *t, int c, uint64_t base, struct ioe_sdei_ctx *h)
{
    memset(h, 0, sizeof(*h));
    for (int i = 0; i < 18; i++)
        h->regs[i] = base + (uint64_t)i;
    h->pc = base + 0x1000;
    h->pstate = 0x5;
    return ioe_ioctl(t->vcpu[c], IOE_VCPU_SDEI_DELIVER, h);
}

static void open_vm(struct tvm *t, const char *target)
{
    t_vm_open(t, target, 2, 64);
    t_run_all(t);
    t_guest_init(t);
}

/* ================================================================== commands */
static void test_commands(void **state)
{
    struct tvm t;
    open_vm(&t, *state);
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SDEI), 1);
    struct kvm_sdei_cmd k = {.cmd = KVM_SDEI_CMD_GET_VERSION};
    assert_ok(ioe_ioctl(t.vm, KVM_ARM_SDEI_COMMAND, &k));
    assert_int_equal(k.version, 0x10000);
    assert_err(EFAULT, ioe_ioctl(t.vm, KVM_ARM_SDEI_COMMAND, BAD_PTR));
    assert_err(EINVAL, cmd(t.vm, 99, 0, NULL));
    /* VM commands on a vCPU and vCPU commands on the VM */
    assert_err(EINVAL, cmd(t.vcpu[0], KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT, 0, NULL));
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_GET_VCPU_STATE, 0, NULL));
    /* event 0 is always exposed */
    assert_int_equal(cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT, 0, NULL), 1);
    struct kvm_sdei_exposed_event_state ev[KVM_SDEI_MAX_EVENTS + 1];
    memset(ev, 0, sizeof(ev));
    ev[0].num = 0x123; /* bits 23:22 are not 0b01 */
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 1, ev));
    ev[0] = (struct kvm_sdei_exposed_event_state){.num = 0x1400001};
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 1, ev));
    ev[0] = (struct kvm_sdei_exposed_event_state){.num = EV_SHARED, .type = 2};
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 1, ev));
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 0, ev));
    assert_err(EFAULT, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 1, BAD_PTR));
    expose(&t);
    assert_int_equal(cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT, 0, NULL), 3);
    /* an existing event: only its notifier changes */
    ev[0] = (struct kvm_sdei_exposed_event_state){.num = EV_PRIV, .type = 1, .notifier = 0x33};
    assert_ok(cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, 1, ev));
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT, 4, ev));
    assert_err(EFAULT, cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT, 3, BAD_PTR));
    assert_ok(cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT, 3, ev));
    assert_int_equal(ev[2].num, EV_PRIV);
    assert_int_equal(ev[2].type, 0);
    assert_int_equal(ev[2].notifier, 0x33);
    assert_int_equal(ev[1].priority, 1);
    /* at most KVM_SDEI_MAX_EVENTS */
    for (int i = 0; i < KVM_SDEI_MAX_EVENTS; i++)
        ev[i] = (struct kvm_sdei_exposed_event_state){.num = 0x400100u + (unsigned)i};
    assert_err(ENOSPC, cmd(t.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, KVM_SDEI_MAX_EVENTS, ev));
    assert_int_equal(cmd(t.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT, 0, NULL), 16);
    /* registered events: none yet; one must be exposed */
    assert_int_equal(cmd(t.vm, KVM_SDEI_CMD_GET_REGISTERED_EVENT_COUNT, 0, NULL), 0);
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_GET_REGISTERED_EVENT, 1, NULL));
    static struct kvm_sdei_registered_event_state r;
    r.num = 0x400fff;
    assert_err(EINVAL, cmd(t.vm, KVM_SDEI_CMD_SET_REGISTERED_EVENT, 1, &r));
    r.num = EV_SHARED;
    assert_ok(cmd(t.vm, KVM_SDEI_CMD_SET_REGISTERED_EVENT, 1, &r));
    assert_err(EEXIST, cmd(t.vm, KVM_SDEI_CMD_SET_REGISTERED_EVENT, 1, &r));
    /* vCPU events: injected ones count; unknown events EINVAL */
    assert_err(EINVAL, inject(t.vcpu[0], 0x400fff));
    assert_ok(inject(t.vcpu[0], EV_PRIV));
    assert_ok(inject(t.vcpu[0], EV_PRIV));
    assert_int_equal(cmd(t.vcpu[0], KVM_SDEI_CMD_GET_VCPU_EVENT_COUNT, 0, NULL), 1);
    struct kvm_sdei_vcpu_event_state ve = {0};
    assert_ok(cmd(t.vcpu[0], KVM_SDEI_CMD_GET_VCPU_EVENT, 1, &ve));
    assert_int_equal(ve.num, EV_PRIV);
    assert_int_equal(ve.event_count, 2);
    ve.num = 0x400fff;
    assert_err(EINVAL, cmd(t.vcpu[1], KVM_SDEI_CMD_SET_VCPU_EVENT, 1, &ve));
    struct kvm_sdei_vcpu_state vs;
    assert_ok(cmd(t.vcpu[1], KVM_SDEI_CMD_GET_VCPU_STATE, 0, &vs));
    assert_int_equal(vs.masked, 1); /* every PE starts masked */
    assert_int_equal(vs.critical_num, ~0ull);
    vs.normal_num = 0x400fff; /* a running event must be exposed */
    assert_err(EINVAL, cmd(t.vcpu[1], KVM_SDEI_CMD_SET_VCPU_STATE, 0, &vs));
    t_exit_all(&t);
    t_vm_close(&t);
}

/* ================================================================== the guest's calls */
static void test_calls(void **state)
{
    struct tvm t;
    open_vm(&t, *state);
    expose(&t);
    assert_int_equal(CALL0(&t, 0, VERSION), 1ull << 48 | 1ull << 32);
    assert_int_equal(last.action, IOE_SDEI_RETURN);
    assert_int_equal(CALL0(&t, 0, INTERRUPT_BIND), NOT_SUPPORTED);
    assert_int_equal(CALL0(&t, 0, FN(0x1f)), NOT_SUPPORTED);
    assert_int_equal(CALL(&t, 0, REGISTER, 0x400fff, 0x1000), INVALID);
    assert_int_equal(CALL(&t, 0, ENABLE, 0x123), INVALID);
    assert_int_equal(CALL(&t, 0, ENABLE, 0), DENIED); /* not registered */
    assert_int_equal(CALL(&t, 0, STATUS, 0), 0);
    assert_int_equal(CALL(&t, 0, REGISTER, 0, 0x1000, 0x55), 0);
    assert_int_equal(CALL(&t, 0, REGISTER, 0, 0x1000, 0x55), DENIED);
    assert_int_equal(CALL(&t, 1, STATUS, 0), 0); /* private: vCPU 1 has its own */
    assert_int_equal(CALL(&t, 0, STATUS, 0), 1);
    assert_int_equal(CALL(&t, 0, ENABLE, 0), 0);
    assert_int_equal(CALL(&t, 0, STATUS, 0), 3);
    assert_int_equal(CALL(&t, 0, DISABLE, 0), 0);
    assert_int_equal(CALL(&t, 0, STATUS, 0), 1);
    /* GET_INFO: type, signalled, priority; routing only for shared events */
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 0), 1);
    assert_int_equal(CALL(&t, 0, GET_INFO, 0, 1), 1);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 2), 1);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_PRIV, 3), INVALID);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 3), DENIED); /* not registered */
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 5), INVALID);
    /* a shared event: routing mode and affinity */
    assert_int_equal(CALL(&t, 0, REGISTER, EV_SHARED, 0x2000, 0, 2), INVALID);
    assert_int_equal(CALL(&t, 0, REGISTER, EV_SHARED, 0x2000, 0, 1, 0x7), INVALID);
    assert_int_equal(CALL(&t, 0, REGISTER, EV_SHARED, 0x2000, 0x66, 1, MPIDR(1)), 0);
    assert_int_equal(CALL(&t, 1, REGISTER, EV_SHARED, 0x2000, 0x66, 0), DENIED);
    assert_int_equal(CALL(&t, 1, STATUS, EV_SHARED), 1);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 3), 1);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 4), MPIDR(1));
    assert_int_equal(CALL(&t, 0, ROUTING_SET, EV_PRIV, 0), INVALID);
    assert_int_equal(CALL(&t, 0, ROUTING_SET, EV_SHARED, 0), 0);
    assert_int_equal(CALL(&t, 0, GET_INFO, EV_SHARED, 3), 0);
    assert_int_equal(CALL(&t, 0, ENABLE, EV_SHARED), 0);
    assert_int_equal(CALL(&t, 0, ROUTING_SET, EV_SHARED, 1, MPIDR(0)), DENIED); /* enabled */
    /* outside a handler */
    assert_int_equal(CALL(&t, 0, CONTEXT, 0), DENIED);
    assert_int_equal(CALL0(&t, 0, COMPLETE), DENIED);
    assert_int_equal(last.action, IOE_SDEI_RETURN);
    assert_int_equal(CALL(&t, 0, COMPLETE_RESUME, 0x9000), DENIED);
    /* the mask: 1 when the call masked the PE */
    assert_int_equal(CALL0(&t, 0, PE_MASK), 0);
    assert_int_equal(CALL0(&t, 0, PE_UNMASK), 0);
    assert_int_equal(CALL0(&t, 0, PE_MASK), 1);
    /* signal: only a signalable event, to a PE of the VM */
    assert_int_equal(CALL(&t, 0, SIGNAL, EV_SHARED, MPIDR(1)), INVALID);
    assert_int_equal(CALL(&t, 0, SIGNAL, 0, 0x55), INVALID);
    assert_int_equal(CALL(&t, 0, SIGNAL, 0, MPIDR(1)), 0);
    /* unregister, resets */
    assert_int_equal(CALL(&t, 0, UNREGISTER, 0), 0);
    assert_int_equal(CALL(&t, 0, UNREGISTER, 0), DENIED);
    assert_int_equal(CALL(&t, 1, REGISTER, EV_PRIV, 0x3000), 0);
    assert_int_equal(CALL0(&t, 1, PRIVATE_RESET), 0);
    assert_int_equal(CALL(&t, 1, STATUS, EV_PRIV), 0);
    assert_int_equal(CALL0(&t, 1, SHARED_RESET), 0);
    assert_int_equal(CALL(&t, 0, STATUS, EV_SHARED), 0);
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_VCPU_SDEI_CALL, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_VCPU_SDEI_DELIVER, BAD_PTR));
    t_exit_all(&t);
    t_vm_close(&t);
}

/* ================================================================== delivery */
static void test_delivery(void **state)
{
    struct tvm t;
    struct ioe_sdei_ctx h;
    open_vm(&t, *state);
    expose(&t);
    assert_int_equal(CALL(&t, 1, REGISTER, 0, 0x1000, 0x55), 0);
    assert_int_equal(CALL(&t, 1, ENABLE, 0), 0);
    /* masked: the signal waits */
    assert_int_equal(CALL(&t, 0, SIGNAL, 0, MPIDR(1)), 0);
    assert_false(t_readable(&t, 1));
    assert_int_equal(deliver(&t, 1, 100, &h), 0);
    assert_int_equal(CALL0(&t, 1, PE_UNMASK), 0);
    assert_true(t_readable(&t, 1));
    assert_false(t_readable(&t, 0));
    assert_int_equal(deliver(&t, 0, 100, &h), 0);
    /* an SPI for vCPU 1 as well: the SDEI event comes first */
    t_mmio(&t, DIST_BASE + 0x400 + 40, 1, 1, 0x80);
    t_mmio(&t, DIST_BASE + 0x6000 + 8 * 40, 8, 1, 1);
    t_gicd_w(&t, 0x100 + 4, 1u << 8);
    t_line(&t, 1, 0, 40, 1);
    assert_int_equal(deliver(&t, 1, 100, &h), 1);
    assert_int_equal(h.regs[0], 0);
    assert_int_equal(h.regs[1], 0x55);
    assert_int_equal(h.regs[2], 100 + 0x1000);
    assert_int_equal(h.regs[3], 5);
    assert_int_equal(h.regs[4], 104);
    assert_int_equal(h.pc, 0x1000);
    assert_int_equal(h.pstate, 0x3c5);
    assert_int_equal(CALL(&t, 1, STATUS, 0), 7); /* registered, enabled, running */
    assert_int_equal(CALL(&t, 1, CONTEXT, 5), 105);
    assert_int_equal(CALL(&t, 1, CONTEXT, 18), INVALID);
    assert_true(t_readable(&t, 1)); /* the SPI */
    assert_int_equal(t_ack(&t, 1).intid, 40);
    t_line(&t, 1, 0, 40, 0);
    t_eoi(&t, 1, 40, 1);
    assert_false(t_readable(&t, 1));
    /* another signal while the handler runs: pending, not deliverable */
    assert_int_equal(CALL(&t, 0, SIGNAL, 0, MPIDR(1)), 0);
    assert_false(t_readable(&t, 1));
    /* a critical event preempts the normal handler */
    assert_int_equal(CALL(&t, 1, REGISTER, EV_SHARED, 0x2000, 0x77, 0), 0);
    assert_int_equal(CALL(&t, 1, ENABLE, EV_SHARED), 0);
    assert_ok(inject(t.vcpu[1], EV_SHARED));
    assert_true(t_readable(&t, 1));
    assert_int_equal(deliver(&t, 1, 200, &h), 1);
    assert_int_equal(h.regs[0], EV_SHARED);
    assert_int_equal(h.pc, 0x2000);
    assert_int_equal(CALL(&t, 1, CONTEXT, 1), 201); /* the critical handler's context */
    assert_int_equal(CALL0(&t, 1, COMPLETE), 200);  /* x0 of the restored context */
    assert_int_equal(last.action, IOE_SDEI_RESTORE);
    assert_int_equal(last.ctx.pc, 200 + 0x1000);
    assert_int_equal(last.ctx.regs[17], 217);
    /* back in the normal handler: unregister is pending until it completes */
    assert_int_equal(CALL(&t, 1, UNREGISTER, 0), PENDING);
    assert_int_equal(CALL(&t, 1, COMPLETE_RESUME, 0x9000), 100);
    assert_int_equal(last.action, IOE_SDEI_RESUME);
    assert_int_equal(last.ctx.pc, 0x9000);
    assert_int_equal(last.ctx.pstate, 0x3c5);
    assert_int_equal(last.elr, 100 + 0x1000);
    assert_int_equal(last.spsr, 5);
    assert_int_equal(CALL(&t, 1, STATUS, 0), 0); /* unregistered; its pending signal went */
    assert_false(t_readable(&t, 1));
    /* a PE masked with an event pending, unmasked again */
    assert_int_equal(CALL(&t, 1, REGISTER, 0, 0x1000, 0x55), 0);
    assert_int_equal(CALL(&t, 1, ENABLE, 0), 0);
    assert_int_equal(CALL0(&t, 1, PE_MASK), 1);
    assert_int_equal(CALL(&t, 1, SIGNAL, 0, MPIDR(1)), 0);
    assert_false(t_readable(&t, 1));
    assert_int_equal(CALL0(&t, 1, PE_UNMASK), 0);
    assert_true(t_readable(&t, 1));
    assert_int_equal(deliver(&t, 1, 300, &h), 1);
    assert_int_equal(CALL0(&t, 1, PRIVATE_RESET), DENIED); /* its handler runs */
    assert_int_equal(CALL0(&t, 1, COMPLETE), 300);
    assert_int_equal(CALL(&t, 1, STATUS, 0), 0);
    t_exit_all(&t);
    t_vm_close(&t);
}

/* ================================================================== migration */
static void test_migrate(void **state)
{
    const struct tt_pair *p = *state;
    struct tvm a, b;
    struct ioe_sdei_ctx h;
    open_vm(&a, p->src);
    expose(&a);
    assert_int_equal(CALL(&a, 1, REGISTER, 0, 0x1000, 0x55), 0);
    assert_int_equal(CALL(&a, 1, ENABLE, 0), 0);
    assert_int_equal(CALL(&a, 0, REGISTER, EV_SHARED, 0x2000, 0x66, 1, MPIDR(1)), 0);
    assert_int_equal(CALL0(&a, 1, PE_UNMASK), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(CALL(&a, 0, SIGNAL, 0, MPIDR(1)), 0);
    assert_int_equal(deliver(&a, 1, 400, &h), 1); /* vCPU 1 in its handler, one pending */
    /* save */
    struct kvm_sdei_exposed_event_state ex[KVM_SDEI_MAX_EVENTS];
    static struct kvm_sdei_registered_event_state reg[2], reg_b[2];
    struct kvm_sdei_vcpu_event_state ve[KVM_SDEI_MAX_EVENTS];
    struct kvm_sdei_vcpu_state vs, vs_b;
    int nx = cmd(a.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT_COUNT, 0, NULL);
    int nr = cmd(a.vm, KVM_SDEI_CMD_GET_REGISTERED_EVENT_COUNT, 0, NULL);
    int nv = cmd(a.vcpu[1], KVM_SDEI_CMD_GET_VCPU_EVENT_COUNT, 0, NULL);
    assert_int_equal(nx, 3);
    assert_int_equal(nr, 2);
    assert_int_equal(nv, 1);
    assert_ok(cmd(a.vm, KVM_SDEI_CMD_GET_EXPOSED_EVENT, (uint32_t)nx, ex));
    assert_ok(cmd(a.vm, KVM_SDEI_CMD_GET_REGISTERED_EVENT, (uint32_t)nr, reg));
    assert_ok(cmd(a.vcpu[1], KVM_SDEI_CMD_GET_VCPU_EVENT, (uint32_t)nv, ve));
    assert_ok(cmd(a.vcpu[1], KVM_SDEI_CMD_GET_VCPU_STATE, 0, &vs));
    assert_int_equal(ve[0].event_count, 1);
    assert_int_equal(vs.normal_num, 0);
    /* restore on a fresh VM */
    open_vm(&b, p->dst);
    assert_ok(cmd(b.vm, KVM_SDEI_CMD_SET_EXPOSED_EVENT, (uint32_t)nx, ex));
    assert_ok(cmd(b.vm, KVM_SDEI_CMD_SET_REGISTERED_EVENT, (uint32_t)nr, reg));
    assert_ok(cmd(b.vcpu[1], KVM_SDEI_CMD_SET_VCPU_EVENT, (uint32_t)nv, ve));
    assert_ok(cmd(b.vcpu[1], KVM_SDEI_CMD_SET_VCPU_STATE, 0, &vs));
    assert_ok(cmd(b.vm, KVM_SDEI_CMD_GET_REGISTERED_EVENT, (uint32_t)nr, reg_b));
    assert_memory_equal(reg, reg_b, sizeof(reg));
    assert_ok(cmd(b.vcpu[1], KVM_SDEI_CMD_GET_VCPU_STATE, 0, &vs_b));
    assert_memory_equal(&vs, &vs_b, sizeof(vs));
    /* the same behaviour: the handler completes to the saved context, the pending signal
     * is delivered next, the shared event keeps its routing */
    assert_int_equal(CALL(&b, 1, STATUS, 0), 7);
    assert_int_equal(CALL(&b, 1, CONTEXT, 3), 403);
    assert_false(t_readable(&b, 1));
    assert_int_equal(CALL0(&b, 1, COMPLETE), 400);
    assert_int_equal(last.ctx.pc, 400 + 0x1000);
    assert_true(t_readable(&b, 1));
    assert_int_equal(deliver(&b, 1, 500, &h), 1);
    assert_int_equal(h.regs[1], 0x55);
    assert_int_equal(CALL(&b, 0, GET_INFO, EV_SHARED, 4), MPIDR(1));
    t_exit_all(&a);
    t_vm_close(&a);
    t_exit_all(&b);
    t_vm_close(&b);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_commands),
        TT_TARGET_TEST(test_calls),
        TT_TARGET_TEST(test_delivery),
        TT_PAIR_TEST(test_migrate),
    };
    return tt_run_tests("sdei", tests, NULL, NULL);
}
