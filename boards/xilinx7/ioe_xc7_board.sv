// ioe_xc7_board: what the Xilinx 7-series board kits share below their pins (boards/litefury,
// boards/kc705): the PCIe reference clock buffer, the Vivado-generated Integrated Block for PCI
// Express (pcie_7x_0, PG054; made by each board's build.tcl with the board's lane count), the card
// with its JTAG debug bridge (ioe_pcie_card_7x with JtagDebug) and BSCANE2 at USER1 (ioe_jtag_bscane2),
// and four status LEDs (active high here; the board top adapts the polarity):
//   led_o[0] link up, led_o[1] PCIe activity (a TLP in or out, stretched to ~67 ms),
//   led_o[2] the JTAG bridge selected (USER1 in the TAP's IR), led_o[3] heartbeat (~1 Hz).
// Vendor parts (IBUFDS_GTE2, pcie_7x_0, BSCANE2) stay here and in the shims, so the card's RTL
// simulates and synthesises anywhere.

module ioe_xc7_board #(
  parameter int unsigned Lanes           = 4,
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
  parameter int unsigned DmaTags         = ioe_reg_pkg::DmaTagsDefault,
  parameter int unsigned NrDmaSegs       = ioe_reg_pkg::NrDmaSegsDefault,
  parameter int unsigned Gicv2           = ioe_reg_pkg::Gicv2Default,
  // the management core's memory (0: no core) and its firmware image ($readmemh, docs/firmware.md)
  parameter int unsigned MgmtMemWords    = ioe_reg_pkg::MgmtMemWordsDefault,
  parameter              MgmtInitFile    = ""
) (
  input  logic             pcie_clk_p,
  input  logic             pcie_clk_n,
  input  logic             pcie_perst_n,
  output logic [Lanes-1:0] pci_exp_txp,
  output logic [Lanes-1:0] pci_exp_txn,
  input  logic [Lanes-1:0] pci_exp_rxp,
  input  logic [Lanes-1:0] pci_exp_rxn,
  output logic [3:0]       led_o
);

  logic        sys_clk, sys_clk_div2, user_clk, user_reset, user_lnk_up;
  logic [63:0] rx_tdata, tx_tdata;
  logic [7:0]  rx_tkeep, tx_tkeep;
  logic        rx_tlast, rx_tvalid, rx_tready, tx_tlast, tx_tvalid, tx_tready;
  logic [21:0] rx_tuser;
  logic [3:0]  tx_tuser;
  logic [7:0]  cfg_bus_number;
  logic [4:0]  cfg_device_number;
  logic [2:0]  cfg_function_number;
  logic [15:0] cfg_dcommand;
  logic        cfg_msix_enable, cfg_msix_fm;

  IBUFDS_GTE2 u_refclk (
    .O    (sys_clk),
    .ODIV2(sys_clk_div2),
    .I    (pcie_clk_p),
    .IB   (pcie_clk_n),
    .CEB  (1'b0)
  );

  // PG054's core ports; inputs not listed are the core's defaults (Vivado ties them to 0)
  pcie_7x_0 u_pcie (
    .pci_exp_txp             (pci_exp_txp),
    .pci_exp_txn             (pci_exp_txn),
    .pci_exp_rxp             (pci_exp_rxp),
    .pci_exp_rxn             (pci_exp_rxn),
    .user_clk_out            (user_clk),
    .user_reset_out          (user_reset),
    .user_lnk_up             (user_lnk_up),
    .s_axis_tx_tready        (tx_tready),
    .s_axis_tx_tdata         (tx_tdata),
    .s_axis_tx_tkeep         (tx_tkeep),
    .s_axis_tx_tlast         (tx_tlast),
    .s_axis_tx_tvalid        (tx_tvalid),
    .s_axis_tx_tuser         (tx_tuser),
    .m_axis_rx_tdata         (rx_tdata),
    .m_axis_rx_tkeep         (rx_tkeep),
    .m_axis_rx_tlast         (rx_tlast),
    .m_axis_rx_tvalid        (rx_tvalid),
    .m_axis_rx_tready        (rx_tready),
    .m_axis_rx_tuser         (rx_tuser),
    .rx_np_ok                (1'b1),
    .rx_np_req               (1'b1),
    .tx_cfg_gnt              (1'b1),
    .cfg_bus_number          (cfg_bus_number),
    .cfg_device_number       (cfg_device_number),
    .cfg_function_number     (cfg_function_number),
    .cfg_dcommand            (cfg_dcommand),
    .cfg_interrupt_msixenable(cfg_msix_enable),
    .cfg_interrupt_msixfm    (cfg_msix_fm),
    .sys_clk                 (sys_clk),
    .sys_rst_n               (pcie_perst_n)
  );

  logic tck, sel, capture, shift, update, tdi, tdo;

  ioe_jtag_bscane2 u_bscan (
    .tck_o    (tck),
    .sel_o    (sel),
    .capture_o(capture),
    .shift_o  (shift),
    .update_o (update),
    .tdi_o    (tdi),
    .tdo_i    (tdo)
  );

  ioe_pcie_card_7x #(
    .NrVms          (NrVms),
    .NrVcpus        (NrVcpus),
    .NrIrqs         (NrIrqs),
    .NrWired        (NrWired),
    .LpiBits        (LpiBits),
    .DevBits        (DevBits),
    .EventBits      (EventBits),
    .NrIts          (NrIts),
    .ItsCacheEntries(ItsCacheEntries),
    .XiveSources    (XiveSources),
    .DmaTags        (DmaTags),
    .NrDmaSegs      (NrDmaSegs),
    .Gicv2          (Gicv2),
    .MgmtMemWords   (MgmtMemWords),
    .MgmtInitFile   (MgmtInitFile),
    .JtagDebug      (1'b1)
  ) u_card (
    .jtag_tck_i              (tck),
    .jtag_sel_i              (sel),
    .jtag_capture_i          (capture),
    .jtag_shift_i            (shift),
    .jtag_update_i           (update),
    .jtag_tdi_i              (tdi),
    .jtag_tdo_o              (tdo),
    .user_clk_out            (user_clk),
    .user_reset_out          (user_reset),
    .user_lnk_up             (user_lnk_up),
    .m_axis_rx_tdata         (rx_tdata),
    .m_axis_rx_tkeep         (rx_tkeep),
    .m_axis_rx_tlast         (rx_tlast),
    .m_axis_rx_tvalid        (rx_tvalid),
    .m_axis_rx_tready        (rx_tready),
    .m_axis_rx_tuser         (rx_tuser),
    .s_axis_tx_tdata         (tx_tdata),
    .s_axis_tx_tkeep         (tx_tkeep),
    .s_axis_tx_tlast         (tx_tlast),
    .s_axis_tx_tvalid        (tx_tvalid),
    .s_axis_tx_tready        (tx_tready),
    .s_axis_tx_tuser         (tx_tuser),
    .cfg_bus_number          (cfg_bus_number),
    .cfg_device_number       (cfg_device_number),
    .cfg_function_number     (cfg_function_number),
    .cfg_dcommand            (cfg_dcommand),
    .cfg_interrupt_msixenable(cfg_msix_enable),
    .cfg_interrupt_msixfm    (cfg_msix_fm),
    .wired_i                 ({NrWired{1'b0}})
  );

  // ---------------------------------------------------------------- LEDs (user clock, 250 MHz)
  logic [27:0] beat_q;
  logic        unused;

  assign unused = sys_clk_div2;
  logic [23:0] activity_q;
  logic        sel_sync;

  ioe_sync u_sel_sync (
    .clk_i (user_clk),
    .rst_ni(!user_reset),
    .d_i   (sel),
    .q_o   (sel_sync)
  );

  always_ff @(posedge user_clk) begin
    beat_q <= beat_q + 28'd1;
    if (user_reset) begin
      beat_q     <= '0;
      activity_q <= '0;
    end else if ((rx_tvalid && rx_tready) || (tx_tvalid && tx_tready)) begin
      activity_q <= '1;
    end else if (activity_q != '0) begin
      activity_q <= activity_q - 24'd1;
    end
  end

  assign led_o = {beat_q[27], sel_sync, activity_q != '0, user_lnk_up};

endmodule
