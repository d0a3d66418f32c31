// ioe_jtag_bscane2: the debug bridge's way in on Xilinx 7-series: the device's own TAP with
// BSCANE2 at USER1 (IR 0x02 of the 6-bit IR, the same code as ioe_jtag_tap's USER1), so
// OpenOCD reaches ioe_jtag_dbg with the procs of boards/ioe_jtag.tcl. The board tops use it;
// the open checks see BSCANE2 as a black box (Yosys' Xilinx cells, boards/xilinx7/unisim_stubs.v).

module ioe_jtag_bscane2 (
  output logic tck_o,
  output logic sel_o,
  output logic capture_o,
  output logic shift_o,
  output logic update_o,
  output logic tdi_o,
  input  logic tdo_i
);

  logic drck, reset, runtest, tms;
  logic unused;

  assign unused = ^{drck, reset, runtest, tms};

  BSCANE2 #(
    .JTAG_CHAIN(1)  // USER1
  ) u_bscan (
    .CAPTURE(capture_o),
    .DRCK   (drck),
    .RESET  (reset),
    .RUNTEST(runtest),
    .SEL    (sel_o),
    .SHIFT  (shift_o),
    .TCK    (tck_o),
    .TDI    (tdi_o),
    .TMS    (tms),
    .UPDATE (update_o),
    .TDO    (tdo_i)
  );

endmodule
