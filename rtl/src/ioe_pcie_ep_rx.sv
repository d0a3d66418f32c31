// ioe_pcie_ep_rx: the endpoint's receive buffer. Takes one TLP from the generic receive
// stream (store and forward: the payload of up to 256 bytes, the card's Max_Payload_Size
// Supported, in a buffer of 64-bit beats), checks it, and presents it whole: header, BAR,
// payload DWs received, and whether it is poisoned (EP bit or the hard block's err_fwd)
// or malformed (framing error, payload count not the Length, or payload on a TLP without
// data, payload over Max_Payload_Size, a memory request crossing a 4 KiB boundary). The
// payload is read by beat index. One TLP at a time: the stream waits while one is held.
// Cut-through for a TLP of one beat (a 1-DW write, a read, a completion without data) when
// the buffer is empty: it is presented in the cycle its beat arrives (tlp_byp_o), checked
// the same way, and stored as well; popped in that cycle, it is gone without a trace.
// byp_en_i low keeps the outputs on the TLP stored last (the requester reads a completion
// from them the cycle after it was popped).

module ioe_pcie_ep_rx (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [2:0]   cfg_mps_i,  // Device Control Max_Payload_Size: 128 << mps bytes
  // generic receive stream
  input  logic         rx_valid_i,
  output logic         rx_ready_o,
  input  logic [127:0] rx_hdr_i,
  input  logic [63:0]  rx_data_i,
  input  logic [1:0]   rx_strb_i,
  input  logic         rx_sop_i,
  input  logic         rx_eop_i,
  input  logic [2:0]   rx_bar_i,
  input  logic [1:0]   rx_err_i,
  // the TLP held
  output logic         tlp_valid_o,
  output logic         tlp_byp_o,   // the TLP presented is the beat on the stream
  input  logic         byp_en_i,
  input  logic         tlp_pop_i,
  output logic [127:0] tlp_hdr_o,
  output logic [2:0]   tlp_bar_o,
  output logic         tlp_poisoned_o,
  output logic         tlp_malformed_o,
  input  logic [4:0]   tlp_beat_i,
  output logic [63:0]  tlp_beat_o
);

  localparam int unsigned Beats = 32;  // 256 bytes

  logic [63:0] buf_q [Beats];
  logic [5:0]  wbeat_q;
  logic [10:0] ndw_q, ndw_d;
  logic        in_q, ovf_q, ovf_d, take;
  logic        has_data, is_mem, cross4k, over_mps;
  logic        valid_q, poisoned_q, malformed_q, poisoned_d, malformed_d, byp;
  logic [127:0] hdr_q;
  logic [2:0]  bar_q;
  logic [10:0] len;
  logic [9:0]  dwoff;
  logic [10:0] mps_dw;

  assign rx_ready_o      = !valid_q;
  assign take            = rx_valid_i && rx_ready_o;
  assign byp             = take && rx_sop_i && rx_eop_i && byp_en_i;
  assign tlp_byp_o       = byp;
  assign tlp_valid_o     = valid_q || byp;
  assign tlp_hdr_o       = byp ? rx_hdr_i : hdr_q;
  assign tlp_bar_o       = byp ? rx_bar_i : bar_q;
  assign tlp_poisoned_o  = byp ? poisoned_d : poisoned_q;
  assign tlp_malformed_o = byp ? malformed_d : malformed_q;
  assign tlp_beat_o      = byp ? rx_data_i : buf_q[tlp_beat_i];

  // the header of the beat taken (sop) or of the TLP being collected
  logic [127:0] hdr;
  assign hdr      = rx_sop_i ? rx_hdr_i : hdr_q;
  logic unused;
  assign unused   = ^{hdr[127], hdr[120:111], hdr[109:106], hdr[95:44], hdr[33:12], hdr[1:0]};
  assign has_data = hdr[126];
  assign len      = (hdr[105:96] == 10'd0) ? 11'd1024 : {1'b0, hdr[105:96]};
  assign is_mem   = hdr[124:121] == 4'd0;  // MRd, MRdLk, MWr
  assign dwoff    = hdr[125] ? hdr[11:2] : hdr[43:34];
  assign cross4k  = is_mem && (({1'b0, dwoff} + len) > 11'd1024);
  assign mps_dw   = (cfg_mps_i > 3'd1) ? 11'd64 : (11'd32 << cfg_mps_i);
  assign over_mps = has_data && len > mps_dw;
  assign ndw_d    = (rx_sop_i ? 11'd0 : ndw_q) + 11'(rx_strb_i[0]) + 11'(rx_strb_i[1]);
  assign ovf_d    = (rx_sop_i ? 1'b0 : ovf_q) || (rx_strb_i != 2'b00 && wbeat_q[5] && !rx_sop_i);
  assign poisoned_d  = rx_err_i[0] || hdr[110];
  assign malformed_d = rx_err_i[1] || ovf_d || over_mps || cross4k ||
                       ndw_d != (has_data ? len : 11'd0);

  always_ff @(posedge clk_i) begin
    if (take && rx_strb_i != 2'b00 && !(wbeat_q[5] && !rx_sop_i))
      buf_q[rx_sop_i ? 5'd0 : wbeat_q[4:0]] <= rx_data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q         <= 1'b0;
      hdr_q           <= '0;
      bar_q           <= 3'd7;
      poisoned_q      <= 1'b0;
      malformed_q     <= 1'b0;
      wbeat_q         <= '0;
      ndw_q           <= '0;
      in_q            <= 1'b0;
      ovf_q           <= 1'b0;
    end else begin
      if (tlp_pop_i) valid_q <= 1'b0;
      if (take && (rx_sop_i || in_q)) begin
        if (rx_sop_i) begin
          hdr_q <= rx_hdr_i;
          bar_q <= rx_bar_i;
        end
        wbeat_q <= (rx_sop_i ? 6'd0 : wbeat_q) + 6'(rx_strb_i != 2'b00);
        ndw_q   <= ndw_d;
        ovf_q   <= ovf_d;
        in_q    <= !rx_eop_i;
        if (rx_eop_i) begin
          valid_q     <= !(byp && tlp_pop_i);
          poisoned_q  <= poisoned_d;
          malformed_q <= malformed_d;
        end
      end
    end
  end

endmodule
