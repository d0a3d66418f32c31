// ioe_jtag_csr_port: the JTAG debug bridge (ioe_jtag_dbg) beside the host on the card's CSR port:
// the host's AXI4-Lite master (s_axil_*, PCIe BAR0 on a board) and the bridge share one slave
// (m_axil_*, ioe_top's s_axil) through ioe_axil_arb (master 0 the host, master 1 the bridge).
// The bridge's data register is reached through BSCANE2's signals (jtag_*, TCK domain).
// ioe_pcie_card_7x (JtagDebug) puts it in front of ioe_top; ioe_jtag_sim_port behind ioe_jtag_tap.

module ioe_jtag_csr_port #(
  parameter int unsigned AW = ioe_reg_pkg::CSR_ADDR_WIDTH
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // JTAG user data register of the debug bridge (TCK domain)
  input  logic          jtag_tck_i,
  input  logic          jtag_sel_i,
  input  logic          jtag_capture_i,
  input  logic          jtag_shift_i,
  input  logic          jtag_update_i,
  input  logic          jtag_tdi_i,
  output logic          jtag_tdo_o,
  // the host's AXI4-Lite master
  input  logic          s_axil_awvalid_i,
  output logic          s_axil_awready_o,
  input  logic [AW-1:0] s_axil_awaddr_i,
  input  logic          s_axil_wvalid_i,
  output logic          s_axil_wready_o,
  input  logic [31:0]   s_axil_wdata_i,
  input  logic [3:0]    s_axil_wstrb_i,
  output logic          s_axil_bvalid_o,
  input  logic          s_axil_bready_i,
  output logic [1:0]    s_axil_bresp_o,
  input  logic          s_axil_arvalid_i,
  output logic          s_axil_arready_o,
  input  logic [AW-1:0] s_axil_araddr_i,
  output logic          s_axil_rvalid_o,
  input  logic          s_axil_rready_i,
  output logic [31:0]   s_axil_rdata_o,
  output logic [1:0]    s_axil_rresp_o,
  // the card's CSR slave
  output logic          m_axil_awvalid_o,
  input  logic          m_axil_awready_i,
  output logic [AW-1:0] m_axil_awaddr_o,
  output logic          m_axil_wvalid_o,
  input  logic          m_axil_wready_i,
  output logic [31:0]   m_axil_wdata_o,
  output logic [3:0]    m_axil_wstrb_o,
  input  logic          m_axil_bvalid_i,
  output logic          m_axil_bready_o,
  input  logic [1:0]    m_axil_bresp_i,
  output logic          m_axil_arvalid_o,
  input  logic          m_axil_arready_i,
  output logic [AW-1:0] m_axil_araddr_o,
  input  logic          m_axil_rvalid_i,
  output logic          m_axil_rready_o,
  input  logic [31:0]   m_axil_rdata_i,
  input  logic [1:0]    m_axil_rresp_i
);

  localparam int unsigned Masters = 2;  // 0: the host, 1: the JTAG bridge

  logic [Masters-1:0]    awvalid, awready, wvalid, wready, bvalid, bready;
  logic [Masters-1:0]    arvalid, arready, rvalid, rready;
  logic [Masters*AW-1:0] awaddr, araddr;
  logic [63:0]           wdata;
  logic [7:0]            wstrb;
  logic [1:0]            bresp, rresp;
  logic [31:0]           rdata;
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
    .m_axil_awvalid_o(m_axil_awvalid_o),
    .m_axil_awready_i(m_axil_awready_i),
    .m_axil_awaddr_o (m_axil_awaddr_o),
    .m_axil_wvalid_o (m_axil_wvalid_o),
    .m_axil_wready_i (m_axil_wready_i),
    .m_axil_wdata_o  (m_axil_wdata_o),
    .m_axil_wstrb_o  (m_axil_wstrb_o),
    .m_axil_bvalid_i (m_axil_bvalid_i),
    .m_axil_bready_o (m_axil_bready_o),
    .m_axil_bresp_i  (m_axil_bresp_i),
    .m_axil_arvalid_o(m_axil_arvalid_o),
    .m_axil_arready_i(m_axil_arready_i),
    .m_axil_araddr_o (m_axil_araddr_o),
    .m_axil_rvalid_i (m_axil_rvalid_i),
    .m_axil_rready_o (m_axil_rready_o),
    .m_axil_rdata_i  (m_axil_rdata_i),
    .m_axil_rresp_i  (m_axil_rresp_i)
  );

endmodule
