/*
 * Writes the seed corpora of the fuzz targets in their input languages:
 * - fuzz_ioctl (fuzz_ioctl.h, tests/fuzz/corpus/ioctl/): the call sequences the API tests
 *   start from (tests/gic_util.h's t_vm_open, tests/its_util.h's its_open, the XIVE, XICS,
 *   MPIC, FLIC and VFIO tests' device setup), one file per device family;
 * - fuzz_guest (fuzz_guest.h, tests/fuzz/corpus/guest/): the guest scenarios of
 *   test_its_api (MAPD, MAPC, MAPTI, an MSI, its acknowledge) and test_xive_api (an event
 *   queue, a source routed to it, a trigger, the OS acknowledge).
 * Run by the fuzz build's `fuzz-seeds` target: make_seeds <ioctl dir> <guest dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_guest.h"
#include "fuzz_ioctl.h"

struct seed {
    const char *name;
    void (*write)(void);
};

static unsigned char buf[8192];
static size_t len;

static void put(uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        buf[len++] = (unsigned char)(v >> (8 * i));
}

static unsigned req_index(unsigned long req)
{
    for (unsigned i = 0; i < FZ_NREQ; i++)
        if (fz_requests[i] == req)
            return i;
    fprintf(stderr, "make_seeds: request %#lx not in fz_requests\n", req);
    exit(1);
}

static void open_host(unsigned persona)
{
    put(FZ_OP_OPEN, 1);
    put(persona, 1);
}

/* ioctl(slot, req, value): an integer argument */
static void ioctl_raw(unsigned slot, unsigned long req, uint64_t value)
{
    put(FZ_OP_IOCTL, 1);
    put(slot, 1);
    put(req_index(req), 1);
    put(FZ_PTR_RAW, 1);
    put(value, 8);
}

/* ioctl(slot, req, &payload) */
static void ioctl_buf(unsigned slot, unsigned long req, const void *p, size_t n)
{
    put(FZ_OP_IOCTL, 1);
    put(slot, 1);
    put(req_index(req), 1);
    put(FZ_PTR_BUF, 1);
    put(n, 2);
    memcpy(buf + len, p, n);
    len += n;
}

static void attr(unsigned slot, unsigned which, uint32_t group, uint64_t a, uint64_t value)
{
    put(FZ_OP_ATTR, 1);
    put(slot, 1);
    put(which, 1); /* 0 SET, 1 GET, 2 HAS */
    put(group, 4);
    put(a, 8);
    put(FZ_PTR_BUF, 1);
    put(8, 2);
    put(value, 8);
}

static void create_device(unsigned vm_slot, uint32_t type)
{
    struct kvm_create_device cd = {.type = type};
    ioctl_buf(vm_slot, KVM_CREATE_DEVICE, &cd, sizeof(cd));
}

/* A memory slot of `pages` pages at guest page gpa_page, at the start of guest RAM */
static void memslot(unsigned vm_slot, unsigned gpa_page, unsigned pages)
{
    put(FZ_OP_MEMSLOT, 1);
    put(vm_slot, 1);
    put(0, 2);
    put(0, 1);
    put(gpa_page, 2);
    put(pages, 1);
    put(0, 2);
}

static void mmio(unsigned vm_slot, uint64_t gpa, unsigned n, int write, uint64_t v)
{
    struct ioe_mmio m = {.gpa = gpa, .len = n, .is_write = (uint8_t)write, .data = v};
    ioctl_buf(vm_slot, IOE_MMIO, &m, sizeof(m));
}

/* Slots: 0 system, 1 VM, 2.. vCPUs, then devices in creation order */
static void arm64_vm(unsigned vcpus)
{
    open_host(0);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    for (unsigned i = 0; i < vcpus; i++) {
        ioctl_raw(1, KVM_CREATE_VCPU, i);
        struct kvm_vcpu_init init = {.target = KVM_ARM_TARGET_GENERIC_V8};
        init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2 | (i ? 1u << KVM_ARM_VCPU_POWER_OFF : 0);
        ioctl_buf(2 + i, KVM_ARM_VCPU_INIT, &init, sizeof(init));
    }
    create_device(1, KVM_DEV_TYPE_ARM_VGIC_V3);
    unsigned gic = 2 + vcpus;
    attr(gic, 0, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, 0x08000000);
    attr(gic, 0, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
         0x080a0000 | (uint64_t)vcpus << KVM_VGIC_V3_RDIST_COUNT_SHIFT);
    attr(gic, 0, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 64);
    attr(gic, 0, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, 0);
}

