/*
 * The init of a QEMU guest (tests/vfio_qemu/run_vfio_qemu.py): libioe's VFIO layer
 * (driver/src/vfio_dev.c over the real seam, ioe_vfio_sys_linux) against a real Linux
 * kernel's VFIO and an emulated Intel IOMMU, on QEMU's edu device (1234:11e8). It loads
 * the VFIO modules, binds edu to vfio-pci, and checks: the sysfs error path before the
 * binding, open through container and group, region info, BAR0 mmap and edu's
 * registers, bus mastering, the IOVA ranges, DMA map/unmap and a DMA round trip through
 * edu's engine, MSI on an eventfd, the card checks above the VFIO layer refusing a
 * device that is not an ioe card, and KVM_DEV_TYPE_VFIO with the real group and device
 * descriptors. edu has MSI, not MSI-X: MSI-X vectors 0 and 1 on eventfds, as the transport
 * sets them up, are checked on QEMU's e1000e (its IVAR and ICS registers fire them); the
 * notification ring itself needs the ioe card (test_vfio_transport and sim:pcie cover it).
 * The verdict leaves through QEMU's
 * isa-debug-exit (port 0xf4): 0x10 pass (QEMU exits 33), 0x11 fail (35).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ioe/card.h>
#include <ioe/ioe.h>

#include "transport.h"
#include "vfio_dev.h"

#define E1000E_VENDOR 0x8086
#define E1000E_DEVICE 0x10d3
#define E1000_ICS 0x00c8 /* interrupt cause set */
#define E1000_IMS 0x00d0 /* interrupt mask set */
#define E1000_IVAR 0x00e4
#define E1000_EITR(n) (0x00e8 + 4 * (n))   /* per-vector throttling interval */
#define E1000_IVAR_RXQ0_VEC0 0x8u          /* RxQ0 -> vector 0, valid */
#define E1000_IVAR_OTHER_VEC1 (0x9u << 16) /* other causes -> vector 1, valid */
#define E1000_ICR_LSC 0x4u
#define E1000_ICR_OTHER 0x01000000u /* the cause the IVAR's other entry serves */
#define E1000_ICR_RXQ0 0x00100000u
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_ID 0x010000edu
#define EDU_LIVENESS 0x04
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_BUF 0x40000u /* edu's own buffer in its DMA address space */
#define EDU_DMA_IRQ 0x100u   /* the status bit of a finished DMA */
#define IOVA_A 0x100000u     /* below edu's 28-bit DMA mask */
#define IOVA_B 0x101000u
#define XFER 1024u /* QEMU 7.2's edu refuses a transfer of its whole 4 KiB buffer */

static unsigned checks, failures;

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s - ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    checks++;
    failures += !ok;
    return ok;
}

static void finish(void)
{
    printf("vfio_guest: %u checks, %u failed\n", checks, failures);
    fflush(stdout);
    if (ioperm(0xf4, 4, 1) == 0)
        outl(failures ? 0x11 : 0x10, 0xf4); /* QEMU exits (v << 1) | 1 */
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

static int write_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, s, strlen(s));
    int err = n == (ssize_t)strlen(s) ? 0 : -errno;
    close(fd);
    return err;
}

static unsigned read_hex(const char *path)
{
    char buf[32] = "";
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    return (unsigned)strtoul(buf, NULL, 16);
}

/* /modules/order lists the modules in load order (the .deb has no modules.dep) */
static void load_modules(void)
{
    FILE *f = fopen("/modules/order", "r");
    char name[128];
    while (f && fscanf(f, "%127s", name) == 1) {
        char path[160];
        snprintf(path, sizeof(path), "/modules/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
        check(r == 0 || errno == EEXIST, "load %s (%s)", name, r ? strerror(errno) : "ok");
        if (fd >= 0)
            close(fd);
    }
    if (f)
        fclose(f);
}

static bool find_pci(unsigned vendor, unsigned device, char *addr, size_t n)
{
    DIR *d = opendir("/sys/bus/pci/devices");
    struct dirent *e;
    bool found = false;
    while (d && !found && (e = readdir(d))) {
        char p[300];
        snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", e->d_name);
        unsigned v = read_hex(p);
        snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", e->d_name);
        if (v == vendor && read_hex(p) == device) {
            found = strlen(e->d_name) < n;
            if (found)
                memcpy(addr, e->d_name, strlen(e->d_name) + 1);
        }
    }
    if (d)
        closedir(d);
    return found;
}

static void bind_vfio(const char *addr)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", addr);
    check(write_file(path, "vfio-pci") == 0, "driver_override = vfio-pci");
    check(write_file("/sys/bus/pci/drivers/vfio-pci/bind", addr) == 0, "bind %s to vfio-pci", addr);
}

