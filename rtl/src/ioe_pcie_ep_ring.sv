// ioe_pcie_ep_ring: ioe_top's notification stream into the ring in host memory (docs/
// pcie.md section 5). Record i, {cycle[31:0], phase, 11'b0, src, vcpu, vm}, is written at
// base + 8 * (i mod 2^log2) as a posted write; the phase is 1 on the first pass and flips
// at each wrap. The stream waits while the ring is disabled or full (HEAD - TAIL ==
// 2^log2). Moderation: a record written while armed raises vector 0 and disarms; a TAIL
// write arms again and raises vector 0 at once when records are unconsumed.

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
  output logic        irq_o
);

  logic [31:0] cycle_q, used, mask;
  logic        armed_q, armed_d, room, fire, take;

  assign mask       = (32'd1 << log2_i) - 32'd1;
  assign used       = head_o - tail_i;
  assign room       = used < (32'd1 << log2_i);
  assign iw_valid_o = en_i && room && s_valid_i;
  assign s_ready_o  = en_i && room && iw_ready_i;
  assign take       = iw_valid_o && iw_ready_i;
  assign iw_addr_o  = base_i + {29'd0, head_o & mask, 3'b000};
  assign iw_wdata_o = {cycle_q, !head_o[log2_i], 11'd0, s_src_i, s_vcpu_i, s_vm_i};
  assign iw_wstrb_o = 8'hFF;

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
      head_o  <= '0;
      armed_q <= 1'b1;
      irq_o   <= 1'b0;
    end else begin
      cycle_q <= cycle_q + 32'd1;
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