static void seed_vgic(void)
{
    arm64_vm(2);
    mmio(1, 0x08000000, 4, 1, 2); /* GICD_CTLR.EnableGrp1 */
    struct kvm_irq_level l = {.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40,
                              .level = 1};
    ioctl_buf(1, KVM_IRQ_LINE, &l, sizeof(l));
    ioctl_raw(2, KVM_RUN, 0);
    struct ioe_irq irq = {0};
    ioctl_buf(2, IOE_VCPU_ACK, &irq, sizeof(irq));
}

static void seed_its(void)
{
    arm64_vm(2);
    memslot(1, 0x40000, 256);
    create_device(1, KVM_DEV_TYPE_ARM_VGIC_ITS);
    attr(5, 0, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, 0x08080000);
    attr(5, 0, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, 0);
    mmio(1, 0x08080080, 8, 1, 1ull << 63 | 0x40080000);           /* GITS_CBASER */
    mmio(1, 0x08080100, 8, 1, 1ull << 63 | 0x40040000 | 0);       /* GITS_BASER0 */
    mmio(1, 0x08080108, 8, 1, 1ull << 63 | 0x40050000 | 2u << 8); /* BASER1 */
    mmio(1, 0x08080000, 4, 1, 1);                                 /* GITS_CTLR */
    mmio(1, 0x08080088, 8, 1, 0x20);                              /* GITS_CWRITER */
    struct kvm_msi msi = {.address_lo = 0x08090040, .data = 0, .flags = KVM_MSI_VALID_DEVID};
    ioctl_buf(1, KVM_SIGNAL_MSI, &msi, sizeof(msi));
    attr(5, 0, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_SAVE_TABLES, 0);
    ioctl_raw(5, KVM_RUN, 0); /* a request of the wrong descriptor */
}

static void seed_xive(void)
{
    open_host(1);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    memslot(1, 0, 16);
    ioctl_raw(1, KVM_CREATE_VCPU, 0);
    create_device(1, KVM_DEV_TYPE_XIVE);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_PPC_IRQ_XIVE, .args = {1ull << 63 | 3, 0}};
    ioctl_buf(2, KVM_ENABLE_CAP, &cap, sizeof(cap));
    attr(3, 0, KVM_DEV_XIVE_GRP_SOURCE, 16, 0);
    attr(3, 0, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 16, 7ull << 32);
    struct ioe_xive_esb esb = {.page = 32, .offset = 0, .is_store = 1};
    ioctl_buf(3, IOE_XIVE_ESB, &esb, sizeof(esb));
    struct ioe_xive_tima t = {.offset = 0x10 + 2, .len = 2};
    ioctl_buf(2, IOE_XIVE_TIMA, &t, sizeof(t));
}

static void seed_xics(void)
{
    open_host(1);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    ioctl_raw(1, KVM_CREATE_VCPU, 0);
    create_device(1, KVM_DEV_TYPE_XICS);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_XICS, .args = {1ull << 63 | 3, 0}};
    ioctl_buf(2, KVM_ENABLE_CAP, &cap, sizeof(cap));
    attr(3, 0, KVM_DEV_XICS_GRP_SOURCES, 0x1000, 5);
    struct ioe_ppc_hcall h = {.nr = 0x4 /* H_XIRR */};
    ioctl_buf(2, IOE_PPC_HCALL, &h, sizeof(h));
}

static void seed_mpic(void)
{
    open_host(2);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    ioctl_raw(1, KVM_CREATE_VCPU, 0);
    create_device(1, KVM_DEV_TYPE_FSL_MPIC_20);
    attr(3, 0, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, 0xe0040000);
    attr(3, 0, KVM_DEV_MPIC_GRP_REGISTER, 0x1020, 0);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_MPIC, .args = {1ull << 63 | 3, 0}};
    ioctl_buf(2, KVM_ENABLE_CAP, &cap, sizeof(cap));
}