static bool wait_fd(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

static bool edu_dma(struct vfio_dev *d, uint32_t src, uint32_t dst, uint32_t cmd)
{
    vfio_dev_wr32(d, 0, EDU_DMA_SRC, src);
    vfio_dev_wr32(d, 0, EDU_DMA_DST, dst);
    vfio_dev_wr32(d, 0, EDU_DMA_CNT, XFER);
    vfio_dev_wr32(d, 0, EDU_DMA_CMD, cmd | 1);
    for (int i = 0; i < 5000; i++) { /* edu finishes a transfer after 100 ms of its clock */
        if (!(vfio_dev_rd32(d, 0, EDU_DMA_CMD) & 1))
            return true;
        usleep(1000);
    }
    return false;
}

static void test_dma(struct vfio_dev *d, int efd)
{
    uint8_t *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *b = a + 4096;
    for (int i = 0; i < 4096; i++)
        a[i] = (uint8_t)(i * 7 + 3);
    check(vfio_dev_dma_map(d, IOVA_A, a, 4096) == 0, "VFIO_IOMMU_MAP_DMA at 0x%x", IOVA_A);
    check(vfio_dev_dma_map(d, IOVA_B, b, 4096) == 0, "VFIO_IOMMU_MAP_DMA at 0x%x", IOVA_B);
    int err = vfio_dev_dma_map(d, IOVA_A, a, 4096);
    check(err == -EEXIST, "MAP_DMA over a mapping: %d (EEXIST)", err);
    err = vfio_dev_dma_map(d, IOVA_A + 0x800, a, 4096);
    check(err == -EINVAL, "MAP_DMA not page-aligned: %d (EINVAL)", err);
    check(edu_dma(d, IOVA_A, EDU_DMA_BUF, 0), "edu DMA: host page -> edu buffer");
    check(edu_dma(d, EDU_DMA_BUF, IOVA_B, 2 | 4), "edu DMA: edu buffer -> second page, with MSI");
    check(memcmp(a, b, XFER) == 0, "DMA round trip through the IOMMU: the pages agree");
    check(wait_fd(efd, 2000), "MSI of the finished DMA on the eventfd");
    uint64_t v = 0;
    ssize_t got = read(efd, &v, sizeof(v));
    check(got == sizeof(v) && v >= 1, "eventfd count %llu", (unsigned long long)v);
    check(vfio_dev_rd32(d, 0, EDU_IRQ_STATUS) & EDU_DMA_IRQ, "edu status has the DMA bit");
    vfio_dev_wr32(d, 0, EDU_IRQ_ACK, EDU_DMA_IRQ);
    uint64_t done = 0;
    err = vfio_dev_dma_unmap(d, IOVA_A, 4096, &done);
    check(err == 0 && done == 4096, "UNMAP_DMA: %d, %llu bytes", err, (unsigned long long)done);
    err = vfio_dev_dma_unmap(d, IOVA_A, 4096, &done);
    check(err == 0 && done == 0, "UNMAP_DMA again: nothing unmapped (%llu)",
          (unsigned long long)done);
    /* the IOMMU now refuses edu's reads of page A: the change never reaches page B */
    memset(b, 0, 4096);
    a[0] ^= 0xff;
    edu_dma(d, IOVA_A, EDU_DMA_BUF, 0);
    edu_dma(d, EDU_DMA_BUF, IOVA_B, 2);
    check(b[0] != a[0], "after UNMAP the device cannot read the page (0x%02x, page 0x%02x)", b[0],
          a[0]);
    vfio_dev_dma_unmap(d, IOVA_B, 4096, NULL);
    munmap(a, 8192);
}

/* KVM_DEV_TYPE_VFIO of libioe's x86_64 persona (on the C model) with real VFIO files */
static int vfio_attr(int dev, uint64_t attr, int32_t fd)
{
    struct kvm_device_attr a = {.group = KVM_DEV_VFIO_FILE, .attr = attr, .addr = (uintptr_t)&fd};
    return ioe_ioctl(dev, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

static void test_kvm_vfio(struct vfio_dev *d)
{
    int kvm = ioe_open_host("soft", "x86_64", NULL);
    if (!check(kvm >= 0, "ioe_open_host(soft, x86_64): %s", ioe_last_error()))
        return;
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_VFIO};
    check(vm >= 0 && ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd) == 0, "KVM_CREATE_DEVICE VFIO");
    int dev = (int)cd.fd, dup_group = dup(d->group);
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_ADD, d->group) == 0, "FILE_ADD of the group fd");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_ADD, d->group) == -EEXIST, "FILE_ADD again: EEXIST");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_ADD, dup_group) == -EEXIST,
          "FILE_ADD of a dup of it: EEXIST (the same file)");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_ADD, d->device) == 0,
          "FILE_ADD of the device fd (anon_inode:[vfio-device])");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_ADD, d->container) == -EINVAL,
          "FILE_ADD of the container: EINVAL");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_DEL, dup_group) == 0, "FILE_DEL through the dup");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_DEL, d->group) == -ENOENT, "FILE_DEL again: ENOENT");
    check(vfio_attr(dev, KVM_DEV_VFIO_FILE_DEL, d->device) == 0, "FILE_DEL of the device fd");
    close(dup_group);
    ioe_close(dev);
    ioe_close(vm);
    ioe_close(kvm);
}

