#!/usr/bin/env python3
"""Yosys check of a Xilinx board kit's top (boards/litefury, boards/kc705).

  synth_board.py --top TOP --lanes N --set {mid,default} --out DIR [--read-only] FILES...

Reads FILES (the card's RTL, the board logic, the top) with the PCIe core as a black box
(pcie_7x_0_stub.v with N lanes) and BSCANE2/IBUFDS_GTE2 from Yosys' Xilinx cells, elaborates TOP
and fails on latches, multiple drivers, combinational loops or undriven wires. With --read-only
ioe_top is a black box too (seconds; rtl_lint_* and synth_* check it); without, it also runs
synth_xilinx on the whole design and checks the netlist fits the board's part: the device
rtl/synth/synth.py gives the parameter set (mid: Artix-7 100T, default: Kintex-7 325T), whose
LUT and block-RAM counts the board's part shares. Writes DIR/TOP.log and, after synthesis,
DIR/TOP.json (cell statistics) and prints LUT / FF / BRAM.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "rtl", "synth"))
import synth  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", required=True)
    ap.add_argument("--lanes", type=int, required=True)
    ap.add_argument("--set", choices=["mid", "default"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--read-only", action="store_true")
    ap.add_argument("--yosys", default="yosys")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    log = os.path.join(a.out, a.top + (".read" if a.read_only else "") + ".log")
    stat_json = os.path.join(a.out, a.top + ".json")
    script = [
        f"read_verilog -DIOE_PCIE_LANES={a.lanes} -sv " + " ".join(a.files),
        "read_verilog -lib +/xilinx/cells_xtra.v",
    ]
    if a.read_only:
        script.append("blackbox ioe_top")
    script += [
        f"hierarchy -check -top {a.top}",
        "proc",
        f"select -assert-none {synth.LATCH_CELLS}",
    ]
    if a.read_only:
        script.append("check -assert")
    else:
        script += [f"synth_xilinx -top {a.top} -flatten", "select -assert-none t:LDCE t:LDPE",
                   "check -assert", f"tee -q -o {stat_json} stat -json -tech xilinx"]
    r = subprocess.run([a.yosys, "-q", "-l", log, "-p", "; ".join(script)])
    if r.returncode:
        print(f"synth_board: yosys failed (see {log})")
        return 1
    if a.read_only:
        print(f"{a.top}: read, elaborated and checked")
        return 0
    lut, ff, bram, lutram, tiles = synth.counts("xilinx", stat_json)
    name, max_lut, max_bram = synth.DEVICE[("xilinx", a.set)]
    print(f"{a.top}: {lut} LUT, {ff} FF, {bram} BRAM cells ({tiles:g} RAMB36 tiles), {lutram} LUTRAM; "
          f"{name}: {max_lut} LUT, {max_bram} RAMB36")
    if lut > max_lut or tiles > max_bram:
        print(f"synth_board: {a.top} does not fit the {name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
