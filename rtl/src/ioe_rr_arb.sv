// ioe_rr_arb: round-robin choice among N requesters for a valid/ready output.
//
// The grant goes to the first requester after the last one served. While the granted
// request is on the output and not taken (stall_i), the grant is held, so what the
// output offers never changes before it is taken.

module ioe_rr_arb #(
  parameter int unsigned N = 2,
  localparam int unsigned W = (N > 1) ? $clog2(N) : 1
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [N-1:0] req_i,
  input  logic         stall_i,  // output valid and not ready this cycle
  input  logic         take_i,   // output valid and ready this cycle
  output logic [W-1:0] grant_o
);

  logic [W-1:0] last_q, held_q;
  logic         hold_q, any;

  always_comb begin
    grant_o = last_q;
    any     = 1'b0;
    for (int unsigned k = 1; k <= N; k++) begin
      logic [W:0] c;
      c = {1'b0, last_q} + (W+1)'(k);
      if (c >= (W+1)'(N)) c = c - (W+1)'(N);
      if (!any && req_i[c[W-1:0]]) begin
        grant_o = c[W-1:0];
        any     = 1'b1;
      end
    end
    if (hold_q) grant_o = held_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_q <= '0;
      held_q <= '0;
      hold_q <= 1'b0;
    end else begin
      hold_q <= stall_i;
      held_q <= grant_o;
      if (take_i) last_q <= grant_o;
    end
  end

endmodule
