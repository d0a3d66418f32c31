#!/usr/bin/env python3
"""Build the iCEBreaker bitstream with the open flow and check it.

  build.py --out DIR [--freq MHZ] [--seed N] [--report-dir DIR] [--bridge-only] [--max-lc N]
           [--synth-opts OPTS] [--root REPO]

yosys synth_ice40 (rtl/files.f, with the wire bridge, and this board's top) -> nextpnr-ice40
--up5k --package sg48 with the pin file and the clock constraint -> icepack -> DIR/ioe_icebreaker.bin.
Fails (exit 1) when a tool fails: Yosys errors, placement or routing failure, or the clock
missing its constraint (nextpnr fails on timing unless told otherwise; this script never
tells it). Also fails when the design uses more than MAX_LC of the UP5K's 5280 logic cells
(10% kept free for development; --max-lc changes the bound). Writes DIR/utilisation.md and,
with --report-dir, the same table as icebreaker[-bridge].board.md there, and rewrites that
directory's report.md with it (rtl/synth/synth.py's report). --bridge-only leaves ioe_top out
(a stub answers the CSR accesses) to measure the bridge, UART and board top alone.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = "ioe_icebreaker_top"
LC_TOTAL = 5280
MAX_LC = LC_TOTAL * 9 // 10  # 4752: 10% of the logic cells free


def run(cmd, log, fatal=True):
    """Run a tool with its output in `log`; on failure print the log's tail, then exit
    (fatal) or return False."""
    with open(log, "w") as f:
        res = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        with open(log) as f:
            tail = f.readlines()[-25:]
        sys.stderr.write("".join(tail))
        print(f"build: {os.path.basename(cmd[0])} FAILED (see {log})", file=sys.stderr)
        if fatal:
            sys.exit(1)
    return res.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--freq", type=float, default=8.0,
                    help="design clock in MHz (the PLL's output halved: 7.97 MHz, constrained at 8)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report-dir")
    # -abc2 (ABC run twice): the whole board in 5211 logic cells instead of 5308 with one run
    # (same RTL, seed 1); -abc9 gave 5342
    ap.add_argument("--synth-opts", default="-abc2", help="options of synth_ice40 (default -abc2)")
    ap.add_argument("--bridge-only", action="store_true",
                    help="leave ioe_top out (ioe_wire_card's Card = 0): the bridge, UART and board top alone")
    ap.add_argument("--max-lc", type=int, default=MAX_LC,
                    help=f"fail above this many logic cells (default {MAX_LC}: 10%% of {LC_TOTAL} free)")
    ap.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..", "..")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.root, "rtl", "files.f")) as f:
        rel = [line.strip() for line in f if line.strip()]
    files = [os.path.join(a.root, p) for p in rel] + [os.path.join(HERE, TOP + ".sv")]
    netlist = os.path.join(a.out, TOP + ".json")
    asc = os.path.join(a.out, TOP + ".asc")
    binf = os.path.join(a.out, "ioe_icebreaker.bin")

    run(["yosys", "-q", "-l", os.path.join(a.out, "yosys.log"), "-p",
         "read_verilog -sv " + " ".join(files) +
         ("; chparam -set Card 0 ioe_wire_card" if a.bridge_only else "") +
         f"; hierarchy -top {TOP}; synth_ice40 {a.synth_opts} -top {TOP} -json {netlist}"],
        os.path.join(a.out, "yosys.out"))
    pnr_log = os.path.join(a.out, "nextpnr.log")
    # the utilisation is reported also when placement, routing or timing fails
    placed = run(["nextpnr-ice40", "--up5k", "--package", "sg48", "--json", netlist,
                  "--pcf", os.path.join(HERE, "ioe_icebreaker.pcf"), "--asc", asc,
                  "--freq", str(a.freq), "--seed", str(a.seed)], pnr_log, fatal=False)
    if placed:
        run(["icepack", asc, binf], os.path.join(a.out, "icepack.log"))

    with open(pnr_log) as f:
        log = f.read()
    util = {}
    # the last utilisation table (after placement)
    for cell in ("ICESTORM_LC", "ICESTORM_RAM", "ICESTORM_SPRAM", "ICESTORM_PLL", "SB_IO"):
        m = re.findall(rf"{cell}:\s+(\d+)/\s*(\d+)", log)
        if m:
            util[cell] = tuple(int(x) for x in m[-1])
    fmax = re.findall(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz", log)
    fmax_mhz = min(float(x[1]) for x in fmax) if fmax else 0.0
    if placed:
        fcol = f"{fmax_mhz:.2f} (constraint {a.freq:g})"
    elif "FAIL at" in log:
        fcol = f"{fmax_mhz:.2f}: FAILS the constraint {a.freq:g}"
    else:
        fcol = "- (does not place)"
    with open(os.path.join(a.out, "yosys.log")) as f:
        ylog = f.read()
    luts = re.findall(r"SB_LUT4\s+(\d+)", ylog)
    ffs = sum(int(n) for n in re.findall(r"SB_DFF\w*\s+(\d+)", ylog.split("Printing statistics")[-1]))
    lc, lc_tot = util.get("ICESTORM_LC", (0, LC_TOTAL))
    design = ("bridge only (wire bridge + UART + board top, no ioe_top)" if a.bridge_only
              else "board (small set + wire bridge + UART)")
    row = (f"| iCEBreaker (iCE40 UP5K) | {design} | "
           f"{luts[-1] if luts else '?'} | {ffs} | {lc}/{lc_tot} | "
           f"{util.get('ICESTORM_RAM', (0, 30))[0]}/30 | {util.get('ICESTORM_SPRAM', (0, 4))[0]}/4 | "
           f"{fcol} |")
    table = ("| board | design | LUT (yosys) | FF (yosys) | logic cells (nextpnr) | BRAM | SPRAM | "
             "Fmax MHz (nextpnr) |\n|---|---|---|---|---|---|---|---|\n" + row + "\n")
    with open(os.path.join(a.out, "utilisation.md"), "w") as f:
        f.write(table)
    if a.report_dir:
        os.makedirs(a.report_dir, exist_ok=True)
        name = "icebreaker-bridge.board.md" if a.bridge_only else "icebreaker.board.md"
        with open(os.path.join(a.report_dir, name), "w") as f:
            f.write(table)
        # report.md: the synthesis runs there and this table (rtl/synth/synth.py)
        sys.path.insert(0, os.path.join(a.root, "rtl", "synth"))
        import synth  # noqa: E402
        synth.write_report(a.report_dir)
    print(f"build icebreaker: {binf if placed else 'no bitstream'}  LC {lc}/{lc_tot}  "
          f"RAM {util.get('ICESTORM_RAM', (0, 0))[0]}  Fmax {fcol}")
    if not placed:
        return 1
    if lc > a.max_lc:
        print(f"build icebreaker: {lc} logic cells used, more than {a.max_lc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
