// ioe_its_core: the ITS engine (docs/its.md) behind the access port of register block 2.
// One sequencer executes, one at a time, access-port operations, queued commands (fetched
// over DMA) and the GIC engine's LPI requests (acknowledge, EnableLPIs changes, VM reset);
// its table walks have one DMA read outstanding. MSIs go through the pipelined fast path
// ioe_its_xlate (translation cache, walker with several reads outstanding), which the
// sequencer drains before each of its operations. Its units (docs/its.md, "RTL
// micro-architecture", has the block diagram): u_cmdq (ioe_its_cmdq) the command queue and
// its decode, u_devtab (ioe_its_devtab) where DTEs are, u_tables (ioe_its_tables) the order
// of SAVE_TABLES and RESTORE_TABLES (with u_rscan, ioe_its_rscan, the rules of the restore's
// scan), u_coll (ioe_its_coll) the collections, u_lpi (ioe_its_lpi) the LPI
// state and the bests, u_sweep (ioe_its_sweep) a sweep's step, u_walk (ioe_its_walk) every
// DMA access of the sequencer: table entries (device table flat or two-level, ITTs, the
// collection table) and plain addresses. It owns the instance registers.

module ioe_its_core #(
  parameter int unsigned NrIts     = 8,
  parameter int unsigned NrVms     = 8,
  parameter int unsigned NrVcpus   = 8,
  parameter int unsigned LpiBits   = 16,
  parameter int unsigned DevBits   = 16,
  parameter int unsigned EventBits = 16,
  parameter int unsigned CacheEntries = 256,  // translation cache (power of two)
  localparam int unsigned NV       = NrVms * NrVcpus
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // access port (from ioe_its_reg_top)
  input  logic [31:0]          target_i,
  input  logic [31:0]          offset_i,
  input  logic [31:0]          wdata_lo_i,
  input  logic [31:0]          wdata_hi_i,
  input  logic [31:0]          op_i,
  input  logic                 op_qe_i,
  output logic [31:0]          status_o,
  output logic [31:0]          rdata_lo_o,
  output logic [31:0]          rdata_hi_o,
  output logic [31:0]          msi_in_o,
  output logic [31:0]          msi_drop_o,
  output logic [31:0]          cache_hit_o,
  output logic [31:0]          cache_miss_o,
  output logic [31:0]          lpi_set_o,
  output logic [31:0]          lpi_set_cycle_o,
  input  logic [31:0]          cycle_i,
  // MSI ingress
  input  logic                 msi_valid_i,
  output logic                 msi_ready_o,
  output logic                 msi_claim_o,
  input  logic [31:0]          msi_devid_i,
  input  logic [63:0]          msi_addr_i,
  input  logic [31:0]          msi_data_i,
  // DMA client
  output logic                 dma_req_valid_o,
  input  logic                 dma_req_ready_i,
  output ioe_pkg::dma_req_t    dma_req_o,
  input  logic                 dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t    dma_rsp_i,
  // LPI side of the GIC engine
  output logic [NV*22-1:0]     lpi_best_o,   // per vCPU {valid, priority [7:3], INTID}
  output logic [NV-1:0]        lpi_chg_o,    // the best of these vCPUs may have changed
  input  logic                 gic_req_valid_i,
  input  logic [1:0]           gic_req_kind_i,  // 0 ack, 1 EnableLPIs 0->1, 2 1->0, 3 VM reset
  input  logic [7:0]           gic_req_vm_i,
  input  logic [7:0]           gic_req_vcpu_i,
  input  logic [15:0]          gic_req_intid_i,
  output logic                 gic_req_done_o,
  input  logic [NrVms*8-1:0]   gic_nvc_i,
  input  logic [NV-1:0]        gic_enlpis_i,
  input  logic [NrVms*64-1:0]  gic_prop_i,
  input  logic [NV*64-1:0]     gic_pend_i
);

  localparam int unsigned IW   = (NrIts > 1) ? $clog2(NrIts) : 1;
  localparam int unsigned VmW  = (NrVms > 1) ? $clog2(NrVms) : 1;
  localparam int unsigned VcW  = (NrVcpus > 1) ? $clog2(NrVcpus) : 1;
  localparam int unsigned RefW = 8;                      // at most 255 refs (MAPTI fails)
  localparam int unsigned LW   = RefW + VcW + 5 + 2;     // LPI word
  localparam int unsigned NColl = 16;
  localparam logic [31:0] LpiMax = (32'd1 << LpiBits) - 32'd1;
  // LPI word fields
  localparam int unsigned LPend = 0;
  localparam int unsigned LEn   = 1;
  localparam int unsigned LPrio = 2;
  localparam int unsigned LTgt  = 7;
  localparam int unsigned LRefs = 7 + VcW;

  // access-port codes
  localparam logic [3:0] OpRead32 = 4'd1, OpWrite32 = 4'd2, OpRead64 = 4'd3, OpWrite64 = 4'd4,
                         OpBind = 4'd5, OpSetBase = 4'd6, OpReset = 4'd7, OpInject = 4'd10, OpSavePending = 4'd11,
                         OpLpiState = 4'd12, OpTranslate = 4'd13;

  typedef enum logic [5:0] {
    SIdle, SExec, SWalk,
    // translation / lookup: DTE (flat or via L1), ITE
    SLk0, SLkDte, SLkIte,
    STrDone, STrSet0, STrSet1,
    // command queue
    SQNext, SQFetch, SQExec, SQEnd,
    // commands
    SMapd1, SMapdW, SMapc1, SMapti1, SMapti2, SMapti3, SMapti4, SMapti5, SMapti6, SMovi1,
    SCmdL0, SCmdL1, SCmdInv1,
    // walker: free / retarget ITEs of one device or of every device
    SWDev, SWDte, SWIte, SWIteAct, SWNextDev,
    // LPI deref / sweep / rescan
    SDeref0, SDeref1, SSw0, SSwB, SSw1, SSw2, SSw3, SZero, SScan, SScanEnd, SFinish,
    // SAVE_TABLES / RESTORE_TABLES (u_tables runs)
    STab
  } state_e;

  // ---------------------------------------------------------------- per-instance state
  logic [NrIts-1:0] bound_q, en_q, basev_q;
  logic [7:0]       ivm_q   [NrIts];
  logic [47:16]     base_q  [NrIts];
  logic [63:0]      cbaser_q[NrIts];
  logic [19:5]      cwriter_q[NrIts], creadr_q[NrIts];
  logic [63:0]      baser0_q[NrIts], baser1_q[NrIts];
  // the bound of the walks over the device table (docs/its.md, "Bounded walks"): devices
  // made valid by MAPD V=1 and RESTORE_TABLES minus devices freed (saturating), and while
  // that is not 0 the highest DeviceID and ITT Size among them
  logic [DevBits:0]   nd_q  [NrIts];
  logic [DevBits-1:0] dmax_q[NrIts];
  logic [4:0]         imax_q[NrIts];

  // ---------------------------------------------------------------- engine registers
  state_e      state_q, ret_q, lret_q, wret_q;
  logic        busy_q, done_q, undef_q, bad_q;
  logic [63:0] rdata_q;
  logic [IW-1:0] ci_q;          // current instance
  logic [VmW-1:0] vm_q;         // current VM
  logic [3:0]  code_q;
  logic        ua_q;
  logic [15:0] off_q;
  logic [63:0] wd_q;
  logic [1:0]  src_q;           // 0 access port, 1 MSI, 2 command, 3 GIC request
  // table walker (u_walk): its last access was a write (until the sequencer clears it)
  logic        dwr_q;
  // lookup
  logic [31:0] dev_q, ev_q;
  logic [63:0] dte_q, ite_q;
  logic        lk_fail_q, lk_dte_only_q;
  logic [7:0]  res_q;           // translation result
  // commands
  logic        rescan_q;
  // walker
  logic        w_all_q, w_free_q;
  logic [15:0] w_icid_q;
  logic [VcW-1:0] w_tgt_q;
  logic [31:0] w_dev_q, w_ev_q, w_evn_q;
  logic [DevBits:0] w_left_q;   // devices the bounded walk may still find
  // LPI
  logic [15:0] l_q;             // INTID operated on
  logic [LW-1:0] lw_q;
  logic [VcW-1:0] t_q, t2_q;    // target vCPU(s)
  logic        tmap_q;          // target known (collection mapped)
  logic [2:0]  sw_kind_q;       // sweep action
  logic [15:0] sw_i_q;
  logic [15:0] sc_i_q, sc_di_q;
  logic        sc_dv_q;
  logic        sw_blk_q, sw_blk_d;      // the block of sw_i_q was found occupied
  logic        sw_wrap_q, sw_wrap_d;    // sw_i_q / sc_i_q went past INTID 65535
  // RESTORE_TABLES (u_tables): the LPI creation is its (it returns to STab), and failed
  logic        rs_q, rs_d, rs_fail_q, rs_fail_d;
  // translation cache invalidation (the cache is in the fast path, u_xlate)
  logic                    cache_inv;
  // fast path (ioe_its_xlate)
  logic                    fp_idle, fp_hold, fp_lram_we, fp_best_set;
  logic [VmW+LpiBits-1:0]  fp_lram_waddr, fp_lram_raddr;
  logic [LW-1:0]           fp_lram_wdata;
  logic [VmW-1:0]          fp_best_vm;
  logic [VcW-1:0]          fp_best_lane;
  logic [4:0]              fp_best_pr;
  logic [15:0]             fp_best_id;
  logic                    fp_in, fp_hit, fp_miss, fp_drop, fp_set;
  logic                    fp_dma_valid;
  ioe_pkg::dma_req_t       fp_dma_req;
  logic                    op_pend_q, op_go;  // an OP strobe waiting for the fast path to drain
  // counters
  logic [31:0] msi_in_q, msi_drop_q, miss_q, lset_q, lset_cyc_q;

  // ---------------------------------------------------------------- LPI store
  // (u_lpi, below) LPI words, occupancy bits, high-water marks, per-vCPU bests
  logic                   lram_we;
  logic [VmW+LpiBits-1:0] lram_waddr, lram_raddr;
  logic [LW-1:0]          lram_wdata, lram_rdata;
  logic                   occ_clr, occ_rdata;
  logic [LpiBits-7:0]     occ_rblk;
  // SSw0: the block of sw_i_q (read in SSwB); SScan: the first block; SScanEnd: the block
  // after sc_i_q's, which is sc_i_q's own once sc_i_q steps into it (by 1 or by 64)
  localparam logic [LpiBits-7:0] OccFirst = (LpiBits - 6)'(8192 >> 6);  // INTID 8192
  always_comb begin
    unique case (state_q)
      SSw0:    occ_rblk = sw_i_q[LpiBits-1:6];
      SScan:   occ_rblk = OccFirst;
      default: occ_rblk = sc_i_q[LpiBits-1:6] + 1'b1;
    endcase
  end

  // ---------------------------------------------------------------- helpers
  // capacity in 8-byte entries: (Size + 1) pages
  function automatic logic [31:0] capacity(input logic [9:0] baser);
    capacity = ioe_its_pkg::capacity(baser);
  endfunction

  function automatic logic [63:0] sanitise(input logic [63:0] v);
    logic [63:0] r;
    r = v;
    if (r[11:10] == 2'd2) r[11:10] = 2'd1;
    if (r[61:59] <= 3'd1) r[61:59] = 3'd7;
    if (r[55:53] > 3'd1) r[55:53] = 3'd0;
    sanitise = r;
  endfunction

  // current instance / VM views
  logic [7:0]  cur_ivm;
  logic [63:0] cur_cbaser, cur_b0, cur_b1;
  logic [19:5] cur_cwr, cur_crd;
  logic [4:0]  cur_ncoll;
  logic [7:0]  cur_nvc;
  logic [63:0] cur_prop;
  logic [15:0] cur_lmax;
  assign cur_ivm    = ivm_q[ci_q];
  assign cur_cbaser = cbaser_q[ci_q];
  assign cur_b0     = baser0_q[ci_q];
  assign cur_b1     = baser1_q[ci_q];
  assign cur_cwr    = cwriter_q[ci_q];
  assign cur_crd    = creadr_q[ci_q];

  // the walk bound of the current instance and its next value. The sequencer's requests
  // for instance ci_q: a device made valid (DeviceID w_dev_q or dev_q per cnt_rs, ITT Size
  // cnt_size) / freed / every count cleared / nd set to "no count" (dev_max, itt_max kept)
  logic        cnt_inc, cnt_dec, cnt_clr, cnt_max, cnt_rs;
  logic [4:0]  cnt_size;
  logic [DevBits:0]   cur_nd, cnt_nd;
  logic [DevBits-1:0] cur_dmax, cnt_dmax, cnt_dev;
  logic [4:0]         cur_imax, cnt_imax;
  assign cur_nd   = nd_q[ci_q];
  assign cur_dmax = dmax_q[ci_q];
  assign cur_imax = imax_q[ci_q];
  assign cnt_dev  = cnt_rs ? w_dev_q[DevBits-1:0] : dev_q[DevBits-1:0];
  always_comb begin
    cnt_nd   = cur_nd;
    cnt_dmax = cur_dmax;
    cnt_imax = cur_imax;
    if (cnt_clr) begin
      cnt_nd   = '0;
      cnt_dmax = '0;
      cnt_imax = '0;
    end else if (cnt_max) begin
      cnt_nd   = '1;
    end else if (cnt_inc) begin
      if (cur_nd != '1) cnt_nd = cur_nd + 1'b1;
      if (cnt_dev > cur_dmax) cnt_dmax = cnt_dev;
      if (cnt_size > cur_imax) cnt_imax = cnt_size;
    end else if (cnt_dec && cur_nd != '0) begin
      cnt_nd = cur_nd - 1'b1;
      if (cur_nd == (DevBits+1)'(1)) begin
        cnt_dmax = '0;
        cnt_imax = '0;
      end
    end
  end
  always_comb begin
    cur_nvc  = '0;
    cur_prop = '0;
    for (int v = 0; v < NrVms; v++) begin
      if (vm_q == VmW'(v)) begin
        cur_nvc  = gic_nvc_i[v*8 +: 8];
        cur_prop = gic_prop_i[v*64 +: 64];
      end
    end
  end

  // PENDBASER of vCPU c of VM v (a multiplexer over the VM's vCPUs only)
  logic [63:0] cur_pend [NrVcpus];
  always_comb begin
    for (int c = 0; c < NrVcpus; c++) begin
      cur_pend[c] = '0;
      for (int v = 0; v < NrVms; v++) begin
        if (vm_q == VmW'(v)) cur_pend[c] = gic_pend_i[(v * NrVcpus + c)*64 +: 64];
      end
    end
  end
  function automatic logic [63:0] pendbase(input logic [VcW-1:0] c);
    logic [63:0] r;
    r = '0;
    for (int k = 0; k < NrVcpus; k++) begin
      if (c == VcW'(k)) r = cur_pend[k];
    end
    pendbase = r;
  endfunction

  // the collection store (u_coll, below): the collection named by the command (ca_*) and
  // by the ITE read (cb_*), entry w_ev_q for SAVE_TABLES
  logic        ca_hit, cb_hit;
  logic [3:0]  ca_idx;
  logic [8:0]  ca_tgt, cb_tgt, sv_ctgt;
  logic [15:0] sv_cicid;
  logic [NrIts*NColl*16-1:0] fl_cicid;
  logic [NrIts*NColl*9-1:0]  fl_ctgt;
  logic [NrIts*5-1:0]        fl_ncoll;
  // MSI claim: a bound instance of VM addr[63:48] whose frame holds addr[47:0]
  logic           claim;
  logic [IW-1:0]  claim_its;
  always_comb begin
    claim     = 1'b0;
    claim_its = '0;
    for (int i = NrIts - 1; i >= 0; i--) begin
      if (bound_q[i] && basev_q[i] && msi_addr_i[63:48] == {8'd0, ivm_q[i]} &&
          (msi_addr_i[47:16] == base_q[i][47:16] ||
           msi_addr_i[47:16] == base_q[i][47:16] + 32'd1)) begin
        claim     = 1'b1;
        claim_its = IW'(i);
      end
    end
  end
  assign msi_claim_o = claim;

  // ---------------------------------------------------------------- datapath helpers
  logic [63:0] iova_base;
  assign iova_base = {8'd0, cur_ivm, 48'd0};

  // bytes of the DMA beat and PENDBASERs the sequencer looks at
  logic [7:0]  cfg_l;
  logic [63:0] pb_t, pb_t2, pb_lw;
  assign cfg_l  = wk_rd[8*l_q[2:0] +: 8];     // configuration byte of l_q
  // the double word of l_q's configuration byte
  logic [63:0] cfg_addr;
  assign cfg_addr = iova_base |
                    (({16'd0, cur_prop[47:12], 12'd0} + {48'd0, l_q} - 64'd8192) & ~64'd7);
  assign pb_t   = pendbase(t_q);
  assign pb_t2  = pendbase(t2_q);
  assign pb_lw  = pendbase(lram_rdata[LTgt +: VcW]);

  // is lram word L (of VM vm_q) below the high-water mark (else it reads 0)
  logic [LW-1:0] lw_rd;
  assign lw_rd = (sc_di_q <= cur_lmax) ? lram_rdata : '0;

  // ---------------------------------------------------------------- LPI sweeps
  // (u_sweep) what a sweep does to the LPI sw_i_q: SSw2 (its word read) and SSw3 (after
  // the DMA read of its configuration byte or pending-table double word)
  logic                sw1_we, sw1_rescan, sw1_dma;
  logic [LW-1:0]       sw1_word, sw2_word;
  logic [63:0]         sw1_daddr, sw2_wdata;
  ioe_its_sweep #(
    .VcW  (VcW),
    .RefW (RefW)
  ) u_sweep (
    .k_i         (sw_kind_q),
    .retarget_i  (lret_q == SWIte && !w_free_q),
    .t_i         (t_q),
    .t2_i        (t2_q),
    .tgt_i       (w_tgt_q),
    .ptz_t2_i    (pb_t2[62]),
    .ivm_i       (cur_ivm),
    .prop_i      (cur_prop[47:12]),
    .pend_i      (pb_lw[47:16]),
    .vm_i        (8'(vm_q)),
    .intid_i     (sw_i_q),
    .s1_word_i   (lw_rd),
    .s1_we_o     (sw1_we),
    .s1_word_o   (sw1_word),
    .s1_rescan_o (sw1_rescan),
    .s1_dma_o    (sw1_dma),
    .s1_daddr_o  (sw1_daddr),
    .s2_word_i   (lw_q),
    .s2_data_i   (wk_rd),
    .s2_word_o   (sw2_word),
    .s2_wdata_o  (sw2_wdata)
  );

  // the table walker (ioe_its_walk): one access at a time, asked for with wk_go and the
  // entry (wk_kind), answered by wk_done with the double word wk_rd and the DMA error wk_err.
  // The lookup of dev_q (wk_lk_fail: out of range) and the walks over every DTE slot
  // w_dev_q (sl_end: past the last slot; a two-level table's level-1 entries are read
  // inside the walker, a page without one is skipped: wk_skip, sl_pmask) go through it.
  logic        wk_go, wk_clr, wk_we, wk_done, wk_skip, wk_l1, wk_err, wk_lk_fail, sl_end, wk_idle;
  logic [2:0]  wk_kind;
  logic [7:0]  wk_strb;
  logic [31:0] wk_ev, sl_pmask, w_dev_nx;
  logic [63:0] wk_wd, wk_addr, wk_rd, wk_aq, wk_dte_addr;
  logic        wk_dma_valid;
  ioe_pkg::dma_req_t wk_dma_req;
  ioe_its_walk #(
    .DevBits(DevBits)
  ) u_walk (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .ivm_i          (cur_ivm),
    .baser0_i       (cur_b0),
    .baser1_i       (cur_b1),
    .go_i           (wk_go),
    .kind_i         (wk_kind),
    .we_i           (wk_we),
    .wd_i           (wk_wd),
    .strb_i         (wk_strb),
    .dev_i          (dev_q),
    .slot_i         (w_dev_q),
    .slot_nx_i      (w_dev_nx),
    .flush_i        ((state_q == SIdle) | (state_q == SQEnd)),
    .dte_i          (dte_q),
    .ev_i           (wk_ev),
    .addr_i         (wk_addr),
    .clr_i          (wk_clr),
    .idle_o         (wk_idle),
    .done_o         (wk_done),
    .skip_o         (wk_skip),
    .l1_o           (wk_l1),
    .rdata_o        (wk_rd),
    .err_o          (wk_err),
    .addr_o         (wk_aq),
    .dte_addr_o     (wk_dte_addr),
    .lk_fail_o      (wk_lk_fail),
    .slot_end_o     (sl_end),
    .slot_pmask_o   (sl_pmask),
    .dma_req_valid_o(wk_dma_valid),
    .dma_req_ready_i(dma_req_ready_i),
    .dma_req_o      (wk_dma_req),
    .dma_rsp_valid_i(dma_rsp_valid_i),
    .dma_rsp_i      (dma_rsp_i)
  );

  // SAVE_TABLES and RESTORE_TABLES (ioe_its_tables): started by SExec (tb_start), it owns
  // the walker, the walk cursor and the collection writes in STab (tb_drive), calls the
  // LPI creation (tb_lpi) and the free walker (tb_free) and ends with tb_done
  logic        tb_start, tb_drive, tb_done, tb_err_we, tb_lpi, tb_free, tb_free_all;
  logic [7:0]  tb_err;
  logic        tb_w2_we, tb_cnt_inc, tb_cnt_max, tb_cnt_clr, tb_ncoll_we, tb_coll_we;
  logic [63:0] tb_w2_wd, tb_dte, tb_ite, tb_wk_wd, tb_wk_addr;
  logic [4:0]  tb_cnt_size, tb_ncoll_wd;
  logic [15:0] tb_coll_icid;
  logic [8:0]  tb_coll_tgt;
  logic [31:0] tb_w_dev, tb_w_ev, tb_w_evn, tb_wk_ev;
  logic [DevBits:0] tb_w_left;
  logic        tb_wk_go, tb_wk_we, tb_dwr_clr;
  logic [2:0]  tb_wk_kind;
  assign tb_start = (state_q == SExec) && (code_q == 4'd8 || code_q == 4'd9);
  assign tb_drive = tb_start | (state_q == STab);
  ioe_its_tables #(
    .DevBits(DevBits),
    .LpiBits(LpiBits)
  ) u_tables (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .start_i      (tb_start),
    .restore_i    (code_q[0]),
    .active_i     (state_q == STab),
    .lpi_fail_i   (rs_fail_q),
    .done_o       (tb_done),
    .err_we_o     (tb_err_we),
    .err_o        (tb_err),
    .lpi_go_o     (tb_lpi),
    .free_go_o    (tb_free),
    .free_all_o   (tb_free_all),
    .b0v_i        (cur_b0[63]),
    .b1v_i        (cur_b1[63]),
    .b1_i         (cur_b1[9:0]),
    .nd_i         (cur_nd),
    .dmax_i       (cur_dmax),
    .imax_i       (cur_imax),
    .nvc_i        (cur_nvc),
    .ncoll_i      (cur_ncoll),
    .ent_icid_i   (sv_cicid),
    .ent_tgt_i    (sv_ctgt),
    .ca_hit_i     (ca_hit),
    .cb_hit_i     (cb_hit),
    .c_w2_i       (c_w2),
    .c_rd1_i      (c_rd1),
    .c_icid_i     (c_icid),
    .w2_we_o      (tb_w2_we),
    .w2_wd_o      (tb_w2_wd),
    .cnt_inc_o    (tb_cnt_inc),
    .cnt_size_o   (tb_cnt_size),
    .cnt_max_o    (tb_cnt_max),
    .cnt_clr_o    (tb_cnt_clr),
    .ncoll_we_o   (tb_ncoll_we),
    .ncoll_wd_o   (tb_ncoll_wd),
    .coll_we_o    (tb_coll_we),
    .coll_icid_o  (tb_coll_icid),
    .coll_tgt_o   (tb_coll_tgt),
    .w_dev_i      (w_dev_q),
    .w_ev_i       (w_ev_q),
    .w_evn_i      (w_evn_q),
    .w_left_i     (w_left_q),
    .dte_i        (dte_q),
    .ite_i        (ite_q),
    .w_dev_o      (tb_w_dev),
    .w_ev_o       (tb_w_ev),
    .w_evn_o      (tb_w_evn),
    .w_left_o     (tb_w_left),
    .dte_o        (tb_dte),
    .ite_o        (tb_ite),
    .wk_go_o      (tb_wk_go),
    .wk_kind_o    (tb_wk_kind),
    .wk_we_o      (tb_wk_we),
    .wk_wd_o      (tb_wk_wd),
    .wk_ev_o      (tb_wk_ev),
    .wk_addr_o    (tb_wk_addr),
    .wk_done_i    (wk_done),
    .wk_skip_i    (wk_skip),
    .wk_l1_i      (wk_l1),
    .wk_rd_i      (wk_rd),
    .wk_err_i     (wk_err),
    .wk_dte_addr_i(wk_dte_addr),
    .sl_end_i     (sl_end),
    .sl_pmask_i   (sl_pmask),
    .dwr_i        (dwr_q),
    .dwr_clr_o    (tb_dwr_clr)
  );

  // frame register read
  logic [63:0] fr_val;
  logic        fr_undef, fr_is64reg;
  logic [15:0] fr_off;
  logic        is64;
  assign is64  = (code_q == OpRead64) | (code_q == OpWrite64);
  assign fr_off = {off_q[15:3], 3'b000};
  always_comb begin
    fr_val     = '0;
    fr_undef   = 1'b0;
    fr_is64reg = 1'b0;
    if (off_q == 16'h0000) begin
      fr_val = {32'd0, 1'b1, 30'd0, en_q[ci_q]};
    end else if (off_q == 16'h0004) begin
      fr_val = 64'h4B00043B;
    end else if (fr_off == 16'h0008) begin
      fr_is64reg = 1'b1;
      fr_val = {46'd0, 5'(DevBits - 1), 5'(LpiBits - 1), 4'd7, 3'd0, 1'b1};
    end else if (fr_off == 16'h0080) begin
      fr_is64reg = 1'b1;
      fr_val     = cur_cbaser;
    end else if (fr_off == 16'h0088) begin
      fr_is64reg = 1'b1;
      fr_val     = {44'd0, cur_cwr, 5'd0};
    end else if (fr_off == 16'h0090) begin
      fr_is64reg = 1'b1;
      fr_val     = {44'd0, cur_crd, 5'd0};
    end else if (fr_off >= 16'h0100 && fr_off < 16'h0140) begin
      fr_is64reg = 1'b1;
      fr_val     = (fr_off == 16'h0100) ? cur_b0 : (fr_off == 16'h0108) ? cur_b1 : 64'd0;
    end else if (off_q >= 16'hFFD0 && off_q[1:0] == 2'b00) begin
      unique case (off_q)
        16'hFFD0: fr_val = 64'h40;
        16'hFFE0: fr_val = 64'h92;
        16'hFFE4: fr_val = 64'hB4;
        16'hFFE8: fr_val = 64'h3B;
        16'hFFF0: fr_val = 64'h0D;
        16'hFFF4: fr_val = 64'hF0;
        16'hFFF8: fr_val = 64'h05;
        16'hFFFC: fr_val = 64'hB1;
        default:  fr_val = 64'h0;
      endcase
    end else begin
      fr_undef = 1'b1;
    end
    if (is64 && (!fr_is64reg || off_q[2:0] != 3'b000)) fr_undef = 1'b1;
    if (!is64 && off_q[1:0] != 2'b00) fr_undef = 1'b1;
    if (offset_i[16]) fr_undef = 1'b1;  // the frame is 128 KiB; registers in its first 64 KiB
    if (!is64 && fr_is64reg && off_q[2]) fr_val = {32'd0, fr_val[63:32]};
    else if (!is64) fr_val = {32'd0, fr_val[31:0]};
  end
  // merged 64-bit write value of a 64-bit register (32-bit writes update one half)
  logic [63:0] fr_old, fr_new;
  always_comb begin
    fr_old = '0;
    if (fr_off == 16'h0080) fr_old = cur_cbaser;
    else if (fr_off == 16'h0088) fr_old = {44'd0, cur_cwr, 5'd0};
    else if (fr_off == 16'h0090) fr_old = {44'd0, cur_crd, 5'd0};
    else if (fr_off == 16'h0100) fr_old = cur_b0;
    else if (fr_off == 16'h0108) fr_old = cur_b1;
    fr_new = is64 ? wd_q : (off_q[2] ? {wd_q[31:0], fr_old[31:0]} : {fr_old[63:32], wd_q[31:0]});
  end

  // the command queue and the command held (u_cmdq, below)
  logic [31:0] qsize;
  logic        cq_pending, cq_last, cq_start, cq_beat, cq_w2_we;
  logic [63:0] cq_fetch_addr, cq_creadr_next, cq_w2_wd;
  logic [31:0] c_dev, c_ev, c_lpi, c_rd1, c_rd2;
  logic [4:0]  c_size;
  logic [43:0] c_itt;
  logic [15:0] c_icid;
  logic        c_v;
  logic [63:0] c_w2;
  logic        c_mapd, c_mapc, c_mapti, c_int, c_movi, c_discard, c_clear, c_inv, c_invall;
  logic        c_movall, c_inv_cache;

  // usable LPIs: 2^min(IDbits+1, LpiBits)
  logic [31:0] usable;
  always_comb begin
    if ({1'b0, cur_prop[4:0]} + 6'd1 < 6'(LpiBits)) usable = 32'd1 << ({27'd0, cur_prop[4:0]} + 32'd1);
    else usable = 32'd1 << LpiBits;
  end

  // ---------------------------------------------------------------- sequencer
  state_e      state_d, ret_d, lret_d, wret_d;
  logic        busy_d, done_d, undef_d, bad_d;
  logic [63:0] rdata_d;
  logic [IW-1:0] ci_d;
  logic [VmW-1:0] vm_d;
  logic [3:0]  code_d;
  logic        ua_d;
  logic [15:0] off_d;
  logic [63:0] wd_d;
  logic [1:0]  src_d;
  logic        dwr_d;
  logic [31:0] dev_d, ev_d;
  logic [63:0] dte_d, ite_d;
  logic        lk_fail_d, lk_dte_only_d;
  logic [7:0]  res_d;
  logic        rescan_d;
  logic        w_all_d, w_free_d;
  logic [15:0] w_icid_d;
  logic [VcW-1:0] w_tgt_d;
  logic [31:0] w_dev_d, w_ev_d, w_evn_d;
  logic [DevBits:0] w_left_d;
  logic [15:0] l_d;
  logic [LW-1:0] lw_d;
  logic [VcW-1:0] t_d, t2_d;
  logic        tmap_d;
  logic [2:0]  sw_kind_d;
  logic [15:0] sw_i_d;
  logic [15:0] sc_i_d;
  logic        sc_issue, sc_more, sc_skip;
  logic        lset_inc, miss_inc;
  // instance writes (instance ci_q)
  logic        i_bind_we, i_bind_v, i_base_we, i_en_we, i_en_wd, i_cb_we, i_cwr_we, i_crd_we;
  logic        i_b0_we, i_b1_we, i_ncoll_we, i_coll_we, i_coll_del, i_rst;
  logic [63:0] i_wd;
  logic [4:0]  i_ncoll_wd;
  logic [3:0]  i_coll_idx;
  logic [15:0] i_coll_icid;
  logic [8:0]  i_coll_tgt;
  // per-VM / per-vCPU writes
  logic        lmax_we;
  logic [15:0] lmax_wd;
  logic        best_clr_vm;
  logic [NV-1:0] chg_set;

  // lane index of (vm_q, t)
  function automatic int unsigned lidx(input logic [VmW-1:0] v, input logic [VcW-1:0] c);
    lidx = 32'(v) * NrVcpus + 32'(c);
  endfunction

  // the one candidate for a vCPU's best per cycle: word inc_w of INTID inc_l (inc_chk)
  logic [LW-1:0]  inc_w;
  logic [15:0]    inc_l;
  logic           inc_chk;


  always_comb begin
    state_d = state_q; ret_d = ret_q; lret_d = lret_q; wret_d = wret_q;
    busy_d = busy_q; done_d = done_q; undef_d = undef_q; bad_d = bad_q; rdata_d = rdata_q;
    ci_d = ci_q; vm_d = vm_q; code_d = code_q; ua_d = ua_q; off_d = off_q; wd_d = wd_q;
    src_d = src_q;
    dwr_d = dwr_q;
    wk_go = 1'b0; wk_kind = ioe_its_pkg::WkAddr; wk_we = 1'b0; wk_wd = '0; wk_strb = 8'hff;
    wk_ev = ev_q; wk_addr = '0; wk_clr = 1'b0;
    dev_d = dev_q; ev_d = ev_q; dte_d = dte_q; ite_d = ite_q; lk_fail_d = lk_fail_q;
    lk_dte_only_d = lk_dte_only_q; res_d = res_q;
    cq_start = 1'b0; cq_beat = 1'b0; cq_w2_we = 1'b0; cq_w2_wd = '0;
    rescan_d = rescan_q;
    w_all_d = w_all_q; w_free_d = w_free_q; w_icid_d = w_icid_q; w_tgt_d = w_tgt_q;
    w_dev_d = w_dev_q; w_ev_d = w_ev_q; w_evn_d = w_evn_q; w_left_d = w_left_q;
    cnt_inc = 1'b0; cnt_dec = 1'b0; cnt_clr = 1'b0; cnt_max = 1'b0; cnt_rs = 1'b0;
    cnt_size = '0;
    l_d = l_q; lw_d = lw_q; t_d = t_q; t2_d = t2_q; tmap_d = tmap_q;
    sw_kind_d = sw_kind_q; sw_i_d = sw_i_q; sc_i_d = sc_i_q; sc_issue = 1'b0;
    sw_blk_d = sw_blk_q; sw_wrap_d = sw_wrap_q; occ_clr = 1'b0; sc_more = 1'b0; sc_skip = 1'b0;
    rs_d = rs_q; rs_fail_d = rs_fail_q;
    cache_inv = 1'b0;
    lset_inc = 1'b0; miss_inc = 1'b0;
    i_bind_we = 1'b0; i_bind_v = 1'b0; i_base_we = 1'b0; i_en_we = 1'b0; i_en_wd = 1'b0;
    i_cb_we = 1'b0; i_cwr_we = 1'b0; i_crd_we = 1'b0; i_b0_we = 1'b0; i_b1_we = 1'b0;
    i_ncoll_we = 1'b0; i_coll_we = 1'b0; i_coll_del = 1'b0; i_rst = 1'b0;
    i_wd = '0; i_ncoll_wd = '0; i_coll_idx = '0; i_coll_icid = '0; i_coll_tgt = '0;
    lmax_we = 1'b0; lmax_wd = '0;
    best_clr_vm = 1'b0;
    chg_set = '0;
    inc_w    = lw_q;
    inc_l    = l_q;
    inc_chk  = 1'b0;
    lram_we = 1'b0; lram_waddr = {vm_q, l_q[LpiBits-1:0]}; lram_wdata = lw_q;
    lram_raddr = {vm_q, l_q[LpiBits-1:0]};

    unique case (state_q)
      // ------------------------------------------------------------ dispatch
      SIdle: begin
        rescan_d     = 1'b0;
        // every operation waits until no MSI is in flight in the fast path
        if (!fp_idle) begin
          state_d = SIdle;
        end else if (gic_req_valid_i) begin
          src_d = 2'd3;
          vm_d  = gic_req_vm_i[VmW-1:0];
          t_d   = gic_req_vcpu_i[VcW-1:0];
          l_d   = gic_req_intid_i;
          if (gic_req_kind_i == 2'd0) begin
            // acknowledge: clear the pending bit, rescan the VM
            state_d = SDeref0;
            sw_kind_d = 3'd7;
          end else begin
            sw_kind_d = (gic_req_kind_i == 2'd1) ? 3'd3 : (gic_req_kind_i == 2'd2) ? 3'd4 : 3'd5;
            t2_d      = gic_req_vcpu_i[VcW-1:0];
            sw_i_d    = 16'd8192;
            sw_wrap_d = 1'b0;
            state_d   = SSw0;
          end
        end else if (op_go) begin
          src_d   = 2'd0;
          code_d  = op_i[3:0];
          ci_d    = IW'(target_i[7:0]);
          vm_d    = VmW'(target_i[15:8]);
          ua_d    = target_i[16];
          off_d   = offset_i[15:0];
          wd_d    = {wdata_hi_i, wdata_lo_i};
          busy_d  = 1'b1;
          done_d  = 1'b0;
          undef_d = 1'b0;
          bad_d   = 1'b0;
          state_d = SExec;
          if (op_i[3:0] == OpLpiState || op_i[3:0] == OpSavePending) begin
            if (32'(target_i[15:8]) >= NrVms) begin
              bad_d = 1'b1;
              rdata_d = '0;
              state_d = SIdle;
              busy_d = 1'b0;
            end
          end else if (32'(target_i[7:0]) >= NrIts || op_i[3:0] == 4'd0 || op_i[3:0] > OpTranslate ||
                       (op_i[3:0] != OpBind && !bound_q[IW'(target_i[7:0])]) ||
                       (op_i[3:0] == OpBind && wdata_lo_i[0] && 32'(target_i[15:8]) >= NrVms)) begin
            bad_d   = 1'b1;
            rdata_d = '0;  // as the C model: RDATA reads 0 after BADTARGET
            state_d = SIdle;
            busy_d  = 1'b0;
          end else if (op_i[3:0] != OpBind || bound_q[IW'(target_i[7:0])]) begin
            vm_d = VmW'(ivm_q[IW'(target_i[7:0])]);
          end
        end
      end

      // ------------------------------------------------------------ access port
      SExec: begin
        rdata_d = '0;
        state_d = SFinish;
        unique case (code_q)
          OpRead32, OpRead64: begin
            if (fr_undef) undef_d = 1'b1;
            else rdata_d = fr_val;
          end
          OpWrite32, OpWrite64: begin
            if (fr_undef) begin
              undef_d = 1'b1;
            end else if (off_q == 16'h0000) begin
              if (!en_q[ci_q] && wd_q[0] && (!cur_b0[63] || !cur_b1[63] || !cur_cbaser[63])) begin
                // ignored
              end else begin
                i_en_we = 1'b1;
                i_en_wd = wd_q[0];
                if (wd_q[0]) state_d = SQNext;
              end
            end else if (off_q == 16'h0004) begin
              if (ua_q && wd_q[15:12] >= 4'd1) rdata_d = 64'd22;
            end else if (fr_off == 16'h0080) begin
              if (!en_q[ci_q]) begin
                i_cb_we = 1'b1;
                i_wd    = sanitise(fr_new) & ~(64'h1 << 62) & ~(64'h7 << 56) & ~(64'h1 << 52) &
                          ~(64'hf << 12) & ~(64'h3 << 8);
              end
            end else if (fr_off == 16'h0088) begin
              if ((fr_new & 64'hFFFE0) < {32'd0, qsize}) begin
                i_cwr_we = 1'b1;
                i_wd     = fr_new;
                if (en_q[ci_q]) state_d = SQNext;
              end
            end else if (fr_off == 16'h0090) begin
              if (ua_q) begin
                if (en_q[ci_q]) rdata_d = 64'd16;
                else if ((fr_new & 64'hFFFE0) >= {32'd0, qsize}) rdata_d = 64'd22;
                else begin
                  i_crd_we = 1'b1;
                  i_wd     = fr_new;
                end
              end
            end else if (fr_off == 16'h0100 || fr_off == 16'h0108) begin
              if (!en_q[ci_q]) begin
                i_wd = sanitise(fr_new);
                i_wd[52:48] = 5'd7;
                i_wd[58:56] = (fr_off == 16'h0100) ? 3'd1 : 3'd4;
                if (i_wd[9:8] == 2'd3) i_wd[9:8] = 2'd2;
                if (fr_off == 16'h0108) i_wd[62] = 1'b0;
                if (fr_off == 16'h0100) begin
                  if (!i_wd[63] && cur_b0[63]) begin
                    // free every device with the old table, then store
                    w_all_d  = 1'b1;
                    w_free_d = 1'b1;
                    w_dev_d  = '0;
                    w_left_d = cur_nd;
                    wret_d   = SMapdW;  // store BASER0 after the walk (SMapdW with src 0)
                    state_d  = SWDev;
                  end else begin
                    i_b0_we = 1'b1;
                  end
                end else begin
                  i_b1_we = 1'b1;
                  if (!i_wd[63]) begin
                    i_ncoll_we = 1'b1;
                    i_ncoll_wd = '0;
                  end
                end
              end
            end
          end
          OpBind, OpReset: begin
            // free every device (old tables) and collection, then set the state
            if (bound_q[ci_q] && cur_b0[63]) begin
              w_all_d  = 1'b1;
              w_free_d = 1'b1;
              w_dev_d  = '0;
              w_left_d = cur_nd;
              wret_d   = SMapdW;
              state_d  = SWDev;
            end else begin
              state_d = SMapdW;
            end
          end
          OpSetBase: begin
            i_base_we = 1'b1;
          end
          OpInject, OpTranslate: begin
            dev_d  = wd_q[31:0];
            ev_d   = wd_q[63:32];
            lk_dte_only_d = 1'b0;
            lret_d = STrDone;
            state_d = SLk0;
          end
          OpLpiState: begin
            l_d = off_q;
            if (32'(offset_i) < 32'd8192 || 32'(offset_i) > LpiMax) begin
              undef_d = 1'b1;
            end else begin
              state_d = SCmdL0;
              lret_d  = SCmdL1;
            end
          end
          OpSavePending: begin
            sw_kind_d = 3'd6;
            sw_i_d    = 16'd8192;
            sw_wrap_d = 1'b0;
            state_d   = SSw0;
          end
          default: state_d = STab;  // SAVE_TABLES, RESTORE_TABLES: u_tables (tb_start)
        endcase
      end

      // ------------------------------------------------------------ a table walker access
      // (u_walk); a walk's level-2 page without a level-1 entry is skipped
      SWalk: begin
        if (wk_skip) begin
          w_dev_d = (w_dev_q | sl_pmask) + 32'd1;
          state_d = SWDev;
        end else if (wk_done) begin
          state_d = ret_q;
        end
      end

      // ------------------------------------------------------------ lookup of (dev_q, ev_q)
      SLk0: begin
        // the DTE (for a two-level table the level-1 entry first: wk_err when it is invalid)
        lk_fail_d = wk_lk_fail;
        if (wk_lk_fail) begin
          state_d = lret_q;
        end else begin
          wk_go = 1'b1; wk_kind = ioe_its_pkg::WkDev; state_d = SWalk; ret_d = SLkDte;
        end
      end
      SLkDte: begin
        dte_d = wk_err ? 64'd0 : wk_rd;
        if (wk_err) begin
          lk_fail_d = 1'b1;
          state_d   = lret_q;
        end else if (lk_dte_only_q) begin
          state_d = lret_q;
        end else if (!wk_rd[63] || ev_q >= (32'd1 << ({27'd0, wk_rd[4:0]} + 32'd1)) ||
                     wk_rd[4:0] > 5'd30) begin
          lk_fail_d = 1'b1;
          state_d   = lret_q;
        end else begin
          wk_go = 1'b1; wk_kind = ioe_its_pkg::WkIteRd; state_d = SWalk; ret_d = SLkIte;
        end
      end
      SLkIte: begin
        ite_d = wk_err ? 64'd0 : wk_rd;
        lk_fail_d = wk_err;
        state_d = lret_q;
      end

      // ------------------------------------------------------------ translation result
      STrDone: begin
        if (src_q == 2'd0 && code_q == OpTranslate) begin
          if (lk_fail_q || ite_q[47:16] == 32'd0) rdata_d = 64'd0;
          else rdata_d = {8'd0, cb_hit ? cb_tgt[7:0] | {8{cb_tgt[8]}} : 8'hff,
                          ite_q[15:0], ite_q[47:16]};
          state_d = SFinish;
        end else if (!en_q[ci_q]) begin
          res_d = 8'd16;
          state_d = STrSet1;
        end else if (lk_fail_q || ite_q[47:16] < 32'd8192 || 32'(ite_q[47:16]) > LpiMax ||
                     !cb_hit || cb_tgt[8] || cb_tgt[7:0] >= cur_nvc) begin
          res_d = 8'd0;
          state_d = STrSet1;
        end else if (!gic_enlpis_i[lidx(vm_q, cb_tgt[VcW-1:0])]) begin
          res_d = 8'd16;
          state_d = STrSet1;
        end else begin
          res_d   = 8'd1;
          l_d     = ite_q[31:16];
          sc_i_d  = ite_q[31:16];
          state_d = STrSet0;
        end
      end
      STrSet0: begin
        // the LPI word (address l_q) is on the RAM output next cycle
        state_d  = STrSet1;
        lret_d   = SIdle;
      end
      STrSet1: begin
        if (res_q == 8'd1 && lret_q == SIdle &&
            (l_q > cur_lmax || lw_rd[LRefs +: RefW] == '0)) begin
          // the ITE names an LPI that does not exist: blocked (evaluated again next cycle)
          res_d  = 8'd0;
          lret_d = STrDone;
        end else begin
          if (res_q == 8'd1 && lret_q == SIdle) begin
            lw_d        = lw_rd;
            lw_d[LPend] = 1'b1;
            lram_we     = 1'b1;
            lram_wdata  = lw_d;
            inc_w       = lw_d;
            inc_chk = 1'b1;
            lset_inc = 1'b1;
            miss_inc = 1'b1;  // INJECT / INT: translations by a table walk
          end
          if (src_q == 2'd0) rdata_d = {(res_q == 8'd0) ? 32'h010307 : 32'd0, 24'd0, res_q};
          lret_d  = STrDone;
          state_d = (src_q == 2'd2) ? SQEnd : SFinish;
        end
      end

      // ------------------------------------------------------------ command queue
      SQNext: begin
        if (cq_pending) begin
          cq_start = 1'b1;
          wk_go   = 1'b1;
          wk_addr = cq_fetch_addr;
          state_d = SWalk;
          ret_d   = SQFetch;
          src_d   = 2'd2;
        end else begin
          src_d   = 2'd0;
          state_d = SFinish;
        end
      end
      SQFetch: begin
        cq_beat = 1'b1;  // a DMA error skips the command (opcode 0)
        if (cq_last || wk_err) begin
          state_d = wk_err ? SQEnd : SQExec;
        end else begin
          wk_go   = 1'b1;
          wk_addr = wk_aq + 64'd8;
          state_d = SWalk;
          ret_d   = SQFetch;
        end
      end
      SQExec: begin
        state_d = SQEnd;
        dev_d   = c_dev;
        ev_d    = c_ev;
        if (c_mapd) begin
          lk_dte_only_d = 1'b1;
          lret_d  = SMapd1;
          state_d = SLk0;
        end else if (c_mapc) begin
          if (c_rd1 >= {24'd0, cur_nvc}) state_d = SQEnd;
          else state_d = SMapc1;
        end else if (c_mapti || c_movi || c_discard || c_clear || c_inv || c_int) begin
          lk_dte_only_d = 1'b0;
          lret_d  = c_mapti ? SMapti1 : c_int ? STrDone : SMovi1;
          state_d = SLk0;
        end else if (c_invall) begin
          if (ca_hit && !ca_tgt[8]) begin
            sw_kind_d = 3'd1;
            t2_d      = ca_tgt[VcW-1:0];
            sw_i_d    = 16'd8192;
            sw_wrap_d = 1'b0;
            state_d   = SSw0;
          end
        end else if (c_movall) begin
          if (c_rd1 < {24'd0, cur_nvc} && c_rd2 < {24'd0, cur_nvc} && c_rd1 != c_rd2) begin
            sw_kind_d = 3'd2;
            t2_d      = c_rd1[VcW-1:0];
            t_d       = c_rd2[VcW-1:0];
            sw_i_d    = 16'd8192;
            sw_wrap_d = 1'b0;
            rescan_d  = 1'b1;
            state_d   = SSw0;
          end
        end
      end
      SQEnd: begin
        i_crd_we = 1'b1;
        i_wd     = cq_creadr_next;
        state_d  = SQNext;
      end

      // MAPD after the DTE lookup (lk_fail_q: out of range)
      SMapd1: begin
        if (lk_fail_q || (c_v && (c_size > 5'd15 || 32'(c_size) + 32'd1 > EventBits))) begin
          state_d = SQEnd;
        end else if (dte_q[63]) begin
          // free the device, then SMapdW writes the new DTE
          w_all_d  = 1'b0;
          w_free_d = 1'b1;
          w_dev_d  = dev_q;
          wret_d   = SMapdW;
          state_d  = SWDte;
        end else begin
          state_d = SMapdW;
        end
      end
      SMapdW: begin
        if (src_q == 2'd2) begin
          if (c_v) begin
            cnt_inc  = 1'b1;
            cnt_size = c_size;
            wk_go    = 1'b1;
            wk_kind  = ioe_its_pkg::WkDte;
            wk_we    = 1'b1;
            wk_wd    = {1'b1, 14'd0, c_itt, c_size};
            state_d  = SWalk;
            ret_d    = SQEnd;
          end else begin
            state_d = SQEnd;
          end
        end else if (code_q == OpBind || code_q == OpReset) begin
          i_rst = 1'b1;
          if (code_q == OpBind) begin
            cnt_clr   = 1'b1;
            i_bind_we = 1'b1;
            i_bind_v  = wd_q[0];
          end
          state_d = SFinish;
        end else begin
          // BASER0 write with Valid 0 after the free walk
          i_wd = sanitise(fr_new);
          i_wd[52:48] = 5'd7;
          i_wd[58:56] = 3'd1;
          if (i_wd[9:8] == 2'd3) i_wd[9:8] = 2'd2;
          i_b0_we = 1'b1;
          state_d = SFinish;
        end
      end

      SMapc1: begin
        state_d = SQEnd;
        if (!c_v) begin
          if (ca_hit) begin
            i_coll_del = 1'b1;
            i_coll_idx = ca_idx;
          end
        end else if (ca_hit) begin
          i_coll_we   = 1'b1;
          i_coll_idx  = ca_idx;
          i_coll_icid = c_icid;
          i_coll_tgt  = {1'b0, 8'(c_rd1)};
          begin
            // every LPI mapped by an ITE of this collection follows (even to the same
            // vCPU: MOVALL may have moved them away, as in the C model)
            w_all_d  = 1'b1;
            w_free_d = 1'b0;
            w_icid_d = c_icid;
            w_tgt_d  = c_rd1[VcW-1:0];
            w_dev_d  = '0;
            w_left_d = cur_nd;
            wret_d   = SQEnd;
            rescan_d = 1'b1;
            state_d  = cur_b0[63] ? SWDev : SQEnd;
          end
        end else if ({16'd0, c_icid} < capacity(cur_b1[9:0]) && cur_b1[63] && cur_ncoll < 5'd16) begin
          i_coll_we   = 1'b1;
          i_coll_idx  = cur_ncoll[3:0];
          i_coll_icid = c_icid;
          i_coll_tgt  = {1'b0, 8'(c_rd1)};
          i_ncoll_we  = 1'b1;
          i_ncoll_wd  = cur_ncoll + 5'd1;
        end
      end

      // MAPTI / MAPI after the lookup
      SMapti1: begin
        l_d = c_lpi[15:0];
        if (lk_fail_q || c_lpi < 32'd8192 || c_lpi >= usable || ite_q[47:16] != 32'd0) begin
          state_d = SQEnd;
        end else if (!ca_hit && ({16'd0, c_icid} >= capacity(cur_b1[9:0]) || !cur_b1[63] ||
                                   cur_ncoll == 5'd16)) begin
          state_d = SQEnd;
        end else begin
          tmap_d  = ca_hit & ~ca_tgt[8];
          t_d     = ca_tgt[VcW-1:0];
          sc_i_d  = c_lpi[15:0];
          state_d = SMapti2;
        end
      end
      SMapti2: state_d = SMapti3;  // LPI word on the RAM output (read address l_q)
      SMapti3: begin
        lw_d = lw_rd;
        if (lw_rd[LRefs +: RefW] == '1) begin
          // 255 references: the MAPTI fails (nothing created), RESTORE_TABLES gives ENOSPC
          if (rs_q) begin
            rdata_d   = 64'd28;
            rs_d      = 1'b0;
            rs_fail_d = 1'b1;
            state_d   = STab;
          end else begin
            state_d = SQEnd;
          end
        end else if (lw_rd[LRefs +: RefW] != '0) begin
          // reference: state kept, target follows the new ITE's collection if mapped
          lw_d[LRefs +: RefW] = lw_rd[LRefs +: RefW] + RefW'(1);
          if (tmap_q) begin
            lw_d[LTgt +: VcW] = t_q;
            if (lw_rd[LTgt +: VcW] != t_q) rescan_d = 1'b1;
          end
          state_d = SMapti6;
        end else begin
          // creation: configuration byte
          wk_go   = 1'b1;
          wk_addr = cfg_addr;
          state_d = SWalk;
          ret_d   = SMapti4;
        end
      end
      SMapti4: begin
        if (wk_err && rs_q) begin
          rdata_d   = 64'd14;
          rs_d      = 1'b0;
          rs_fail_d = 1'b1;
          state_d   = STab;
        end else if (wk_err) begin
          // the LPI cannot be created: the MAPTI creates nothing (no collection either)
          state_d = SQEnd;
        end else begin
          lw_d = '0;
          lw_d[LRefs +: RefW] = RefW'(1);
          lw_d[LTgt +: VcW]   = t_q;
          lw_d[LPrio +: 5]    = cfg_l[7:3];
          lw_d[LEn]           = cfg_l[0];
          if (tmap_q) begin
            wk_go   = 1'b1;
            wk_addr = iova_base | (({16'd0, pb_t[47:16], 16'd0} + {51'd0, l_q[15:3]}) & ~64'd7);
            state_d = SWalk;
            ret_d   = SMapti5;
          end else begin
            state_d = SMapti6;
          end
        end
      end
      SMapti5: begin
        if (!wk_err && wk_rd[l_q[5:0]]) begin
          lw_d[LPend] = 1'b1;
          wk_go    = 1'b1;  // clear the pending bit in the same double word
          wk_kind  = ioe_its_pkg::WkAgain;
          wk_we    = 1'b1;
          wk_wd    = wk_rd & ~(64'd1 << {l_q[5:0]});
          wk_strb  = 8'd1 << l_q[5:3];
          state_d  = SWalk;
          ret_d    = SMapti6;
        end else begin
          state_d = SMapti6;
        end
      end
      SMapti6: begin
        // zero the words between the high-water mark and l_q first
        if (l_q > cur_lmax && (cur_lmax < 16'd8191 || cur_lmax + 16'd1 < l_q)) begin
          sw_i_d  = (cur_lmax < 16'd8191) ? 16'd8192 : cur_lmax + 16'd1;
          state_d = SZero;
        end else begin
          // the LPI word (both paths); RESTORE_TABLES writes nothing else
          lram_we = 1'b1;
          if (l_q > cur_lmax) begin
            lmax_we = 1'b1;
            lmax_wd = l_q;
          end
          inc_w = lw_q;
          inc_chk = 1'b1;
          if (rs_q) begin
            rs_d    = 1'b0;
            state_d = STab;
          end else begin
            if (!ca_hit) begin
              i_coll_we   = 1'b1;
              i_coll_idx  = cur_ncoll[3:0];
              i_coll_icid = c_icid;
              i_coll_tgt  = 9'h100;
              i_ncoll_we  = 1'b1;
              i_ncoll_wd  = cur_ncoll + 5'd1;
            end
            wk_go    = 1'b1;  // the ITE of the lookup: EventID ev_q of the DTE dte_q
            wk_kind  = ioe_its_pkg::WkIte;
            wk_we    = 1'b1;
            wk_wd    = {16'd0, 16'd0, l_q, c_icid};
            state_d  = SWalk;
            ret_d    = SQEnd;
          end
        end
      end
      SZero: begin
        lram_we    = 1'b1;
        lram_waddr = {vm_q, sw_i_q[LpiBits-1:0]};
        lram_wdata = '0;
        sw_i_d     = sw_i_q + 16'd1;
        if (sw_i_q + 16'd1 >= l_q) begin
          lmax_we = 1'b1;
          lmax_wd = sw_i_q;
          state_d = SMapti6;
        end
      end

      // MOVI, DISCARD, CLEAR, INV after the lookup
      SMovi1: begin
        l_d      = ite_q[31:16];
        sc_i_d   = ite_q[31:16];
        if (lk_fail_q || ite_q[47:16] == 32'd0) begin
          state_d = SQEnd;
        end else if (c_discard) begin
          if (cb_hit && !cb_tgt[8]) begin
            wk_go     = 1'b1;  // zero the ITE
            wk_kind   = ioe_its_pkg::WkIte;
            wk_we     = 1'b1;
            state_d   = SWalk;
            ret_d     = SDeref0;
            lret_d    = SQEnd;
            sw_kind_d = 3'd0;
          end else begin
            state_d = SQEnd;
          end
        end else if (c_movi) begin  // old and new collection mapped
          if (ca_hit && !ca_tgt[8] && cb_hit && !cb_tgt[8]) begin
            state_d  = SCmdL0;
            lret_d   = SCmdL1;
          end else begin
            state_d  = SQEnd;
          end
        end else begin  // CLEAR, INV
          state_d = SCmdL0;
          lret_d  = SCmdL1;
        end
      end
      SCmdL0: begin
        sc_i_d  = l_q;
        state_d = SCmdInv1;
      end
      SCmdInv1: state_d = SCmdL1;  // word of l_q on the RAM output
      SCmdL1: begin
        lw_d = lw_rd;
        if (src_q == 2'd0) begin  // LPI_STATE
          rdata_d = {32'd0, 16'(lw_rd[LRefs +: RefW]), 8'(lw_rd[LTgt +: VcW]),
                     lw_rd[LPrio +: 5], 1'b0, lw_rd[LPend], lw_rd[LEn]};
          state_d = SFinish;
        end else if (c_movi) begin
          if (!ca_hit || ca_tgt[8]) begin
            state_d = SQEnd;
          end else begin
            if (lw_rd[LRefs +: RefW] != '0 && l_q <= cur_lmax) begin
              lw_d[LTgt +: VcW] = ca_tgt[VcW-1:0];
              lram_we  = 1'b1;
              lram_wdata = lw_d;
              rescan_d = 1'b1;
            end
            wk_go    = 1'b1;
            wk_kind  = ioe_its_pkg::WkIte;
            wk_we    = 1'b1;
            wk_wd    = {ite_q[63:16], c_icid};
            state_d  = SWalk;
            ret_d    = SQEnd;
          end
        end else if (c_clear) begin
          if (l_q <= cur_lmax && lw_rd[LPend]) begin
            lw_d[LPend] = 1'b0;
            lram_we     = 1'b1;
            lram_wdata  = lw_d;
            rescan_d    = 1'b1;
          end
          state_d = SQEnd;
        end else begin  // INV: re-read the configuration byte
          if (l_q <= cur_lmax && lw_rd[LRefs +: RefW] != '0) begin
            wk_go   = 1'b1;
            wk_addr = cfg_addr;
            state_d = SWalk;
            ret_d   = SSw3;
            sw_kind_d = 3'd0;
            sw_i_d  = l_q;
          end else begin
            state_d = SQEnd;
          end
        end
      end

      // ------------------------------------------------------------ ITE walker
      // w_all_q: every device of the table (w_dev_q counts), else device w_dev_q only.
      // w_free_q: free each valid ITE (zero it, deref its LPI) and zero the DTE; else
      // retarget the LPIs of the ITEs whose ICID is w_icid_q to w_tgt_q.
      // SWDev: every DTE slot of the device table (flat or two-level), DeviceID w_dev_q
      // next. The walker reads a two-level table's level-1 entry first; a page without one
      // returns to SWDev (SWalk) at the next page.
      SWDev: begin
        // the bound: the nd-th device found, or past the highest DeviceID mapped
        if (sl_end || !cur_b0[63] || w_left_q == '0 || w_dev_q > 32'(cur_dmax)) begin
          state_d = wret_q;
        end else begin
          wk_go      = 1'b1;
          wk_kind    = ioe_its_pkg::WkSlot;
          state_d    = SWalk;
          ret_d      = SWIte;
          w_ev_d     = '0;
          w_evn_d    = 32'hffffffff;  // SWIte: "DTE just read"
        end
      end
      SWDte: begin
        // one device (MAPD): the DTE its lookup found
        wk_go   = 1'b1;
        wk_kind = ioe_its_pkg::WkDte;
        state_d = SWalk;
        ret_d   = SWIte;
        w_ev_d  = '0;
        w_evn_d = 32'hffffffff;  // marks "DTE just read"
      end
      SWIte: begin
        if (w_evn_q == 32'hffffffff) begin
          // DTE on ddata (a DMA error: no device)
          dte_d = wk_err ? 64'd0 : wk_rd;
          if (!wk_err && wk_rd[63]) w_left_d = w_left_q - 1'b1;  // a device found
          if (wk_err || !wk_rd[63] || wk_rd[4:0] > 5'd30) begin
            state_d = SWNextDev;
          end else begin
            w_evn_d = ioe_its_pkg::itt_len(wk_rd[4:0], cur_imax);
            wk_go   = 1'b1;
            wk_kind = ioe_its_pkg::WkIteRd;
            wk_ev   = '0;
            state_d = SWalk;
            ret_d   = SWIteAct;
          end
        end else begin
          // next ITE
          if (w_ev_q + 32'd1 >= w_evn_q) begin
            state_d = SWNextDev;
          end else begin
            w_ev_d  = w_ev_q + 32'd1;
            wk_go   = 1'b1;
            wk_kind = ioe_its_pkg::WkIte;
            wk_ev   = w_ev_q + 32'd1;
            state_d = SWalk;
            ret_d   = SWIteAct;
          end
        end
      end
      SWIteAct: begin
        ite_d = wk_rd;
        l_d   = wk_rd[31:16];
        if (wk_err || wk_rd[47:16] == 32'd0) begin
          state_d = SWIte;
        end else if (w_free_q) begin
          // zero the ITE, then deref its LPI
          wk_go    = 1'b1;
          wk_kind  = ioe_its_pkg::WkAgain;
          wk_we    = 1'b1;
          state_d  = SWalk;
          ret_d    = SDeref0;
          lret_d   = SWIte;
          sw_kind_d = 3'd0;
        end else if (wk_rd[15:0] == w_icid_q) begin
          sc_i_d    = wk_rd[31:16];
          sw_kind_d = 3'd0;
          state_d   = SSw1;  // retarget one LPI (SSw1/SSw2 with kind 0 and the walker)
          lret_d    = SWIte;
        end else begin
          state_d = SWIte;
        end
      end
      SWNextDev: begin
        if (w_free_q && dte_q[63]) begin
          // zero the DTE (also when the ITT was not readable)
          cnt_dec  = 1'b1;
          wk_go    = 1'b1;
          wk_kind  = ioe_its_pkg::WkDte;
          wk_we    = 1'b1;
          dte_d    = '0;
          state_d  = SWalk;
          ret_d    = SWNextDev;
        end else if (w_all_q) begin
          w_dev_d = w_dev_q + 32'd1;
          dte_d   = '0;
          wk_clr  = 1'b1;
          state_d = SWDev;
        end else begin
          state_d = wret_q;
        end
      end

      // ------------------------------------------------------------ LPI deref / ack
      SDeref0: begin
        sc_i_d  = l_q;
        state_d = SDeref1;
      end
      SDeref1: begin
        // sc_di_q == l_q: word on the RAM output next cycle; use one more cycle
        state_d = SSw2;
      end

      // ------------------------------------------------------------ LPI sweeps
      // kind 1 INVALL (target t2), 2 MOVALL (t2 -> t), 3 EnableLPIs on (t2), 4 off (t2),
      // 5 VM reset, 6 SAVE_PENDING, 0 single LPI l_q (deref / retarget / INV), 7 ack
      SSw0: begin
        if (sw_i_q > cur_lmax || cur_lmax < 16'd8192 || sw_wrap_q) begin
          sw_wrap_d = 1'b0;
          state_d = SScan;
          if (sw_kind_q == 3'd5) begin
            lmax_we = 1'b1;
            lmax_wd = 16'd0;
          end
          if (sw_kind_q == 3'd6) state_d = SFinish;
          if (sw_kind_q == 3'd1 || sw_kind_q == 3'd2 || sw_kind_q == 3'd3 || sw_kind_q == 3'd4 ||
              sw_kind_q == 3'd5) rescan_d = 1'b1;
          if (src_q == 2'd2) state_d = SQEnd;
        end else if (sw_i_q[5:0] == 6'd0 && !sw_blk_q) begin
          state_d = SSwB;  // the block's occupancy bit is read in this cycle
        end else begin
          sw_blk_d = 1'b0;
          sc_i_d  = sw_i_q;
          l_d     = sw_i_q;
          state_d = SSw1;
        end
      end
      SSwB: begin
        state_d = SSw0;
        if (occ_rdata) begin
          sw_blk_d = 1'b1;
          occ_clr  = sw_kind_q == 3'd5;  // the VM-reset sweep zeroes this block now
        end else begin
          {sw_wrap_d, sw_i_d} = {1'b0, sw_i_q} + 17'd64;
        end
      end
      SSw1: state_d = SSw2;  // read address sc_i_q -> word on the output next cycle
      SSw2: begin
        // the LPI's step (u_sweep): a word to write back, or a DMA read first
        lw_d = lw_rd;
        state_d = (sw_kind_q == 3'd0) ? lret_q : SSw0;
        lram_wdata = sw1_word;
        lram_we    = sw1_we;
        if (sw1_rescan) rescan_d = 1'b1;
        {sw_wrap_d, sw_i_d} = {1'b0, sw_i_q} + 17'd1;
        if (sw_kind_q == 3'd7) state_d = SScan;
        if (sw1_dma) begin
          wk_go   = 1'b1;
          wk_addr = sw1_daddr;
          state_d = SWalk;
          ret_d   = SSw3;
          sw_i_d  = sw_i_q;
        end
      end
      SSw3: begin
        // DMA result of a sweep step; lw_q holds the word of sw_i_q (== l_q)
        lram_wdata = lw_q;
        lram_waddr = {vm_q, sw_i_q[LpiBits-1:0]};
        {sw_wrap_d, sw_i_d} = {1'b0, sw_i_q} + 17'd1;
        state_d    = SSw0;
        rescan_d   = 1'b1;
        if (sw_kind_q == 3'd6) begin
          if (wk_err) begin
            rdata_d = 64'd14;
            state_d = SFinish;
          end else if (dwr_q) begin
            dwr_d = 1'b0;  // write done
          end else begin
            wk_go    = 1'b1;
            wk_kind  = ioe_its_pkg::WkAgain;
            wk_we    = 1'b1;
            wk_wd    = sw2_wdata;
            state_d  = SWalk;
            ret_d    = SSw3;
            sw_i_d   = sw_i_q;
          end
        end else if (!wk_err) begin
          lram_wdata = sw2_word;
          lram_we    = 1'b1;
        end
        if (src_q == 2'd2 && c_inv) state_d = SQEnd;  // INV: one LPI
      end

      // ------------------------------------------------------------ rescan of VM vm_q
      SScan: begin
        if (!rescan_q) begin
          state_d = (src_q == 2'd2) ? SQEnd : SFinish;
        end else begin
          best_clr_vm = 1'b1;
          sc_i_d      = 16'd8192;
          sw_wrap_d   = 1'b0;
          state_d     = SScanEnd;
        end
      end
      SScanEnd: begin
        // sc_i_q is being read; sc_di_q (previous) is on the output
        // the first INTID of an empty block: step over the block
        sc_more  = (sc_i_q <= cur_lmax) & (cur_lmax >= 16'd8192) & ~sw_wrap_q;
        sc_skip  = sc_more & (sc_i_q[5:0] == 6'd0) & ~occ_rdata;
        sc_issue = sc_more & ~sc_skip;
        if (sc_more) {sw_wrap_d, sc_i_d} = {1'b0, sc_i_q} + (sc_skip ? 17'd64 : 17'd1);
        if (sc_dv_q) begin
          inc_w    = lw_rd;
          inc_l    = sc_di_q;
          inc_chk = 1'b1;
        end
        if (!sc_more && !sc_dv_q) begin
          sw_wrap_d = 1'b0;
          for (int c = 0; c < NrVcpus; c++) chg_set[lidx(vm_q, VcW'(c))] = 1'b1;
          rescan_d = 1'b0;
          state_d  = (src_q == 2'd2) ? SQEnd : SFinish;
        end
      end

      // ------------------------------------------------------------ SAVE_TABLES / RESTORE_TABLES
      // u_tables runs (it drives the walker and the walk cursor, below) and calls the LPI
      // creation of MAPTI (SMapti2, back here) and the free walker (back here)
      STab: begin
        rs_fail_d = 1'b0;
        if (tb_done) begin
          state_d = SFinish;
        end else if (tb_lpi) begin
          l_d     = ite_q[31:16];
          sc_i_d  = ite_q[31:16];
          tmap_d  = ~cb_tgt[8];
          t_d     = cb_tgt[VcW-1:0];
          rs_d    = 1'b1;
          state_d = SMapti2;
        end else if (tb_free) begin
          // the ITEs of dte_q below w_evn_d and its DTE, or every valid device
          w_all_d  = tb_free_all;
          w_free_d = 1'b1;
          wret_d   = STab;
          state_d  = tb_free_all ? SWDev : SWIte;
        end
      end

      SFinish: begin
        if (rescan_q) begin
          state_d = SScan;
        end else begin
          state_d = SIdle;
          if (src_q == 2'd0) begin
            busy_d = 1'b0;
            done_d = 1'b1;
          end
        end
      end

      default: state_d = SIdle;
    endcase
    // u_tables' walker requests, walk cursor and writes, in STab and when it starts
    if (tb_drive) begin
      wk_go    = tb_wk_go;
      wk_kind  = tb_wk_kind;
      wk_we    = tb_wk_we;
      wk_wd    = tb_wk_wd;
      wk_ev    = tb_wk_ev;
      wk_addr  = tb_wk_addr;
      w_dev_d  = tb_w_dev;
      w_ev_d   = tb_w_ev;
      w_evn_d  = tb_w_evn;
      w_left_d = tb_w_left;
      dte_d    = tb_dte;
      ite_d    = tb_ite;
      if (tb_dwr_clr) dwr_d = 1'b0;
      if (tb_err_we) rdata_d = {56'd0, tb_err};
      cnt_inc  = tb_cnt_inc;
      cnt_rs   = tb_cnt_inc;
      cnt_size = tb_cnt_size;
      cnt_max  = tb_cnt_max;
      cnt_clr  = tb_cnt_clr;
      cq_w2_we = tb_w2_we;
      cq_w2_wd = tb_w2_wd;
      i_ncoll_we  = tb_ncoll_we;
      i_ncoll_wd  = tb_ncoll_wd;
      i_coll_we   = tb_coll_we;
      i_coll_idx  = cur_ncoll[3:0];
      i_coll_icid = tb_coll_icid;
      i_coll_tgt  = tb_coll_tgt;
    end
    if (wk_go) dwr_d = wk_we;
    lram_raddr = {vm_q, sc_i_q[LpiBits-1:0]};
    // Translation cache invalidation (docs/its.md): every event of the list clears the
    // whole cache (all instances), a superset of what the contract requires.
    cache_inv = ((state_q == SExec) &&
             (code_q == OpBind || code_q == OpReset || code_q == 4'd9 ||
              ((code_q == OpWrite32 || code_q == OpWrite64) &&
               (off_q == 16'h0000 || fr_off == 16'h0100 || fr_off == 16'h0108)))) ||
            ((state_q == SQExec) && c_inv_cache) ||
            ((state_q == SIdle) && fp_idle && gic_req_valid_i && gic_req_kind_i[1]);
  end

  // ---------------------------------------------------------------- command queue
  ioe_its_cmdq u_cmdq (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .en_i         (en_q[ci_q]),
    .ivm_i        (cur_ivm),
    .cbaser_i     (cur_cbaser),
    .cwriter_i    (cur_cwr),
    .creadr_i     (cur_crd),
    .qsize_o      (qsize),
    .pending_o    (cq_pending),
    .fetch_addr_o (cq_fetch_addr),
    .creadr_next_o(cq_creadr_next),
    .start_i      (cq_start),
    .beat_i       (cq_beat),
    .data_i       (wk_rd),
    .err_i        (wk_err),
    .last_o       (cq_last),
    .w2_we_i      (cq_w2_we),
    .w2_wd_i      (cq_w2_wd),
    .dev_o        (c_dev),
    .ev_o         (c_ev),
    .lpi_o        (c_lpi),
    .size_o       (c_size),
    .itt_o        (c_itt),
    .icid_o       (c_icid),
    .v_o          (c_v),
    .rd1_o        (c_rd1),
    .rd2_o        (c_rd2),
    .w2_o         (c_w2),
    .is_mapd_o    (c_mapd),
    .is_mapc_o    (c_mapc),
    .is_mapti_o   (c_mapti),
    .is_int_o     (c_int),
    .is_movi_o    (c_movi),
    .is_discard_o (c_discard),
    .is_clear_o   (c_clear),
    .is_inv_o     (c_inv),
    .is_invall_o  (c_invall),
    .is_movall_o  (c_movall),
    .inv_cache_o  (c_inv_cache)
  );

  // ---------------------------------------------------------------- LPI store
  logic [NrVms*16-1:0] fl_lmax;
  ioe_its_lpi #(
    .NrVms  (NrVms),
    .NrVcpus(NrVcpus),
    .LpiBits(LpiBits),
    .LW     (LW)
  ) u_lpi (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .vm_i          (vm_q),
    .we_i          (lram_we),
    .waddr_i       (lram_waddr),
    .wdata_i       (lram_wdata),
    .raddr_i       (lram_raddr),
    .fp_we_i       (fp_lram_we),
    .fp_waddr_i    (fp_lram_waddr),
    .fp_wdata_i    (fp_lram_wdata),
    .fp_rsel_i     (state_q == SIdle),
    .fp_raddr_i    (fp_lram_raddr),
    .rdata_o       (lram_rdata),
    .occ_clr_i     (occ_clr),
    .occ_clr_blk_i (sw_i_q[LpiBits-1:6]),
    .occ_rblk_i    (occ_rblk),
    .occ_rdata_o   (occ_rdata),
    .lmax_we_i     (lmax_we),
    .lmax_wd_i     (lmax_wd),
    .lmax_o        (cur_lmax),
    .lmax_all_o    (fl_lmax),
    .cand_i        (inc_chk),
    .cand_w_i      (inc_w),
    .cand_l_i      (inc_l),
    .cand_quiet_i  (state_q == SScanEnd),
    .clr_vm_i      (best_clr_vm),
    .chg_set_i     (chg_set),
    .fp_best_set_i (fp_best_set),
    .fp_best_vm_i  (fp_best_vm),
    .fp_best_lane_i(fp_best_lane),
    .fp_best_pr_i  (fp_best_pr),
    .fp_best_id_i  (fp_best_id),
    .best_o        (lpi_best_o),
    .chg_o         (lpi_chg_o)
  );

  // ---------------------------------------------------------------- collection store
  ioe_its_coll #(
    .NrIts(NrIts)
  ) u_coll (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .ci_i        (ci_q),
    .key_a_i     (c_icid),
    .find_a_hit_o(ca_hit),
    .find_a_idx_o(ca_idx),
    .find_a_tgt_o(ca_tgt),
    .key_b_i     (ite_q[15:0]),
    .find_b_hit_o(cb_hit),
    .find_b_tgt_o(cb_tgt),
    .ent_idx_i   (w_ev_q[3:0]),
    .ent_icid_o  (sv_cicid),
    .ent_tgt_o   (sv_ctgt),
    .ncoll_o     (cur_ncoll),
    .clr_i       (i_rst),
    .cnt_we_i    (i_ncoll_we),
    .cnt_wd_i    (i_ncoll_wd),
    .we_i        (i_coll_we),
    .del_i       (i_coll_del),
    .idx_i       (i_coll_idx),
    .icid_i      (i_coll_icid),
    .tgt_i       (i_coll_tgt),
    .all_icid_o  (fl_cicid),
    .all_tgt_o   (fl_ctgt),
    .all_ncoll_o (fl_ncoll)
  );

  // ---------------------------------------------------------------- MSI fast path
  // It takes MSIs only while the sequencer is idle and nothing waits for it; the
  // sequencer starts an operation only once the fast path is empty (op_pend_q keeps an
  // OP strobe until then).
  assign op_go   = op_qe_i | op_pend_q;
  assign fp_hold = (state_q != SIdle) | gic_req_valid_i | op_go;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) op_pend_q <= 1'b0;
    else op_pend_q <= op_go & ~((state_q == SIdle) & fp_idle & ~gic_req_valid_i);
  end

  logic [NrIts*8-1:0]  fl_ivm;
  logic [NrIts*64-1:0] fl_b0;
  for (genvar i = 0; i < NrIts; i++) begin : g_fl_its
    assign fl_ivm[i*8 +: 8]    = ivm_q[i];
    assign fl_b0[i*64 +: 64]   = baser0_q[i];
  end

  ioe_its_xlate #(
    .NrIts       (NrIts),
    .NrVms       (NrVms),
    .NrVcpus     (NrVcpus),
    .LpiBits     (LpiBits),
    .DevBits     (DevBits),
    .EventBits   (EventBits),
    .CacheEntries(CacheEntries),
    .LW          (LW)
  ) u_xlate (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .hold_i         (fp_hold),
    .idle_o         (fp_idle),
    .inv_i          (cache_inv),
    .msi_valid_i    (msi_valid_i),
    .msi_ready_o    (msi_ready_o),
    .claim_i        (claim),
    .claim_its_i    (claim_its),
    .msi_devid_i    (msi_devid_i),
    .msi_data_i     (msi_data_i),
    .en_i           (en_q),
    .ivm_i          (fl_ivm),
    .baser0_i       (fl_b0),
    .ncoll_i        (fl_ncoll),
    .cicid_i        (fl_cicid),
    .ctgt_i         (fl_ctgt),
    .nvc_i          (gic_nvc_i),
    .enlpis_i       (gic_enlpis_i),
    .lmax_i         (fl_lmax),
    .best_i         (lpi_best_o),
    .lram_we_o      (fp_lram_we),
    .lram_waddr_o   (fp_lram_waddr),
    .lram_wdata_o   (fp_lram_wdata),
    .lram_raddr_o   (fp_lram_raddr),
    .lram_rdata_i   (lram_rdata),
    .best_set_o     (fp_best_set),
    .best_vm_o      (fp_best_vm),
    .best_lane_o    (fp_best_lane),
    .best_pr_o      (fp_best_pr),
    .best_id_o      (fp_best_id),
    .in_inc_o       (fp_in),
    .hit_inc_o      (fp_hit),
    .miss_inc_o     (fp_miss),
    .drop_inc_o     (fp_drop),
    .set_inc_o      (fp_set),
    .dma_req_valid_o(fp_dma_valid),
    .dma_req_ready_i(dma_req_ready_i & ~wk_dma_valid),
    .dma_req_o      (fp_dma_req),
    .dma_rsp_valid_i(dma_rsp_valid_i),
    .dma_rsp_i      (dma_rsp_i)
  );

  // ---------------------------------------------------------------- flops
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SIdle; ret_q <= SIdle; lret_q <= SIdle; wret_q <= SIdle;
      busy_q <= 1'b0; done_q <= 1'b0; undef_q <= 1'b0; bad_q <= 1'b0; rdata_q <= '0;
      ci_q <= '0; vm_q <= '0; code_q <= '0; ua_q <= 1'b0; off_q <= '0; wd_q <= '0; src_q <= '0;
      dwr_q <= 1'b0;
      dev_q <= '0; ev_q <= '0; dte_q <= '0; ite_q <= '0;
      lk_fail_q <= 1'b0; lk_dte_only_q <= 1'b0; res_q <= '0;
      rescan_q <= 1'b0;
      w_all_q <= 1'b0; w_free_q <= 1'b0; w_icid_q <= '0; w_tgt_q <= '0; w_dev_q <= '0;
      w_ev_q <= '0; w_evn_q <= '0; w_left_q <= '0;
      l_q <= '0; lw_q <= '0; t_q <= '0; t2_q <= '0; tmap_q <= 1'b0; sw_kind_q <= '0; sw_i_q <= '0;
      sc_i_q <= '0; sc_di_q <= '0; sc_dv_q <= 1'b0; sw_blk_q <= 1'b0; sw_wrap_q <= 1'b0;
      rs_q <= 1'b0; rs_fail_q <= 1'b0;
      msi_in_q <= '0; msi_drop_q <= '0; miss_q <= '0; lset_q <= '0; lset_cyc_q <= '0;
    end else begin
      state_q <= state_d; ret_q <= ret_d; lret_q <= lret_d; wret_q <= wret_d;
      busy_q <= busy_d; done_q <= done_d; undef_q <= undef_d; bad_q <= bad_d; rdata_q <= rdata_d;
      ci_q <= ci_d; vm_q <= vm_d; code_q <= code_d; ua_q <= ua_d; off_q <= off_d; wd_q <= wd_d;
      src_q <= src_d;
      dwr_q <= dwr_d;
      dev_q <= dev_d; ev_q <= ev_d; dte_q <= dte_d; ite_q <= ite_d; lk_fail_q <= lk_fail_d;
      lk_dte_only_q <= lk_dte_only_d;
      res_q <= res_d;
      rescan_q <= rescan_d;
      w_all_q <= w_all_d; w_free_q <= w_free_d; w_icid_q <= w_icid_d; w_tgt_q <= w_tgt_d;
      w_dev_q <= w_dev_d; w_ev_q <= w_ev_d; w_evn_q <= w_evn_d; w_left_q <= w_left_d;
      l_q <= l_d; lw_q <= lw_d; t_q <= t_d; t2_q <= t2_d; tmap_q <= tmap_d;
      sw_kind_q <= sw_kind_d; sw_i_q <= sw_i_d;
      sc_i_q <= sc_i_d; sc_di_q <= lram_raddr[15:0]; sc_dv_q <= sc_issue;
      sw_blk_q <= sw_blk_d; sw_wrap_q <= sw_wrap_d;
      rs_q <= rs_d; rs_fail_q <= rs_fail_d;
      // the sequencer's and the fast path's increments never coincide (one of them is idle)
      if (fp_in) msi_in_q <= msi_in_q + 32'd1;
      if (fp_drop) msi_drop_q <= msi_drop_q + 32'd1;
      if (miss_inc | fp_miss) miss_q <= miss_q + 32'd1;
      if (lset_inc | fp_set) begin
        lset_q     <= lset_q + 32'd1;
        lset_cyc_q <= cycle_i;
      end
    end
  end

  // per-instance state
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bound_q <= '0;
      en_q    <= '0;
      basev_q <= '0;
      for (int i = 0; i < NrIts; i++) begin
        ivm_q[i] <= '0; base_q[i] <= '0; cbaser_q[i] <= '0; cwriter_q[i] <= '0;
        creadr_q[i] <= '0; baser0_q[i] <= '0; baser1_q[i] <= '0;
        nd_q[i] <= '0; dmax_q[i] <= '0; imax_q[i] <= '0;
      end
    end else begin
      if (cnt_inc | cnt_dec | cnt_clr | cnt_max) begin
        nd_q[ci_q]   <= cnt_nd;
        dmax_q[ci_q] <= cnt_dmax;
        imax_q[ci_q] <= cnt_imax;
      end
      if (i_rst) begin
        en_q[ci_q]      <= 1'b0;
        cbaser_q[ci_q]  <= '0;
        cwriter_q[ci_q] <= '0;
        creadr_q[ci_q]  <= '0;
        if (code_q == OpBind) begin
          baser0_q[ci_q] <= 64'h3907000000000600;
          baser1_q[ci_q] <= 64'h3C07000000000600;
        end else begin
          baser0_q[ci_q][63] <= 1'b0;
          baser1_q[ci_q][63] <= 1'b0;
        end
      end
      if (i_bind_we) begin
        bound_q[ci_q] <= i_bind_v;
        basev_q[ci_q] <= 1'b0;
        ivm_q[ci_q]   <= target_i[15:8];
      end
      if (i_base_we) begin
        basev_q[ci_q] <= 1'b1;
        base_q[ci_q]  <= wd_q[47:16];
      end
      if (i_en_we) en_q[ci_q] <= i_en_wd;
      if (i_cb_we) begin
        cbaser_q[ci_q]  <= i_wd;
        cwriter_q[ci_q] <= '0;
        creadr_q[ci_q]  <= '0;
      end
      if (i_cwr_we) cwriter_q[ci_q] <= i_wd[19:5];
      if (i_crd_we) creadr_q[ci_q] <= i_wd[19:5];
      if (i_b0_we) baser0_q[ci_q] <= i_wd;
      if (i_b1_we) baser1_q[ci_q] <= i_wd;
    end
  end

  // ---------------------------------------------------------------- outputs
  assign status_o = op_go ? 32'h1 : {28'd0, bad_q, undef_q, done_q, busy_q};
  assign rdata_lo_o = rdata_q[31:0];
  assign rdata_hi_o = rdata_q[63:32];
  assign msi_in_o = msi_in_q;
  assign msi_drop_o = msi_drop_q;
  logic [31:0] hit_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) hit_q <= '0;
    else if (fp_hit) hit_q <= hit_q + 32'd1;
  end
  assign cache_hit_o = hit_q;
  assign cache_miss_o = miss_q;
  assign lpi_set_o = lset_q;
  assign lpi_set_cycle_o = lset_cyc_q;
  assign gic_req_done_o = (state_q == SFinish) & ~rescan_q & (src_q == 2'd3);

  assign dma_req_valid_o = wk_dma_valid | fp_dma_valid;

  logic unused;
  assign unused = ^{target_i[31:17], op_i[31:4], msi_addr_i[16:0], dma_rsp_i.tag, gic_req_vm_i,
                    gic_req_vcpu_i, cur_prop, wk_idle, ca_tgt, cfg_l[2:1], pb_t, pb_t2, pb_lw};
  // the table walker's access (tag 0), else the fast path's walker (tags 32..63)
  assign dma_req_o = wk_dma_valid ? wk_dma_req : fp_dma_req;
  assign w_dev_nx  = w_dev_d;

endmodule
