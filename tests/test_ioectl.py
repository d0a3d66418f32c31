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

if BENCH:
    r = subprocess.run([BENCH, "--quick", "--irqs", "64", "--vcpus", "2"], capture_output=True,
                       text=True, timeout=300)
    expect(f"ioe-bench --quick: exit 0 ({r.stderr})", r.returncode == 0)
    rows = [l.split() for l in r.stdout.splitlines() if "->" in l]
    expect("ioe-bench prints the four GIC measurements", len(rows) == 4)
    for row in rows:
        # min <= p50 <= p99 <= max, all positive cycle counts
        nums = [int(x) for x in row if x.isdigit()][:4]
        expect(f"ioe-bench row ordered and positive: {row}",
               len(nums) == 4 and 0 < nums[0] <= nums[1] <= nums[2] <= nums[3])
    for args, msg in [(("--iterations", "0"), "invalid --iterations"), (("--irqs", "65"), "invalid --irqs"),
                      (("--bogus",), "unknown option"), (("extra",), "unexpected argument")]:
        r = subprocess.run([BENCH, *args], capture_output=True, text=True, timeout=60)
        expect(f"ioe-bench {args}: exit 2 with '{msg}'", r.returncode == 2 and msg in r.stderr)
    r = subprocess.run([BENCH, "--help"], capture_output=True, text=True, timeout=60)
    expect("ioe-bench --help", r.returncode == 0 and "Usage:" in r.stdout)

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)
