#!/usr/bin/env python3
"""The JTAG debug path with Debian's OpenOCD in front of the simulated card's TAP.

  test_jtag.py --simd IOE_SIMD --openocd OPENOCD --root REPO
               [--ioectl IOECTL --test-jtag TEST_JTAG]      the whole path (boards/sim)
               [--board NAME --idcode N]                    a board's TAP declarations

Starts ioe-simd --card sim --jtag on a Unix socket in a fresh directory (with --board: on a TCP port
the kernel picks) and OpenOCD (remote_bitbang to it, Tcl RPC on a port the kernel picks, reported in OpenOCD's log), then checks the scan chain
(the expected IDCODE, no IR capture error) and, for the whole path: ioectl info/read/write/regs
over jtag:127.0.0.1:PORT, the procs' errors through the Tcl RPC (bad address, unaligned address),
and test_jtag (libioe: register access, batches, the bridge's error, the refused operations, and
OpenOCD killed mid-session). With --board, OpenOCD reads boards/sim/remote_bitbang.cfg and the
board's tap.cfg, and ioe-simd answers with the board's IDCODE. Both servers are stopped at the end.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

failures = 0


def expect(desc, cond, detail=""):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {desc} {detail}")
    else:
        print(f"ok: {desc}")


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def rpc(port, cmd, timeout=20):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(cmd.encode() + b"\x1a")
        buf = b""
        while not buf.endswith(b"\x1a"):
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("OpenOCD closed the connection")
            buf += chunk
        return buf[:-1].decode()


def whole_path(a, port, ocd):
    """ioectl, the procs' errors and libioe over jtag:127.0.0.1:PORT; kills OpenOCD at the end."""
    target = f"jtag:127.0.0.1:{port}"

    def ioectl(*args):
        return subprocess.run([a.ioectl, *args, "--target", target], capture_output=True,
                              text=True, timeout=60)

    r = ioectl("info")
    expect("ioectl info over JTAG", r.returncode == 0 and "0x494f4543" in r.stdout, r.stdout + r.stderr)
    r = ioectl("write", "SCRATCH", "0x5a5a1234")
    expect("ioectl write SCRATCH", r.returncode == 0, r.stderr)
    r = ioectl("read", "SCRATCH")
    expect("ioectl read SCRATCH reads it back", r.returncode == 0 and "0x5a5a1234" in r.stdout,
           r.stdout + r.stderr)
    t0 = time.monotonic()
    r = ioectl("regs")
    regs_s = time.monotonic() - t0
    nregs = len([l for l in r.stdout.splitlines() if re.search(r"0x[0-9a-f]{8}", l)])
    expect("ioectl regs over JTAG", r.returncode == 0 and nregs > 20, r.stdout[-500:] + r.stderr)
    print(f"ioectl regs: {nregs} registers in {regs_s:.2f} s")

    r = rpc(port, "ioe_rpc ioe_read 0xffc")
    expect("a read without a register: the bridge's error", r.startswith("ERR EIO:") and "no register" in r, r)
    r = rpc(port, "ioe_rpc ioe_write 0x1020 1")
    expect("a write without a register: the bridge's error", r.startswith("ERR EIO:"), r)
    r = rpc(port, "ioe_rpc ioe_read 0x2")
    expect("an unaligned address is refused", r.startswith("ERR EINVAL:"), r)
    r = rpc(port, "ioe_rpc ioe_read 0x100000")
    expect("an address beyond the window is refused", r.startswith("ERR EINVAL:"), r)
    r = rpc(port, "ioe_info")
    expect("ioe_info shows ID and VERSION", "0x494f4543" in r and "VERSION" in r, r)

    env = dict(os.environ, IOE_JTAG_OPENOCD_PID=str(ocd.pid))
    r = subprocess.run([a.test_jtag, target], capture_output=True, text=True, timeout=120, env=env)
    print(r.stdout + r.stderr)
    expect("test_jtag (libioe over JTAG; OpenOCD killed mid-session)", r.returncode == 0)
    ocd.wait(timeout=10)
    r = ioectl("info")
    expect("without OpenOCD: ioectl says so and fails",
           r.returncode != 0 and "no OpenOCD Tcl server" in r.stderr, r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--simd", required=True)
    ap.add_argument("--openocd", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--ioectl")
    ap.add_argument("--test-jtag")
    ap.add_argument("--board")
    ap.add_argument("--idcode", default="0x110e0001")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="ioe-jtag-")
    sock = os.path.join(tmp, "jtag.sock")
    ocd_log = os.path.join(tmp, "openocd.log")
    procs = []
    try:
        # the whole path on a Unix socket, the boards on a TCP port the kernel picks
        where = "0" if a.board else sock
        simd = subprocess.Popen([a.simd, "--card", "sim", "--jtag", where, "--jtag-idcode", a.idcode],
                                stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "simd.log"), "w"),
                                text=True)
        procs.append(simd)
        line = simd.stdout.readline()
        m = re.fullmatch(r"jtag 127\.0\.0\.1:(\d+)" if a.board else f"jtag {re.escape(sock)}", line.strip())
        expect("ioe-simd reports where its TAP listens", m is not None, repr(line))
        bitbang = f"set ioe_bitbang_port {m.group(1)}" if a.board and m else f"set ioe_bitbang_path {sock}"

        if not a.board:
            # the protocol by hand: a TDO read is answered; a character OpenOCD 0.12 does not
            # send (SWD's 'd') ends the session with a message, and the server serves on
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                c.settimeout(10)
                c.connect(sock)
                c.sendall(b"r0R")
                expect("remote_bitbang: R is answered with 0 or 1", c.recv(1) in (b"0", b"1"))
                c.sendall(b"d")
                expect("remote_bitbang: an SWD character closes the session", c.recv(1) == b"")
            wait_for(lambda: "not OpenOCD 0.12's remote_bitbang" in open(os.path.join(tmp, "simd.log")).read(),
                     10, "ioe-simd's protocol error message")

        cfgs = ([os.path.join(a.root, "boards/sim/remote_bitbang.cfg"),
                 os.path.join(a.root, "boards", a.board, "tap.cfg")] if a.board
                else [os.path.join(a.root, "boards/sim/openocd.cfg")])
        cmd = [a.openocd, "-c", bitbang, "-c", "tcl_port 0",
               "-c", "gdb_port disabled", "-c", "telnet_port disabled"]
        for c in cfgs:
            cmd += ["-f", c]
        ocd = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(ocd_log, "w"))
        procs.append(ocd)

        def tcl_port():
            if ocd.poll() is not None:
                raise RuntimeError("OpenOCD exited:\n" + open(ocd_log).read())
            m = re.search(r"Listening on port (\d+) for tcl connections", open(ocd_log).read())
            return int(m.group(1)) if m else None

        port = wait_for(tcl_port, 30, "OpenOCD's Tcl server")
        # OpenOCD answers RPC once its init (the scan chain included) is over
        r = rpc(port, "ioe_rpc ioe_read 0x0")
        log = open(ocd_log).read()
        idcode = int(a.idcode, 0)
        expect(f"the scan chain finds IDCODE 0x{idcode:08x}",
               re.search(rf"tap/device found: 0x{idcode:08x}", log) is not None, log)
        expect("no scan chain error", not re.search(r"IR capture error|UNEXPECTED|Error:", log), log)
        expect("ioe_read ID through the board's TAP declarations", r == "OK 0x494f4543", repr(r))

        if not a.board:
            whole_path(a, port, ocd)
    except Exception as e:  # a server that did not start, or a timeout
        expect("the test ran", False, str(e))
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for name in ("simd.log",):
            path = os.path.join(tmp, name)
            if os.path.exists(path):
                print(f"--- {name}\n" + open(path).read())
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS" if failures == 0 else f"{failures} FAILED")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
