#!/usr/bin/env python3
"""Synthesise ioe_top with Yosys and check the netlist.

  synth.py {xilinx,ice40} {default,mid,small} --out DIR [--root REPO] [--mgmt-image HEX]

Runs Debian's Yosys (0.23) with synth_xilinx or synth_ice40 on the files of rtl/files.f
with the chosen parameter set of rtl/regmap/ioe.toml, and fails when
  - Yosys reports an error (including `check -assert`: multiple drivers, combinational
    loops, undriven wires),
  - a latch is inferred (checked right after `proc`, before any technology mapping),
  - a latch primitive survives mapping,
  - the netlist does not fit the set's device (DEVICE below: LUTs and block RAMs),
  - with --mgmt-image (the firmware's $readmemh image, build/firmware/ioe_fw.hex): the image
    is larger than the set's management memory, or no block RAM of the management core
    carries a non-zero INIT after mapping (the bitstream would boot an empty core).
Writes DIR/<arch>-<set>.log (Yosys log), DIR/<arch>-<set>.json (cell statistics) and
appends the LUT / FF / BRAM counts to DIR/report.md, followed by the tables that board
builds left in DIR (*.board.md: utilisation and Fmax after place and route). For Xilinx it
also reports the logic depth of every engine (the most LUT levels between flip-flops,
depth.py) in DIR/<arch>-<set>-depth.md, which report.md includes.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import depth  # noqa: E402

LATCH_CELLS = "t:$dlatch t:$adlatch t:$dlatchsr t:$sr t:$_DLATCH_* t:$_SR_*"
ARCH = {
    "xilinx": {
        "synth": "synth_xilinx -top ioe_top -flatten",
        "stat": "stat -json -tech xilinx",
        "mapped_latches": "t:LDCE t:LDPE",
        "lut": lambda t: t.startswith("LUT"),
        "ff": lambda t: t.startswith("FD"),
        "bram": lambda t: t.startswith("RAMB"),
        "lutram": lambda t: t.startswith("RAM") and not t.startswith("RAMB"),
        # block RAM of the device table: RAMB36 tiles (a RAMB18 is half of one)
        "bram_tiles": lambda t: 1.0 if t.startswith("RAMB36") else 0.5 if t.startswith("RAMB18") else 0,
        "ram_cells": "t:RAMB36E1 t:RAMB18E1",
    },
    "ice40": {
        "synth": "synth_ice40 -top ioe_top",
        "stat": "stat -json",
        "mapped_latches": None,  # iCE40 has no latch primitive; latches are caught before mapping
        "lut": lambda t: t == "SB_LUT4",
        "ff": lambda t: t.startswith("SB_DFF"),
        "bram": lambda t: t.startswith("SB_RAM40"),
        "lutram": lambda t: False,
        "bram_tiles": lambda t: 1.0 if t.startswith("SB_RAM40") else 0,
        "ram_cells": "t:SB_RAM40_4K",
    },
}


# The device each (arch, parameter set) must fit: (name, LUTs, block RAM tiles): the iCE40
# UP5K (5280 LUT4 logic cells, 30 SB_RAM40_4K), the Artix-7 100T (63400 LUT6, 135 RAMB36)
# and the Kintex-7 325T (203800 LUT6, 445 RAMB36).
DEVICE = {
    ("ice40", "small"): ("iCE40 UP5K", 5280, 30),
    ("xilinx", "mid"): ("Artix-7 100T", 63400, 135),
    ("xilinx", "default"): ("Kintex-7 325T", 203800, 445),
}


def counts(arch_name, stat_json):
    """(LUT, FF, BRAM cells, LUTRAM cells, BRAM tiles) of a `stat -json` result."""
    arch = ARCH[arch_name]
    with open(stat_json) as f:
        cells = json.load(f)["design"]["num_cells_by_type"]
    return tuple(sum(n * arch[k](t) if k == "bram_tiles" else n
                     for t, n in cells.items() if arch[k](t))
                 for k in ("lut", "ff", "bram", "lutram", "bram_tiles"))


def check_image(hex_path, params):
    """Why the $readmemh image cannot go into the set's management memory, or None."""
    m = re.search(r"-set MgmtMemWords (\d+)", params)
    words = int(m.group(1)) if m else 0
    if words == 0:
        return "--mgmt-image given, but this parameter set has no management core"
    try:
        with open(hex_path) as f:
            n = sum(1 for line in f if line.strip() and not line.startswith("//"))
    except OSError as e:
        return f"cannot read the firmware image: {e}"
    if n == 0 or n > words:
        return f"the firmware image has {n} words; the management memory holds {words}"
    return None


def image_in_rams(dump_path):
    """True when a mapped block RAM under u_mgmt has an INIT parameter with a 1 bit (the
    RTLIL `dump` of the RAM cells: `cell TYPE NAME` lines, then `parameter \\INIT_xx VALUE`)."""
    in_mgmt = False
    with open(dump_path) as f:
        for line in f:
            words = line.split()
            if words[:1] == ["cell"]:
                in_mgmt = "u_mgmt" in words[2]
            elif in_mgmt and words[:1] == ["parameter"] and words[1].startswith("\\INIT"):
                if "1" in words[2].split("'", 1)[-1]:
                    return True
    return False


