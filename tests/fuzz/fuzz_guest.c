/*
 * libFuzzer target: what guests write into their own memory and registers, on the soft
 * card. Each input gets the guests of the API tests: an arm64 VM with 2 vCPUs, a GICv3, LPIs
 * and an ITS with its tables (tests/its_util.h), and a ppc64 VM with 2 vCPUs connected to a
 * XIVE device (tests/xive_util.h). The input (fuzz_guest.h) then writes bytes into their
 * memory (command queue, device, collection and interrupt translation tables, LPI
 * property and pending tables, event queues), queues ITS commands, writes ITS,
 * redistributor and distributor registers, sends MSIs, acknowledges, saves and restores the
 * ITS tables, configures event queues and sources, and makes ESB and TIMA accesses. What
 * must hold: no crash, no sanitizer report, no hang, failures -1 with an errno, GITS_CREADR
 * inside the queue, and only INTIDs the VM can have acknowledged. The helpers' assertions
 * (cmocka) end the process when setup or an acknowledge fails, which libFuzzer reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz_guest.h"
#include "fuzz_input.h"
#include "its_util.h"
#include "xive_util.h"

#define QUEUE_BYTES 0x1000u /* its_tables' command queue */

/* Where FG_WRITE writes: the arm64 guest's (vm 0) or the ppc64 guest's (vm 1) structures */
static const uint64_t fg_areas[][2] = {
    {PROP_OFF, 0},     {PEND_OFF, 0x10000}, {CMDQ_OFF, 0x20000},
    {DT_OFF, 0x30000}, {CT_OFF, 0x40000},   {ITT_OFF, 0x50000},
};

/* The registers FG_REG writes: a frame offset and a size */
static const struct {
    uint64_t gpa;
    unsigned len;
} fg_regs[] = {
    {ITS_BASE + GITS_CTLR, 4},
    {ITS_BASE + GITS_CBASER, 8},
    {ITS_BASE + GITS_CWRITER, 8},
    {ITS_BASE + GITS_BASER(0), 8},
    {ITS_BASE + GITS_BASER(1), 8},
    {REDIST_BASE + GICR_PROPBASER, 8},
    {REDIST_BASE + GICR_PENDBASER, 8},
    {REDIST_BASE + GICR_CTLR, 4},
    {REDIST_BASE + 0x20000 + GICR_CTLR, 4},
    {DIST_BASE, 4},
};

struct guests {
    struct tits x; /* arm64 */
    struct xvm p;  /* ppc64 */
};

static void queue_go(struct tits *x)
{
    its_mmio_w(x, GITS_CWRITER, 8, x->cwriter);
    uint64_t creadr = its_mmio_r(x, GITS_CREADR, 8);
    if ((creadr & ~1ull) >= QUEUE_BYTES || (creadr & 0x1e))
        __builtin_trap(); /* GITS_CREADR outside the queue */
}

/* A well-formed ITS command from small operands */
static void its_command(struct tits *x, struct fz *f)
{
    static const uint8_t codes[] = {C_MAPD,    C_MAPC, C_MAPTI, C_MAPI, C_INT,    C_CLEAR,
                                    C_DISCARD, C_MOVI, C_SYNC,  C_INV,  C_INVALL, C_MOVALL};
    uint8_t code = codes[fz_u8(f) % sizeof(codes)];
    uint32_t dev = fz_u8(f) % 8, ev = fz_u8(f) % 16;
    uint16_t icid = fz_u8(f) % 4;
    uint32_t lpi = LPI0 + fz_u16(f) % 512, rd = fz_u8(f) % 2;
    int valid = fz_u8(f) & 1;
    switch (code) {
    case C_MAPD: cmd_mapd(x, dev, 3, MEM_GPA + ITT_OFF + 0x1000ull * dev, valid); break;
    case C_MAPC: cmd_mapc(x, icid, rd, valid); break;
    case C_MAPTI: cmd_mapti(x, dev, ev, lpi, icid); break;
    case C_MOVALL: its_cmd(x, code, 0, (uint64_t)rd << 16, (uint64_t)(rd ^ 1) << 16); break;
    case C_INVALL:
    case C_SYNC: its_cmd(x, code, 0, (uint64_t)rd << 16 | icid, 0); break;
    default: cmd_dev_ev(x, code, dev, ev, icid); break;
    }
    queue_go(x);
}

/* Acknowledge on vCPU c and complete; the INTID must be an SPI or PPI/SGI of the VM (64
 * SPIs: t_vm_open's) or an LPI below 2^16 (its_guest_lpis' IDbits) */
static void ack(struct tits *x, int c)
{
    uint32_t intid = its_take(x, c);
    if (intid != 1023 && intid >= 32 + 64 && (intid < LPI0 || intid >= 1u << 16))
        __builtin_trap();
}

static int xive_attr(struct xvm *p, uint32_t group, uint64_t a, void *val)
{
    errno = 0;
    int ret = xattr(p->dev, KVM_SET_DEVICE_ATTR, group, a, val);
    fz_check(ret);
    return ret;
}

