// ioe_its_coll: the collection store of the ITS engine (docs/its.md, "RTL micro-architecture").
// Per instance, up to 16 collections {ICID, target} in creation order and their count; the
// target is {unmapped, vCPU}. Flops (the fast path reads every instance's collections).
//
// Contract:
//   - Reads are of instance ci_i, combinational: find_a_* and find_b_* look up the ICIDs
//     key_a_i and key_b_i among the instance's first ncoll_o entries (hit, index, target;
//     a miss gives target 9'h100), ent_*_o is entry ent_idx_i.
//   - Writes, to instance ci_i at the clock edge, by priority (later wins): clr_i empties the
//     instance; cnt_we_i sets the count to cnt_wd_i; we_i writes entry idx_i; del_i removes
//     entry idx_i (the entries above move down by one, the count drops by one).
//   - all_*_o: every instance's entries and counts, entry k of instance i at i*16 + k.

module ioe_its_coll #(
  parameter int unsigned NrIts = 8,
  localparam int unsigned IW    = (NrIts > 1) ? $clog2(NrIts) : 1,
  localparam int unsigned NColl = 16
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic [IW-1:0]             ci_i,
  // lookups in instance ci_i: {hit, index, target}
  input  logic [15:0]               key_a_i,
  output logic                      find_a_hit_o,
  output logic [3:0]                find_a_idx_o,
  output logic [8:0]                find_a_tgt_o,
  input  logic [15:0]               key_b_i,
  output logic                      find_b_hit_o,
  output logic [8:0]                find_b_tgt_o,
  input  logic [3:0]                ent_idx_i,
  output logic [15:0]               ent_icid_o,
  output logic [8:0]                ent_tgt_o,
  output logic [4:0]                ncoll_o,
  // writes to instance ci_i
  input  logic                      clr_i,
  input  logic                      cnt_we_i,
  input  logic [4:0]                cnt_wd_i,
  input  logic                      we_i,
  input  logic                      del_i,
  input  logic [3:0]                idx_i,
  input  logic [15:0]               icid_i,
  input  logic [8:0]                tgt_i,
  // every instance (fast path)
  output logic [NrIts*NColl*16-1:0] all_icid_o,
  output logic [NrIts*NColl*9-1:0]  all_tgt_o,
  output logic [NrIts*5-1:0]        all_ncoll_o
);

  // entry k of instance i at i*NColl + k (only constant indices: per-entry enables)
  logic [NrIts*NColl*16-1:0] cicid_q;
  logic [NrIts*NColl*9-1:0]  ctgt_q;
  logic [4:0]                ncoll_q [NrIts];

  // the collections of instance ci_i (one instance multiplexer for all readers)
  logic [15:0] cur_cicid [NColl];
  logic [8:0]  cur_ctgt  [NColl];
  always_comb begin
    for (int k = 0; k < NColl; k++) begin
      cur_cicid[k] = '0;
      cur_ctgt[k]  = '0;
      for (int i = 0; i < NrIts; i++) begin
        if (ci_i == IW'(i)) begin
          cur_cicid[k] = cicid_q[(i*NColl+k)*16 +: 16];
          cur_ctgt[k]  = ctgt_q[(i*NColl+k)*9 +: 9];
        end
      end
    end
  end
  assign ncoll_o    = ncoll_q[ci_i];
  assign ent_icid_o = cur_cicid[ent_idx_i];
  assign ent_tgt_o  = cur_ctgt[ent_idx_i];

  // {hit, index, {unmapped, vCPU}}
  function automatic logic [13:0] find(input logic [15:0] key);
    logic [13:0] r;
    r = {1'b0, 4'd0, 9'h100};
    for (int k = NColl - 1; k >= 0; k--) begin
      if (5'(k) < ncoll_o && cur_cicid[k] == key) r = {1'b1, 4'(k), cur_ctgt[k]};
    end
    find = r;
  endfunction
  logic [3:0] find_b_idx;
  assign {find_a_hit_o, find_a_idx_o, find_a_tgt_o} = find(key_a_i);
  assign {find_b_hit_o, find_b_idx, find_b_tgt_o}   = find(key_b_i);

  // the entries of instance ci_i after a write or a removal
  logic [15:0] nxt_cicid [NColl];
  logic [8:0]  nxt_ctgt  [NColl];
  always_comb begin
    for (int k = 0; k < NColl; k++) begin
      nxt_cicid[k] = cur_cicid[k];
      nxt_ctgt[k]  = cur_ctgt[k];
      if (we_i && idx_i == 4'(k)) begin
        nxt_cicid[k] = icid_i;
        nxt_ctgt[k]  = tgt_i;
      end
      if (del_i && k < NColl - 1 && 4'(k) >= idx_i) begin
        nxt_cicid[k] = cur_cicid[(k+1)%NColl];
        nxt_ctgt[k]  = cur_ctgt[(k+1)%NColl];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < NrIts; i++) ncoll_q[i] <= '0;
      cicid_q <= '0;
      ctgt_q  <= '0;
    end else begin
      if (clr_i) ncoll_q[ci_i] <= '0;
      if (cnt_we_i) ncoll_q[ci_i] <= cnt_wd_i;
      for (int i = 0; i < NrIts; i++) begin
        if ((we_i || del_i) && ci_i == IW'(i)) begin
          for (int k = 0; k < NColl; k++) begin
            cicid_q[(i*NColl+k)*16 +: 16] <= nxt_cicid[k];
            ctgt_q[(i*NColl+k)*9 +: 9]    <= nxt_ctgt[k];
          end
        end
      end
      if (del_i) ncoll_q[ci_i] <= ncoll_o - 5'd1;
    end
  end

  assign all_icid_o = cicid_q;
  assign all_tgt_o  = ctgt_q;
  for (genvar i = 0; i < NrIts; i++) begin : g_ncoll
    assign all_ncoll_o[i*5 +: 5] = ncoll_q[i];
  end

  logic unused;
  assign unused = ^find_b_idx;

endmodule
