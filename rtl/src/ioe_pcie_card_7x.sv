// ioe_pcie_card_7x: the PCIe card below the Xilinx 7-series Integrated Block for PCI
// Express (pcie_7x, PG054; Gen2 x4, 64-bit AXI4-Stream at the 250 MHz user clock):
// ioe_pcie_7x_shim -> generic TLP streams -> ioe_pcie_ep -> ioe_top. The board's top wraps
// the hard block around it; the Verilator model of the card (ioe_pcie_vmodel) drives these
// ports from the root-complex model (sim/include/ioe_pcie_rc.h). docs/pcie.md.
//
// The ports keep PG054's names (the hard block's side of the wires):
//   user_clk_out, user_reset_out (active high), user_lnk_up: clock, reset and link state
//   m_axis_rx_*: TLPs towards the card; tuser[1] err_fwd (poisoned), tuser[9:2] BAR hit
//   s_axis_tx_*: TLPs from the card; tuser driven 0 (no ECRC, no streaming, no discontinue)
//   cfg_bus_number/cfg_device_number/cfg_function_number: the completer and requester ID
//   cfg_dcommand: Device Control (Max_Payload_Size [7:5], Max_Read_Request_Size [14:12])
//   cfg_interrupt_msixenable, cfg_interrupt_msixfm: MSI-X enable and function mask
//   wired_i: wired SPI inputs of ioe_top (asynchronous)

module ioe_pcie_card_7x #(
  parameter int unsigned NrVms           = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus         = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned NrIrqs          = ioe_reg_pkg::NrIrqsDefault,
  parameter int unsigned NrWired         = ioe_reg_pkg::NrWiredDefault,
  parameter int unsigned LpiBits         = ioe_reg_pkg::LpiBitsDefault,
  parameter int unsigned DevBits         = ioe_reg_pkg::DevBitsDefault,
  parameter int unsigned EventBits       = ioe_reg_pkg::EventBitsDefault,
  parameter int unsigned NrIts           = ioe_reg_pkg::NrItsDefault,
  parameter int unsigned ItsCacheEntries = ioe_reg_pkg::ItsCacheEntriesDefault,
  parameter int unsigned XiveSources     = ioe_reg_pkg::XiveSourcesDefault,
  parameter int unsigned DmaTags         = ioe_reg_pkg::DmaTagsDefault
) (
  input  logic               user_clk_out,
  input  logic               user_reset_out,
  input  logic               user_lnk_up,
  // TLPs towards the card
  input  logic [63:0]        m_axis_rx_tdata,
  input  logic [7:0]         m_axis_rx_tkeep,
  input  logic               m_axis_rx_tlast,
  input  logic               m_axis_rx_tvalid,
  output logic               m_axis_rx_tready,
  input  logic [21:0]        m_axis_rx_tuser,
  // TLPs from the card
  output logic [63:0]        s_axis_tx_tdata,
  output logic [7:0]         s_axis_tx_tkeep,
  output logic               s_axis_tx_tlast,
  output logic               s_axis_tx_tvalid,
  input  logic               s_axis_tx_tready,
  output logic [3:0]         s_axis_tx_tuser,
  // configuration
  input  logic [7:0]         cfg_bus_number,
  input  logic [4:0]         cfg_device_number,
  input  logic [2:0]         cfg_function_number,
  input  logic [15:0]        cfg_dcommand,
  input  logic               cfg_interrupt_msixenable,
  input  logic               cfg_interrupt_msixfm,
  // wired SPI inputs
  input  logic [NrWired-1:0] wired_i
);

  // placeholder while the endpoint is written: takes every TLP, sends none
  logic unused;
  assign unused = ^{user_clk_out, user_reset_out, user_lnk_up, m_axis_rx_tdata, m_axis_rx_tkeep,
                    m_axis_rx_tlast, m_axis_rx_tvalid, m_axis_rx_tuser, s_axis_tx_tready,
                    cfg_bus_number, cfg_device_number, cfg_function_number, cfg_dcommand,
                    cfg_interrupt_msixenable, cfg_interrupt_msixfm, wired_i,
                    NrVms[0], NrVcpus[0], NrIrqs[0], LpiBits[0], DevBits[0], EventBits[0],
                    NrIts[0], ItsCacheEntries[0], XiveSources[0], DmaTags[0]};
  assign m_axis_rx_tready = 1'b1;
  assign s_axis_tx_tdata  = '0;
  assign s_axis_tx_tkeep  = '0;
  assign s_axis_tx_tlast  = 1'b0;
  assign s_axis_tx_tvalid = 1'b0;
  assign s_axis_tx_tuser  = '0;

endmodule
