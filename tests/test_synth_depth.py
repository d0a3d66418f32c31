#!/usr/bin/env python3
"""Known answers of rtl/synth/depth.py on small hand-made netlists (Yosys JSON)."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rtl", "synth"))
import depth  # noqa: E402

failures = 0


def expect(what, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


IN = {"I0": "input", "I1": "input", "I2": "input", "S": "input", "O": "output"}
CARRY = {"CI": "input", "CYINIT": "input", "DI": "input", "S": "input", "O": "output",
         "CO": "output"}
FF = {"C": "input", "D": "input", "CE": "input", "R": "input", "Q": "output"}


def lut(ins, out, kind="LUT3"):
    return {"type": kind, "port_directions": IN,
            "connections": {**{f"I{i}": [b] for i, b in enumerate(ins)}, "O": [out]}}


def ff(d, q, clk=2):
    return {"type": "FDRE", "port_directions": FF,
            "connections": {"C": [clk], "D": [d], "CE": ["1"], "R": ["0"], "Q": [q]}}


def carry(ci, co, o):
    return {"type": "CARRY4", "port_directions": CARRY,
            "connections": {"CI": [ci], "CYINIT": ["0"], "DI": [20], "S": [21], "O": [o],
                            "CO": [co]}}


def netlist(cells, nets, ports=None):
    return {"modules": {"ioe_top": {
        "ports": ports or {"clk_i": {"direction": "input", "bits": [2]}},
        "cells": cells,
        "netnames": {n: {"hide_name": 0, "bits": [b]} for n, b in nets.items()}}}}


def run(doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        return depth.analyse(f.name)
    finally:
        os.unlink(f.name)


# GIC: flop 10 -> LUT -> LUT -> LUT -> flop; XIVE: flop 20 -> LUT -> CARRY4 x4 -> LUT ->
# MUXF7 -> flop (2 LUTs + 4 quarters + 0 = 3 levels); the XIVE flop's input also sees the
# GIC flop through one LUT (a shorter path, not the one reported)
cells = {
    "g_ff0": ff(11, 10), "g_l1": lut([10], 12), "g_l2": lut([12], 13), "g_l3": lut([13], 14),
    "g_ff1": ff(14, 11),
    "x_ff0": ff(29, 20), "x_l1": lut([20], 21),
    "x_c1": carry(21, 22, 40), "x_c2": carry(22, 23, 41), "x_c3": carry(23, 24, 42),
    "x_c4": carry(24, 25, 43),
    "x_l2": lut([25, 10], 27, "LUT2"), "x_l3": lut([10], 28, "LUT1"),
    "x_mux": {"type": "MUXF7", "port_directions": IN,
              "connections": {"I0": [27], "I1": [28], "S": [10], "O": [26]}},
    "x_ff1": ff(26, 29),
}
nets = {"u_gic.a_q": 10, "u_gic.b_q": 11, "u_xive.u_core.s_q": 20, "u_xive.u_core.t_q": 29,
        # an alias of the XIVE register at the top: the engine's own name is chosen
        "xive_t": 29}
res = run(netlist(cells, nets))
expect(f"GIC: 3 LUT levels ({res.get('gic')})", res.get("gic", (0,))[0] == 3)
expect("GIC: from a_q to b_q",
       res.get("gic", (0, "", ""))[1:3] == ("u_gic.a_q", "u_gic.b_q"))
expect(f"XIVE: 2 LUTs + 4 CARRY4 (a quarter each) + MUXF7 (none) = 3 levels ({res.get('xive')})",
       res.get("xive", (0,))[0] == 3)
expect("XIVE: the path's cells in order",
       res.get("xive", (0, "", "", []))[3] == ["LUT3", "CARRY4", "CARRY4", "CARRY4", "CARRY4",
                                               "LUT2", "MUXF7"])
expect("XIVE: named by the engine's register, not the top's alias",
       res.get("xive", (0, "", ""))[2] == "u_xive.u_core.t_q")
expect("no ITS or fabric path in this netlist", "its" not in res and "fabric" not in res)
md = depth.markdown(res)
expect("markdown: a row per engine with the cell mix",
       "| gic | 3 |" in md and "| xive | 3 |" in md and "4 CARRY4, 2 LUT, 1 MUXF7" in md)

# a top-level output driven through two LUTs from an input port: a fabric path of 2
doc = netlist({"l1": lut([3], 4), "l2": lut([4], 5)}, {},
              {"clk_i": {"direction": "input", "bits": [2]},
               "a_i": {"direction": "input", "bits": [3]},
               "y_o": {"direction": "output", "bits": [5]}})
res = run(doc)
expect(f"input port to output port through 2 LUTs: fabric 2 ({res})",
       res.get("fabric", (0,))[0] == 2)

# a combinational loop is reported, not looped over
try:
    run(netlist({"l1": lut([5], 4), "l2": lut([4], 5), "f": ff(5, 6)}, {}))
    expect("a combinational loop raises", False)
except RuntimeError as e:
    expect(f"a combinational loop raises ({e})", "loop" in str(e))

print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
sys.exit(1 if failures else 0)
