// ioe_jtag_tap: an IEEE 1149.1 test access port for boards without a vendor TAP.
//
// Instruction register of 6 bits, laid out like a Xilinx 7-series TAP so that one OpenOCD
// declaration (`-irlen 6`) and one Tcl file serve both ways in:
//   0x09 IDCODE  (32 bits, idcode_i; the instruction after Test-Logic-Reset)
//   0x02 USER1   the user data register (the debug bridge, ioe_jtag_dbg)
//   0x3f BYPASS  (1 bit; every other code selects BYPASS too)
// The user data register is reached through BSCANE2's signals (sel_o, capture_o, shift_o,
// update_o, tdi_o, user_tdo_i, all in the tck_i domain), so the bridge behind this TAP is the
// same as behind the Xilinx primitive (ioe_jtag_bscane2). TDO changes on the falling edge.

module ioe_jtag_tap (
  input  logic        tck_i,
  input  logic        tms_i,
  input  logic        tdi_i,
  input  logic        trst_ni,
  output logic        tdo_o,
  input  logic [31:0] idcode_i,
  // user data register (USER1)
  output logic        sel_o,
  output logic        capture_o,
  output logic        shift_o,
  output logic        update_o,
  output logic        reset_o,    // Test-Logic-Reset
  output logic        tdi_o,
  input  logic        user_tdo_i
);

  typedef enum logic [3:0] {
    TestLogicReset, RunTestIdle,
    SelectDrScan, CaptureDr, ShiftDr, Exit1Dr, PauseDr, Exit2Dr, UpdateDr,
    SelectIrScan, CaptureIr, ShiftIr, Exit1Ir, PauseIr, Exit2Ir, UpdateIr
  } state_e;

  localparam logic [5:0] IrIdcode = 6'h09;
  localparam logic [5:0] IrUser1  = 6'h02;

  state_e      state_q, state_d;
  logic [5:0]  ir_q, ir_shift_q;
  logic [31:0] dr_shift_q;  // IDCODE or BYPASS (bit 0)
  logic        tdo_q;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      TestLogicReset: state_d = tms_i ? TestLogicReset : RunTestIdle;
      RunTestIdle:    state_d = tms_i ? SelectDrScan : RunTestIdle;
      SelectDrScan:   state_d = tms_i ? SelectIrScan : CaptureDr;
      CaptureDr:      state_d = tms_i ? Exit1Dr : ShiftDr;
      ShiftDr:        state_d = tms_i ? Exit1Dr : ShiftDr;
      Exit1Dr:        state_d = tms_i ? UpdateDr : PauseDr;
      PauseDr:        state_d = tms_i ? Exit2Dr : PauseDr;
      Exit2Dr:        state_d = tms_i ? UpdateDr : ShiftDr;
      UpdateDr:       state_d = tms_i ? SelectDrScan : RunTestIdle;
      SelectIrScan:   state_d = tms_i ? TestLogicReset : CaptureIr;
      CaptureIr:      state_d = tms_i ? Exit1Ir : ShiftIr;
      ShiftIr:        state_d = tms_i ? Exit1Ir : ShiftIr;
      Exit1Ir:        state_d = tms_i ? UpdateIr : PauseIr;
      PauseIr:        state_d = tms_i ? Exit2Ir : PauseIr;
      Exit2Ir:        state_d = tms_i ? UpdateIr : ShiftIr;
      UpdateIr:       state_d = tms_i ? SelectDrScan : RunTestIdle;
      default:        state_d = TestLogicReset;
    endcase
  end

  always_ff @(posedge tck_i or negedge trst_ni) begin
    if (!trst_ni) begin
      state_q    <= TestLogicReset;
      ir_q       <= IrIdcode;
      ir_shift_q <= '0;
      dr_shift_q <= '0;
    end else begin
      state_q <= state_d;
      unique case (state_q)
        TestLogicReset: ir_q <= IrIdcode;
        CaptureIr:      ir_shift_q <= 6'b000001;  // IEEE 1149.1: the two low bits are 01
        ShiftIr:        ir_shift_q <= {tdi_i, ir_shift_q[5:1]};
        UpdateIr:       ir_q <= ir_shift_q;
        CaptureDr:      dr_shift_q <= (ir_q == IrIdcode) ? idcode_i : 32'd0;
        ShiftDr:        dr_shift_q <= (ir_q == IrIdcode) ? {tdi_i, dr_shift_q[31:1]}
                                                         : {31'd0, tdi_i};
        default: ;
      endcase
    end
  end

  always_ff @(negedge tck_i or negedge trst_ni) begin
    if (!trst_ni) begin
      tdo_q <= 1'b0;
    end else if (state_q == ShiftIr) begin
      tdo_q <= ir_shift_q[0];
    end else if (state_q == ShiftDr) begin
      tdo_q <= (ir_q == IrUser1) ? user_tdo_i : dr_shift_q[0];
    end
  end

  assign tdo_o     = tdo_q;
  assign sel_o     = (ir_q == IrUser1);
  assign capture_o = (state_q == CaptureDr);
  assign shift_o   = (state_q == ShiftDr);
  assign update_o  = (state_q == UpdateDr);
  assign reset_o   = (state_q == TestLogicReset);
  assign tdi_o     = tdi_i;

endmodule
