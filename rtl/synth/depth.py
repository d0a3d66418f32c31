#!/usr/bin/env python3
"""Logic depth between flip-flops of a flattened Xilinx netlist, per engine.

  depth.py NETLIST.json [--top ioe_top] [--md]

NETLIST.json is Yosys's `write_json` of the design after `synth_xilinx -flatten` (synth.py
writes it). The depth of a path is counted in LUT levels:
  - each LUT1..LUT6 on the path is one level;
  - a MUXF7 or MUXF8 adds nothing: with the LUT6es in front of it, it forms one wide
    function inside a slice (a LUT6 + MUXF7 + MUXF8 is a 32:1 multiplexer in one level);
  - a CARRY4 (4 bits of a carry chain) is a quarter of a level: the carry ripples
    through the slice's dedicated logic in a fraction of a LUT's delay and route, so a
    32-bit compare is one LUT and two levels of carry, not nine levels.
Levels are printed with the LUT, CARRY4 and MUXF counts of the path so that any other
weighting can be read off. Paths start at the outputs of flip-flops, block RAMs, LUT RAMs,
DSPs and the top's input ports, and end at the inputs of the same cells and the top's
output ports: a block RAM or LUT RAM is a cut point like a flip-flop (the address-to-data
delay of a LUT RAM is not counted).

A path belongs to the engine of its end point, named by the register (the net on the
flip-flop's output, which keeps the RTL's hierarchical name) or the RAM cell:
  gic       u_gic (the GIC engine)
  its       u_its (the ITS engines with their translation fast path)
  xive      u_xive (the XIVE engine)
  fabric    everything else: AXI4-Lite slave, CSR fabric, ioe_core (card registers and the
            notification FIFO), the DMA arbiter, the notification merge, the wired-line
            synchronisers
Printed per engine: the deepest path's levels, its start and end points and the cells on
it. With --md a Markdown table of the same.
"""

import argparse
import json
import re
import sys
from collections import defaultdict

ENGINES = (("gic", "u_gic."), ("its", "u_its."), ("xive", "u_xive."))
ENGINE_ORDER = ("gic", "its", "xive", "fabric")
# weight of a cell in quarter levels
QUARTERS = {"MUXF7": 0, "MUXF8": 0, "CARRY4": 1}


def weight(cell_type):
    return QUARTERS.get(cell_type, 4)


def is_comb(cell_type):
    return cell_type.startswith("LUT") or cell_type in ("MUXF7", "MUXF8", "CARRY4")


def engine_of(name):
    # "$flatten\u_xive.\u_core.$procdff$123.q_reg" or "\u_xive.u_core.x_q_reg[3]": drop
    # the escapes and find the first instance on the path
    plain = name.replace("\\", "").replace("$flatten", "")
    for eng, prefix in ENGINES:
        if plain.startswith(prefix) or ("." + prefix) in plain[:len(prefix) + 1]:
            return eng
    return "fabric"


