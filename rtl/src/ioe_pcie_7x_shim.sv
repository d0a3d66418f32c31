// ioe_pcie_7x_shim: the Xilinx 7-series Integrated Block for PCI Express (pcie_7x, PG054)
// 64-bit AXI4-Stream interface to the generic TLP streams of ioe_pcie_ep (described there).
//
// On the stream a TLP's DWs follow one another two per beat, the first in tdata[31:0]:
// DW0 | DW1, then DW2 | DW3 (4-DW header) or DW2 | data0 (3-DW header), then data. The hard
// block presents each payload DW with the TLP's first byte in [31:24]: the shim swaps the
// bytes of payload DWs (never of header DWs) so the generic streams carry little-endian
// values. Receive: the header is collected, the payload realigned to two DWs per beat and
// the BAR hit (tuser[9:2], one-hot) and err_fwd (tuser[1], sticky over the TLP) passed on;
// a TLP that ends before its third DW is flagged as a framing error. Transmit: the reverse.
// Both directions have a registered output; nothing is sent while the link is down.

module ioe_pcie_7x_shim (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         lnk_up_i,
  // pcie_7x receive
  input  logic [63:0]  m_axis_rx_tdata_i,
  input  logic [7:0]   m_axis_rx_tkeep_i,
  input  logic         m_axis_rx_tlast_i,
  input  logic         m_axis_rx_tvalid_i,
  output logic         m_axis_rx_tready_o,
  input  logic [21:0]  m_axis_rx_tuser_i,
  // pcie_7x transmit
  output logic [63:0]  s_axis_tx_tdata_o,
  output logic [7:0]   s_axis_tx_tkeep_o,
  output logic         s_axis_tx_tlast_o,
  output logic         s_axis_tx_tvalid_o,
  input  logic         s_axis_tx_tready_i,
  // generic receive stream (to the endpoint)
  output logic         rx_valid_o,
  input  logic         rx_ready_i,
  output logic [127:0] rx_hdr_o,
  output logic [63:0]  rx_data_o,
  output logic [1:0]   rx_strb_o,
  output logic         rx_sop_o,
  output logic         rx_eop_o,
  output logic [2:0]   rx_bar_o,
  output logic [1:0]   rx_err_o,
  // generic transmit stream (from the endpoint)
  input  logic         tx_valid_i,
  output logic         tx_ready_o,
  input  logic [127:0] tx_hdr_i,
  input  logic [63:0]  tx_data_i,
  input  logic [1:0]   tx_strb_i,
  input  logic         tx_sop_i,
  input  logic         tx_eop_i
);

  function automatic logic [31:0] bswap(input logic [31:0] v);
    bswap = {v[7:0], v[15:8], v[23:16], v[31:24]};
  endfunction

  // ---------------------------------------------------------------- receive
  typedef enum logic [1:0] {RxDw01, RxDw23, RxData, RxFlush} rx_st_e;
  rx_st_e       rx_st_q;
  logic [127:0] hdr_q, hdr_d;
  logic         is4_q, first_q, hold_v_q, poison_q, rx_take;
  logic [31:0]  hold_q;
  logic [2:0]   bar_q, bar_hit;
  logic         o_free, o_load, o_sop, o_eop, o_ferr;
  logic [63:0]  o_data;
  logic [1:0]   o_strb;
  logic [31:0]  lo, hi;
  logic         klo, khi;

  logic unused;
  assign unused = ^{m_axis_rx_tkeep_i[7:5], m_axis_rx_tkeep_i[3:1], m_axis_rx_tuser_i[21:10],
                    m_axis_rx_tuser_i[0], tx_sop_i};  // DW-granular keep; sop implied

  assign lo  = m_axis_rx_tdata_i[31:0];
  assign hi  = m_axis_rx_tdata_i[63:32];
  assign klo = m_axis_rx_tkeep_i[0];
  assign khi = m_axis_rx_tkeep_i[4];

  always_comb begin
    bar_hit = 3'd7;
    for (int b = 5; b >= 0; b--) if (m_axis_rx_tuser_i[2+b]) bar_hit = 3'(b);
  end

  assign o_free             = !rx_valid_o || rx_ready_i;
  assign m_axis_rx_tready_o = o_free && (rx_st_q != RxFlush);
  assign rx_take            = m_axis_rx_tvalid_i && m_axis_rx_tready_o;

  always_comb begin
    hdr_d  = hdr_q;
    o_load = 1'b0;
    o_sop  = first_q;
    o_eop  = m_axis_rx_tlast_i;
    o_ferr = 1'b0;
    o_data = '0;
    o_strb = '0;
    unique case (rx_st_q)
      RxDw01: begin
        hdr_d  = {lo, hi, 64'd0};
        o_sop  = 1'b1;
        o_load = m_axis_rx_tlast_i;  // a TLP of fewer than three DWs
        o_ferr = 1'b1;
      end
      RxDw23: begin
        hdr_d[63:32] = lo;
        hdr_d[31:0]  = is4_q ? hi : 32'd0;
        o_sop        = 1'b1;
        o_ferr       = is4_q && !khi;
        if (is4_q) begin
          o_load = m_axis_rx_tlast_i;
        end else begin
          o_load = m_axis_rx_tlast_i;
          o_data = {32'd0, bswap(hi)};
          o_strb = {1'b0, khi};
        end
      end
      RxData: begin
        o_load = 1'b1;
        if (is4_q) begin
          o_data = {bswap(hi), bswap(lo)};
          o_strb = {khi, klo};
        end else begin
          o_data = {bswap(lo), hold_q};
          o_strb = {klo, hold_v_q};
          o_eop  = m_axis_rx_tlast_i && !khi;
        end
      end
      RxFlush: begin
        o_data = {32'd0, hold_q};
        o_strb = 2'b01;
        o_eop  = 1'b1;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_st_q    <= RxDw01;
      hdr_q      <= '0;
      is4_q      <= 1'b0;
      first_q    <= 1'b0;
      hold_q     <= '0;
      hold_v_q   <= 1'b0;
      poison_q   <= 1'b0;
      bar_q      <= 3'd7;
      rx_valid_o <= 1'b0;
      rx_hdr_o   <= '0;
      rx_data_o  <= '0;
      rx_strb_o  <= '0;
      rx_sop_o   <= 1'b0;
      rx_eop_o   <= 1'b0;
      rx_bar_o   <= 3'd7;
      rx_err_o   <= '0;
    end else begin
      if (rx_valid_o && rx_ready_i) rx_valid_o <= 1'b0;
      if (rx_st_q == RxFlush && o_free) begin
        rx_valid_o <= 1'b1;
        rx_data_o  <= o_data;
        rx_strb_o  <= o_strb;
        rx_sop_o   <= 1'b0;
        rx_eop_o   <= 1'b1;
        rx_err_o   <= {1'b0, poison_q};
        rx_st_q    <= RxDw01;
      end else if (rx_take) begin
        hdr_q <= hdr_d;
        if (o_load) begin
          rx_valid_o <= 1'b1;
          rx_hdr_o   <= hdr_d;
          rx_data_o  <= o_data;
          rx_strb_o  <= o_strb;
          rx_sop_o   <= o_sop;
          rx_eop_o   <= o_eop;
          rx_bar_o   <= rx_st_q == RxDw01 ? bar_hit : bar_q;
          rx_err_o   <= {o_ferr, (rx_st_q != RxDw01 && poison_q) | m_axis_rx_tuser_i[1]};
          first_q    <= 1'b0;
        end
        unique case (rx_st_q)
          RxDw01: begin
            is4_q    <= lo[29];
            bar_q    <= bar_hit;
            poison_q <= m_axis_rx_tuser_i[1];
            if (!m_axis_rx_tlast_i) rx_st_q <= RxDw23;
          end
          RxDw23: begin
            poison_q <= poison_q | m_axis_rx_tuser_i[1];
            hold_q   <= bswap(hi);
            hold_v_q <= khi;
            first_q  <= 1'b1;
            rx_st_q  <= m_axis_rx_tlast_i ? RxDw01 : RxData;
          end
          RxData: begin
            poison_q <= poison_q | m_axis_rx_tuser_i[1];
            hold_q   <= bswap(hi);
            hold_v_q <= khi;
            if (m_axis_rx_tlast_i) rx_st_q <= (!is4_q && khi) ? RxFlush : RxDw01;
          end
          default: ;
        endcase
      end
    end
  end

  // ---------------------------------------------------------------- transmit
  // TxHdr: DW0 | DW1 (the beat stays); TxHdr2: DW2 | DW3 or DW2 | data0; TxData: payload
  // as it is (4-DW header) or shifted by one DW (3-DW header); TxFlush: the last DW held.
  typedef enum logic [1:0] {TxHdr, TxHdr2, TxData, TxFlush} tx_st_e;
  tx_st_e      tx_st_q;
  logic        t_free, t_is4, t_pop, t_load, t_last;
  logic [31:0] t_hold_q;
  logic        t_is4_q;
  logic [63:0] t_data;
  logic [7:0]  t_keep;
  logic [31:0] dlo, dhi;

  assign t_free     = !s_axis_tx_tvalid_o || s_axis_tx_tready_i;
  assign t_is4      = tx_hdr_i[125];
  assign dlo        = bswap(tx_data_i[31:0]);
  assign dhi        = bswap(tx_data_i[63:32]);
  assign tx_ready_o = t_free && t_pop;

  always_comb begin
    t_pop  = 1'b0;
    t_load = 1'b0;
    t_last = 1'b0;
    t_data = '0;
    t_keep = 8'hFF;
    unique case (tx_st_q)
      TxHdr: begin
        t_load = tx_valid_i && lnk_up_i;
        t_data = {tx_hdr_i[95:64], tx_hdr_i[127:96]};
      end
      TxHdr2: begin
        t_load = tx_valid_i;
        if (t_is4) begin
          t_data = {tx_hdr_i[31:0], tx_hdr_i[63:32]};
          t_last = tx_eop_i && tx_strb_i == 2'b00;
          t_pop  = t_last;
        end else begin
          t_data = {dlo, tx_hdr_i[63:32]};
          t_keep = tx_strb_i[0] ? 8'hFF : 8'h0F;
          t_last = tx_eop_i && !tx_strb_i[1];
          t_pop  = 1'b1;
        end
      end
      TxData: begin
        t_load = tx_valid_i;
        t_pop  = 1'b1;
        if (t_is4_q) begin
          t_data = {dhi, dlo};
          t_keep = {{4{tx_strb_i[1]}}, 4'hF};
          t_last = tx_eop_i;
        end else begin
          t_data = {dlo, t_hold_q};
          t_keep = tx_strb_i[0] ? 8'hFF : 8'h0F;
          t_last = tx_eop_i && !tx_strb_i[1];
        end
      end
      TxFlush: begin
        t_load = 1'b1;
        t_data = {32'd0, t_hold_q};
        t_keep = 8'h0F;
        t_last = 1'b1;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tx_st_q            <= TxHdr;
      t_hold_q           <= '0;
      t_is4_q            <= 1'b0;
      s_axis_tx_tvalid_o <= 1'b0;
      s_axis_tx_tdata_o  <= '0;
      s_axis_tx_tkeep_o  <= '0;
      s_axis_tx_tlast_o  <= 1'b0;
    end else begin
      if (s_axis_tx_tvalid_o && s_axis_tx_tready_i) s_axis_tx_tvalid_o <= 1'b0;
      if (t_free && t_load) begin
        s_axis_tx_tvalid_o <= 1'b1;
        s_axis_tx_tdata_o  <= t_data;
        s_axis_tx_tkeep_o  <= t_keep;
        s_axis_tx_tlast_o  <= t_last;
        if (t_pop) t_hold_q <= dhi;
        unique case (tx_st_q)
          TxHdr: begin
            t_is4_q <= t_is4;
            tx_st_q <= TxHdr2;
          end
          TxHdr2, TxData: begin
            if (!t_is4_q && tx_eop_i && tx_strb_i[1]) tx_st_q <= TxFlush;
            else if (t_last) tx_st_q <= TxHdr;
            else tx_st_q <= TxData;
          end
          TxFlush: tx_st_q <= TxHdr;
          default: ;
        endcase
      end
    end
  end

endmodule
