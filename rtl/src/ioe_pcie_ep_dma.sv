// ioe_pcie_ep_dma: the endpoint's requester. ioe_top's DMA port (one 8-byte beat per
// request, tagged) and the endpoint's own posted writes (notification records and MSI-X
// messages, iw_*) become memory read and write TLPs, one per request, in the order taken
// (one output register: a posted write is never passed by a later read). Addresses below
// 4 GiB take a 3-DW header. A read is an 8-byte MRd (within any Max_Read_Request_Size and
// one read completion boundary) with a PCIe tag naming one of NrTags slots; its
// completions (split or not, placed by their lower address) fill the slot, and the one
// whose Byte Count is its own length answers ioe_top. A UR or CA completion, or none within
// CPL_TIMEOUT_US (a slot scanned every cycle), answers with m_dma_rsp_err. A slot that
// timed out is kept out of use (stale) until 2 x CPL_TIMEOUT_US after its request, so a
// late completion finds no read of a later request under its tag; a completion for a slot
// not in flight (stale, free, or past NrTags) is dropped and counted (ev_unexpected_o).
// Writes are answered at once when their TLP is taken (posted). Responses have no
// backpressure: the completion's answer goes first, then a timeout's, then a write's.
// When the output register is empty, the request taken is also presented on the transmit
// stream in the cycle it is taken (a bypass of the register; it stays in the register
// unless the stream takes it in that cycle), so an idle requester adds no cycle.

