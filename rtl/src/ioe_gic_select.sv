// GIC candidate selector: for every VM, a 4-ary tournament tree over its interrupts that
// holds, per vCPU lane, the best eligible interrupt of every subtree, so that the engine
// (ioe_gic) learns a vCPU's candidate after a change of one interrupt in a number of cycles
// that grows with log4 of the interrupt count, instead of rescanning the VM.
// docs/gic.md ("Candidate selector") describes the structure and its cycle costs.
//
// Contract of the ports (one request at a time; the engine is the only user):
//   - Leaf of an interrupt, per lane c: upd_leaf_i[c*7 +: 7] = {valid, group, priority[7:3]},
//     all zero when the interrupt is not eligible at lane c (the engine computes eligibility:
//     pending, enabled, not active, routed to c, group enabled). Ties between equal
//     priorities go to the lower INTID, like the C model's ascending scan.
//   - look_i (with look_vm_i, look_intid_i): read the tree word that holds the leaf of
//     that INTID. Only while busy_o is low. An update of the same INTID may follow in the
//     next cycle and only then (a look without an update is harmless).
//   - upd_i (with upd_leaf_i), in the cycle after look_i: the interrupt's new leaf. When it
//     equals the stored leaf for every lane, nothing happens (busy_o stays low). Otherwise
//     the selector writes the leaf and walks the path to the root, one tree level per cycle
//     (busy_o high for Levels - 1 cycles after the update cycle); in the cycle after the
//     top level, root_valid_o is high for one cycle with the VM's new root per lane
//     (root_v_o, root_g_o, root_p_o, root_id_o: the best eligible interrupt of each lane of
//     the VM of the update, valid 0 when it has none). Updates of a VM take the tree from
//     one consistent state to the next; the candidate of a lane is its root.
//   - clr_i (with clr_vm_i, clr_addr_i): write an empty word (no eligible interrupt) at
//     word address clr_addr_i of the VM's region (0 .. NrIrqs/2 - 1); the whole region
//     cleared is the tree of a VM without an eligible interrupt. Only while busy_o is low
//     and with no update in the same cycle.
//
// Structure: the tree of a VM has Levels = ceil(log2(NrIrqs) / 2) levels of words; a word
// holds 4 slots, each with every lane's best of one subtree {valid, group, priority, index
// within the subtree}. Level 1 words hold 4 leaves, the top level word 4 (or 2) subtrees
// whose best is the root. All levels share one block RAM (one read and one write port):
// the word of INTID i at level k is at address (NrIrqs + i) >> 2k of the VM's region of
// NrIrqs/2 words. A path update reads the next level's word while it writes the current
// one, so one level takes one cycle. NrIrqs must be a power of two (64 .. 1024).

