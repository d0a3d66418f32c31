/*
 * KVM_DEV_TYPE_VFIO: the VFIO-KVM bridge device, with the groups, errors and order of checks
 * of Linux's virt/kvm/vfio.c as of the FILE naming (kvm-ppc-s390-abi.md §6,
 * Documentation/virt/kvm/devices/vfio.rst). It keeps the set of VFIO files the VMM told it
 * about, holding a reference (a dup) to each, as KVM holds one to the struct file. No
 * get_attr: KVM_GET_DEVICE_ATTR is the generic layer's EPERM.
 *
 * What a VFIO file is, seen from user space: /proc/self/fd/N names a VFIO group
 * (/dev/vfio/N, /dev/vfio/noiommu-N), a VFIO device cdev (/dev/vfio/devices/vfioN) or a
 * device descriptor of VFIO_GROUP_GET_DEVICE_FD (anon_inode:[vfio-device]), the files
 * vfio_file_is_valid() accepts. Two descriptors are the same file when kcmp(KCMP_FILE) says
 * so (dup()s of one open), else when they name the same inode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

enum vfio_kind { VFIO_NOT, VFIO_GROUP_FILE, VFIO_DEVICE_FILE };

struct vfio_file {
    int fd; /* our reference: a dup of the descriptor the VMM added */
    enum vfio_kind kind;
    struct vfio_file *next;
};

struct kvm_vfio_dev {
    struct device dev;
    struct vfio_file *files;
};

static struct kvm_vfio_dev *to_kv(struct device *d)
{
    return (struct kvm_vfio_dev *)d;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* kvm_vfio_file_is_valid(), from the descriptor's name */
static enum vfio_kind vfio_kind_of(int fd)
{
    char path[64], target[128];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n < 0)
        return VFIO_NOT;
    target[n] = '\0';
    if (!strcmp(target, "anon_inode:[vfio-device]"))
        return VFIO_DEVICE_FILE;
    struct stat st;
    if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
        return VFIO_NOT;
    const char *p;
    if (!strncmp(target, "/dev/vfio/devices/vfio", 22))
        return all_digits(target + 22) ? VFIO_DEVICE_FILE : VFIO_NOT;
    if (strncmp(target, "/dev/vfio/", 10))
        return VFIO_NOT;
    p = target + 10;
    if (!strncmp(p, "noiommu-", 8))
        p += 8;
    return all_digits(p) ? VFIO_GROUP_FILE : VFIO_NOT;
}

static bool same_file(int a, int b)
{
    pid_t self = getpid();
    long r = syscall(SYS_kcmp, self, self, KCMP_FILE, a, b);
    if (r >= 0)
        return r == 0;
    struct stat sa, sb; /* kcmp unavailable: the same inode */
    return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static struct vfio_file **find_file(struct kvm_vfio_dev *kv, int fd)
{
    struct vfio_file **p = &kv->files;
    while (*p && !same_file((*p)->fd, fd))
        p = &(*p)->next;
    return p;
}

static bool fd_open(int32_t fd)
{
    return fd >= 0 && fcntl(fd, F_GETFD) >= 0; /* fdget(): a negative fd is no file */
}

/* kvm_vfio_file_add */
static int file_add(struct kvm_vfio_dev *kv, int32_t fd)
{
    if (!fd_open(fd))
        return -EBADF;
    enum vfio_kind kind = vfio_kind_of(fd);
    if (kind == VFIO_NOT)
        return -EINVAL;
    if (*find_file(kv, fd))
        return -EEXIST;
    struct vfio_file *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (f->fd < 0) {
        free(f);
        return -ENOMEM;
    }
    f->kind = kind;
    *find_file(kv, fd) = f; /* list_add_tail */
    return 0;
}

/* kvm_vfio_file_del */
static int file_del(struct kvm_vfio_dev *kv, int32_t fd)
{
    if (!fd_open(fd))
        return -EBADF;
    struct vfio_file **p = find_file(kv, fd), *f = *p;
    if (!f)
        return -ENOENT;
    *p = f->next;
    close(f->fd);
    free(f);
    return 0;
}

/* kvm_vfio_group_set_spapr_tce (CONFIG_SPAPR_TCE_IOMMU: book3s ppc64) */
static int set_spapr_tce(struct kvm_vfio_dev *kv, uint64_t uaddr)
{
    struct kvm_vfio_spapr_tce p;
    if (copy_from_user(&p, uaddr, sizeof(p)))
        return -EFAULT;
    if (!fd_open(p.groupfd))
        return -EBADF;
    struct vfio_file *f = *find_file(kv, p.groupfd);
    if (!f)
        return -ENOENT;
    if (f->kind != VFIO_GROUP_FILE)
        return -EIO; /* kvm_vfio_file_iommu_group(): only a group file has one */
    /* kvm_spapr_tce_attach_iommu_group(): tablefd must be a TCE table of this VM, from
     * KVM_CREATE_SPAPR_TCE, which libioe does not create */
    return fd_open(p.tablefd) ? -EINVAL : -EBADF;
}

static bool has_spapr_tce(struct device *d)
{
    return d->vm->sys->host->arch == HOST_PPC64;
}

static int vfio_set_attr(struct device *d, const struct kvm_device_attr *a)
{
    if (a->group != KVM_DEV_VFIO_FILE)
        return -ENXIO;
    int32_t fd;
    switch (a->attr) {
    case KVM_DEV_VFIO_FILE_ADD:
    case KVM_DEV_VFIO_FILE_DEL:
        if (copy_from_user(&fd, a->addr, sizeof(fd)))
            return -EFAULT;
        return a->attr == KVM_DEV_VFIO_FILE_ADD ? file_add(to_kv(d), fd) : file_del(to_kv(d), fd);
    case KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE:
        if (has_spapr_tce(d))
            return set_spapr_tce(to_kv(d), a->addr);
        break;
    }
    return -ENXIO;
}

static int vfio_has_attr(struct device *d, const struct kvm_device_attr *a)
{
    if (a->group != KVM_DEV_VFIO_FILE)
        return -ENXIO;
    switch (a->attr) {
    case KVM_DEV_VFIO_FILE_ADD:
    case KVM_DEV_VFIO_FILE_DEL: return 0;
    case KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE: return has_spapr_tce(d) ? 0 : -ENXIO;
    }
    return -ENXIO;
}

/* kvm_vfio_create: only one VFIO device per VM */
static int vfio_create(struct device *d)
{
    return vm_count_devices(d->vm, d->ops) ? -EBUSY : 0;
}

/* kvm_vfio_release: drop every reference */
static void vfio_release(struct device *d)
{
    struct kvm_vfio_dev *kv = to_kv(d);
    while (kv->files) {
        struct vfio_file *f = kv->files;
        kv->files = f->next;
        close(f->fd);
        free(f);
    }
}

const struct device_ops kvm_vfio_ops = {
    .name = "kvm-vfio",
    .type = KVM_DEV_TYPE_VFIO,
    /* CONFIG_KVM_VFIO: selected by KVM on every architecture libioe has a persona of */
    .hosts = HOST_BIT(HOST_ARM64) | HOST_BIT(HOST_PPC64) | HOST_BIT(HOST_PPC_BOOKE) |
             HOST_BIT(HOST_S390X) | HOST_BIT(HOST_X86_64),
    .size = sizeof(struct kvm_vfio_dev),
    .create = vfio_create,
    .release = vfio_release,
    .destroy = vfio_release,
    .set_attr = vfio_set_attr,
    .has_attr = vfio_has_attr,
};
