#!/usr/bin/env python3
"""libioe's VFIO layer against a real Linux kernel: boot Debian 12's amd64 kernel under
QEMU (TCG, q35, an emulated Intel IOMMU with interrupt remapping, QEMU's edu device) with
an initramfs whose /init is tests/vfio_qemu/vfio_guest.c (QEMU's e1000e is there too, for
MSI-X), and take its verdict from QEMU's
isa-debug-exit device (exit code 33 pass, 35 fail).

The kernel comes from Debian's archive: `apt-get download` of the image package that
linux-image-amd64 depends on, into --work (once; later runs reuse it), unpacked with
dpkg-deb. Exits 77 (ctest's SKIP) with the reason when qemu-system-x86_64 or the kernel
package cannot be had; scripts/install-deps.sh installs qemu-system-x86.
"""
import argparse
import glob
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time

SKIP = 77
# load order: each module's depends= (the .deb has no modules.dep)
MODULES = ["irqbypass.ko", "vfio_virqfd.ko", "vfio.ko", "vfio_iommu_type1.ko",
           "vfio-pci-core.ko", "vfio-pci.ko"]


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def kernel_package():
    r = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True, text=True)
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)\b", r.stdout)
    return m.group(1) if m else None


def fetch_kernel(work):
    """vmlinuz and the VFIO modules, unpacked into work/kernel (cached)"""
    kdir = os.path.join(work, "kernel")
    if os.path.exists(os.path.join(kdir, "vmlinuz")) and \
            all(os.path.exists(os.path.join(kdir, m)) for m in MODULES):
        return kdir
    debs = sorted(glob.glob(os.path.join(work, "linux-image-*-amd64_*.deb")))
    if not debs:
        if not shutil.which("apt-get"):
            skip("no apt-get to download the kernel package")
        pkg = kernel_package()
        if not pkg:
            skip("apt-cache does not know linux-image-amd64's kernel package")
        r = subprocess.run(["apt-get", "download", pkg], cwd=work, capture_output=True, text=True)
        debs = sorted(glob.glob(os.path.join(work, "linux-image-*-amd64_*.deb")))
        if r.returncode != 0 or not debs:
            skip(f"apt-get download {pkg} failed: {r.stderr.strip()[-300:]}")
    os.makedirs(kdir, exist_ok=True)
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[-1]], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=p.stdout, mode="r|") as t:  # streamed: the image is large
        for m in t:
            base = os.path.basename(m.name)
            if not m.isfile():
                continue
            if base.startswith("vmlinuz-"):
                dst = "vmlinuz"
            elif base in MODULES and ("/drivers/vfio/" in m.name or "/virt/lib/" in m.name):
                dst = base
            else:
                continue
            with open(os.path.join(kdir, dst), "wb") as f:
                f.write(t.extractfile(m).read())
    p.wait()
    missing = [m for m in ["vmlinuz"] + MODULES if not os.path.exists(os.path.join(kdir, m))]
    if missing:
        skip(f"{debs[-1]} lacks {missing}")
    return kdir


def shared_libs(prog):
    """the guest program's shared libraries and loader (ldd)"""
    r = subprocess.run(["ldd", prog], capture_output=True, text=True)
    libs = []
    for line in r.stdout.splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def cpio_newc(entries):
    """an initramfs: entries of (path, mode, data or None for a directory)"""
    out = io.BytesIO()
    ino = 1
    for path, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        name = path.encode() + b"\0"
        data = data or b""
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out.write(hdr.encode() + name)
        out.write(b"\0" * (-(110 + len(name)) % 4))
        out.write(data)
        out.write(b"\0" * (-len(data) % 4))
        ino += 1
    return out.getvalue()


def initramfs(guest, kdir, path):
    ents, dirs = [], set()

    def add_dir(d):
        parts = d.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p and p not in dirs:
                dirs.add(p)
                ents.append((p, stat.S_IFDIR | 0o755, None))

    def add_file(dst, src, mode=0o755):
        add_dir(os.path.dirname(dst))
        with open(src, "rb") as f:
            ents.append((dst.strip("/"), stat.S_IFREG | mode, f.read()))

    for d in ("dev", "proc", "sys", "modules"):
        add_dir(d)
    add_file("init", guest)
    for lib in shared_libs(guest):
        add_file(lib, os.path.realpath(lib))
    for m in MODULES:
        add_file("modules/" + m, os.path.join(kdir, m), 0o644)
    ents.append(("modules/order", stat.S_IFREG | 0o644, "\n".join(MODULES).encode() + b"\n"))
    with open(path, "wb") as f:
        f.write(cpio_newc(ents))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", required=True, help="the guest program (vfio_guest)")
    ap.add_argument("--work", required=True, help="directory for the kernel package and initramfs")
    ap.add_argument("--timeout", type=int, default=240)
    a = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        skip("qemu-system-x86_64 is not installed (scripts/install-deps.sh installs qemu-system-x86)")
    os.makedirs(a.work, exist_ok=True)
    t0 = time.monotonic()
    kdir = fetch_kernel(a.work)
    initrd = os.path.join(a.work, "initrd.cpio")
    initramfs(a.guest, kdir, initrd)
    t1 = time.monotonic()
    cmd = [qemu, "-M", "q35", "-accel", "tcg", "-m", "512", "-smp", "1", "-nographic",
           "-no-reboot", "-kernel", os.path.join(kdir, "vmlinuz"), "-initrd", initrd,
           "-append", "console=ttyS0 intel_iommu=on panic=-1 quiet loglevel=3",
           "-device", "intel-iommu,intremap=on", "-device", "edu", "-device", "e1000e,netdev=n0",
           "-netdev", "user,id=n0",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    print(" ".join(cmd), flush=True)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=a.timeout)
    except subprocess.TimeoutExpired as e:
        sys.stdout.write((e.stdout or b"").decode(errors="replace"))
        print(f"FAIL: the guest did not finish in {a.timeout} s")
        return 1
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    sys.stdout.write(out)
    print(f"setup {t1 - t0:.1f} s, boot and run {time.monotonic() - t1:.1f} s, QEMU exit {r.returncode}")
    if r.returncode == 33 and "FAIL" not in out and re.search(r"vfio_guest: \d+ checks, 0 failed", out):
        print("PASS")
        return 0
    print("FAIL: the guest reported failures" if r.returncode == 35 else
          f"FAIL: QEMU exited {r.returncode} without the guest's verdict")
    return 1


if __name__ == "__main__":
    sys.exit(main())