static void seed_flic(void)
{
    open_host(3);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    ioctl_raw(1, KVM_CREATE_VCPU, 0);
    create_device(1, KVM_DEV_TYPE_FLIC);
    attr(3, 0, KVM_DEV_FLIC_CLEAR_IRQS, 0, 0);
    attr(3, 0, KVM_DEV_FLIC_APF_ENABLE, 0, 0);
}

static void seed_vfio(void)
{
    open_host(4);
    ioctl_raw(0, KVM_CREATE_VM, 0);
    create_device(1, KVM_DEV_TYPE_VFIO);
    attr(2, 2, KVM_DEV_VFIO_FILE, KVM_DEV_VFIO_FILE_ADD, 0);
    ioctl_raw(2, KVM_GET_API_VERSION, 0);
    put(FZ_OP_CLOSE, 1);
    put(1, 1); /* the VM's descriptor, while its device's is open */
    attr(2, 2, KVM_DEV_VFIO_FILE, KVM_DEV_VFIO_FILE_DEL, 0);
}

/* fuzz_guest: an ITS command by its index in fuzz_guest.c's its_command table */
static void guest_cmd(unsigned code_index, unsigned dev, unsigned ev, unsigned icid, unsigned lpi)
{
    put(FG_CMD, 1);
    put(code_index, 1);
    put(dev, 1);
    put(ev, 1);
    put(icid, 1);
    put(lpi, 2);
    put(0, 1); /* redistributor 0 */
    put(1, 1); /* valid */
}

static void guest_its(void)
{
    guest_cmd(0, 1, 0, 0, 0); /* MAPD device 1 */
    guest_cmd(1, 0, 0, 2, 0); /* MAPC collection 2 */
    guest_cmd(2, 1, 3, 2, 5); /* MAPTI device 1 event 3 -> LPI 8197 in collection 2 */
    put(FG_MSI, 1);
    put(1, 1);
    put(3, 1);
    put(FG_ACK, 1);
    put(0, 1);
    put(FG_ITS_SAVE, 1);
}

static void guest_xive(void)
{
    put(FG_EQ_CONFIG, 1);
    put(0, 1);            /* vCPU 0 */
    put(6, 1);            /* priority */
    put(1, 1);            /* always notify */
    put(16, 1);           /* 64 KiB queue */
    put(6 * 0x10000u, 4); /* xive_util.h's q_gpa(0, 6) */
    put(0, 1);
    put(0, 2);
    put(FG_SOURCE, 1);
    put(5, 1); /* source 5 */
    put(0, 1); /* edge */
    put(0, 1); /* vCPU 0 */
    put(6, 1); /* priority 6 */
    put(0, 1); /* unmasked */
    put(0x55, 2);
    put(FG_ESB, 1);
    put(5, 1);
    put(0x10, 1); /* trigger page, store */
    put(FG_TIMA, 1);
    put(0, 1);
    put(0, 1); /* TM_SPC_ACK_OS_REG */
}

static int write_all(const char *dir, const struct seed *seeds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        len = 0;
        seeds[i].write();
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
            perror(path);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct seed ioctl_seeds[] = {
        {"vgic_v3", seed_vgic}, {"its", seed_its},   {"xive", seed_xive}, {"xics", seed_xics},
        {"mpic", seed_mpic},    {"flic", seed_flic}, {"vfio", seed_vfio}};
    static const struct seed guest_seeds[] = {{"its", guest_its}, {"xive", guest_xive}};
    if (argc != 3) {
        fprintf(stderr, "usage: make_seeds <ioctl dir> <guest dir>\n");
        return 2;
    }
    return write_all(argv[1], ioctl_seeds, sizeof(ioctl_seeds) / sizeof(ioctl_seeds[0])) ||
           write_all(argv[2], guest_seeds, sizeof(guest_seeds) / sizeof(guest_seeds[0]));
}
