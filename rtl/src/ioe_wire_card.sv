// ioe_wire_card: the card as a board sees it below its pins: ioe_top behind the wire
// bridge (docs/wire.md), with byte streams towards the host. The iCEBreaker's top puts a
// UART on the streams (boards/icebreaker/ioe_icebreaker_top.sv); the Verilator model of
// the board (sim/vsim/ioe_vbridge.cpp) drives them directly. No DMA port: requests are
// refused (m_dma_req_ready high, every read answered with an error at once), so an engine
// that tries DMA sees a DMA error instead of a hang. No MSI ingress (the port is tied off).

module ioe_wire_card #(
  parameter int unsigned  NrVms       = ioe_reg_pkg::NrVmsSmall,
  parameter int unsigned  NrVcpus     = ioe_reg_pkg::NrVcpusSmall,
  parameter int unsigned  NrIrqs      = ioe_reg_pkg::NrIrqsSmall,
  parameter int unsigned  NrWired     = ioe_reg_pkg::NrWiredSmall,
  parameter int unsigned  DmaTags     = ioe_reg_pkg::DmaTagsSmall,
  parameter int unsigned  ClkHz       = 8_000_000,
  parameter logic [127:0] Name        = {"ioe-icebreaker", 16'h0000},
  parameter int unsigned  RxTimeoutUs = 2000,
  parameter int unsigned  CycleBits   = 32,
  parameter int unsigned  DropBits    = 16,
  // 0: ioe_top left out and a stub in its place (every CSR access answered OKAY with its
  // address as read data; wired line 0 raises notifications), to measure the bridge alone
  parameter bit           Card        = 1'b1
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic [7:0]         in_data_i,
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic [7:0]         out_data_o,
  input  logic [NrWired-1:0] wired_i,
  output logic               served_o,
  output logic               drop_o,
  output logic               notify_o,
  output logic [CycleBits-1:0] cycle_o  // the bridge's cycle counter, from reset
);

  localparam int unsigned AW = ioe_reg_pkg::CSR_ADDR_WIDTH;
  localparam int unsigned TW = ioe_pkg::DMA_TAG_WIDTH;

  logic          card_rst_n, top_rst_n;
  logic          awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready;
  logic          rvalid, rready;
  logic [AW-1:0] awaddr, araddr;
  logic [31:0]   wdata, rdata;
  logic [3:0]    wstrb;
  logic [1:0]    bresp, rresp;
  logic          nvalid, nready;
  logic [7:0]    nvm, nvcpu;
  logic [3:0]    nsrc;
  logic          dma_valid, dma_write, dma_rsp_q;
  logic [TW-1:0] dma_tag, dma_tag_q;
  logic [63:0]   dma_addr, dma_wdata;
  logic [7:0]    dma_wstrb;
  logic          msi_ready, unused_dma;

  assign top_rst_n = rst_ni & card_rst_n;

  ioe_wire_bridge #(
    .ClkHz      (ClkHz),
    .AddrWidth  (AW),
    .Caps       (32'h0000_0018),  // ASYNC, FENCE
    .Name       (Name),
    .RxTimeoutUs(RxTimeoutUs),
    .CycleBits  (CycleBits),
    .DropBits   (DropBits)
  ) u_bridge (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .in_valid_i      (in_valid_i),
    .in_ready_o      (in_ready_o),
    .in_data_i       (in_data_i),
    .out_valid_o     (out_valid_o),
    .out_ready_i     (out_ready_i),
    .out_data_o      (out_data_o),
    .card_rst_no     (card_rst_n),
    .m_axil_awvalid_o(awvalid),
    .m_axil_awready_i(awready),
    .m_axil_awaddr_o (awaddr),
    .m_axil_wvalid_o (wvalid),
    .m_axil_wready_i (wready),
    .m_axil_wdata_o  (wdata),
    .m_axil_wstrb_o  (wstrb),
    .m_axil_bvalid_i (bvalid),
    .m_axil_bready_o (bready),
    .m_axil_bresp_i  (bresp),
    .m_axil_arvalid_o(arvalid),
    .m_axil_arready_i(arready),
    .m_axil_araddr_o (araddr),
    .m_axil_rvalid_i (rvalid),
    .m_axil_rready_o (rready),
    .m_axil_rdata_i  (rdata),
    .m_axil_rresp_i  (rresp),
    .notify_valid_i  (nvalid),
    .notify_ready_o  (nready),
    .notify_vm_i     (nvm),
    .notify_vcpu_i   (nvcpu),
    .notify_src_i    (nsrc),
    .served_o        (served_o),
    .drop_o          (drop_o),
    .cycle_o         (cycle_o)
  );

  if (Card) begin : g_card
    ioe_top #(
      .NrVms          (NrVms),
      .NrVcpus        (NrVcpus),
      .NrIrqs         (NrIrqs),
      .NrWired        (NrWired),
      .LpiBits        (ioe_reg_pkg::LpiBitsSmall),
      .DevBits        (ioe_reg_pkg::DevBitsSmall),
      .EventBits      (ioe_reg_pkg::EventBitsSmall),
      .NrIts          (0),
      .ItsCacheEntries(ioe_reg_pkg::ItsCacheEntriesSmall),
      .XiveSources    (0),
      .DmaTags        (DmaTags),
      .NrDmaSegs      (0),
      .MgmtMemWords   (0),
      .Gicv2          (ioe_reg_pkg::Gicv2Small),
      .DmaProbe       (1'b0)  // no host memory behind the wire
    ) u_top (
      .clk_i            (clk_i),
      .rst_ni           (top_rst_n),
      .s_axil_awvalid_i (awvalid),
      .s_axil_awready_o (awready),
      .s_axil_awaddr_i  (awaddr),
      .s_axil_wvalid_i  (wvalid),
      .s_axil_wready_o  (wready),
      .s_axil_wdata_i   (wdata),
      .s_axil_wstrb_i   (wstrb),
      .s_axil_bvalid_o  (bvalid),
      .s_axil_bready_i  (bready),
      .s_axil_bresp_o   (bresp),
      .s_axil_arvalid_i (arvalid),
      .s_axil_arready_o (arready),
      .s_axil_araddr_i  (araddr),
      .s_axil_rvalid_o  (rvalid),
      .s_axil_rready_i  (rready),
      .s_axil_rdata_o   (rdata),
      .s_axil_rresp_o   (rresp),
      .m_dma_req_valid_o(dma_valid),
      .m_dma_req_ready_i(1'b1),
      .m_dma_req_tag_o  (dma_tag),
      .m_dma_req_write_o(dma_write),
      .m_dma_req_addr_o (dma_addr),
      .m_dma_req_wdata_o(dma_wdata),
      .m_dma_req_wstrb_o(dma_wstrb),
      .m_dma_rsp_valid_i(dma_rsp_q),
      .m_dma_rsp_tag_i  (dma_tag_q),
      .m_dma_rsp_err_i  (1'b1),
      .m_dma_rsp_rdata_i(64'd0),
      .s_msi_valid_i    (1'b0),
      .s_msi_ready_o    (msi_ready),
      .s_msi_devid_i    (32'd0),
      .s_msi_addr_i     (64'd0),
      .s_msi_data_i     (32'd0),
      .wired_i          (wired_i),
      .m_notify_valid_o (nvalid),
      .m_notify_ready_i (nready),
      .m_notify_vm_o    (nvm),
      .m_notify_vcpu_o  (nvcpu),
      .m_notify_src_o   (nsrc)
    );
  end else begin : g_stub
    logic          b_q, r_q;
    logic [AW-1:0] raddr_q;
    assign awready   = !b_q;
    assign wready    = !b_q;
    assign bresp     = 2'b00;
    assign bvalid    = b_q;
    assign arready   = !r_q;
    assign rvalid    = r_q;
    assign rresp     = 2'b00;
    assign rdata     = 32'(raddr_q);
    assign nvalid    = wired_i[0];
    assign nvm       = 8'd0;
    assign nvcpu     = 8'd0;
    assign nsrc      = 4'd0;
    assign dma_valid = 1'b0;
    assign dma_tag   = '0;
    assign dma_write = 1'b0;
    assign dma_addr  = '0;
    assign dma_wdata = '0;
    assign dma_wstrb = '0;
    assign msi_ready = 1'b0;
    always_ff @(posedge clk_i or negedge top_rst_n) begin
      if (!top_rst_n) begin
        b_q     <= 1'b0;
        r_q     <= 1'b0;
        raddr_q <= '0;
      end else begin
        b_q <= b_q ? !bready : (awvalid && wvalid);
        r_q <= r_q ? !rready : arvalid;
        if (arvalid && !r_q) raddr_q <= araddr;
      end
    end
    logic unused_stub;
    assign unused_stub = ^{awaddr, wdata, wstrb, nready, wired_i, dma_rsp_q, dma_tag_q};
  end

  // every DMA request is answered with an error the next cycle (the board has no host memory)
  always_ff @(posedge clk_i or negedge top_rst_n) begin
    if (!top_rst_n) begin
      dma_rsp_q <= 1'b0;
      dma_tag_q <= '0;
    end else begin
      dma_rsp_q <= dma_valid;
      dma_tag_q <= dma_tag;
    end
  end

  assign notify_o   = nvalid & nready;
  assign unused_dma = ^{msi_ready, dma_write, dma_addr, dma_wdata, dma_wstrb};

endmodule