module ioe_gic_select #(
  parameter int unsigned NrVms   = 8,
  parameter int unsigned NrVcpus = 8,
  parameter int unsigned NrIrqs  = 256,
  localparam int unsigned VmW    = (NrVms > 1) ? $clog2(NrVms) : 1,
  localparam int unsigned IrqW   = $clog2(NrIrqs),
  localparam int unsigned LW     = 7  // leaf bits of one lane: {valid, group, priority[7:3]}
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  look_i,
  input  logic [VmW-1:0]        look_vm_i,
  input  logic [IrqW-1:0]       look_intid_i,
  input  logic                  upd_i,
  input  logic [NrVcpus*LW-1:0] upd_leaf_i,
  input  logic                  clr_i,
  input  logic [VmW-1:0]        clr_vm_i,
  input  logic [IrqW-2:0]       clr_addr_i,
  output logic                  busy_o,
  output logic                  root_valid_o,
  output logic [NrVcpus-1:0]    root_v_o,
  output logic [NrVcpus-1:0]    root_g_o,
  output logic [NrVcpus*5-1:0]  root_p_o,
  output logic [NrVcpus*10-1:0] root_id_o
);

  localparam int unsigned Levels = (IrqW + 1) / 2;
  localparam int unsigned IW     = 2 * (Levels - 1);  // subtree index bits of a slot
  localparam int unsigned S      = LW + IW;           // slot bits of one lane
  localparam int unsigned SL     = NrVcpus * S;       // one slot of every lane: c at c*S
  localparam int unsigned AW     = VmW + IrqW - 1;
  localparam int unsigned LvW    = $clog2(Levels + 1);
  localparam int unsigned RW     = 2 * Levels;        // index bits of the root (>= IrqW)

  // ---------------------------------------------------------------- state
  logic               busy_q, busy_d;
  logic [LvW-1:0]     lvl_q, lvl_d;   // level of the word on the RAM output while busy
  logic [VmW-1:0]     vm_q;
  logic [IrqW-1:0]    id_q;
  logic [NrVcpus*S-1:0] val_q, val_d; // the new slot value for level lvl_q
  logic               rv_q, rv_d;
  logic [NrVcpus-1:0] rt_v_q, rt_g_q;
  logic [NrVcpus*5-1:0] rt_p_q;
  logic [NrVcpus*10-1:0] rt_id_q, rt_id_d;

  // ---------------------------------------------------------------- memory
  // One RAM per slot, so that a level writes the one slot it changes and no word has to be
  // put together; every read returns the four slots of a word.
  logic [3:0]    we;
  logic [AW-1:0] waddr, raddr;
  logic [SL-1:0] wdata;
  logic [4*SL-1:0] rdata;  // slot j at j*SL

  for (genvar j = 0; j < 4; j++) begin : g_slot
    ioe_ram #(
      .Width    (SL),
      .AddrWidth(AW),
      .NoRwCheck(1'b1)  // a path update never reads the word it writes in that cycle
    ) u_tree (
      .clk_i  (clk_i),
      .we_i   (we[j]),
      .waddr_i(waddr),
      .wdata_i(wdata),
      .raddr_i(raddr),
      .rdata_o(rdata[j*SL +: SL])
    );
  end

  // address of the word of INTID `id` at level `k` (1 .. Levels) in the VM's region
  // (hi: the INTID without its two low bits; (NrIrqs + id) >> 2k)
  function automatic logic [IrqW-2:0] word_addr(input logic [IrqW-3:0] hi, input int k);
    word_addr = {1'b1, hi} >> (2 * (k - 1));
  endfunction

  // ---------------------------------------------------------------- one level
  logic [LvW-1:0]  lvl;    // level of the word on the RAM output
  logic [1:0]      digit;  // slot of the path in that word
  logic [SL-1:0]   val;    // new value of that slot
  logic            same;   // level 1: the leaf stays not eligible at every lane
  logic [SL-1:0]   best;   // best of the word with the new value, as a slot of the next level
  logic [IrqW-2:0] addr_lvl, addr_next;

  assign lvl = busy_q ? lvl_q : LvW'(1);

  always_comb begin
    digit     = '0;
    addr_lvl  = '0;
    addr_next = '0;
    for (int k = 1; k <= Levels; k++) begin
      if (lvl == LvW'(k)) begin
        digit    = id_q[2*(k-1) +: 2];
        addr_lvl = word_addr(id_q[IrqW-1:2], k);
        if (k < Levels) addr_next = word_addr(id_q[IrqW-1:2], k + 1);
      end
    end
  end

  // slot x (of lower INTIDs) wins against slot y
  function automatic logic wins(input logic [S-1:0] x, input logic [S-1:0] y);
    wins = x[S-1] & (~y[S-1] | (x[IW +: 5] <= y[IW +: 5]));
  endfunction

  // Best of each lane: the three other slots of the word and the new value of the path's
  // slot (the stored one is masked). A slot wins against a later one when it is valid and
  // the later one is not or has a priority value that is not lower (ties: lower INTID).
  // The index of the winner in the next level's slot is {its index within the child, slot}:
  // digits accumulate lowest level first and are reversed at the root. An update whose
  // leaf was and stays not eligible at every lane changes nothing (`same`); any other
  // update walks the whole path (rewriting equal values is harmless). The results are read
  // only while busy or in an update cycle: otherwise they are don't-cares (a simulation
  // skips them; Yosys drops the gate: opt -full, -mux_undef).
  always_comb begin
    logic [4*S-1:0] m;  // slot j of the lane at j*S
    logic [S-1:0]   v, a, b, o, w;
    logic [1:0]     wa, wb, wo, wn;
    logic           vw;
    logic [RW-1:0]  full;
    {m, v, a, b, o, w, wa, wb, wo, wn, vw, full} = 'x;
    rt_id_d = 'x;
    same    = 'x;
    val     = 'x;
    best    = 'x;
    if (busy_q | upd_i) begin
      rt_id_d = '0;
      same    = 1'b1;
      for (int c = 0; c < NrVcpus; c++) begin
        v = busy_q ? val_q[c*S +: S] : {upd_leaf_i[c*LW +: LW], IW'(0)};
        val[c*S +: S] = v;
        for (int j = 0; j < 4; j++) begin
          m[j*S +: S] = rdata[j*SL + c*S +: S];
          if (digit == 2'(j)) begin
            same          = same & ~m[j*S + S - 1] & ~v[S-1];
            m[j*S + S - 1] = 1'b0;
          end
        end
        a  = wins(m[0 +: S], m[S +: S]) ? m[0 +: S] : m[S +: S];
        wa = wins(m[0 +: S], m[S +: S]) ? 2'd0 : 2'd1;
        b  = wins(m[2*S +: S], m[3*S +: S]) ? m[2*S +: S] : m[3*S +: S];
        wb = wins(m[2*S +: S], m[3*S +: S]) ? 2'd2 : 2'd3;
        o  = wins(a, b) ? a : b;
        wo = wins(a, b) ? wa : wb;
        // the new value against the best of the others: on equal priorities the lower slot
        vw = v[S-1] & (~o[S-1] | ((digit < wo) ? (v[IW +: 5] <= o[IW +: 5])
                                               : (v[IW +: 5] < o[IW +: 5])));
        w  = vw ? v : o;
        wn = vw ? digit : wo;
        // invalid results are all zero, as the stored empty slots
        best[c*S +: S] = w[S-1] ? {w[S-1:IW], w[IW-3:0], wn} : '0;
        // root: RW index bits {slot at level 1, ..., slot at the top}; INTID digit k is the
        // slot at level k + 1
        full = {w[IW-1:0], wn};
        for (int k = 0; k < Levels; k++) begin
          if (2 * k < 10) rt_id_d[c*10 + 2*k +: 2] = full[2*(Levels-1-k) +: 2];
        end
        if (!w[S-1]) rt_id_d[c*10 +: 10] = '0;
      end
    end
  end

  // ---------------------------------------------------------------- control
  always_comb begin
    busy_d = busy_q;
    lvl_d  = lvl_q;
    val_d  = val_q;
    rv_d   = 1'b0;
    we     = '0;
    waddr  = {vm_q, addr_lvl};
    wdata  = val;
    raddr  = {vm_q, addr_next};
    if (busy_q) begin
      we[digit] = 1'b1;
      if (lvl_q == LvW'(Levels)) begin
        busy_d = 1'b0;
        rv_d   = 1'b1;
      end else begin
        lvl_d = lvl_q + LvW'(1);
        val_d = best;
      end
    end else if (upd_i && !same) begin
      we[digit] = 1'b1;
      busy_d    = 1'b1;
      lvl_d  = LvW'(2);
      val_d  = best;
    end else if (clr_i) begin
      we    = '1;
      waddr = {clr_vm_i, clr_addr_i};
      wdata = '0;
    end
    if (look_i) raddr = {look_vm_i, word_addr(look_intid_i[IrqW-1:2], 1)};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      lvl_q   <= '0;
      vm_q    <= '0;
      id_q    <= '0;
      val_q   <= '0;
      rv_q    <= 1'b0;
      rt_v_q  <= '0;
      rt_g_q  <= '0;
      rt_p_q  <= '0;
      rt_id_q <= '0;
    end else begin
      busy_q <= busy_d;
      lvl_q  <= lvl_d;
      val_q  <= val_d;
      rv_q   <= rv_d;
      if (look_i) begin
        vm_q <= look_vm_i;
        id_q <= look_intid_i;
      end
      if (rv_d) begin
        for (int c = 0; c < NrVcpus; c++) begin
          rt_v_q[c]          <= best[c*S + S - 1];
          rt_g_q[c]          <= best[c*S + S - 2];
          rt_p_q[c*5 +: 5]   <= best[c*S + IW +: 5];
        end
        rt_id_q <= rt_id_d;
      end
    end
  end

  assign busy_o       = busy_q;
  assign root_valid_o = rv_q;
  assign root_v_o     = rt_v_q;
  assign root_g_o     = rt_g_q;
  assign root_p_o     = rt_p_q;
  assign root_id_o    = rt_id_q;

endmodule