def analyse(netlist, top="ioe_top"):
    """{engine: (levels, start name, end name, [cell types on the path])}"""
    with open(netlist) as f:
        mod = json.load(f)["modules"][top]
    cells = mod["cells"]
    # a bit's name: of its aliases, a visible one, a register's (`_q`) first, then the
    # deepest in the hierarchy (a port of ioe_top names the same flop as its engine's)
    netname = {}

    def rank(name, hidden):
        base = name.split("[")[0]
        return (not hidden, base.endswith("_q"), base.count("."))

    for name, n in mod["netnames"].items():
        hidden = n.get("hide_name", 0)
        for i, b in enumerate(n["bits"]):
            if not isinstance(b, int):
                continue
            label = name if len(n["bits"]) == 1 else f"{name}[{i}]"
            if b not in netname or rank(label, hidden) > rank(*netname[b]):
                netname[b] = (label, hidden)
    driver = {}    # bit -> combinational cell name driving it
    ctype = {n: c["type"] for n, c in cells.items()}
    inputs = {}    # comb cell -> input bits
    endpoints = []  # (cell or port name, bit)
    for cname, c in cells.items():
        dirs = c.get("port_directions", {})
        if is_comb(c["type"]):
            ins = []
            for port, bits in c["connections"].items():
                if dirs.get(port) == "output":
                    for b in bits:
                        if isinstance(b, int):
                            driver[b] = cname
                else:
                    ins += [b for b in bits if isinstance(b, int)]
            inputs[cname] = ins
        else:
            # the register or RAM this cell implements: a named net on one of its outputs
            label = cname
            for port, bits in c["connections"].items():
                if dirs.get(port) == "output":
                    named = [netname[b] for b in bits if isinstance(b, int) and b in netname]
                    named = [n for n, hidden in named if not hidden]
                    if named:
                        label = named[0]
                        break
            for port, bits in c["connections"].items():
                if dirs.get(port) == "input":
                    endpoints += [(label, b) for b in bits if isinstance(b, int)]
    for pname, p in mod["ports"].items():
        if p["direction"] == "output":
            endpoints += [(pname, b) for b in p["bits"] if isinstance(b, int)]

    level = {}  # comb cell -> (levels up to and including it, deepest input bit)

    def depth_of_bit(b):
        cname = driver.get(b)
        return level_of(cname)[0] if cname else 0

    def level_of(cname):
        # iterative DFS (chains thousands of cells deep would overflow Python's stack):
        # a cell is entered once, its inputs' drivers resolved first, then it is finished
        if cname in level:
            return level[cname]
        entered = set()
        stack = [cname]
        while stack:
            cur = stack[-1]
            if cur in level:
                stack.pop()
                continue
            if cur not in entered:
                entered.add(cur)
                for b in inputs[cur]:
                    d = driver.get(b)
                    if d is not None and d not in level:
                        if d in entered:
                            raise RuntimeError(f"combinational loop through {d}")
                        stack.append(d)
                continue
            best, best_bit = 0, None
            for b in inputs[cur]:
                d = level[driver[b]][0] if b in driver else 0
                if d > best or best_bit is None:
                    best, best_bit = d, b
            level[cur] = (best + weight(ctype[cur]), best_bit)
            stack.pop()
        return level[cname]

    worst = {}
    for ename, b in endpoints:
        d = depth_of_bit(b)
        eng = engine_of(ename)
        if d > worst.get(eng, (-1,))[0]:
            worst[eng] = (d, ename, b)
    out = {}
    for eng, (d, ename, b) in worst.items():
        d = d / 4
        path, bit = [], b
        while bit in driver:
            cname = driver[bit]
            path.append(cells[cname]["type"])
            bit = level[cname][1]
        start = netname.get(bit, (str(bit), 1))[0] if bit is not None else "?"
        out[eng] = (d, start, ename, list(reversed(path)))
    return out


def short(name):
    name = re.sub(r"\$procdff\$\d+", "", name.replace("\\", "").replace("$flatten", ""))
    return name[:110]


def markdown(result):
    rows = ["| engine | LUT levels | from | to | cells on the path |", "|---|---|---|---|---|"]
    for eng in ENGINE_ORDER:
        if eng not in result:
            continue
        d, start, end, path = result[eng]
        kinds = defaultdict(int)
        for t in path:
            kinds["LUT" if t.startswith("LUT") else t] += 1
        mix = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        rows.append(f"| {eng} | {d:g} | `{short(start)}` | `{short(end)}` | {mix} |")
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("netlist")
    ap.add_argument("--top", default="ioe_top")
    ap.add_argument("--md", action="store_true")
    a = ap.parse_args()
    res = analyse(a.netlist, a.top)
    if a.md:
        sys.stdout.write(markdown(res))
        return 0
    for eng in ENGINE_ORDER:
        if eng in res:
            d, start, end, path = res[eng]
            print(f"{eng}: {d:g} levels  {short(start)} -> {short(end)}  ({' '.join(path)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
