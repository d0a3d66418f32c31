#!/usr/bin/env bash
# Installs the Debian 12 packages ioe needs that are not installed yet.
# apt-get only; nothing is downloaded from anywhere else. Idempotent: when
# everything is present it does nothing and needs no root.
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config python3   # C/C++ toolchain, build, generators
  verilator zlib1g-dev                       # Verilator model (+ FST traces)
  yosys                                      # synthesis gates
  libcmocka-dev                              # C unit-test framework
  nextpnr-ice40 fpga-icestorm                # iCE40 place and route, bitstream (boards/icebreaker)
  libusb-1.0-0-dev libftdi1-dev              # libioe's usb target (FT2232H)
  qemu-system-x86                            # test_vfio_qemu: VFIO against a real kernel
  spin                                       # Promela model checker (tests/kick.pml)
  openocd                                    # JTAG debug path (boards/*/openocd.cfg, tests/test_jtag*)
  clang libfuzzer-14-dev                     # tests/fuzz: libFuzzer targets (ASan, UBSan)
  gcc-riscv64-unknown-elf                    # management core firmware (firmware/, docs/firmware.md)
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