static void xive_op(struct xvm *p, unsigned op, struct fz *f)
{
    switch (op) {
    case FG_EQ_CONFIG: {
        int c = fz_u8(f) & 1;
        unsigned prio = fz_u8(f) % 8;
        struct kvm_ppc_xive_eq eq = {.flags = fz_u8(f) & 1 ? KVM_XIVE_EQ_ALWAYS_NOTIFY : 0,
                                     .qshift = fz_u8(f) % 20,
                                     .qaddr = RAM_GPA + fz_u32(f) % (2 * RAM_SIZE),
                                     .qtoggle = fz_u8(f) & 1,
                                     .qindex = fz_u16(f)};
        xive_attr(p, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(p->server[c], prio), &eq);
        errno = 0;
        fz_check(xattr(p->dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_EQ_CONFIG,
                       eq_id(p->server[c], prio), &eq));
        break;
    }
    case FG_SOURCE: {
        uint32_t irq = fz_u8(f) % 32;
        uint64_t flags = fz_u8(f) & KVM_XIVE_LEVEL_SENSITIVE;
        xive_attr(p, KVM_DEV_XIVE_GRP_SOURCE, irq, &flags);
        int c = fz_u8(f) & 1;
        unsigned prio = fz_u8(f) % 8;
        bool masked = fz_u8(f) & 1;
        uint64_t cfg = src_cfg(p->server[c], prio, fz_u16(f), masked);
        xive_attr(p, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, irq, &cfg);
        break;
    }
    case FG_ESB: {
        static const uint32_t offs[] = {XIVE_ESB_LOAD_EOI,          XIVE_ESB_GET,
                                        XIVE_ESB_SET_PQ_00,         XIVE_ESB_SET_PQ_00 + 0x100,
                                        XIVE_ESB_SET_PQ_00 + 0x200, XIVE_ESB_SET_PQ_00 + 0x300};
        uint32_t irq = fz_u8(f) % 32;
        uint8_t k = fz_u8(f);
        struct ioe_xive_esb e = {
            .page = 2ull * irq + (k & 1), .offset = offs[(k >> 1) % 6], .is_store = (k >> 4) & 1};
        errno = 0;
        fz_check(ioe_ioctl(p->dev, IOE_XIVE_ESB, &e));
        break;
    }
    case FG_TIMA: {
        int c = fz_u8(f) & 1;
        struct ioe_xive_tima t = {.offset = TM_SPC_ACK_OS_REG, .len = 2};
        if (fz_u8(f) & 1)
            t = (struct ioe_xive_tima){
                .offset = TM_QW1_OS + TM_CPPR, .len = 1, .is_store = 1, .data = fz_u8(f)};
        errno = 0;
        fz_check(ioe_ioctl(p->vcpu[c], IOE_XIVE_TIMA, &t));
        break;
    }
    case FG_XIVE_SYNC: xive_attr(p, KVM_DEV_XIVE_GRP_SOURCE_SYNC, fz_u8(f) % 32, NULL); break;
    }
}

static void guest_op(struct guests *g, unsigned op, struct fz *f)
{
    struct tits *x = &g->x;
    switch (op) {
    case FG_WRITE: {
        unsigned vm = fz_u8(f) & 1;
        const uint64_t *area = fg_areas[fz_u8(f) % (sizeof(fg_areas) / sizeof(fg_areas[0]))];
        uint64_t off = area[vm] + fz_u16(f);
        fz_bytes(f, (vm ? g->p.ram : x->mem) + off, fz_u8(f));
        break;
    }
    case FG_CMD_RAW: {
        uint64_t d[4];
        for (int i = 0; i < 4; i++)
            d[i] = fz_u64(f);
        its_cmd(x, d[0], d[1], d[2], d[3]);
        queue_go(x);
        break;
    }
    case FG_CMD: its_command(x, f); break;
    case FG_REG: {
        unsigned i = fz_u8(f) % (sizeof(fg_regs) / sizeof(fg_regs[0]));
        t_mmio(&x->t, fg_regs[i].gpa, fg_regs[i].len, 1, fz_u64(f));
        break;
    }
    case FG_MSI: {
        uint32_t dev = fz_u8(f) % 8, ev = fz_u8(f) % 16;
        int r = its_msi(x, dev, ev); /* 1, 0 or -errno */
        if (r > 1 || r < -4095)
            __builtin_trap();
        break;
    }
    case FG_ACK: ack(x, fz_u8(f) & 1); break;
    case FG_ITS_SAVE:
    case FG_ITS_RESTORE: {
        struct kvm_device_attr a = {.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
                                    .attr = op == FG_ITS_SAVE ? KVM_DEV_ARM_ITS_SAVE_TABLES
                                                              : KVM_DEV_ARM_ITS_RESTORE_TABLES};
        errno = 0;
        fz_check(ioe_ioctl(x->its, KVM_SET_DEVICE_ATTR, &a));
        break;
    }
    default: xive_op(&g->p, op, f); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct guests g;
    its_open(&g.x, "soft", 2);
    its_tables(&g.x, 0x10000, 0, 1);
    xive_open(&g.p, "soft", 2, true);
    struct fz f = {data, size};
    for (unsigned ops = 0; f.n && ops < 512; ops++)
        guest_op(&g, fz_u8(&f) % FG_COUNT, &f);
    xive_close(&g.p);
    its_close(&g.x);
    return 0;
}
