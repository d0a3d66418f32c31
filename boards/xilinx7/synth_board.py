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

With --core-stat JSON (the `stat -json` of ioe_top in the board's set, as rtl/synth/synth.py
leaves it: build/synth/xilinx-mid.json) ioe_top stays a black box: the board's own logic (PCIe
endpoint, debug bridge, clocking, LEDs) is synthesised alone and the card's cells are added
from JSON for the fit check. The card's parameters in the top must then be the set's
(`regtool.py params SET`), or the check fails. Minutes instead of the whole design's ten or
more; the sum is an upper bound of the flattened design (no optimisation across ioe_top).
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "rtl", "synth"))
import synth  # noqa: E402


def card_params_differ(dump_path, set_name):
    """Why the ioe_top instance of the top (its RTLIL `dump`) is not the parameter set, or None."""
    with open(dump_path) as f:
        cells = f.read().count("cell \\ioe_top ")
    if cells != 1:
        return f"{cells} ioe_top instances (one expected)"
    got = {}
    with open(dump_path) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["parameter"] and words[1] != "\\MgmtInitFile":
                got[words[1].lstrip("\\")] = words[2]
    want = subprocess.run([sys.executable, os.path.join(ROOT, "rtl", "regmap", "regtool.py"), "params",
                           set_name, "yosys"], check=True, capture_output=True, text=True).stdout.split()
    want = dict(zip(want[1::3], want[2::3]))
    diff = [f"{k} {got.get(k, '(default)')} (the {set_name} set: {want.get(k, '(default)')})"
            for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
    return "ioe_top's parameters are not the set's: " + ", ".join(diff) if diff else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", required=True)
    ap.add_argument("--lanes", type=int, required=True)
    ap.add_argument("--set", choices=["mid", "default"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--read-only", action="store_true")
    ap.add_argument("--core-stat", help="ioe_top's cell statistics in the set (synth.py's JSON)")
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
    card_params = os.path.join(a.out, a.top + ".card-params.il")
    if a.read_only or a.core_stat:
        script.append("blackbox ioe_top")
    script += [
        f"hierarchy -check -top {a.top}",
        "proc",
        f"select -assert-none {synth.LATCH_CELLS}",
    ]
    if a.core_stat:
        script.append(f"tee -q -o {card_params} dump t:ioe_top")
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
    if a.core_stat:
        err = card_params_differ(card_params, a.set)
        if err:
            print(f"synth_board: {a.top}: {err}")
            return 1
        core = synth.counts("xilinx", a.core_stat)
        print(f"{a.top}: the board's logic {lut} LUT, {ff} FF, {bram} BRAM cells; ioe_top ({a.set}, "
              f"{a.core_stat}) {core[0]} LUT, {core[1]} FF, {core[2]} BRAM cells")
        lut, ff, bram, lutram, tiles = (x + y for x, y in zip((lut, ff, bram, lutram, tiles), core))
    name, max_lut, max_bram = synth.DEVICE[("xilinx", a.set)]
    print(f"{a.top}: {lut} LUT, {ff} FF, {bram} BRAM cells ({tiles:g} RAMB36 tiles), {lutram} LUTRAM; "
          f"{name}: {max_lut} LUT, {max_bram} RAMB36 ({100 * lut // max_lut}% LUT, "
          f"{100 * tiles // max_bram:.0f}% block RAM)")
    if lut > max_lut or tiles > max_bram:
        print(f"synth_board: {a.top} does not fit the {name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
