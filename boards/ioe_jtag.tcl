# OpenOCD procs for the ioe card's JTAG debug bridge (rtl/src/ioe_jtag_dbg.sv, docs/jtag.md).
#
# A board's openocd.cfg declares its TAP, sets ioe_tap to it and sources this file. The
# bridge sits behind the TAP's USER1 instruction (IR 0x02 of a 6-bit IR: Xilinx 7-series'
# BSCANE2, and ioe's own TAP, ioe_jtag_tap). Each scan of its 64-bit data register shifts a
# command in and the status of the previous access out:
#   in:  [31:0] data  [51:32] byte address  [63:62] op (0 NOP, 1 READ, 2 WRITE)
#   out: [31:0] read data  [32] busy (this scan's command was ignored)  [33] error
#        [35:34] op of the access the status belongs to  [63:48] signature 0xd0b1
#
#   ioe_read ADDR           the 32-bit register at byte offset ADDR of the CSR window
#   ioe_write ADDR VALUE    write it
#   ioe_info                the card's ID, VERSION and FEATURES registers
#   ioe_probe               an error unless the bridge answers behind USER1
#   ioe_rpc CMD ARGS...     CMD's result as "OK RESULT" or "ERR MESSAGE" (libioe's jtag target)
#   ioe_ops OP...           several accesses in one call: OP is "r ADDR" or "w ADDR VALUE";
#                           the values read, as "OK V..." or, at the first failure,
#                           "ERR INDEX V...\nMESSAGE" (the ops before INDEX took effect)
# Errors name their kind first: "EIO" (the card answered an error: no register there),
# "ETIMEDOUT" (the bridge stayed busy), "ENODEV" (no bridge behind USER1), "EINVAL".

set ioe_user1 0x02
set ioe_signature 0xd0b1
# scans an access may wait for the bridge before it counts as a hang
set ioe_busy_scans 64
# CSR window (include/ioe/regs.h: IOE_CSR_WINDOW_SIZE) and the core's first registers
set ioe_window 0x100000
array set ioe_core_regs {ID 0x0 VERSION 0x4 FEATURES 0x8}

# Select the bridge: USER1 in the TAP's IR (once per call of the procs below, so that anything
# OpenOCD did in between, e.g. pld load, cannot leave another instruction there).
proc ioe_select {} {
	global ioe_tap ioe_user1
	irscan $ioe_tap $ioe_user1
}

# One scan of the selected bridge: shift the command (op, addr, data) in, return the status word
# shifted out.
proc ioe_scan {op addr data} {
	global ioe_tap ioe_signature
	set out [drscan $ioe_tap 32 $data 32 [expr {($op << 30) | $addr}] -endstate RUN/IDLE]
	set lo [expr {"0x[lindex $out 0]"}]
	set hi [expr {"0x[lindex $out 1]"}]
	if {($hi >> 16) != $ioe_signature} {
		error [format "ENODEV: no ioe debug bridge behind USER1 of %s (read 0x%08x%08x)" \
			$ioe_tap $hi $lo]
	}
	return [expr {($hi << 32) | $lo}]
}

# Scan until the bridge takes the command (its status is not busy); the accepted status.
proc ioe_issue {op addr data} {
	global ioe_busy_scans
	for {set i 0} {$i < $ioe_busy_scans} {incr i} {
		set st [ioe_scan $op $addr $data]
		if {!(($st >> 32) & 1)} {
			if {$op != 0} {
				# TCK cycles for the access to cross to the card clock and back
				runtest 8
			}
			return $st
		}
	}
	error [format "ETIMEDOUT: the debug bridge stayed busy for %d scans" $ioe_busy_scans]
}

proc ioe_check_addr {addr} {
	global ioe_window
	if {![string is integer -strict $addr] || $addr < 0 || $addr >= $ioe_window || ($addr & 3)} {
		error "EINVAL: bad CSR address '$addr' (4-byte aligned, below $ioe_window)"
	}
}

# Complete an access: scan NOPs until it has finished, check its op and error bit.
proc ioe_finish {op addr} {
	set st [ioe_issue 0 0 0]
	if {(($st >> 34) & 3) != $op} {
		error [format "EIO: the debug bridge lost the access to 0x%05x" $addr]
	}
	if {($st >> 33) & 1} {
		error [format "EIO: the card answered an error at 0x%05x (no register there)" $addr]
	}
	return [expr {$st & 0xffffffff}]
}

# One access of the selected bridge: op 1 (READ, returns the value) or 2 (WRITE).
proc ioe_access {op addr value} {
	ioe_check_addr $addr
	if {![string is integer -strict $value] || $value < 0 || $value > 0xffffffff} {
		error "EINVAL: bad register value '$value'"
	}
	ioe_issue $op $addr $value
	set v [ioe_finish $op $addr]
	return [expr {$op == 1 ? [format 0x%08x $v] : ""}]
}

proc ioe_read {addr} {
	ioe_select
	return [ioe_access 1 $addr 0]
}

proc ioe_write {addr value} {
	ioe_select
	return [ioe_access 2 $addr $value]
}

proc ioe_info {} {
	global ioe_core_regs
	set r ""
	foreach name {ID VERSION FEATURES} {
		append r [format "%-8s %s\n" $name [ioe_read $ioe_core_regs($name)]]
	}
	return $r
}

# The bridge answers behind USER1 (its signature); changes nothing.
proc ioe_probe {} {
	ioe_select
	ioe_scan 0 0 0
	return ""
}

proc ioe_rpc {args} {
	if {[catch {{*}$args} r]} {
		return "ERR $r"
	}
	return "OK $r"
}

proc ioe_ops {args} {
	set r ""
	set i 0
	ioe_select
	foreach op $args {
		if {[catch {
			switch -- [lindex $op 0] {
				r {lappend r [ioe_access 1 [lindex $op 1] 0]}
				w {ioe_access 2 [lindex $op 1] [lindex $op 2]}
				default {error "EINVAL: bad op '$op'"}
			}
		} msg]} {
			return "ERR $i $r\n$msg"
		}
		incr i
	}
	return "OK $r"
}
