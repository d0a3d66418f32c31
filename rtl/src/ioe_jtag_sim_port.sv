// ioe_jtag_sim_port: the JTAG debug path as the simulated card has it: ioe_jtag_tap in front of
// ioe_jtag_csr_port (the debug bridge and the CSR port's arbiter; the host's master idle), with
// the side towards ioe_top as ports. In ioe-simd's --jtag (sim/vsim/ioe_vjtag.cpp) OpenOCD's remote_bitbang
// drives the JTAG pins and the harness connects m_axil_* to the Verilator model of ioe_top, so
// the model of the card itself is the one every other target uses. The IDCODE is an input so
// the same model answers with a board's IDCODE when that board's OpenOCD configuration is
// tried against it. On a board ioe_pcie_card_7x (JtagDebug) holds the same port in front of ioe_top.

module ioe_jtag_sim_port #(
  localparam int unsigned AW = ioe_reg_pkg::CSR_ADDR_WIDTH
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          tck_i,
  input  logic          tms_i,
  input  logic          tdi_i,
  input  logic          trst_ni,
  output logic          tdo_o,
  input  logic [31:0]   idcode_i,
  // towards ioe_top's CSR slave
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

  logic sel, capture, shift, update, tdi, dr_tdo, tap_reset;

  ioe_jtag_tap u_tap (
    .tck_i     (tck_i),
    .tms_i     (tms_i),
    .tdi_i     (tdi_i),
    .trst_ni   (trst_ni),
    .tdo_o     (tdo_o),
    .idcode_i  (idcode_i),
    .sel_o     (sel),
    .capture_o (capture),
    .shift_o   (shift),
    .update_o  (update),
    .reset_o   (tap_reset),
    .tdi_o     (tdi),
    .user_tdo_i(dr_tdo)
  );

  // the host's port (master 0 of the arbiter) is idle
  logic        awready, wready, bvalid, arready, rvalid;
  logic [1:0]  bresp, rresp;
  logic [31:0] rdata;
  logic        unused;

  assign unused = ^{tap_reset, awready, wready, bvalid, arready, rvalid, bresp, rresp, rdata};

  ioe_jtag_csr_port #(
    .AW(AW)
  ) u_port (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .jtag_tck_i      (tck_i),
    .jtag_sel_i      (sel),
    .jtag_capture_i  (capture),
    .jtag_shift_i    (shift),
    .jtag_update_i   (update),
    .jtag_tdi_i      (tdi),
    .jtag_tdo_o      (dr_tdo),
    .s_axil_awvalid_i(1'b0),
    .s_axil_awready_o(awready),
    .s_axil_awaddr_i ('0),
    .s_axil_wvalid_i (1'b0),
    .s_axil_wready_o (wready),
    .s_axil_wdata_i  ('0),
    .s_axil_wstrb_i  ('0),
    .s_axil_bvalid_o (bvalid),
    .s_axil_bready_i (1'b1),
    .s_axil_bresp_o  (bresp),
    .s_axil_arvalid_i(1'b0),
    .s_axil_arready_o(arready),
    .s_axil_araddr_i ('0),
    .s_axil_rvalid_o (rvalid),
    .s_axil_rready_i (1'b1),
    .s_axil_rdata_o  (rdata),
    .s_axil_rresp_o  (rresp),
    .m_axil_awvalid_o (m_axil_awvalid_o),
    .m_axil_awready_i (m_axil_awready_i),
    .m_axil_awaddr_o  (m_axil_awaddr_o),
    .m_axil_wvalid_o  (m_axil_wvalid_o),
    .m_axil_wready_i  (m_axil_wready_i),
    .m_axil_wdata_o   (m_axil_wdata_o),
    .m_axil_wstrb_o   (m_axil_wstrb_o),
    .m_axil_bvalid_i  (m_axil_bvalid_i),
    .m_axil_bready_o  (m_axil_bready_o),
    .m_axil_bresp_i   (m_axil_bresp_i),
    .m_axil_arvalid_o (m_axil_arvalid_o),
    .m_axil_arready_i (m_axil_arready_i),
    .m_axil_araddr_o  (m_axil_araddr_o),
    .m_axil_rvalid_i  (m_axil_rvalid_i),
    .m_axil_rready_o  (m_axil_rready_o),
    .m_axil_rdata_i   (m_axil_rdata_i),
    .m_axil_rresp_i   (m_axil_rresp_i)
  );

endmodule