def write_report(out):
    """report.md: one row per synthesis run found in `out` (rewritten each time)."""
    rows = []
    for name in sorted(os.listdir(out)):
        stem, ext = os.path.splitext(name)
        if ext != ".json" or stem.count("-") != 1 or stem.split("-")[0] not in ARCH:
            continue
        arch_name, params = stem.split("-")
        lut, ff, bram, lutram, _ = counts(arch_name, os.path.join(out, name))
        rows.append(f"| {arch_name} | {params} | {lut} | {ff} | {bram} | {lutram} |")
    depths = []
    for name in sorted(os.listdir(out)):
        if name.endswith("-depth.md"):
            with open(os.path.join(out, name)) as f:
                depths.append(f"\n## Logic depth: {name[:-len('-depth.md')]}\n\n" + f.read())
    # board builds (boards/*/build.py --report-dir) leave their place-and-route tables here
    boards = [os.path.join(out, n) for n in sorted(os.listdir(out)) if n.endswith(".board.md")]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("# ioe_top synthesis (Yosys)\n\n| arch | params | LUT | FF | BRAM | LUTRAM |\n"
                "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
        if depths:
            f.write("\nLUT levels between flip-flops per engine (rtl/synth/depth.py: a LUT is one "
                    "level, a CARRY4 a quarter, a MUXF7/8 none; RAMs cut paths like "
                    "flip-flops).\n")
        f.write("".join(depths))
        if boards:
            f.write("\n# Boards (yosys, nextpnr; boards/*/build.py)\n\n")
        for b in boards:
            with open(b) as t:
                f.write(t.read() + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("arch", choices=sorted(ARCH))
    ap.add_argument("params", choices=["default", "mid", "small"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..", "..")))
    ap.add_argument("--yosys", default="yosys")
    ap.add_argument("--mgmt-image", help="firmware image ($readmemh) for ioe_top's MgmtInitFile")
    a = ap.parse_args()
    arch = ARCH[a.arch]
    os.makedirs(a.out, exist_ok=True)
    tag = f"{a.arch}-{a.params}"
    log = os.path.join(a.out, tag + ".log")
    stat_json = os.path.join(a.out, tag + ".json")

    with open(os.path.join(a.root, "rtl", "files.f")) as f:
        files = [os.path.join(a.root, line.strip()) for line in f if line.strip()]
    params = subprocess.run(
        [sys.executable, os.path.join(a.root, "rtl", "regmap", "regtool.py"), "params", a.params,
         "yosys"], check=True, capture_output=True, text=True).stdout.strip()

    rams = None
    if a.mgmt_image:
        err = check_image(a.mgmt_image, params)
        if err:
            print(f"synth {tag}: {err}", file=sys.stderr)
            return 1
        params += f' -set MgmtInitFile "{os.path.abspath(a.mgmt_image)}"'
        rams = os.path.join(a.out, tag + "-mgmt-rams.il")

    script = [
        "read_verilog -sv " + " ".join(files),
        f"chparam {params} ioe_top",
        "hierarchy -check -top ioe_top",
        "proc",
        f"select -assert-none {LATCH_CELLS}",
        arch["synth"],
    ]
    if arch["mapped_latches"]:
        script.append(f"select -assert-none {arch['mapped_latches']}")
    script += ["check -assert", f"tee -q -o {stat_json} {arch['stat']}"]
    if rams:
        script.append(f"tee -q -o {rams} dump {arch['ram_cells']}")
    netlist = os.path.join(a.out, tag + "-netlist.json")
    if a.arch == "xilinx":
        script.append(f"write_json {netlist}")
    res = subprocess.run([a.yosys, "-q", "-l", log, "-p", "; ".join(script)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        print(f"synth {tag}: FAILED (see {log})", file=sys.stderr)
        return 1

    lut, ff, bram, lutram, tiles = counts(a.arch, stat_json)
    if rams and not image_in_rams(rams):
        print(f"synth {tag}: no block RAM of u_mgmt carries the firmware image ({rams})",
              file=sys.stderr)
        return 1
    levels = ""
    if a.arch == "xilinx":
        res = depth.analyse(netlist)
        os.remove(netlist)  # hundreds of MB for the larger sets
        with open(os.path.join(a.out, tag + "-depth.md"), "w") as f:
            f.write(depth.markdown(res))
        levels = "  LUT levels " + " ".join(f"{e} {res[e][0]}" for e in depth.ENGINE_ORDER
                                            if e in res)
    write_report(a.out)
    dev = DEVICE.get((a.arch, a.params))
    if dev and (lut > dev[1] or tiles > dev[2]):
        print(f"synth {tag}: LUT {lut} (of {dev[1]}), block RAM {tiles:g} tiles (of {dev[2]}): "
              f"does not fit the {dev[0]}", file=sys.stderr)
        return 1
    fit = (f"  ({dev[0]}: {100 * lut // dev[1]}% LUT, {100 * tiles // dev[2]:.0f}% block RAM)"
           if dev else "")
    print(f"synth {tag}: ok  LUT {lut}  FF {ff}  BRAM {bram}  LUTRAM {lutram}{fit}{levels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
