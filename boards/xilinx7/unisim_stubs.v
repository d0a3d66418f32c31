// Port lists of the Xilinx 7-series primitives the board kits use (UG953), as black boxes for the
// lint of the board tops with Verilator; Yosys has its own (synth_xilinx's cell library).
(* blackbox *)
module BSCANE2 #(
  parameter JTAG_CHAIN = 1
) (
  output CAPTURE,
  output DRCK,
  output RESET,
  output RUNTEST,
  output SEL,
  output SHIFT,
  output TCK,
  output TDI,
  output TMS,
  output UPDATE,
  input  TDO
);
endmodule

(* blackbox *)
module IBUFDS_GTE2 (
  output O,
  output ODIV2,
  input  I,
  input  IB,
  input  CEB
);
endmodule
