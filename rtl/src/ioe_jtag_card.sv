// ioe_jtag_card: ioe_top with the JTAG debug bridge beside the host on its CSR port.
//
// The host's AXI4-Lite port (s_axil_*, PCIe BAR0 on a board) and the bridge (ioe_jtag_dbg) share
// ioe_top's CSR slave through ioe_axil_arb (master 0 the host, master 1 the bridge). The
// bridge's data register is reached through BSCANE2's signals (jtag_*): from ioe_jtag_tap
// in simulation and on boards without a vendor TAP, from ioe_jtag_bscane2 (USER1) on Xilinx
// 7-series. Every other port is ioe_top's. docs/jtag.md.

module ioe_jtag_card #(
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
  localparam int unsigned AW             = ioe_reg_pkg::CSR_ADDR_WIDTH,
  localparam int unsigned TW             = ioe_pkg::DMA_TAG_WIDTH
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // JTAG user data register of the debug bridge (tck domain)
  input  logic               jtag_tck_i,
  input  logic               jtag_sel_i,
  input  logic               jtag_capture_i,
  input  logic               jtag_shift_i,
  input  logic               jtag_update_i,
  input  logic               jtag_tdi_i,
  output logic               jtag_tdo_o,
  // AXI4-Lite CSR slave
  input  logic               s_axil_awvalid_i,
  output logic               s_axil_awready_o,
  input  logic [AW-1:0]      s_axil_awaddr_i,
  input  logic               s_axil_wvalid_i,
  output logic               s_axil_wready_o,
  input  logic [31:0]        s_axil_wdata_i,
  input  logic [3:0]         s_axil_wstrb_i,
  output logic               s_axil_bvalid_o,
  input  logic               s_axil_bready_i,
  output logic [1:0]         s_axil_bresp_o,
  input  logic               s_axil_arvalid_i,
  output logic               s_axil_arready_o,
  input  logic [AW-1:0]      s_axil_araddr_i,
  output logic               s_axil_rvalid_o,
  input  logic               s_axil_rready_i,
  output logic [31:0]        s_axil_rdata_o,
  output logic [1:0]         s_axil_rresp_o,
  // DMA master
  output logic               m_dma_req_valid_o,
  input  logic               m_dma_req_ready_i,
  output logic [TW-1:0]      m_dma_req_tag_o,
  output logic               m_dma_req_write_o,
  output logic [63:0]        m_dma_req_addr_o,
  output logic [63:0]        m_dma_req_wdata_o,
  output logic [7:0]         m_dma_req_wstrb_o,
  input  logic               m_dma_rsp_valid_i,
  input  logic [TW-1:0]      m_dma_rsp_tag_i,
  input  logic               m_dma_rsp_err_i,
  input  logic [63:0]        m_dma_rsp_rdata_i,
  // MSI ingress
  input  logic               s_msi_valid_i,
  output logic               s_msi_ready_o,
  input  logic [31:0]        s_msi_devid_i,
  input  logic [63:0]        s_msi_addr_i,
  input  logic [31:0]        s_msi_data_i,
  // wired SPI inputs
  input  logic [NrWired-1:0] wired_i,
  // notification stream
  output logic               m_notify_valid_o,
  input  logic               m_notify_ready_i,
  output logic [7:0]         m_notify_vm_o,
  output logic [7:0]         m_notify_vcpu_o,
  output logic [3:0]         m_notify_src_o
);

  localparam int unsigned Masters = 2;  // 0: the host, 1: the JTAG bridge

  logic [Masters-1:0]    awvalid, awready, wvalid, wready, bvalid, bready;
  logic [Masters-1:0]    arvalid, arready, rvalid, rready;
  logic [Masters*AW-1:0] awaddr, araddr;
  logic [63:0]           wdata;
  logic [7:0]            wstrb;
  logic [1:0]            bresp, rresp;
  logic [31:0]           rdata;
  logic                  c_awvalid, c_awready, c_wvalid, c_wready, c_bvalid, c_bready;
  logic                  c_arvalid, c_arready, c_rvalid, c_rready;
  logic [AW-1:0]         c_awaddr, c_araddr;
  logic [31:0]           c_wdata, c_rdata;
  logic [3:0]            c_wstrb;
  logic [1:0]            c_bresp, c_rresp;
  logic [AW-1:0]         d_awaddr, d_araddr;
  logic [31:0]           d_wdata;
  logic [3:0]            d_wstrb;

  assign awaddr            = {d_awaddr, s_axil_awaddr_i};
  assign araddr            = {d_araddr, s_axil_araddr_i};
  assign wdata             = {d_wdata, s_axil_wdata_i};
  assign wstrb             = {d_wstrb, s_axil_wstrb_i};
  assign awvalid[0]        = s_axil_awvalid_i;
  assign wvalid[0]         = s_axil_wvalid_i;
  assign bready[0]         = s_axil_bready_i;
  assign arvalid[0]        = s_axil_arvalid_i;
  assign rready[0]         = s_axil_rready_i;
  assign s_axil_awready_o  = awready[0];
  assign s_axil_wready_o   = wready[0];
  assign s_axil_bvalid_o   = bvalid[0];
  assign s_axil_bresp_o    = bresp;
  assign s_axil_arready_o  = arready[0];
  assign s_axil_rvalid_o   = rvalid[0];
  assign s_axil_rdata_o    = rdata;
  assign s_axil_rresp_o    = rresp;

  ioe_jtag_dbg #(
    .AddrWidth(AW)
  ) u_dbg (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .tck_i           (jtag_tck_i),
    .sel_i           (jtag_sel_i),
    .capture_i       (jtag_capture_i),
    .shift_i         (jtag_shift_i),
    .update_i        (jtag_update_i),
    .tdi_i           (jtag_tdi_i),
    .tdo_o           (jtag_tdo_o),
    .m_axil_awvalid_o(awvalid[1]),
    .m_axil_awready_i(awready[1]),
    .m_axil_awaddr_o (d_awaddr),
    .m_axil_wvalid_o (wvalid[1]),
    .m_axil_wready_i (wready[1]),
    .m_axil_wdata_o  (d_wdata),
    .m_axil_wstrb_o  (d_wstrb),
    .m_axil_bvalid_i (bvalid[1]),
    .m_axil_bready_o (bready[1]),
    .m_axil_bresp_i  (bresp),
    .m_axil_arvalid_o(arvalid[1]),
    .m_axil_arready_i(arready[1]),
    .m_axil_araddr_o (d_araddr),
    .m_axil_rvalid_i (rvalid[1]),
    .m_axil_rready_o (rready[1]),
    .m_axil_rdata_i  (rdata),
    .m_axil_rresp_i  (rresp)
  );

  ioe_axil_arb #(
    .AddrWidth(AW)
  ) u_arb (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .s_axil_awvalid_i(awvalid),
    .s_axil_awready_o(awready),
    .s_axil_awaddr_i (awaddr),
    .s_axil_wvalid_i (wvalid),
    .s_axil_wready_o (wready),
    .s_axil_wdata_i  (wdata),
    .s_axil_wstrb_i  (wstrb),
    .s_axil_bvalid_o (bvalid),
    .s_axil_bready_i (bready),
    .s_axil_bresp_o  (bresp),
    .s_axil_arvalid_i(arvalid),
    .s_axil_arready_o(arready),
    .s_axil_araddr_i (araddr),
    .s_axil_rvalid_o (rvalid),
    .s_axil_rready_i (rready),
    .s_axil_rdata_o  (rdata),
    .s_axil_rresp_o  (rresp),
    .m_axil_awvalid_o(c_awvalid),
    .m_axil_awready_i(c_awready),
    .m_axil_awaddr_o (c_awaddr),
    .m_axil_wvalid_o (c_wvalid),
    .m_axil_wready_i (c_wready),
    .m_axil_wdata_o  (c_wdata),
    .m_axil_wstrb_o  (c_wstrb),
    .m_axil_bvalid_i (c_bvalid),
    .m_axil_bready_o (c_bready),
    .m_axil_bresp_i  (c_bresp),
    .m_axil_arvalid_o(c_arvalid),
    .m_axil_arready_i(c_arready),
    .m_axil_araddr_o (c_araddr),
    .m_axil_rvalid_i (c_rvalid),
    .m_axil_rready_o (c_rready),
    .m_axil_rdata_i  (c_rdata),
    .m_axil_rresp_i  (c_rresp)
  );

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
    .NrDmaSegs      (NrDmaSegs)
  ) u_top (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
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
    .m_dma_req_valid_o(m_dma_req_valid_o),
    .m_dma_req_ready_i(m_dma_req_ready_i),
    .m_dma_req_tag_o  (m_dma_req_tag_o),
    .m_dma_req_write_o(m_dma_req_write_o),
    .m_dma_req_addr_o (m_dma_req_addr_o),
    .m_dma_req_wdata_o(m_dma_req_wdata_o),
    .m_dma_req_wstrb_o(m_dma_req_wstrb_o),
    .m_dma_rsp_valid_i(m_dma_rsp_valid_i),
    .m_dma_rsp_tag_i  (m_dma_rsp_tag_i),
    .m_dma_rsp_err_i  (m_dma_rsp_err_i),
    .m_dma_rsp_rdata_i(m_dma_rsp_rdata_i),
    .s_msi_valid_i    (s_msi_valid_i),
    .s_msi_ready_o    (s_msi_ready_o),
    .s_msi_devid_i    (s_msi_devid_i),
    .s_msi_addr_i     (s_msi_addr_i),
    .s_msi_data_i     (s_msi_data_i),
    .wired_i          (wired_i),
    .m_notify_valid_o (m_notify_valid_o),
    .m_notify_ready_i (m_notify_ready_i),
    .m_notify_vm_o    (m_notify_vm_o),
    .m_notify_vcpu_o  (m_notify_vcpu_o),
    .m_notify_src_o   (m_notify_src_o)
  );

endmodule
