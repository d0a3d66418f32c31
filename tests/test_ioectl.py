#!/usr/bin/env python3
"""ioectl as a user meets it: help, exit codes, messages, and the commands on both targets."""
import subprocess
import sys

IOECTL = sys.argv[1]
BENCH = sys.argv[2] if len(sys.argv) > 2 else None
failures = 0
passed = 0


def run(*args):
    return subprocess.run([IOECTL, *args], capture_output=True, text=True, timeout=120)


def expect(desc, cond):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print(f"FAIL: {desc}")


r = run("--help")
expect("--help exits 0", r.returncode == 0)
expect("--help shows usage and commands", "Usage:" in r.stdout and "selftest" in r.stdout)
r = run("-V")
expect("--version exits 0", r.returncode == 0 and "ioectl" in r.stdout)

for args, msg in [
    ((), "missing command"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (("info", "--target", "pci"), "unknown target 'pci'"),
    (("info", "--bogus"), "unknown option"),
    (("info", "--target"), "needs an argument"),
    (("info", "extra"), "takes no arguments"),
    (("read",), "needs one register"),
    (("fw",), "needs one subcommand"),
    (("fw", "frob"), "unknown fw subcommand 'frob'"),
    (("read", "NOPE"), "unknown register 'NOPE'"),
    (("write", "SCRATCH", "0x1ffffffff"), "invalid value"),
    (("write", "SCRATCH", "12abc"), "invalid value"),
    (("info", "--dma-latency", "0"), "invalid --dma-latency"),
    (("info", "--trace", "/tmp/x.fst"), "--trace needs the sim target"),
]:
    r = run(*args)
    expect(f"{args}: exit 2", r.returncode == 2)
    expect(f"{args}: message '{msg}' on stderr (got {r.stderr!r})", msg in r.stderr)
    expect(f"{args}: hint to --help", "--help" in r.stderr)

r = run("targets")
lines = r.stdout.splitlines()
expect("targets: exit 0", r.returncode == 0)
for name in ("soft", "sim", "sim:pcie", "usb[:SERIAL]", "pci:DDDD:BB:DD.F"):
    row = [l for l in lines if l.split()[:1] == [name]]
    expect(f"targets: one row for {name} with a summary ({r.stdout!r})",
           len(row) == 1 and len(row[0].split()) > 2)
r = run("--help")
expect("--help mentions the targets command", "targets" in r.stdout)
for bad in ("nosuch", "soft:x", "sim:", "nosuch:x"):
    r = run("info", "--target", bad)
    expect(f"--target {bad}: non-zero exit", r.returncode != 0)
    expect(f"--target {bad}: names the target ({r.stderr!r})", f"unknown target '{bad}'" in r.stderr)
    known = [l.split()[0] for l in r.stderr.splitlines() if l.startswith("  ")]
    expect(f"--target {bad}: lists the known targets ({r.stderr!r})", {"soft", "sim"} <= set(known))
    expect(f"--target {bad}: nothing on stdout", r.stdout == "")
# The jtag target without an OpenOCD there (port 1 of the loopback: nothing listens)
r = run("info", "--target", "jtag:127.0.0.1:1")
expect(f"--target jtag: exit 1 and says what it looked for ({r.stderr!r})",
       r.returncode == 1 and "no OpenOCD Tcl server at 127.0.0.1:1" in r.stderr)
# The usb target on a machine without the board (CI has no USB bus at all): it says what it
# looked for and fails, whether libusb finds no bus or no FT2232H on it.
for target, serial in (("usb", ""), ("usb:IOE-NO-SUCH-BOARD", "IOE-NO-SUCH-BOARD")):
    r = run("info", "--target", target)
    expect(f"--target {target}: exit 1 ({r.returncode})", r.returncode == 1)
    expect(f"--target {target}: names the FT2232H it looked for ({r.stderr!r})",
           "FT2232H (USB 0403:6010, interface B" in r.stderr and serial in r.stderr)
    expect(f"--target {target}: not an unknown target ({r.stderr!r})", "unknown target" not in r.stderr)
    expect(f"--target {target}: nothing on stdout", r.stdout == "")
r = run("info", "--target", "usb:")
expect("--target usb: (empty serial): unknown target", r.returncode == 2 and "unknown target 'usb:'" in r.stderr)

# The pci target without the card or VFIO (CI machines have neither): it says what is
# missing, in the order the transport checks (docs/pcie.md, section 6), and fails.
missing = ("no PCI device", "has no IOMMU group", "is bound to", "/dev/vfio", "no permission",
           "is not viable", "is not an ioe card")
for target, msg in (("pci:0000:01:00.0", None), ("pci:ffff:ff:1f.7", "no PCI device ffff:ff:1f.7"),
                    ("pci:0000:01:00", "is not a PCI address")):
    r = run("info", "--target", target)
    expect(f"--target {target}: exit 1 ({r.returncode})", r.returncode == 1)
    said = msg in r.stderr if msg else any(m in r.stderr for m in missing)
    expect(f"--target {target}: says what is missing ({r.stderr!r})", said)
    expect(f"--target {target}: not an unknown target ({r.stderr!r})", "unknown target" not in r.stderr)
    expect(f"--target {target}: nothing on stdout", r.stdout == "")

r = run("targets", "extra")
expect("targets extra: exit 2", r.returncode == 2 and "takes no arguments" in r.stderr)

# sim:unix:PATH: the card of an ioe-simd (built next to ioectl) over a Unix socket
import os
import tempfile
import time
simd = os.path.join(os.path.dirname(IOECTL), "ioe-simd")
sockdir = tempfile.mkdtemp()
sock = os.path.join(sockdir, "sock")
server = subprocess.Popen([simd, "--card", "soft", "--listen", sock], stderr=subprocess.DEVNULL)
for _ in range(200):
    if os.path.exists(sock):
        break
    time.sleep(0.02)
unix_target = "sim:unix:" + sock
r = run("targets")
expect("targets: lists sim:unix:PATH", "sim:unix:PATH" in r.stdout)
r = run("info", "--target", unix_target)
expect(f"info {unix_target}: exit 0 with the card id ({r.stderr!r})",
       r.returncode == 0 and "0x494f4543 (IOEC)" in r.stdout)
r = run("selftest", "--target", unix_target)
expect(f"selftest over sim:unix ({r.stdout!r} {r.stderr!r})",
       r.returncode == 0 and "selftest passed" in r.stdout)
r = run("info", "--target", unix_target, "--dma-latency", "8")
expect(f"sim:unix refuses the server's options ({r.stderr!r})", r.returncode != 0)
server.terminate()
expect("ioe-simd exits 0 on SIGTERM", server.wait(timeout=30) == 0)
expect("ioe-simd removes its socket", not os.path.exists(sock))
r = run("info", "--target", unix_target)
expect(f"sim:unix with nobody listening: exit 1 and says so ({r.stderr!r})",
       r.returncode == 1 and "is ioe-simd listening" in r.stderr)

# --card board: the iCEBreaker's logic in Verilator, every frame built by the RTL wire
# bridge; a board stays powered between connections.
server = subprocess.Popen([simd, "--card", "board", "--listen", sock], stderr=subprocess.DEVNULL)
for _ in range(200):
    if os.path.exists(sock):
        break
    time.sleep(0.02)
r = run("info", "--target", unix_target)
expect(f"info over the board's bridge: the small card, 1 VM x 1 vCPU ({r.stdout!r} {r.stderr!r})",
       r.returncode == 0 and "0x494f4543 (IOEC)" in r.stdout and "gic nr_irqs   64" in r.stdout
       and "vcpus per vm  1" in r.stdout and "xive sources  0" in r.stdout
       and "dma segments  0" in r.stdout)
expect(f"info over the board's bridge: no DMA probe on the board ({r.stdout!r})",
       "features      0x00000105 cycle notify-test gic\n" in r.stdout)
r = run("write", "SCRATCH", "0x5a5a1234", "--target", unix_target)
expect(f"write over the board's bridge ({r.stderr!r})", r.returncode == 0 and "0x5a5a1234" in r.stdout)
r = run("read", "SCRATCH", "--target", unix_target)
expect(f"the board keeps its state for the next connection ({r.stdout!r})",
       r.returncode == 0 and "0x5a5a1234" in r.stdout)
r = run("fw", "info", "--target", unix_target)
expect(f"fw info on the board (no management core): exit 1 and says so ({r.stderr!r})",
       r.returncode == 1 and "no management core" in r.stderr)
r = subprocess.run([simd, "--card", "board", "--listen", sock + "2", "--free-run"],
                   capture_output=True, text=True, timeout=30)
expect(f"--card board refuses --free-run ({r.stderr!r})", r.returncode == 2 and "takes none" in r.stderr)
server.terminate()
expect("ioe-simd --card board exits 0 on SIGTERM", server.wait(timeout=30) == 0)
os.rmdir(sockdir)

for target in ("soft", "sim"):
    r = run("info", "--target", target)
    expect(f"info {target}: exit 0", r.returncode == 0)
    expect(f"info {target}: card id", "0x494f4543 (IOEC)" in r.stdout)
    expect(f"info {target}: features", "cycle dma-probe notify-test" in r.stdout)
    expect(f"info {target}: parameters", "vm contexts   8" in r.stdout)
    r = run("write", "SCRATCH", "0xcafef00d", "-t", target)
    expect(f"write {target}", r.returncode == 0 and "0xcafef00d" in r.stdout)
    r = run("read", "0x000", "-t", target)
    expect(f"read by address {target}", r.returncode == 0 and "ID" in r.stdout)
    r = run("regs", "-t", target)
    expect(f"regs {target}", r.returncode == 0 and "DMA_LATENCY" in r.stdout)
    r = run("selftest", "-t", target)
    expect(f"selftest {target}: exit 0 ({r.stdout})", r.returncode == 0 and "selftest passed" in r.stdout)
    r = run("fw", "info", "-t", target)
    expect(f"fw info {target} ({r.stdout!r} {r.stderr!r})",
           r.returncode == 0 and "firmware 1.0.0" in r.stdout and "memory 2048 words" in r.stdout)
    r = run("fw", "selftest", "-t", target)
    expect(f"fw selftest {target} ({r.stdout!r})",
           r.returncode == 0 and "passed: regmap ram scratch" in r.stdout)
    r = run("fw", "log", "-t", target)
    expect(f"fw log {target} ({r.stdout!r})", r.returncode == 0 and "boot" in r.stdout)
    r = run("fw", "counters", "-t", target)
    expect(f"fw counters {target} ({r.stdout!r})", r.returncode == 0 and "dma-fault" in r.stdout)
    r = run("fw", "console", "-t", target)
    expect(f"fw console {target} ({r.stdout!r})", r.returncode == 0 and "ioe-fw 00010000" in r.stdout)

if BENCH:
    import json, os, tempfile
    import xml.dom.minidom
    tmp = tempfile.mkdtemp()
    jpath, spath = os.path.join(tmp, "b.json"), os.path.join(tmp, "b.svg")
    r = subprocess.run([BENCH, "--quick", "--irqs", "64", "--vcpus", "2", "--seed", "7",
                        "-d", "2", "-e", "8", "-i", "3", "--json", jpath, "--plot", spath,
                        "--no-progress"],
                       capture_output=True, text=True, timeout=600)
    expect(f"ioe-bench --quick: exit 0 ({r.stderr})", r.returncode == 0)
    try:
        doc = json.load(open(jpath))
    except (OSError, ValueError) as e:
        doc = {"series": []}
        expect(f"ioe-bench JSON parses ({e})", False)
    series = doc["series"]
    mhz = doc.get("clock_mhz", 0)
    expect(f"ioe-bench's default clock is the one the logic depth supports ({mhz})", mhz == 125)
    sections = {x["section"] for x in series}
    expect("ioe-bench JSON has the card sections and both API sections",
           sections >= {"card: GIC engine (sim)", "card: ITS engine (sim)",
                        "card: XIVE engine (sim)", "API, soft backend (software path)",
                        "API, sim backend"})
    for sec in ("API, soft backend (software path)", "API, sim backend"):
        names = {x["name"] for x in series if x["section"] == sec}
        expect(f"{sec}: KVM_IRQ_LINE, KVM_SIGNAL_MSI and ESB trigger rows",
               {"IRQ_LINE -> vCPU readable", "SIGNAL_MSI (ITS) -> vCPU readable",
                "ESB trigger (XIVE) -> vCPU readable"} <= names)
    speed = [x for x in series if x["section"] == "simulation speed (sim card)"]
    expect("ioe-bench: simulation speed, idle and loaded, over wall clock and CPU time",
           len(speed) == 4 and all(x["unit"] == "kcycles_per_s" and x["n"] == 1 for x in speed))
    kvm = [x for x in series if x["section"].startswith("Linux KVM")]
    expect("ioe-bench: Linux KVM measured beside the card, or skipped with a reason",
           {x["name"] for x in kvm} == {"KVM_SIGNAL_MSI -> guest handler",
                                        "irqfd write -> guest handler",
                                        "KVM_SIGNAL_MSI call (to its return)"}
           or (not kvm and doc.get("skipped")))
    if not kvm:
        expect("ioe-bench prints the skip reason", "skipped: " + doc["skipped"] in r.stdout)
    expect("ioe-bench JSON carries the run's parameters",
           doc.get("seed") == 7 and doc.get("vm") == {"irqs": 64, "vcpus": 2} and
           doc.get("samples") == 100 and doc.get("dma_latency") == 200 and
           doc.get("working_set") == {"devices": 2, "events": 8, "iterations": 3})
    ws_n = 2 * 8 * 3
    table, sec = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("-- "):
            sec = line[3:]
        elif sec:
            table.setdefault(sec, []).append(line)
    for x in series:
        ordered = 0 < x["min"] <= x["p50"] <= x["p90"] <= x["p99"] <= x["p99_9"] <= x["max"]
        expect(f"{x['name']}: percentiles ordered and positive", ordered)
        if x["name"].startswith("set "):
            expect(f"{x['name']}: one sample per working-set MSI", x["n"] == ws_n)
        elif "interval" not in x["name"] and x["unit"] != "kcycles_per_s":
            expect(f"{x['name']}: --quick samples", x["n"] == 100)
        # every JSON series is a row of the table, with every field the table shows
        unit = {"cycles": "cyc", "ns": "ns", "kcycles_per_s": "kc/s"}.get(x["unit"], "?")
        row = [l for l in table.get(x["section"], []) if l.startswith(x["name"] + " ") and
               l[len(x["name"]):].split()[0] == unit]
        expect(f"{x['name']}: exactly one table row", len(row) == 1)
        cells = row[0][len(x["name"]):].split() if row else []
        shown = [str(x[k]) for k in ("min", "p50", "p90", "p99", "p99_9", "max")]
        expect(f"{x['name']}: unit and percentiles in the table", cells[:7] == [unit] + shown)
        if x["unit"] != "kcycles_per_s":
            expect(f"{x['name']}: p50 ns in the table", f"{x['p50_ns']:.1f}" in cells)
        else:
            expect(f"{x['name']}: no p50 ns for a rate", len(cells) == 7)
        if x["per_second"] > 0:
            expect(f"{x['name']}: per second in the table", f"{x['per_second']:.0f}" in cells)
        if x["per_cycle"] > 0:
            expect(f"{x['name']}: per cycle in the table", f"{x['per_cycle']:.3f}" in cells)
            expect(f"{x['name']}: per second = per cycle at the clock",
                   abs(x["per_second"] - x["per_cycle"] * mhz * 1e6) < 1e-3 * x["per_second"])
        goal = x["goal"]
        if goal:
            met = x["p50"] <= goal["value"] if goal["kind"] == "p50_max_cycles" \
                else x["per_cycle"] >= goal["value"]
            expect(f"{x['name']}: goal verdict", goal["met"] == met)
            expect(f"{x['name']}: goal in the table",
                   ("NOT met" in row[0]) == (not met) and "met" in row[0])
        elif row:
            expect(f"{x['name']}: no goal shown", "met" not in row[0].split())
        if x["unit"] == "cycles":
            # each card measurement waits at most 100000 cycles: anything above is a wrapped
            # (negative) difference
            expect(f"{x['name']}: cycles plausible", x["max"] < 100000)
            expect(f"{x['name']}: p50_ns = p50 cycles at the clock",
                   abs(x["p50_ns"] - x["p50"] * 1000.0 / mhz) < 1e-6)
    goals = {(x["section"].split()[1], x["goal"]["kind"], x["goal"]["value"])
             for x in series if x["goal"]}
    expect(f"the goals of issues 4 and 5 beside their rows ({goals})",
           goals == {("ITS", "p50_max_cycles", 3), ("ITS", "min_per_cycle", 1.0),
                     ("ITS", "min_per_cycle", 0.8), ("XIVE", "p50_max_cycles", 4),
                     ("XIVE", "min_per_cycle", 1.0)})
    try:
        svg = xml.dom.minidom.parse(spath)
        expect("ioe-bench plot has one curve per latency series",
               len(svg.getElementsByTagName("polyline")) == sum(x["plotted"] for x in series))
    except Exception as e:  # noqa: BLE001 - any parse error fails the check
        expect(f"ioe-bench SVG parses ({e})", False)
    for args, msg in [(("--iterations", "0"), "invalid --iterations"), (("--irqs", "65"), "invalid --irqs"),
                      (("--bogus",), "unknown option"), (("extra",), "unexpected argument"),
                      (("--seed", "x"), "invalid --seed"), (("--json",), "needs an argument"),
                      (("-d", "0"), "invalid --devices"), (("--dma-latency", "0"), "invalid --dma-latency"),
                      (("-d", "4096", "-e", "4096"), "at most 32768"),
                      (("--speed-runs", "0"), "invalid --speed-runs"),
                      (("--speed-cycles", "10"), "invalid --speed-cycles")]:
        r = subprocess.run([BENCH, *args], capture_output=True, text=True, timeout=60)
        expect(f"ioe-bench {args}: exit 2 with '{msg}'", r.returncode == 2 and msg in r.stderr)
    r = subprocess.run([BENCH, "--quick", "-d", "1", "-e", "4", "--json", "/nonexistent-dir/x.json",
                        "--no-progress"],
                       capture_output=True, text=True, timeout=600)
    expect("ioe-bench: unwritable --json is an error", r.returncode == 1 and "cannot write" in r.stderr)
    r = subprocess.run([BENCH, "--sim-speed", "--speed-runs", "2", "--speed-cycles", "4000",
                        "--json", jpath, "--no-progress"], capture_output=True, text=True, timeout=600)
    try:
        doc = json.load(open(jpath))
    except (OSError, ValueError):
        doc = {"series": []}
    expect(f"ioe-bench --sim-speed: exit 0 and only the four speed rows, 2 runs each ({r.stderr})",
           r.returncode == 0 and len(doc["series"]) == 4 and
           all(x["n"] == 2 and x["min"] > 0 for x in doc["series"]))
    r = subprocess.run([BENCH, "--help"], capture_output=True, text=True, timeout=60)
    expect("ioe-bench --help", r.returncode == 0 and "Usage:" in r.stdout)

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
