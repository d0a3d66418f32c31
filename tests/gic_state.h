/*
 * The whole GIC state of a VM through the KVM attribute ABI, as a VMM saves and restores
 * it for migration (QEMU's order: distributor, redistributors, line levels, CPU
 * interfaces). Used by the migration and differential tests.
 */
#ifndef IOE_TEST_GIC_STATE_H
#define IOE_TEST_GIC_STATE_H

#include "gic_util.h"

#define ST_MAX_IRQS 256
#define ST_MAX_VCPUS 8

struct gic_state {
    uint32_t nr_irqs;
    uint32_t ctlr;
    uint32_t group[ST_MAX_IRQS / 32], enable[ST_MAX_IRQS / 32], pend[ST_MAX_IRQS / 32],
        active[ST_MAX_IRQS / 32], level[ST_MAX_IRQS / 32];
    uint32_t prio[ST_MAX_IRQS / 4], cfg[ST_MAX_IRQS / 16];
    uint32_t route[ST_MAX_IRQS][2];
    struct {
        uint32_t group, enable, pend, active, level, cfg1;
        uint32_t prio[8];
        uint64_t sys[8];
    } cpu[ST_MAX_VCPUS];
};

static const uint32_t st_sysregs[8] = {ICC_PMR,   ICC_BPR0, ICC_BPR1,    ICC_AP0R0,
                                       ICC_AP1R0, ICC_CTLR, ICC_IGRPEN0, ICC_IGRPEN1};

static inline uint64_t st_mpidr(int c)
{
    return (uint64_t)c << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT; /* vcpu ids < 16: Aff0 = id */
}

static inline void st_reg(int dev, int write, uint32_t group, uint64_t attr, uint32_t *v)
{
    if (write)
        t_set_attr(dev, group, attr, v);
    else
        t_get_attr(dev, group, attr, v);
}

/* Save (write = 0) or restore (write = 1) everything, in that order. */
static inline void st_xfer(struct tvm *t, struct gic_state *s, int write)
{
    const uint32_t D = KVM_DEV_ARM_VGIC_GRP_DIST_REGS, R = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
    uint32_t n = s->nr_irqs, zero_ones;
    st_reg(t->dev, write, D, 0x0, &s->ctlr);
    for (uint32_t i = 1; i < n / 32; i++) {
        st_reg(t->dev, write, D, 0x080 + 4 * i, &s->group[i]);
        if (write) { /* the reset state has SPIs disabled and inactive: clear, then set */
            zero_ones = ~s->enable[i];
            st_reg(t->dev, 1, D, 0x180 + 4 * i, &zero_ones);
            zero_ones = ~s->active[i];
            st_reg(t->dev, 1, D, 0x380 + 4 * i, &zero_ones);
        }
        st_reg(t->dev, write, D, 0x100 + 4 * i, &s->enable[i]);
        st_reg(t->dev, write, D, 0x200 + 4 * i, &s->pend[i]);
        st_reg(t->dev, write, D, 0x300 + 4 * i, &s->active[i]);
    }
    for (uint32_t i = 8; i < n / 4; i++)
        st_reg(t->dev, write, D, 0x400 + 4 * i, &s->prio[i]);
    for (uint32_t i = 2; i < n / 16; i++)
        st_reg(t->dev, write, D, 0xc00 + 4 * i, &s->cfg[i]);
    for (uint32_t i = 32; i < n; i++) {
        st_reg(t->dev, write, D, 0x6000 + 8 * i, &s->route[i][0]);
        st_reg(t->dev, write, D, 0x6004 + 8 * i, &s->route[i][1]);
    }
    for (int c = 0; c < t->n; c++) {
        uint64_t m = st_mpidr(c);
        st_reg(t->dev, write, R, m | 0x10080, &s->cpu[c].group);
        st_reg(t->dev, write, R, m | 0x10c04, &s->cpu[c].cfg1);
        for (int i = 0; i < 8; i++)
            st_reg(t->dev, write, R, m | (0x10400 + 4 * i), &s->cpu[c].prio[i]);
        if (write) {
            zero_ones = ~s->cpu[c].enable;
            st_reg(t->dev, 1, R, m | 0x10180, &zero_ones);
            zero_ones = ~s->cpu[c].active;
            st_reg(t->dev, 1, R, m | 0x10380, &zero_ones);
        }
        st_reg(t->dev, write, R, m | 0x10100, &s->cpu[c].enable);
        st_reg(t->dev, write, R, m | 0x10200, &s->cpu[c].pend);
        st_reg(t->dev, write, R, m | 0x10300, &s->cpu[c].active);
    }
    for (int c = 0; c < t->n; c++)
        st_reg(t->dev, write, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, st_mpidr(c), &s->cpu[c].level);
    for (uint32_t i = 1; i < n / 32; i++)
        st_reg(t->dev, write, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32 * i, &s->level[i]);
    for (int c = 0; c < t->n; c++)
        for (int r = 0; r < 8; r++) {
            if (write)
                t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, st_mpidr(c) | st_sysregs[r],
                           &s->cpu[c].sys[r]);
            else
                t_get_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, st_mpidr(c) | st_sysregs[r],
                           &s->cpu[c].sys[r]);
        }
}

static inline void st_save(struct tvm *t, struct gic_state *s)
{
    memset(s, 0, sizeof(*s));
    t_get_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &s->nr_irqs);
    st_xfer(t, s, 0);
}

#endif