static void test_edu(const char *addr)
{
    struct vfio_dev d;
    int err = vfio_dev_open(&d, &ioe_vfio_sys_linux, addr);
    if (!check(err == 0, "vfio_dev_open %s: %d %s", addr, err, err ? ioe_last_error() : ""))
        return;
    check(d.dev_flags & VFIO_DEVICE_FLAGS_PCI,
          "a vfio-pci device (flags 0x%x, %u regions, %u irqs)", d.dev_flags, d.num_regions,
          d.num_irqs);
    check(d.bar[0].size == 1u << 20, "BAR0 region: %llu bytes (edu: 1 MiB)",
          (unsigned long long)d.bar[0].size);
    check(vfio_dev_map_bar(&d, 0, 0) == 0, "mmap BAR0");
    uint32_t id = vfio_dev_rd32(&d, 0, 0);
    check(id == EDU_ID, "edu ID register 0x%08x", id);
    vfio_dev_wr32(&d, 0, EDU_LIVENESS, 0x12345678);
    check(vfio_dev_rd32(&d, 0, EDU_LIVENESS) == ~0x12345678u, "edu liveness register inverts");
    check(vfio_dev_enable_master(&d) == 0, "bus mastering on through config space");
    uint16_t cmd = 0;
    vfio_dev_cfg_read(&d, 4, &cmd, 2);
    check((cmd & 6) == 6, "PCI_COMMAND 0x%04x has memory and master", cmd);

    struct ioe_iova_range r[8];
    uint32_t avail = 0;
    int n = vfio_dev_iova_ranges(&d, r, 8, &avail);
    check(n >= 2, "IOVA ranges: %d", n);
    for (int i = 0; i < n; i++)
        printf("     range %d: 0x%llx-0x%llx\n", i, (unsigned long long)r[i].start,
               (unsigned long long)r[i].last);
    bool hole = false;
    for (int i = 0; i + 1 < n; i++)
        hole |= r[i].last < 0xfee00000ull && r[i + 1].start > 0xfeefffffull;
    check(hole, "the x86 MSI window 0xfee00000-0xfeefffff is a hole");
    check(avail > 0 && avail != UINT32_MAX, "DMA_AVAIL capability: %u mappings left", avail);

    uint32_t msi = 0, msix = 0;
    vfio_dev_irq_count(&d, VFIO_PCI_MSI_IRQ_INDEX, &msi);
    vfio_dev_irq_count(&d, VFIO_PCI_MSIX_IRQ_INDEX, &msix);
    check(msi >= 1, "MSI vectors: %u; MSI-X vectors: %u (edu has none: not covered)", msi, msix);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int32_t fds[1] = {efd};
    err = vfio_dev_set_irqs(&d, VFIO_PCI_MSI_IRQ_INDEX, fds, 1);
    check(err == 0, "VFIO_DEVICE_SET_IRQS: MSI vector 0 on an eventfd (%d)", err);
    vfio_dev_wr32(&d, 0, EDU_IRQ_RAISE, 0x1);
    check(wait_fd(efd, 2000), "edu's raised interrupt arrives on the eventfd");
    uint64_t v;
    check(read(efd, &v, sizeof(v)) == sizeof(v), "eventfd read");
    vfio_dev_wr32(&d, 0, EDU_IRQ_ACK, 0x1);

    test_dma(&d, efd);
    test_kvm_vfio(&d);

    check(vfio_dev_set_irqs(&d, VFIO_PCI_MSI_IRQ_INDEX, NULL, 0) == 0, "MSI off");
    err = vfio_dev_reset(&d);
    check(err == 0 || err == -ENOTTY, "VFIO_DEVICE_RESET: %d (%s)", err,
          err ? "edu offers no reset method" : "reset");
    vfio_dev_close(&d);
    close(efd);

    /* the card's checks above the VFIO layer: edu is not an ioe card */
    struct ioe_card *c = NULL;
    char target[80];
    snprintf(target, sizeof(target), "pci:%s", addr);
    err = ioe_card_open(target, &c);
    check(err == -ENODEV && strstr(ioe_last_error(), "is not an ioe card"),
          "ioe_card_open(%s): %d '%s'", target, err, ioe_last_error());
}

