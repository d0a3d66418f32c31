// ioe_its_lpi: the LPI store of the ITS engine (docs/its.md, "RTL micro-architecture"): the
// LPI words of every {VM, INTID} (block RAM u_lpi), one occupancy bit per block of 64 INTIDs
// (block RAM u_occ), each VM's high-water mark and each vCPU's best eligible LPI.
//
// Contract:
//   - LPI words: two write ports, the fast path's (fp_we_i) winning over the sequencer's
//     (we_i; they never coincide); one synchronous read port, the fast path's address while
//     fp_rsel_i, else raddr_i; rdata_o is the word of the address of the previous cycle (a
//     write to it in that cycle gives an undefined value). No reset: words above a VM's
//     high-water mark are not meaningful (readers treat them as 0).
//   - Occupancy: every non-zero LPI word written sets its block's bit; occ_clr_i clears the
//     bit of block occ_clr_blk_i of VM vm_i instead. occ_rdata_o is the bit of block
//     occ_rblk_i of VM vm_i, one cycle after.
//   - High-water marks: lmax_we_i sets VM vm_i's to lmax_wd_i; lmax_o is vm_i's.
//   - Bests: the candidate cand_w_i (INTID cand_l_i) of VM vm_i, when cand_i and it is
//     eligible (pending, enabled, refs != 0) and better (priority, then lower INTID) than
//     its target vCPU's best, becomes that best (and flags the vCPU changed unless
//     cand_quiet_i). Else the fast path's fp_best_set_i sets a best directly. clr_vm_i
//     clears every best of VM vm_i. best_o: per vCPU {valid, priority [7:3], INTID};
//     chg_o: the vCPUs whose best may have changed in the previous cycle (chg_set_i or a
//     new best).

