// ioe_jtag_sim_port: the JTAG debug path as the simulated card has it: ioe_jtag_tap, the debug
// bridge and the CSR port's arbiter (the host's master 0 idle), with the arbiter's side towards
// ioe_top as ports. In ioe-simd's --jtag (sim/vsim/ioe_vjtag.cpp) OpenOCD's remote_bitbang
// drives the JTAG pins and the harness connects m_axil_* to the Verilator model of ioe_top, so
// the model of the card itself is the one every other target uses. The IDCODE is an input so
// the same model answers with a board's IDCODE when that board's OpenOCD configuration is
// tried against it. On a board the same parts sit in ioe_jtag_card.

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

  // master 0 (the host's port) is idle; master 1 is the bridge
  logic [1:0]    awvalid, awready, wvalid, wready, bvalid, bready;
  logic [1:0]    arvalid, arready, rvalid, rready;
  logic [AW-1:0] d_awaddr, d_araddr;
  logic [31:0]   d_wdata, rdata;
  logic [3:0]    d_wstrb;
  logic [1:0]    bresp, rresp;
  logic          unused;

  assign unused     = ^{tap_reset, awready[0], wready[0], bvalid[0], arready[0], rvalid[0]};
  assign awvalid[0] = 1'b0;
  assign wvalid[0]  = 1'b0;
  assign bready[0]  = 1'b1;
  assign arvalid[0] = 1'b0;
  assign rready[0]  = 1'b1;

  ioe_jtag_dbg #(
    .AddrWidth(AW)
  ) u_dbg (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .tck_i           (tck_i),
    .sel_i           (sel),
    .capture_i       (capture),
    .shift_i         (shift),
    .update_i        (update),
    .tdi_i           (tdi),
    .tdo_o           (dr_tdo),
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
    .s_axil_awaddr_i ({d_awaddr, {AW{1'b0}}}),
    .s_axil_wvalid_i (wvalid),
    .s_axil_wready_o (wready),
    .s_axil_wdata_i  ({d_wdata, 32'd0}),
    .s_axil_wstrb_i  ({d_wstrb, 4'd0}),
    .s_axil_bvalid_o (bvalid),
    .s_axil_bready_i (bready),
    .s_axil_bresp_o  (bresp),
    .s_axil_arvalid_i(arvalid),
    .s_axil_arready_o(arready),
    .s_axil_araddr_i ({d_araddr, {AW{1'b0}}}),
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