/* MSI-X as the ioe transport sets it up (vectors 0 and 1 on eventfds), on QEMU's e1000e:
 * its IVAR sends the RxQ0 cause to vector 0 and the "other" causes to vector 1, and a write
 * of ICS raises a cause */
static void test_msix(const char *addr)
{
    struct vfio_dev d;
    int err = vfio_dev_open(&d, &ioe_vfio_sys_linux, addr);
    if (!check(err == 0, "vfio_dev_open %s: %d %s", addr, err, err ? ioe_last_error() : ""))
        return;
    uint32_t n = 0;
    vfio_dev_irq_count(&d, VFIO_PCI_MSIX_IRQ_INDEX, &n);
    check(n >= 2, "e1000e MSI-X vectors: %u", n);
    check(vfio_dev_map_bar(&d, 0, 0) == 0 && vfio_dev_enable_master(&d) == 0,
          "mmap BAR0, bus mastering on");
    int efd[2] = {eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    int32_t fds[2] = {efd[0], efd[1]};
    err = vfio_dev_set_irqs(&d, VFIO_PCI_MSIX_IRQ_INDEX, fds, 2);
    check(err == 0, "VFIO_DEVICE_SET_IRQS: MSI-X vectors 0 and 1 on eventfds (%d)", err);
    /* the shortest throttling interval: QEMU 7.2's e1000e asserts when a vector's throttling
     * timer expires after MSI-X is off, and it raises an interval of 0 to 500 (128 us) */
    for (int v = 0; v < 5; v++)
        vfio_dev_wr32(&d, 0, E1000_EITR(v), 0);
    vfio_dev_wr32(&d, 0, E1000_IVAR, E1000_IVAR_RXQ0_VEC0 | E1000_IVAR_OTHER_VEC1);
    vfio_dev_wr32(&d, 0, E1000_IMS, E1000_ICR_RXQ0 | E1000_ICR_LSC | E1000_ICR_OTHER);
    vfio_dev_wr32(&d, 0, E1000_ICS, E1000_ICR_RXQ0);
    check(wait_fd(efd[0], 2000) && !wait_fd(efd[1], 0), "a RxQ0 cause fires vector 0 only");
    vfio_dev_wr32(&d, 0, E1000_ICS, E1000_ICR_LSC | E1000_ICR_OTHER);
    check(wait_fd(efd[1], 2000), "a link-status cause fires vector 1");
    usleep(50 * 1000); /* the throttling timers run out before MSI-X goes off */
    check(vfio_dev_set_irqs(&d, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0) == 0, "MSI-X off");
    vfio_dev_close(&d);
    close(efd[0]);
    close(efd[1]);
}

int main(void)
{
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("vfio_guest: kernel VFIO on QEMU's edu device\n");
    load_modules();
    char addr[64];
    if (!check(find_pci(EDU_VENDOR, EDU_DEVICE, addr, sizeof(addr)), "edu device found"))
        finish();
    /* before the binding: the sysfs check says what is missing */
    struct vfio_dev d;
    int err = vfio_dev_open(&d, &ioe_vfio_sys_linux, addr);
    check(err == -ENODEV && strstr(ioe_last_error(), "bound to no driver"),
          "open before binding: %d '%s'", err, ioe_last_error());
    bind_vfio(addr);
    test_edu(addr);
    if (check(find_pci(E1000E_VENDOR, E1000E_DEVICE, addr, sizeof(addr)), "e1000e device found")) {
        bind_vfio(addr);
        test_msix(addr);
    }
    finish();
}
