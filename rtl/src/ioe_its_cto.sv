// ioe_its_cto: the completion timeout of the ITS engine's DMA requests (docs/its.md,
// "DMA completion timeout"). It sits between ioe_its_core and the card's DMA arbiter.
//
// Contract:
//   - Client tags: 0 (the sequencer) and 32..63 (the fast path's walkers), one request
//     outstanding per tag (the client issues a tag again only after its response).
//   - A request that has no response TimeoutCycles to 1.5 * TimeoutCycles after it was
//     taken gets an error response (err = 1, rdata = 0) with its tag, in a cycle without a
//     host response; the client does what it does for any DMA error.
//   - Each tag carries a 2-bit generation in local tag bits [7:6], advanced when its request
//     times out. A host response whose tag is not outstanding or whose generation is not
//     the tag's current one (the late response of a request that timed out) is dropped, so
//     it is never taken for a later request of the same tag (unless the tag has timed out
//     four more times while that response was still on its way).
//   - Responses to the client come from flops, one cycle after the host response (or the
//     cycle that chose the timeout), so no path runs from the host side through the tag
//     checks into the client.
//   - Timing: an age of 2 bits per tag, advanced every TimeoutCycles / 2 cycles by one
//     prescaler; a request times out when its age reaches 3.
// A board sets TimeoutCycles to its clock times the timeout it wants (PCIe's completion
// timeout range is 50 us .. 50 ms; the default, 16384, is 66 us at 250 MHz).

module ioe_its_cto #(
  parameter int unsigned TimeoutCycles = 16384
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // client (ioe_its_core)
  input  logic              c_req_valid_i,
  output logic              c_req_ready_o,
  input  ioe_pkg::dma_req_t c_req_i,
  output logic              c_rsp_valid_o,  // registered
  output ioe_pkg::dma_rsp_t c_rsp_o,        // registered
  // host side (the DMA arbiter)
  output logic              m_req_valid_o,
  input  logic              m_req_ready_i,
  output ioe_pkg::dma_req_t m_req_o,
  input  logic              m_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t m_rsp_i
);

  localparam int unsigned NE   = 33;  // tag 0 and tags 32..63
  localparam int unsigned TW   = ioe_pkg::DMA_TAG_WIDTH;
  localparam int unsigned Half = (TimeoutCycles / 2 > 1) ? TimeoutCycles / 2 : 1;
  localparam int unsigned PW   = (Half > 1) ? $clog2(Half) : 1;

  // entry of a client tag (0 -> 0, 32 + k -> 1 + k) and back
  function automatic logic [5:0] ent(input logic [5:0] t);
    ent = t[5] ? 6'd1 + {1'b0, t[4:0]} : 6'd0;
  endfunction
  function automatic logic [5:0] tag_of(input logic [5:0] e);
    tag_of = (e == 6'd0) ? 6'd0 : 6'd31 + e;
  endfunction

  // Per-entry state as vectors over the entries (the age's two bits in two vectors), so
  // that an update is a few word operations rather than a loop over the entries (what the
  // simulation model evaluates every cycle; the flip-flops are the same).
  logic [NE-1:0] out_q;
  logic [1:0]    gen_q [NE];
  logic [NE-1:0] age0_q, age1_q;  // age bit 0 and bit 1 of every entry
  logic [PW-1:0] pre_q;
  logic          tick;
  assign tick = (pre_q == PW'(Half - 1));

  // requests: the tag gets its entry's generation
  logic [5:0] rq_e;
  assign rq_e          = ent(c_req_i.tag[5:0]);
  assign m_req_valid_o = c_req_valid_i;
  assign c_req_ready_o = m_req_ready_i;
  always_comb begin
    m_req_o     = c_req_i;
    m_req_o.tag = TW'({gen_q[rq_e], c_req_i.tag[5:0]});
  end

  // host responses: only the current generation of an outstanding tag
  logic [5:0] rs_e;
  logic       rs_ok;
  assign rs_e  = ent(m_rsp_i.tag[5:0]);
  assign rs_ok = m_rsp_valid_i && (m_rsp_i.tag[5] || m_rsp_i.tag[4:0] == 5'd0) &&
                 out_q[rs_e] && m_rsp_i.tag[7:6] == gen_q[rs_e];

  // the lowest timed-out entry, answered in a cycle without a host response
  logic [NE-1:0] to_vec;
  logic          to_any, inj;
  logic [5:0]    to_e;
  assign to_vec = out_q & age0_q & age1_q;
  assign to_any = |to_vec;
  always_comb begin
    to_e = '0;
    if (to_any) begin  // rare: the scan only runs when an entry has timed out
      for (int e = NE - 1; e >= 0; e--) begin
        if (to_vec[e]) to_e = 6'(e);
      end
    end
  end
  assign inj = to_any & ~m_rsp_valid_i;

  logic              rsp_valid_d;
  ioe_pkg::dma_rsp_t rsp_d;
  always_comb begin
    rsp_valid_d = rs_ok | inj;
    rsp_d       = m_rsp_i;
    rsp_d.tag   = TW'(m_rsp_i.tag[5:0]);
    if (!m_rsp_valid_i) begin
      rsp_d.tag   = TW'(tag_of(to_e));
      rsp_d.err   = 1'b1;
      rsp_d.rdata = '0;
    end
  end

  // the response register (no reset on the payload: it is read only with the valid bit)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) c_rsp_valid_o <= 1'b0;
    else         c_rsp_valid_o <= rsp_valid_d;
  end
  always_ff @(posedge clk_i) c_rsp_o <= rsp_d;

  // one-hot masks of this cycle's request, host response and timeout, and the entries
  // whose age advances
  logic [NE-1:0] rq_oh, rs_oh, to_oh, inc;
  assign rq_oh = (c_req_valid_i && m_req_ready_i) ? NE'(1) << rq_e : '0;
  assign rs_oh = rs_ok ? NE'(1) << rs_e : '0;
  assign to_oh = inj ? NE'(1) << to_e : '0;
  assign inc   = tick ? out_q & ~(age0_q & age1_q) : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_q  <= '0;
      age0_q <= '0;
      age1_q <= '0;
      pre_q  <= '0;
      for (int e = 0; e < NE; e++) gen_q[e] <= '0;
    end else begin
      pre_q  <= tick ? '0 : pre_q + 1'b1;
      // a request (re)starts its entry at age 0; it wins over the clears, as it did
      out_q  <= (out_q & ~rs_oh & ~to_oh) | rq_oh;
      age0_q <= (age0_q ^ inc) & ~rq_oh;
      age1_q <= (age1_q ^ (inc & age0_q)) & ~rq_oh;
      if (inj) gen_q[to_e] <= gen_q[to_e] + 2'd1;
    end
  end

endmodule
