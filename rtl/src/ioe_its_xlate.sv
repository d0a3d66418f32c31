// ioe_its_xlate: the MSI translation fast path of the ITS engine (docs/its.md, "RTL
// micro-architecture"). Beside the sequencer of ioe_its_core, it takes one MSI per clock:
//
//   A  accept: the translation-cache word of hash(instance, DeviceID, EventID) is read
//   B  tag compare (or the result of a finished walk), collection lookup, LPI word read;
//      a miss goes to the walker instead
//   C  checks (instance enabled, INTID range, collection mapped, EnableLPIs, the LPI
//      exists), pending write, best-candidate update, counters
//
// A miss takes one of MissEntries walker entries. Each entry reads its DTE (through the L1
// entry with a two-level table) and its ITE with its own DMA local tag, so several walks
// are outstanding at once; a small cache of DTEs saves the DTE read for devices seen
// before. A finished walk re-enters stage A in place of an ingress MSI (fills the cache and
// sets the pending bit through stage C). Hits behind a miss are not held: the only effects
// of MSIs are pending bits set and counters, which commute, and nothing that could change a
// translation runs while any MSI is in flight (the sequencer holds the path with hold_i
// and waits for idle_o before every other operation).

module ioe_its_xlate #(
  parameter int unsigned NrIts        = 8,
  parameter int unsigned NrVms        = 8,
  parameter int unsigned NrVcpus      = 8,
  parameter int unsigned LpiBits      = 16,
  parameter int unsigned DevBits      = 16,
  parameter int unsigned EventBits    = 16,
  parameter int unsigned CacheEntries = 256,  // translation cache (power of two)
  parameter int unsigned MissEntries  = 32,   // walks outstanding (local tags TagBase + entry)
  parameter int unsigned DteEntries   = 16,   // DTE cache (power of two)
  parameter int unsigned LW           = 18,   // LPI word (layout of ioe_its_core)
  localparam int unsigned NV          = NrVms * NrVcpus,
  localparam int unsigned IW          = (NrIts > 1) ? $clog2(NrIts) : 1,
  localparam int unsigned VmW         = (NrVms > 1) ? $clog2(NrVms) : 1,
  localparam int unsigned VcW         = (NrVcpus > 1) ? $clog2(NrVcpus) : 1
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // from the sequencer
  input  logic                     hold_i,   // take no new MSI (an operation waits or runs)
  output logic                     idle_o,   // nothing in flight
  input  logic                     inv_i,    // invalidate the translation and DTE caches
  // MSI ingress (claim decided by ioe_its_core)
  input  logic                     msi_valid_i,
  output logic                     msi_ready_o,
  input  logic                     claim_i,
  input  logic [IW-1:0]            claim_its_i,
  input  logic [31:0]              msi_devid_i,
  input  logic [31:0]              msi_data_i,
  // instance, collection and VM state (stable while anything is in flight)
  input  logic [NrIts-1:0]         en_i,
  input  logic [NrIts*8-1:0]       ivm_i,
  input  logic [NrIts*64-1:0]      baser0_i,
  input  logic [NrIts*5-1:0]       ncoll_i,
  input  logic [NrIts*16*16-1:0]   cicid_i,
  input  logic [NrIts*16*9-1:0]    ctgt_i,
  input  logic [NrVms*8-1:0]       nvc_i,
  input  logic [NV-1:0]            enlpis_i,
  input  logic [NrVms*16-1:0]      lmax_i,
  input  logic [NV*22-1:0]         best_i,   // per vCPU {valid, priority [7:3], INTID}
  // LPI RAM (ports given to this module while the sequencer is idle)
  output logic                     lram_we_o,
  output logic [VmW+LpiBits-1:0]   lram_waddr_o,
  output logic [LW-1:0]            lram_wdata_o,
  output logic [VmW+LpiBits-1:0]   lram_raddr_o,
  input  logic [LW-1:0]            lram_rdata_i,
  // best-candidate update
  output logic                     best_set_o,
  output logic [VmW-1:0]           best_vm_o,
  output logic [VcW-1:0]           best_lane_o,
  output logic [4:0]               best_pr_o,
  output logic [15:0]              best_id_o,
  // counter increments
  output logic                     in_inc_o,
  output logic                     hit_inc_o,
  output logic                     miss_inc_o,
  output logic                     drop_inc_o,
  output logic                     set_inc_o,
  // DMA client (read beats, local tags TagBase + entry)
  output logic                     dma_req_valid_o,
  input  logic                     dma_req_ready_i,
  output ioe_pkg::dma_req_t        dma_req_o,
  input  logic                     dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t        dma_rsp_i
);

  localparam int unsigned NColl = 16;
  localparam int unsigned CW    = (CacheEntries > 1) ? $clog2(CacheEntries) : 1;
  localparam int unsigned KW    = IW + DevBits + EventBits;
  localparam int unsigned MW    = (MissEntries > 1) ? $clog2(MissEntries) : 1;
  // DMA local tags of the walker entries: TagBase .. TagBase + MissEntries - 1 (the
  // sequencer of ioe_its_core uses tag 0)
  localparam int unsigned LTW     = ioe_pkg::DMA_LOCAL_TAG_WIDTH;
  localparam int unsigned TagBase = 32;
  localparam int unsigned DW    = (DteEntries > 1) ? $clog2(DteEntries) : 1;
  localparam int unsigned RefW  = LW - VcW - 7;
  localparam logic [31:0] LpiMax = (32'd1 << LpiBits) - 32'd1;
  // LPI word fields (as ioe_its_core)
  localparam int unsigned LPend = 0;
  localparam int unsigned LEn   = 1;
  localparam int unsigned LPrio = 2;
  localparam int unsigned LTgt  = 7;
  localparam int unsigned LRefs = 7 + VcW;
  // walker entry states and steps
  localparam logic [1:0] EFree = 2'd0, EReq = 2'd1, EWait = 2'd2, EDone = 2'd3;
  localparam logic [1:0] StL1 = 2'd0, StDte = 2'd1, StIte = 2'd2;

  // Translation-cache index (direct mapped): the EventID's low CW bits XOR the DeviceID's
  // low CW bits in reverse order, so small DeviceIDs spread over the high index bits and
  // small EventIDs over the low ones (2^a devices x 2^b events from 0 never collide when
  // a + b <= CW); the higher bits of both IDs fold in, and the instance in the middle bits.
  // tests/test_its_rtl.c keeps a copy (cache_index) to choose colliding and apart events.
  function automatic logic [CW-1:0] c_hash(input logic [IW-1:0] i, input logic [31:0] d,
                                           input logic [31:0] e);
    logic [CW-1:0] h;
    for (int b = 0; b < CW; b++) h[b] = d[CW-1-b];
    h = h ^ e[CW-1:0];
    for (int k = 1; k * CW < 32; k++) h = h ^ CW'(e >> (k * CW)) ^ CW'(d >> (k * CW));
    c_hash = h ^ CW'({24'd0, 8'(i)} << (CW / 2));
  endfunction

  function automatic logic [63:0] iova(input logic [IW-1:0] i);
    iova = {8'd0, ivm_i[32'(i)*8 +: 8], 48'd0};
  endfunction

  function automatic logic [VmW-1:0] vm_of(input logic [IW-1:0] i);
    vm_of = VmW'(ivm_i[32'(i)*8 +: 8]);
  endfunction

  // ITE address of EventID e in the ITT of DTE {dv, d} (e in range), or fail
  function automatic logic [64:0] ite_addr(input logic [IW-1:0] i, input logic dv,
                                           input logic [48:0] d, input logic [31:0] e);
    if (!dv || d[4:0] > 5'd30 || e >= (32'd1 << ({27'd0, d[4:0]} + 32'd1))) begin
      ite_addr = {1'b1, 64'd0};
    end else begin
      ite_addr = {1'b0, iova(i) | ({12'd0, d[48:5], 8'd0} + {29'd0, e, 3'd0})};
    end
  endfunction

  // ---------------------------------------------------------------- translation cache
  logic [CacheEntries-1:0] cv_q;
  logic                    c_we;
  logic [CW-1:0]           c_raddr, c_waddr;
  logic [KW+47:0]          c_wdata, c_rdata;  // {key, ITE [47:0]}
  logic                    f_v_q;             // the write of the last cycle, for stage B
  logic [CW-1:0]           f_idx_q;
  logic [KW+47:0]          f_data_q;

  ioe_ram #(
    .Width    (KW + 48),
    .AddrWidth(CW)
  ) u_cache (
    .clk_i  (clk_i),
    .we_i   (c_we),
    .waddr_i(c_waddr),
    .wdata_i(c_wdata),
    .raddr_i(c_raddr),
    .rdata_o(c_rdata)
  );

  // ---------------------------------------------------------------- DTE cache (flops)
  logic [DteEntries-1:0] dv_q;
  logic [IW+DevBits-1:0] dkey_q [DteEntries];
  logic [48:0]           ddte_q [DteEntries];  // DTE [48:0] (ITT address, Size)
  logic                  d_we;
  logic [DW-1:0]         d_widx;
  logic [IW+DevBits-1:0] d_wkey;
  logic [48:0]           d_wdte;

  // ---------------------------------------------------------------- walker entries
  // entry state {e_st1_q[k], e_st0_q[k]} (EFree .. EDone), the bits of all entries in two
  // vectors: the free, requesting and finished sets are then word operations
  logic [MissEntries-1:0] e_st0_q, e_st1_q, e_st0_d, e_st1_d;
  logic [1:0]            e_step_q [MissEntries];
  logic [IW-1:0]         e_ci_q   [MissEntries];
  logic [DevBits-1:0]    e_dev_q  [MissEntries];
  logic [31:0]           e_ev_q   [MissEntries];
  logic [63:0]           e_addr_q [MissEntries];
  logic [47:0]           e_ite_q  [MissEntries];
  logic [MissEntries-1:0] e_fail_q;

  // ---------------------------------------------------------------- pipeline registers
  // stage A: accepted MSI or finished walk
  logic           a_v_q, a_w_q, a_fail_q;
  logic [IW-1:0]  a_ci_q;
  logic [31:0]    a_dev_q, a_ev_q;
  logic [CW-1:0]  a_idx_q;
  logic [47:0]    a_ite_q;
  // stage B -> C
  logic           b_v_q, b_w_q, b_blk_q, b_rng_q, b_ch_q;
  logic [IW-1:0]  b_ci_q;
  logic [8:0]     b_tgt_q;
  logic [VmW+LpiBits-1:0] b_addr_q;
  // the LPI write of the last cycle (forwarded to a read of the same word)
  logic           w_v_q;
  logic [VmW+LpiBits-1:0] w_addr_q;
  logic [LW-1:0]  w_data_q;
  // DMA request held until taken
  logic           rq_hold_q;
  logic [MW-1:0]  rq_idx_q;

  // ---------------------------------------------------------------- entry selection
  logic [MissEntries-1:0] e_free, e_req, e_done;
  logic [MW-1:0]  free_idx, req_idx, done_idx, req_first;
  logic           any_req, any_done, all_free, two_free;

  // index of the lowest set bit of v (0 when none): the lowest bit isolated (v & -v), then
  // encoded bit by bit (an OR over the indices with that bit set), a few word operations
  function automatic logic [MW-1:0] lowest(input logic [MissEntries-1:0] v);
    logic [MissEntries-1:0] oh, m;
    logic [MW-1:0] r;
    oh = v & (~v + MissEntries'(1));
    for (int b = 0; b < MW; b++) begin
      for (int k = 0; k < MissEntries; k++) m[k] = k[b];
      r[b] = |(oh & m);
    end
    lowest = r;
  endfunction

  assign e_free = ~e_st1_q & ~e_st0_q;  // EFree = 0
  assign e_req  = ~e_st1_q & e_st0_q;   // EReq  = 1
  assign e_done = e_st1_q & e_st0_q;    // EDone = 3
  assign free_idx  = lowest(e_free);
  assign req_first = lowest(e_req);
  assign req_idx   = rq_hold_q ? rq_idx_q : req_first;
  assign done_idx  = lowest(e_done);
  assign any_req   = |e_req;
  assign any_done  = |e_done;
  assign all_free  = &e_free;
  assign two_free  = |(e_free & (e_free - MissEntries'(1)));  // a second free entry

  // ---------------------------------------------------------------- stage A: accept
  logic take, inject;
  // a finished walk takes the slot; a new MSI needs a walker entry for itself and for an
  // MSI in stage A that may still miss
  assign msi_ready_o = ~hold_i & ~any_done & (a_v_q ? two_free : |e_free);
  assign take        = msi_valid_i & claim_i & msi_ready_o;
  assign inject      = any_done;
  assign c_raddr     = inject ? c_hash(e_ci_q[done_idx], 32'(e_dev_q[done_idx]), e_ev_q[done_idx]) :
                                c_hash(claim_its_i, msi_devid_i, msi_data_i);
  assign in_inc_o    = take;
  assign idle_o      = ~a_v_q & ~b_v_q & all_free;

  // ---------------------------------------------------------------- stage B
  logic [KW-1:0]  a_key;
  logic [KW+47:0] a_crd;
  logic           a_hit, a_miss;
  logic [47:0]    a_ite;
  logic [63:0]    a_b0;
  logic           a_fail_now;          // a miss that fails before any table read
  logic [64:0]    a_first;             // {fail, address} of the first read of a miss
  logic [1:0]     a_step;
  logic [DW-1:0]  a_didx;
  logic           a_dhit;
  logic           a_ch;
  logic [8:0]     a_tgt;
  logic [31:0]    a_l1i;

  assign a_key = {a_ci_q, a_dev_q[DevBits-1:0], a_ev_q[EventBits-1:0]};
  assign a_crd = (f_v_q && f_idx_q == a_idx_q) ? f_data_q : c_rdata;
  assign a_hit = a_v_q & ~a_w_q & cv_q[a_idx_q] & (a_crd[KW+47:48] == a_key) &
                 ((a_dev_q >> DevBits) == '0) & ((a_ev_q >> EventBits) == '0);
  assign a_miss = a_v_q & ~a_w_q & ~a_hit;
  assign a_ite = a_w_q ? a_ite_q : a_crd[47:0];
  assign a_b0  = baser0_i[32'(a_ci_q)*64 +: 64];
  assign a_didx = DW'(a_dev_q) ^ DW'(a_ci_q);
  assign a_dhit = dv_q[a_didx] && dkey_q[a_didx] == {a_ci_q, a_dev_q[DevBits-1:0]};
  assign a_l1i  = a_dev_q >> ioe_its_pkg::epp_log2(a_b0[9:8]);

  // first table read of a miss
  always_comb begin
    a_fail_now = 1'b0;
    a_first    = '0;
    a_step     = StDte;
    if (!en_i[a_ci_q] || (a_dev_q >> DevBits) != '0) begin
      a_fail_now = 1'b1;
    end else if (a_dhit) begin
      a_first    = ite_addr(a_ci_q, 1'b1, ddte_q[a_didx], a_ev_q);
      a_fail_now = a_first[64];
      a_step     = StIte;
    end else if (!a_b0[62]) begin
      if (!a_b0[63] || a_dev_q >= ioe_its_pkg::capacity(a_b0[9:0])) a_fail_now = 1'b1;
      else a_first = {1'b0, iova(a_ci_q) | ({16'd0, a_b0[47:12], 12'd0} + {29'd0, a_dev_q, 3'd0})};
    end else begin
      a_step = StL1;
      if (!a_b0[63] || a_l1i >= ioe_its_pkg::capacity(a_b0[9:0])) a_fail_now = 1'b1;
      else a_first = {1'b0, iova(a_ci_q) | ({16'd0, a_b0[47:12], 12'd0} + {29'd0, a_l1i, 3'd0})};
    end
  end

  // collection of the ITE in instance a_ci_q: {hit, {unmapped, vCPU}} (read by stage C
  // only with b_v_q, so the search runs only for a valid stage A)
  always_comb begin
    a_ch  = 1'b0;
    a_tgt = 9'h100;
    if (a_v_q) begin
      for (int k = NColl - 1; k >= 0; k--) begin
        if (5'(k) < ncoll_i[32'(a_ci_q)*5 +: 5] &&
            cicid_i[(32'(a_ci_q)*NColl + k)*16 +: 16] == a_ite[15:0]) begin
          a_ch  = 1'b1;
          a_tgt = ctgt_i[(32'(a_ci_q)*NColl + k)*9 +: 9];
        end
      end
    end
  end

  // a finished walk fills the cache (as the sequencer did: any valid ITE with pINTID != 0)
  assign c_we    = a_v_q & a_w_q & ~a_fail_q & (a_ite_q[47:16] != 32'd0);
  assign c_waddr = a_idx_q;
  assign c_wdata = {a_key, a_ite_q};
  assign hit_inc_o = a_hit;
  assign lram_raddr_o = {vm_of(a_ci_q), a_ite[16 +: LpiBits]};

  // ---------------------------------------------------------------- stage C
  logic [LW-1:0]  c_word, c_new;
  logic [VmW-1:0] c_vm;
  logic [15:0]    c_l;
  logic           c_ok, c_exists;
  logic [VcW-1:0] c_wt;
  logic           c_bv;
  logic [4:0]     c_bpr;
  logic [15:0]    c_bid;

  assign c_vm   = b_addr_q[LpiBits +: VmW];
  assign c_l    = 16'(b_addr_q[LpiBits-1:0]);
  assign c_word = (w_v_q && w_addr_q == b_addr_q) ? w_data_q : lram_rdata_i;
  assign c_exists = (c_l <= lmax_i[32'(c_vm)*16 +: 16]) && (c_word[LRefs +: RefW] != '0);
  assign c_ok = b_v_q & en_i[b_ci_q] & ~b_blk_q & b_rng_q & b_ch_q & ~b_tgt_q[8] &
                (b_tgt_q[7:0] < nvc_i[32'(c_vm)*8 +: 8]) &
                enlpis_i[32'(c_vm)*NrVcpus + 32'(b_tgt_q[VcW-1:0])] & c_exists;
  always_comb begin
    c_new = c_word;
    c_new[LPend] = 1'b1;
  end
  assign c_wt  = c_new[LTgt +: VcW];
  assign c_bv  = best_i[(32'(c_vm)*NrVcpus + 32'(c_wt))*22 + 21];
  assign c_bpr = best_i[(32'(c_vm)*NrVcpus + 32'(c_wt))*22 + 16 +: 5];
  assign c_bid = best_i[(32'(c_vm)*NrVcpus + 32'(c_wt))*22 +: 16];

  assign lram_we_o    = c_ok;
  assign lram_waddr_o = b_addr_q;
  assign lram_wdata_o = c_new;
  assign set_inc_o    = c_ok;
  assign miss_inc_o   = c_ok & b_w_q;
  assign drop_inc_o   = b_v_q & ~c_ok;
  assign best_set_o   = c_ok & c_new[LEn] &
                        (~c_bv | (c_new[LPrio +: 5] < c_bpr) |
                         ((c_new[LPrio +: 5] == c_bpr) & (c_l < c_bid)));
  assign best_vm_o    = c_vm;
  assign best_lane_o  = c_wt;
  assign best_pr_o    = c_new[LPrio +: 5];
  assign best_id_o    = c_l;

  // ---------------------------------------------------------------- DMA
  logic            rsp_v;
  logic [MW-1:0]   rsp_k;
  logic [1:0]      r_step;
  logic [IW-1:0]   r_ci;
  logic [DevBits-1:0] r_dev;
  logic [31:0]     r_ev;
  logic [63:0]     r_d;
  logic [1:0]      r_ps;       // page size of the instance's device table
  logic [64:0]     r_next;     // {fail, address of the next read}
  logic [1:0]      r_nstep;
  logic [31:0]     r_pmask;
  logic [31:0]     r_l2i;

  assign dma_req_valid_o = any_req;
  always_comb begin
    dma_req_o       = '0;
    dma_req_o.tag   = ioe_pkg::DMA_TAG_WIDTH'(TagBase + 32'(req_idx));
    dma_req_o.write = 1'b0;
    dma_req_o.addr  = e_addr_q[req_idx];
  end

  logic [31:0] rsp_entry;  // local tag - TagBase (wraps below TagBase)
  assign rsp_entry = 32'(dma_rsp_i.tag[LTW-1:0]) - TagBase;
  assign rsp_v  = dma_rsp_valid_i & (rsp_entry < MissEntries);
  assign rsp_k  = MW'(rsp_entry);
  assign r_step = e_step_q[rsp_k];
  assign r_ci   = e_ci_q[rsp_k];
  assign r_dev  = e_dev_q[rsp_k];
  assign r_ev   = e_ev_q[rsp_k];
  assign r_d    = dma_rsp_i.rdata;
  assign r_ps   = baser0_i[32'(r_ci)*64 + 8 +: 2];
  assign r_pmask = (32'd1 << (ioe_its_pkg::epp_log2(r_ps) + 4'd3)) - 32'd1;
  assign r_l2i   = 32'(r_dev) & ((32'd1 << ioe_its_pkg::epp_log2(r_ps)) - 32'd1);

  always_comb begin
    r_next  = {1'b1, 64'd0};
    r_nstep = StIte;
    d_we    = 1'b0;
    d_widx  = DW'(r_dev) ^ DW'(r_ci);
    d_wkey  = {r_ci, r_dev};
    d_wdte  = r_d[48:0];
    if (dma_rsp_i.err) begin
      r_next = {1'b1, 64'd0};
    end else if (r_step == StL1) begin
      if (r_d[63]) begin
        r_next  = {1'b0, iova(r_ci) | (({16'd0, r_d[47:12], 12'd0} & ~{32'd0, r_pmask}) +
                                       {29'd0, r_l2i, 3'd0})};
        r_nstep = StDte;
      end
    end else if (r_step == StDte) begin
      r_next  = ite_addr(r_ci, r_d[63], r_d[48:0], r_ev);
      r_nstep = StIte;
      d_we    = rsp_v & r_d[63];
    end
  end

  // the entry states after this cycle, in the order of the stages (a later write wins); a
  // block of its own, bit by bit, as Yosys 0.23 takes neither a bit written at a variable
  // index under an asynchronous reset nor a concatenation of such bits as a target
  always_comb begin
    e_st0_d = e_st0_q;
    e_st1_d = e_st1_q;
    if (inject) begin
      e_st1_d[done_idx] = EFree[1];
      e_st0_d[done_idx] = EFree[0];
    end
    if (a_miss && !a_fail_now) begin
      e_st1_d[free_idx] = EReq[1];
      e_st0_d[free_idx] = EReq[0];
    end
    if (any_req && dma_req_ready_i) begin
      e_st1_d[req_idx] = EWait[1];
      e_st0_d[req_idx] = EWait[0];
    end
    if (rsp_v) begin
      if (r_step == StIte || r_next[64]) begin
        e_st1_d[rsp_k] = EDone[1];
        e_st0_d[rsp_k] = EDone[0];
      end else begin
        e_st1_d[rsp_k] = EReq[1];
        e_st0_d[rsp_k] = EReq[0];
      end
    end
  end

  // ---------------------------------------------------------------- flops
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cv_q <= '0;
      dv_q <= '0;
      f_v_q <= 1'b0; f_idx_q <= '0; f_data_q <= '0;
      a_v_q <= 1'b0; a_w_q <= 1'b0; a_fail_q <= 1'b0; a_ci_q <= '0; a_dev_q <= '0;
      a_ev_q <= '0; a_idx_q <= '0; a_ite_q <= '0;
      b_v_q <= 1'b0; b_w_q <= 1'b0; b_blk_q <= 1'b0; b_rng_q <= 1'b0; b_ch_q <= 1'b0;
      b_ci_q <= '0; b_tgt_q <= '0; b_addr_q <= '0;
      w_v_q <= 1'b0; w_addr_q <= '0; w_data_q <= '0;
      rq_hold_q <= 1'b0; rq_idx_q <= '0;
      e_fail_q <= '0;
      e_st0_q <= '0; e_st1_q <= '0;  // EFree
      for (int k = 0; k < MissEntries; k++) begin
        e_step_q[k] <= StL1; e_ci_q[k] <= '0; e_dev_q[k] <= '0;
        e_ev_q[k] <= '0; e_addr_q[k] <= '0; e_ite_q[k] <= '0;
      end
      for (int k = 0; k < DteEntries; k++) begin
        dkey_q[k] <= '0; ddte_q[k] <= '0;
      end
    end else begin
      // caches
      if (inv_i) cv_q <= '0;
      else if (c_we) cv_q[c_waddr] <= 1'b1;
      f_v_q    <= c_we;
      f_idx_q  <= c_waddr;
      f_data_q <= c_wdata;
      if (inv_i) begin
        dv_q <= '0;
      end else if (d_we) begin
        dv_q[d_widx]   <= 1'b1;
        dkey_q[d_widx] <= d_wkey;
        ddte_q[d_widx] <= d_wdte;
      end
      // stage A
      a_v_q <= take | inject;
      a_w_q <= inject;
      if (inject) begin
        a_ci_q   <= e_ci_q[done_idx];
        a_dev_q  <= 32'(e_dev_q[done_idx]);
        a_ev_q   <= e_ev_q[done_idx];
        a_ite_q  <= e_ite_q[done_idx];
        a_fail_q <= e_fail_q[done_idx];
        a_idx_q  <= c_raddr;
      end else if (take) begin
        a_ci_q   <= claim_its_i;
        a_dev_q  <= msi_devid_i;
        a_ev_q   <= msi_data_i;
        a_fail_q <= 1'b0;
        a_idx_q  <= c_raddr;
      end
      // stage B: to C (hit, finished walk, or a miss that fails at once) or to the walker
      b_v_q    <= a_v_q & (a_w_q | a_hit | a_fail_now);
      b_w_q    <= a_w_q;
      b_blk_q  <= a_w_q ? a_fail_q : ~a_hit;
      b_rng_q  <= (a_ite[47:16] >= 32'd8192) && (a_ite[47:16] <= LpiMax);
      b_ch_q   <= a_ch;
      b_tgt_q  <= a_tgt;
      b_ci_q   <= a_ci_q;
      b_addr_q <= lram_raddr_o;
      if (a_miss && !a_fail_now) begin
        e_step_q[free_idx] <= a_step;
        e_ci_q[free_idx]   <= a_ci_q;
        e_dev_q[free_idx]  <= a_dev_q[DevBits-1:0];
        e_ev_q[free_idx]   <= a_ev_q;
        e_addr_q[free_idx] <= a_first[63:0];
      end
      // stage C
      w_v_q    <= lram_we_o;
      w_addr_q <= lram_waddr_o;
      w_data_q <= lram_wdata_o;
      // walker: request issued, response
      e_st0_q   <= e_st0_d;
      e_st1_q   <= e_st1_d;
      rq_hold_q <= any_req & ~dma_req_ready_i;
      rq_idx_q  <= req_idx;
      if (rsp_v) begin
        if (r_step == StIte || r_next[64]) begin
          e_fail_q[rsp_k] <= (r_step == StIte) ? dma_rsp_i.err : 1'b1;
          e_ite_q[rsp_k]  <= dma_rsp_i.err ? 48'd0 : r_d[47:0];
        end else begin
          e_step_q[rsp_k] <= r_nstep;
          e_addr_q[rsp_k] <= r_next[63:0];
        end
      end
    end
  end

  logic unused;
  assign unused = ^{rsp_entry, a_b0[61:48], a_b0[11:10], r_d[62:49]};

endmodule