module ioe_pcie_ep_dma #(
  parameter int unsigned NrTags = 32,
  parameter int unsigned ClkPerUs = 250,
  localparam int unsigned TW = ioe_pkg::DMA_TAG_WIDTH,
  localparam int unsigned SW = $clog2(NrTags)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [15:0]   cfg_id_i,
  input  logic [23:0]   timeout_us_i,
  // ioe_top's DMA master
  input  logic          s_dma_req_valid_i,
  output logic          s_dma_req_ready_o,
  input  logic [TW-1:0] s_dma_req_tag_i,
  input  logic          s_dma_req_write_i,
  input  logic [63:0]   s_dma_req_addr_i,
  input  logic [63:0]   s_dma_req_wdata_i,
  input  logic [7:0]    s_dma_req_wstrb_i,
  output logic          s_dma_rsp_valid_o,
  output logic [TW-1:0] s_dma_rsp_tag_o,
  output logic          s_dma_rsp_err_o,
  output logic [63:0]   s_dma_rsp_rdata_o,
  // the endpoint's own posted writes (8-byte aligned address, strobes)
  input  logic          iw_valid_i,
  output logic          iw_ready_o,
  input  logic [63:0]   iw_addr_i,
  input  logic [63:0]   iw_wdata_i,
  input  logic [7:0]    iw_wstrb_i,
  // a completion received (the TLP held by the receive buffer, for one cycle)
  input  logic          cpl_valid_i,
  input  logic [127:0]  cpl_hdr_i,
  input  logic [63:0]   cpl_data_i,
  // requests to the transmit stream (one beat each)
  output logic          tx_valid_o,
  input  logic          tx_ready_i,
  output logic [127:0]  tx_hdr_o,
  output logic [63:0]   tx_data_o,
  output logic [1:0]    tx_strb_o,
  // events for the counters
  output logic          ev_timeout_o,
  output logic          ev_cpl_error_o,
  output logic          ev_unexpected_o
);

  // ---------------------------------------------------------------- tag slots
  logic [NrTags-1:0] busy_q, stale_q;
  logic [TW-1:0]     stag_q [NrTags];
  logic [23:0]       t0_q [NrTags];
  logic [63:0]       sdata_q [NrTags];
  logic [SW-1:0]     free_slot;
  logic              have_free;

  always_comb begin
    free_slot = '0;
    have_free = 1'b0;
    for (int i = NrTags - 1; i >= 0; i--) begin
      if (!busy_q[i] && !stale_q[i]) begin
        free_slot = SW'(i);
        have_free = 1'b1;
      end
    end
  end

  // microseconds
  logic [7:0]  div_q;
  logic [23:0] now_us_q;

  // ---------------------------------------------------------------- requests in
  logic        out_free, take_dma, take_iw, wack_ready, wack_valid, wack_pop, dma_ok, byp;
  logic        txv_q;
  logic [127:0] hdr_d, hdr_q;
  logic [63:0] data_q;
  logic [1:0]  strb_d, strb_q;
  logic [TW-1:0] wack_tag;
  logic        w, wide;
  logic [63:0] a, d;
  logic [7:0]  st;
  logic [3:0]  fbe, lbe;
  logic [1:0]  ndw;
  logic [61:0] dwa;
  logic [63:0] dd;

  assign out_free          = !txv_q || tx_ready_i;
  assign dma_ok            = s_dma_req_write_i ? wack_ready : have_free;
  assign s_dma_req_ready_o = out_free && dma_ok;
  assign take_dma          = s_dma_req_valid_i && s_dma_req_ready_o;
  assign iw_ready_o        = out_free && !s_dma_req_valid_i;
  assign take_iw           = iw_valid_i && iw_ready_o;
  // the request presented when the register is empty (chosen without tx_ready_i: the
  // ioe_top request if one is offered, else the endpoint's own write)
  assign byp               = !txv_q && (s_dma_req_valid_i ? dma_ok : iw_valid_i);

  assign w  = s_dma_req_valid_i ? s_dma_req_write_i : 1'b1;
  assign a  = s_dma_req_valid_i ? s_dma_req_addr_i : iw_addr_i;
  assign d  = s_dma_req_valid_i ? s_dma_req_wdata_i : iw_wdata_i;
  assign st = s_dma_req_valid_i ? s_dma_req_wstrb_i : iw_wstrb_i;

  // the DWs a write covers: both, the upper alone, or the lower alone
  always_comb begin
    dwa = a[63:2];
    dd  = d;
    fbe = st[3:0];
    lbe = st[7:4];
    ndw = 2'd2;
    if (!w) begin
      fbe = 4'hF;
      lbe = 4'hF;
    end else if (st[3:0] == 4'd0 && st[7:4] != 4'd0) begin
      dwa = {a[63:3], 1'b1};
      dd  = {32'd0, d[63:32]};
      fbe = st[7:4];
      lbe = 4'd0;
      ndw = 2'd1;
    end else if (st[7:4] == 4'd0) begin
      lbe = 4'd0;
      ndw = 2'd1;
    end
  end
  assign wide = dwa[61:30] != 32'd0;
  assign hdr_d  = {1'b0, w, wide, 5'd0, 14'd0, 8'd0, w ? ndw : 2'd2,
                   cfg_id_i, w ? 8'd0 : 8'(free_slot), lbe, fbe,
                   wide ? {dwa[61:30], dwa[29:0], 2'b00} : {dwa[29:0], 2'b00, 32'd0}};
  assign strb_d = w ? {ndw == 2'd2, 1'b1} : 2'b00;

  assign tx_valid_o = txv_q || byp;
  assign tx_hdr_o   = txv_q ? hdr_q : hdr_d;
  assign tx_data_o  = txv_q ? data_q : dd;
  assign tx_strb_o  = txv_q ? strb_q : strb_d;

  ioe_fifo #(
    .Width(TW),
    .Depth(8)
  ) u_wack (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (take_dma && s_dma_req_write_i),
    .in_ready_o (wack_ready),
    .in_data_i  (s_dma_req_tag_i),
    .out_valid_o(wack_valid),
    .out_ready_i(wack_pop),
    .out_data_o (wack_tag)
  );

  // ---------------------------------------------------------------- completions
  logic [SW-1:0] cslot;
  logic [2:0]    cstatus;
  logic [11:0]   cbc;
  logic [9:0]    clen;
  logic          cdata, cmatch, cfinal;
  logic [63:0]   merged;

  assign cslot   = cpl_hdr_i[40 +: SW];
  assign cstatus = cpl_hdr_i[79:77];
  assign cbc     = cpl_hdr_i[75:64];
  assign clen    = cpl_hdr_i[105:96];
  assign cdata   = cpl_hdr_i[126];
  assign cmatch  = cpl_valid_i && cpl_hdr_i[47:40] < 8'(NrTags) && busy_q[cslot];
  // a successful completion is the last when its bytes are all that remained
  assign cfinal  = cstatus != 3'd0 || !cdata || cbc <= {clen, 2'b00};
  always_comb begin
    merged = sdata_q[cslot];
    if (cdata) begin
      if (clen == 10'd1 && cpl_hdr_i[34]) merged[63:32] = cpl_data_i[31:0];
      else if (clen == 10'd1) merged[31:0] = cpl_data_i[31:0];
      else merged = cpl_data_i;
    end
  end

  // ---------------------------------------------------------------- timeout scan
  logic [SW-1:0] scan_q;
  logic          expired, free_stale, cpl_rsp, to_rsp;
  logic [23:0]   age;
  assign age        = now_us_q - t0_q[scan_q];
  assign expired    = busy_q[scan_q] && timeout_us_i != 24'd0 && age > timeout_us_i;
  // a stale slot is free again after another timeout, 2 x CPL_TIMEOUT_US after its request
  // (at once when timeouts are off; after one timeout when two pass the age's 24 bits)
  assign free_stale = stale_q[scan_q] &&
                      (timeout_us_i == 24'd0 || {1'b0, age} > {timeout_us_i, 1'b0} ||
                       (timeout_us_i[23] && age > timeout_us_i));
  assign cpl_rsp    = cmatch && cfinal;
  assign to_rsp     = expired && !cpl_valid_i;
  assign wack_pop = wack_valid && !cpl_rsp && !to_rsp;

  logic unused;
  assign unused = ^{cpl_hdr_i[127], cpl_hdr_i[125:106], cpl_hdr_i[95:80], cpl_hdr_i[76],
                    cpl_hdr_i[63:48], cpl_hdr_i[39:35], cpl_hdr_i[33:0], a[1:0]};

  always_ff @(posedge clk_i) begin
    if (take_dma && !s_dma_req_write_i) begin
      stag_q[free_slot]  <= s_dma_req_tag_i;
      t0_q[free_slot]    <= now_us_q;
      sdata_q[free_slot] <= '0;
    end
    if (cmatch && !cfinal) sdata_q[cslot] <= merged;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q            <= '0;
      stale_q           <= '0;
      div_q             <= '0;
      now_us_q          <= '0;
      scan_q            <= '0;
      txv_q             <= 1'b0;
      hdr_q             <= '0;
      data_q            <= '0;
      strb_q            <= '0;
      s_dma_rsp_valid_o <= 1'b0;
      s_dma_rsp_tag_o   <= '0;
      s_dma_rsp_err_o   <= 1'b0;
      s_dma_rsp_rdata_o <= '0;
      ev_timeout_o      <= 1'b0;
      ev_cpl_error_o    <= 1'b0;
      ev_unexpected_o   <= 1'b0;
    end else begin
      div_q <= (div_q == 8'(ClkPerUs - 1)) ? 8'd0 : div_q + 8'd1;
      if (div_q == 8'(ClkPerUs - 1)) now_us_q <= now_us_q + 24'd1;

      if (txv_q && tx_ready_i) txv_q <= 1'b0;
      if (take_dma || take_iw) begin
        txv_q  <= txv_q || !tx_ready_i;  // a bypass taken at once is not kept
        hdr_q  <= hdr_d;
        data_q <= dd;
        strb_q <= strb_d;
        if (take_dma && !s_dma_req_write_i) busy_q[free_slot] <= 1'b1;
      end

      ev_timeout_o      <= 1'b0;
      ev_cpl_error_o    <= 1'b0;
      ev_unexpected_o   <= cpl_valid_i && !cmatch;
      s_dma_rsp_valid_o <= 1'b0;
      if (cpl_rsp) begin
        busy_q[cslot]     <= 1'b0;
        s_dma_rsp_valid_o <= 1'b1;
        s_dma_rsp_tag_o   <= stag_q[cslot];
        s_dma_rsp_err_o   <= cstatus != 3'd0 || !cdata;
        s_dma_rsp_rdata_o <= (cstatus != 3'd0 || !cdata) ? 64'd0 : merged;
        ev_cpl_error_o    <= cstatus != 3'd0 || !cdata;
      end else if (to_rsp) begin
        busy_q[scan_q]    <= 1'b0;
        stale_q[scan_q]   <= 1'b1;
        s_dma_rsp_valid_o <= 1'b1;
        s_dma_rsp_tag_o   <= stag_q[scan_q];
        s_dma_rsp_err_o   <= 1'b1;
        s_dma_rsp_rdata_o <= '0;
        ev_timeout_o      <= 1'b1;
      end else if (wack_valid) begin
        s_dma_rsp_valid_o <= 1'b1;
        s_dma_rsp_tag_o   <= wack_tag;
        s_dma_rsp_err_o   <= 1'b0;
        s_dma_rsp_rdata_o <= '0;
      end
      if (free_stale) stale_q[scan_q] <= 1'b0;
      if (!expired || to_rsp) scan_q <= (scan_q == SW'(NrTags - 1)) ? '0 : scan_q + 1'b1;
    end
  end

endmodule
