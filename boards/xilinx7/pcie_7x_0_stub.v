// The ports of the Vivado-generated pcie_7x_0 (PG054, 64-bit AXI4-Stream) that ioe_xc7_board
// uses, as a black box for the open checks (Yosys synth_xilinx, Verilator lint): the hard block
// itself exists only in Vivado's IP output. IOE_PCIE_LANES is the board's lane count (define it
// when reading this file: 4 on the LiteFury, 8 on the KC705).
`ifndef IOE_PCIE_LANES
`define IOE_PCIE_LANES 4
`endif
(* blackbox *)
module pcie_7x_0 (
  output [`IOE_PCIE_LANES-1:0] pci_exp_txp,
  output [`IOE_PCIE_LANES-1:0] pci_exp_txn,
  input  [`IOE_PCIE_LANES-1:0] pci_exp_rxp,
  input  [`IOE_PCIE_LANES-1:0] pci_exp_rxn,
  output             user_clk_out,
  output             user_reset_out,
  output             user_lnk_up,
  output             s_axis_tx_tready,
  input  [63:0]      s_axis_tx_tdata,
  input  [7:0]       s_axis_tx_tkeep,
  input              s_axis_tx_tlast,
  input              s_axis_tx_tvalid,
  input  [3:0]       s_axis_tx_tuser,
  output [63:0]      m_axis_rx_tdata,
  output [7:0]       m_axis_rx_tkeep,
  output             m_axis_rx_tlast,
  output             m_axis_rx_tvalid,
  input              m_axis_rx_tready,
  output [21:0]      m_axis_rx_tuser,
  input              rx_np_ok,
  input              rx_np_req,
  input              tx_cfg_gnt,
  output [7:0]       cfg_bus_number,
  output [4:0]       cfg_device_number,
  output [2:0]       cfg_function_number,
  output [15:0]      cfg_dcommand,
  output             cfg_interrupt_msixenable,
  output             cfg_interrupt_msixfm,
  input              sys_clk,
  input              sys_rst_n
);
endmodule
