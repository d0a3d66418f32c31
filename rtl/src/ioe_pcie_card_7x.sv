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
  parameter int unsigned DmaTags         = ioe_reg_pkg::DmaTagsDefault,
  parameter int unsigned NrDmaSegs       = ioe_reg_pkg::NrDmaSegsDefault,
  parameter int unsigned Gicv2           = ioe_reg_pkg::Gicv2Default,
  // the management core's memory (0: no core) and its firmware image ($readmemh, docs/firmware.md)
  parameter int unsigned MgmtMemWords    = ioe_reg_pkg::MgmtMemWordsDefault,
  parameter              MgmtInitFile    = "",
  // 1: the JTAG debug bridge shares ioe_top's CSR port with BAR0 (board tops, docs/jtag.md)
  parameter bit          JtagDebug       = 1'b0
) (
  // JTAG user data register of the debug bridge (BSCANE2's signals, TCK domain; JtagDebug only)
  input  logic               jtag_tck_i,
  input  logic               jtag_sel_i,
  input  logic               jtag_capture_i,
  input  logic               jtag_shift_i,
  input  logic               jtag_update_i,
  input  logic               jtag_tdi_i,
  output logic               jtag_tdo_o,
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

  localparam int unsigned AW = ioe_reg_pkg::CSR_ADDR_WIDTH;
  localparam int unsigned TW = ioe_pkg::DMA_TAG_WIDTH;

  logic         rst_n;
  logic         rx_valid, rx_ready, rx_sop, rx_eop, tx_valid, tx_ready, tx_sop, tx_eop;
  logic [127:0] rx_hdr, tx_hdr;
  logic [63:0]  rx_data, tx_data;
  logic [1:0]   rx_strb, tx_strb, rx_err;
  logic [2:0]   rx_bar;

  assign rst_n           = !user_reset_out;
  assign s_axis_tx_tuser = 4'd0;

  ioe_pcie_7x_shim u_shim (
    .clk_i             (user_clk_out),
    .rst_ni            (rst_n),
    .lnk_up_i          (user_lnk_up),
    .m_axis_rx_tdata_i (m_axis_rx_tdata),
    .m_axis_rx_tkeep_i (m_axis_rx_tkeep),
    .m_axis_rx_tlast_i (m_axis_rx_tlast),
    .m_axis_rx_tvalid_i(m_axis_rx_tvalid),
    .m_axis_rx_tready_o(m_axis_rx_tready),
    .m_axis_rx_tuser_i (m_axis_rx_tuser),
    .s_axis_tx_tdata_o (s_axis_tx_tdata),
    .s_axis_tx_tkeep_o (s_axis_tx_tkeep),
    .s_axis_tx_tlast_o (s_axis_tx_tlast),
    .s_axis_tx_tvalid_o(s_axis_tx_tvalid),
    .s_axis_tx_tready_i(s_axis_tx_tready),
    .rx_valid_o        (rx_valid),
    .rx_ready_i        (rx_ready),
    .rx_hdr_o          (rx_hdr),
    .rx_data_o         (rx_data),
    .rx_strb_o         (rx_strb),
    .rx_sop_o          (rx_sop),
    .rx_eop_o          (rx_eop),
    .rx_bar_o          (rx_bar),
    .rx_err_o          (rx_err),
    .tx_valid_i        (tx_valid),
    .tx_ready_o        (tx_ready),
    .tx_hdr_i          (tx_hdr),
    .tx_data_i         (tx_data),
    .tx_strb_i         (tx_strb),
    .tx_sop_i          (tx_sop),
    .tx_eop_i          (tx_eop)
  );

  // ioe_top's ports
  logic          awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready;
  logic          rvalid, rready;
  logic [19:0]   awaddr, araddr;
  logic [31:0]   wdata, rdata;
  logic [3:0]    wstrb;
  logic [1:0]    bresp, rresp;
  logic          dreq_valid, dreq_ready, dreq_write, drsp_valid, drsp_err;
  logic [TW-1:0] dreq_tag, drsp_tag;
  logic [63:0]   dreq_addr, dreq_wdata, drsp_rdata;
  logic [7:0]    dreq_wstrb;
  // the MSI ingress and notification handshakes are visible to the model's tests (latency)
  logic          msi_valid /*verilator public_flat_rd*/, msi_ready /*verilator public_flat_rd*/;
  logic [31:0]   msi_devid /*verilator public_flat_rd*/, msi_data /*verilator public_flat_rd*/;
  logic [63:0]   msi_addr /*verilator public_flat_rd*/;
  logic          nvalid /*verilator public_flat_rd*/, nready /*verilator public_flat_rd*/;
  logic [7:0]    nvm, nvcpu;
  logic [3:0]    nsrc;
  logic          unused;

  // Max_Read_Request_Size is kept by construction: every read is 8 bytes
  assign unused = ^{cfg_dcommand[15:8], cfg_dcommand[4:0]};

  ioe_pcie_ep #(
    .NrVms(NrVms)
  ) u_ep (
    .clk_i            (user_clk_out),
    .rst_ni           (rst_n),
    .cfg_id_i         ({cfg_bus_number, cfg_device_number, cfg_function_number}),
    .cfg_mps_i        (cfg_dcommand[7:5]),
    .cfg_msix_en_i    (cfg_interrupt_msixenable),
    .cfg_msix_fm_i    (cfg_interrupt_msixfm),
    .rx_valid_i       (rx_valid),
    .rx_ready_o       (rx_ready),
    .rx_hdr_i         (rx_hdr),
    .rx_data_i        (rx_data),
    .rx_strb_i        (rx_strb),
    .rx_sop_i         (rx_sop),
    .rx_eop_i         (rx_eop),
    .rx_bar_i         (rx_bar),
    .rx_err_i         (rx_err),
    .tx_valid_o       (tx_valid),
    .tx_ready_i       (tx_ready),
    .tx_hdr_o         (tx_hdr),
    .tx_data_o        (tx_data),
    .tx_strb_o        (tx_strb),
    .tx_sop_o         (tx_sop),
    .tx_eop_o         (tx_eop),
    .m_axil_awvalid_o (awvalid),
    .m_axil_awready_i (awready),
    .m_axil_awaddr_o  (awaddr),
    .m_axil_wvalid_o  (wvalid),
    .m_axil_wready_i  (wready),
    .m_axil_wdata_o   (wdata),
    .m_axil_wstrb_o   (wstrb),
    .m_axil_bvalid_i  (bvalid),
    .m_axil_bready_o  (bready),
    .m_axil_bresp_i   (bresp),
    .m_axil_arvalid_o (arvalid),
    .m_axil_arready_i (arready),
    .m_axil_araddr_o  (araddr),
    .m_axil_rvalid_i  (rvalid),
    .m_axil_rready_o  (rready),
    .m_axil_rdata_i   (rdata),
    .m_axil_rresp_i   (rresp),
    .s_dma_req_valid_i(dreq_valid),
    .s_dma_req_ready_o(dreq_ready),
    .s_dma_req_tag_i  (dreq_tag),
    .s_dma_req_write_i(dreq_write),
    .s_dma_req_addr_i (dreq_addr),
    .s_dma_req_wdata_i(dreq_wdata),
    .s_dma_req_wstrb_i(dreq_wstrb),
    .s_dma_rsp_valid_o(drsp_valid),
    .s_dma_rsp_tag_o  (drsp_tag),
    .s_dma_rsp_err_o  (drsp_err),
    .s_dma_rsp_rdata_o(drsp_rdata),
    .m_msi_valid_o    (msi_valid),
    .m_msi_ready_i    (msi_ready),
    .m_msi_devid_o    (msi_devid),
    .m_msi_addr_o     (msi_addr),
    .m_msi_data_o     (msi_data),
    .s_notify_valid_i (nvalid),
    .s_notify_ready_o (nready),
    .s_notify_vm_i    (nvm),
    .s_notify_vcpu_i  (nvcpu),
    .s_notify_src_i   (nsrc)
  );

  // ioe_top's CSR slave: BAR0's AXI4-Lite master alone, or beside the JTAG debug bridge
  logic          c_awvalid, c_awready, c_wvalid, c_wready, c_bvalid, c_bready;
  logic          c_arvalid, c_arready, c_rvalid, c_rready;
  logic [AW-1:0] c_awaddr, c_araddr;
  logic [31:0]   c_wdata, c_rdata;
  logic [3:0]    c_wstrb;
  logic [1:0]    c_bresp, c_rresp;

  if (JtagDebug) begin : g_jtag
    ioe_jtag_csr_port u_port (
      .clk_i            (user_clk_out),
      .rst_ni           (rst_n),
      .jtag_tck_i       (jtag_tck_i),
      .jtag_sel_i       (jtag_sel_i),
      .jtag_capture_i   (jtag_capture_i),
      .jtag_shift_i     (jtag_shift_i),
      .jtag_update_i    (jtag_update_i),
      .jtag_tdi_i       (jtag_tdi_i),
      .jtag_tdo_o       (jtag_tdo_o),
      .s_axil_awvalid_i (awvalid),
      .s_axil_awready_o (awready),
      .s_axil_awaddr_i  (AW'(awaddr)),
      .s_axil_wvalid_i  (wvalid),
      .s_axil_wready_o  (wready),
      .s_axil_wdata_i   (wdata),
      .s_axil_wstrb_i   (wstrb),
      .s_axil_bvalid_o  (bvalid),
      .s_axil_bready_i  (bready),
      .s_axil_bresp_o   (bresp),
      .s_axil_arvalid_i (arvalid),
      .s_axil_arready_o (arready),
      .s_axil_araddr_i  (AW'(araddr)),
      .s_axil_rvalid_o  (rvalid),
      .s_axil_rready_i  (rready),
      .s_axil_rdata_o   (rdata),
      .s_axil_rresp_o   (rresp),
      .m_axil_awvalid_o (c_awvalid),
      .m_axil_awready_i (c_awready),
      .m_axil_awaddr_o  (c_awaddr),
      .m_axil_wvalid_o  (c_wvalid),
      .m_axil_wready_i  (c_wready),
      .m_axil_wdata_o   (c_wdata),
      .m_axil_wstrb_o   (c_wstrb),
      .m_axil_bvalid_i  (c_bvalid),
      .m_axil_bready_o  (c_bready),
      .m_axil_bresp_i   (c_bresp),
      .m_axil_arvalid_o (c_arvalid),
      .m_axil_arready_i (c_arready),
      .m_axil_araddr_o  (c_araddr),
      .m_axil_rvalid_i  (c_rvalid),
      .m_axil_rready_o  (c_rready),
      .m_axil_rdata_i   (c_rdata),
      .m_axil_rresp_i   (c_rresp)
    );
  end else begin : g_bar0_only
    logic unused_jtag;
    assign unused_jtag = ^{jtag_tck_i, jtag_sel_i, jtag_capture_i, jtag_shift_i, jtag_update_i,
                           jtag_tdi_i};
    assign jtag_tdo_o  = 1'b0;
    assign c_awvalid = awvalid;
    assign awready   = c_awready;
    assign c_awaddr  = AW'(awaddr);
    assign c_wvalid  = wvalid;
    assign wready    = c_wready;
    assign c_wdata   = wdata;
    assign c_wstrb   = wstrb;
    assign bvalid    = c_bvalid;
    assign c_bready  = bready;
    assign bresp     = c_bresp;
    assign c_arvalid = arvalid;
    assign arready   = c_arready;
    assign c_araddr  = AW'(araddr);
    assign rvalid    = c_rvalid;
    assign c_rready  = rready;
    assign rdata     = c_rdata;
    assign rresp     = c_rresp;
  end

  ioe_top #(
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
    .MgmtInitFile   (MgmtInitFile)
  ) u_top (
    .clk_i            (user_clk_out),
    .rst_ni           (rst_n),
    .s_axil_awvalid_i (c_awvalid),
    .s_axil_awready_o (c_awready),
    .s_axil_awaddr_i  (c_awaddr),
    .s_axil_wvalid_i  (c_wvalid),
    .s_axil_wready_o  (c_wready),
    .s_axil_wdata_i   (c_wdata),
    .s_axil_wstrb_i   (c_wstrb),
    .s_axil_bvalid_o  (c_bvalid),
    .s_axil_bready_i  (c_bready),
    .s_axil_bresp_o   (c_bresp),
    .s_axil_arvalid_i (c_arvalid),
    .s_axil_arready_o (c_arready),
    .s_axil_araddr_i  (c_araddr),
    .s_axil_rvalid_o  (c_rvalid),
    .s_axil_rready_i  (c_rready),
    .s_axil_rdata_o   (c_rdata),
    .s_axil_rresp_o   (c_rresp),
    .m_dma_req_valid_o(dreq_valid),
    .m_dma_req_ready_i(dreq_ready),
    .m_dma_req_tag_o  (dreq_tag),
    .m_dma_req_write_o(dreq_write),
    .m_dma_req_addr_o (dreq_addr),
    .m_dma_req_wdata_o(dreq_wdata),
    .m_dma_req_wstrb_o(dreq_wstrb),
    .m_dma_rsp_valid_i(drsp_valid),
    .m_dma_rsp_tag_i  (drsp_tag),
    .m_dma_rsp_err_i  (drsp_err),
    .m_dma_rsp_rdata_i(drsp_rdata),
    .s_msi_valid_i    (msi_valid),
    .s_msi_ready_o    (msi_ready),
    .s_msi_devid_i    (msi_devid),
    .s_msi_addr_i     (msi_addr),
    .s_msi_data_i     (msi_data),
    .wired_i          (wired_i),
    .m_notify_valid_o (nvalid),
    .m_notify_ready_i (nready),
    .m_notify_vm_o    (nvm),
    .m_notify_vcpu_o  (nvcpu),
    .m_notify_src_o   (nsrc)
  );

endmodule
