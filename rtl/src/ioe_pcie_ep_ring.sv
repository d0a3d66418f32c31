// ioe_pcie_ep_ring: ioe_top's notification stream into the ring in host memory (docs/
// pcie.md section 5). Record i, {cycle[31:0], phase, 11'b0, src, vcpu, vm}, is written at
// base + 8 * (i mod 2^log2) as a posted write; the phase is 1 on the first pass and flips
// at each wrap. The stream waits while the ring is disabled or full (HEAD - TAIL ==
// 2^log2). Moderation: a record written while armed raises vector 0 and disarms; a TAIL
// write arms again and raises vector 0 at once when records are unconsumed. The next
// record's address is kept in a register, so a record is taken at most every other cycle
// (a record is three beats on the 7-series stream anyway); the configuration is written
// while the ring is disabled. quiet_o is the NRING_FENCE condition (docs/pcie.md section 5):
// no record has waited to be taken for QuietCycles cycles, or the ring cannot take one
// (disabled or full); a record taken is in the requester, ahead of any later completion.

module ioe_pcie_ep_ring (
  input  logic        clk_i,
  input  logic        rst_ni,
  // configuration (ioe_pcie_ep_regs)
  input  logic [63:0] base_i,
  input  logic [4:0]  log2_i,
  input  logic        en_i,
  input  logic [31:0] tail_i,
  input  logic        tail_we_i,
  input  logic        reset_i,
  output logic [31:0] head_o,
  // notification stream
  input  logic        s_valid_i,
  output logic        s_ready_o,
  input  logic [7:0]  s_vm_i,
  input  logic [7:0]  s_vcpu_i,
  input  logic [3:0]  s_src_i,
  // record writes
  output logic        iw_valid_o,
  input  logic        iw_ready_i,
  output logic [63:0] iw_addr_o,
  output logic [63:0] iw_wdata_o,
  output logic [7:0]  iw_wstrb_o,
  // MSI-X vector 0
  output logic        irq_o,
  // the stream has been quiet (NRING_FENCE may be answered)
  output logic        quiet_o
);

  localparam int unsigned QuietCycles = 16;

  logic [31:0] cycle_q, used, mask;
  logic        armed_q, armed_d, room, fire, take, took_q;
  logic [63:0] slot_q;

  assign mask       = (32'd1 << log2_i) - 32'd1;
  assign used       = head_o - tail_i;
  assign room       = used < (32'd1 << log2_i);
  assign iw_valid_o = en_i && room && s_valid_i && !took_q;
  assign s_ready_o  = en_i && room && iw_ready_i && !took_q;
  assign take       = iw_valid_o && iw_ready_i;
  assign iw_addr_o  = slot_q;
  assign iw_wdata_o = {cycle_q, !head_o[log2_i], 11'd0, s_src_i, s_vcpu_i, s_vm_i};
  assign iw_wstrb_o = 8'hFF;

  logic       waiting;
  logic [4:0] quiet_q;
  assign waiting = en_i && room && s_valid_i;
  assign quiet_o = !en_i || !room || (quiet_q == 5'(QuietCycles) && !waiting);

  always_comb begin
    armed_d = armed_q || tail_we_i;
    fire    = 1'b0;
    if (take && armed_d) begin
      fire    = 1'b1;
      armed_d = 1'b0;
    end else if (tail_we_i && head_o != tail_i) begin
      fire    = 1'b1;
      armed_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycle_q <= '0;
      slot_q  <= '0;
      took_q  <= 1'b0;
      head_o  <= '0;
      armed_q <= 1'b1;
      irq_o   <= 1'b0;
      quiet_q <= '0;
    end else begin
      cycle_q <= cycle_q + 32'd1;
      quiet_q <= waiting ? 5'd0 : (quiet_q == 5'(QuietCycles)) ? quiet_q : quiet_q + 5'd1;
      slot_q  <= base_i + {29'd0, head_o & mask, 3'b000};
      took_q  <= take || reset_i;
      irq_o   <= fire && !reset_i;
      if (reset_i) begin
        head_o  <= '0;
        armed_q <= 1'b1;
      end else begin
        if (take) head_o <= head_o + 32'd1;
        armed_q <= armed_d;
      end
    end
  end

endmodule