module ioe_its_lpi #(
  parameter int unsigned NrVms   = 8,
  parameter int unsigned NrVcpus = 8,
  parameter int unsigned LpiBits = 16,
  parameter int unsigned LW      = 18,  // LPI word: {refs, target, priority, enabled, pending}
  localparam int unsigned VmW    = (NrVms > 1) ? $clog2(NrVms) : 1,
  localparam int unsigned VcW    = (NrVcpus > 1) ? $clog2(NrVcpus) : 1,
  localparam int unsigned NV     = NrVms * NrVcpus,
  localparam int unsigned AW     = VmW + LpiBits
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic [VmW-1:0]          vm_i,
  // LPI words
  input  logic                    we_i,
  input  logic [AW-1:0]           waddr_i,
  input  logic [LW-1:0]           wdata_i,
  input  logic [AW-1:0]           raddr_i,
  input  logic                    fp_we_i,
  input  logic [AW-1:0]           fp_waddr_i,
  input  logic [LW-1:0]           fp_wdata_i,
  input  logic                    fp_rsel_i,
  input  logic [AW-1:0]           fp_raddr_i,
  output logic [LW-1:0]           rdata_o,
  // occupancy of VM vm_i
  input  logic                    occ_clr_i,
  input  logic [LpiBits-7:0]      occ_clr_blk_i,
  input  logic [LpiBits-7:0]      occ_rblk_i,
  output logic                    occ_rdata_o,
  // high-water marks
  input  logic                    lmax_we_i,
  input  logic [15:0]             lmax_wd_i,
  output logic [15:0]             lmax_o,
  output logic [NrVms*16-1:0]     lmax_all_o,
  // best eligible LPI per vCPU
  input  logic                    cand_i,
  input  logic [LW-1:0]           cand_w_i,
  input  logic [15:0]             cand_l_i,
  input  logic                    cand_quiet_i,
  input  logic                    clr_vm_i,
  input  logic [NV-1:0]           chg_set_i,
  input  logic                    fp_best_set_i,
  input  logic [VmW-1:0]          fp_best_vm_i,
  input  logic [VcW-1:0]          fp_best_lane_i,
  input  logic [4:0]              fp_best_pr_i,
  input  logic [15:0]             fp_best_id_i,
  output logic [NV*22-1:0]        best_o,
  output logic [NV-1:0]           chg_o
);

  localparam int unsigned RefW  = 8;
  localparam int unsigned LPend = 0;
  localparam int unsigned LEn   = 1;
  localparam int unsigned LPrio = 2;
  localparam int unsigned LTgt  = 7;
  localparam int unsigned LRefs = 7 + VcW;

  // ---------------------------------------------------------------- LPI words
  logic          we_all;
  logic [AW-1:0] waddr_all;
  logic [LW-1:0] wdata_all;
  assign we_all    = we_i | fp_we_i;
  assign waddr_all = fp_we_i ? fp_waddr_i : waddr_i;
  assign wdata_all = fp_we_i ? fp_wdata_i : wdata_i;
  ioe_ram #(
    .Width    (LW),
    .AddrWidth(AW)
  ) u_lpi (
    .clk_i  (clk_i),
    .we_i   (we_all),
    .waddr_i(waddr_all),
    .wdata_i(wdata_all),
    .raddr_i(fp_rsel_i ? fp_raddr_i : raddr_i),
    .rdata_o(rdata_o)
  );

  // ---------------------------------------------------------------- occupancy
  // 0: every word of the block at or below the VM's high-water mark is zero, so the sweeps
  // and rescans step over the block in one cycle instead of 64. Bits above the mark and
  // bits left set after an LPI is freed only cost time. No reset is needed: after a reset
  // every VM's high-water mark is 0.
  localparam int unsigned OccW = AW - 6;
  logic            occ_we;
  logic [OccW-1:0] occ_waddr;
  assign occ_we    = occ_clr_i | (we_all & (wdata_all != '0));
  assign occ_waddr = occ_clr_i ? {vm_i, occ_clr_blk_i} : waddr_all[AW-1:6];
  ioe_ram #(
    .Width    (1),
    .AddrWidth(OccW)
  ) u_occ (
    .clk_i  (clk_i),
    .we_i   (occ_we),
    .waddr_i(occ_waddr),
    .wdata_i(~occ_clr_i),
    .raddr_i({vm_i, occ_rblk_i}),
    .rdata_o(occ_rdata_o)
  );

  // ---------------------------------------------------------------- high-water marks, bests
  logic [15:0]   lmax_q [NrVms];
  logic [NV-1:0] bv_q;
  logic [4:0]    bpr_q [NV];
  logic [15:0]   bid_q [NV];
  logic [NV-1:0] chg_q;

  assign lmax_o = lmax_q[vm_i];
  for (genvar v = 0; v < NrVms; v++) begin : g_lmax
    assign lmax_all_o[v*16 +: 16] = lmax_q[v];
  end

  // lane index of vCPU c of VM v
  function automatic int unsigned lidx(input logic [VmW-1:0] v, input logic [VcW-1:0] c);
    lidx = 32'(v) * NrVcpus + 32'(c);
  endfunction

  // is LPI word w (INTID l) of VM vm_i eligible and better than its target lane's best
  function automatic logic better(input logic [LW-1:0] w, input logic [15:0] l);
    logic        bv;
    logic [4:0]  pr;
    logic [15:0] id;
    int unsigned x;
    // the lane read at its index (not found by comparing every lane with it)
    x  = lidx(vm_i, w[LTgt +: VcW]);
    bv = 1'b0;
    pr = '0;
    id = '0;
    if (x < NV) begin
      bv = bv_q[x];
      pr = bpr_q[x];
      id = bid_q[x];
    end
    better = w[LPend] & w[LEn] & (w[LRefs +: RefW] != '0) &
             (~bv | (w[LPrio +: 5] < pr) | ((w[LPrio +: 5] == pr) & (l < id)));
  endfunction
  logic           best_set;
  logic [VcW-1:0] best_lane;
  assign best_set  = cand_i && better(cand_w_i, cand_l_i);
  assign best_lane = cand_w_i[LTgt +: VcW];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int v = 0; v < NrVms; v++) lmax_q[v] <= '0;
      bv_q  <= '0;
      chg_q <= '0;
      for (int x = 0; x < NV; x++) begin
        bpr_q[x] <= '0;
        bid_q[x] <= '0;
      end
    end else begin
      if (lmax_we_i) lmax_q[vm_i] <= lmax_wd_i;
      chg_q <= chg_set_i;
      // the lanes written are addressed directly (not found by comparing every lane with
      // the address each cycle): the same flops, and a simulation that skips the idle case
      if (clr_vm_i) begin
        for (int c = 0; c < NrVcpus; c++) bv_q[lidx(vm_i, VcW'(c))] <= 1'b0;
      end
      if (best_set) begin
        bv_q[lidx(vm_i, best_lane)]  <= 1'b1;
        bpr_q[lidx(vm_i, best_lane)] <= cand_w_i[LPrio +: 5];
        bid_q[lidx(vm_i, best_lane)] <= cand_l_i;
        if (!cand_quiet_i) chg_q[lidx(vm_i, best_lane)] <= 1'b1;
      end else if (fp_best_set_i) begin
        // an MSI of the fast path (the sequencer is idle then)
        bv_q[lidx(fp_best_vm_i, fp_best_lane_i)]  <= 1'b1;
        bpr_q[lidx(fp_best_vm_i, fp_best_lane_i)] <= fp_best_pr_i;
        bid_q[lidx(fp_best_vm_i, fp_best_lane_i)] <= fp_best_id_i;
        chg_q[lidx(fp_best_vm_i, fp_best_lane_i)] <= 1'b1;
      end
    end
  end

  assign chg_o = chg_q;
  for (genvar x = 0; x < NV; x++) begin : g_best
    assign best_o[x*22 +: 22] = {bv_q[x], bpr_q[x], bid_q[x]};
  end

endmodule
