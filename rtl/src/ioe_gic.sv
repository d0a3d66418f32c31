// GICv3 engine (register block 1): the interrupt-controller state of every VM context
// behind one access port. docs/gic.md is the contract; its "RTL micro-architecture"
// section describes this implementation.
//
// Storage:
//   - u_priv: private interrupts (SGIs, PPIs), one word per {VM, INTID 0..31} holding the
//     state of that INTID for every vCPU lane of the VM (NrVcpus x 11 bits), so that an
//     SGI reaches all its targets with one read-modify-write and a full pass reads all lanes
//     at once. Block RAM.
//   - u_spi: shared interrupts, one word per {VM, INTID}: 11 state bits and the 32-bit
//     route. Block RAM.
//   - u_misc: per {VM, vCPU}, one 64-bit word per register: GICR_STATUSR, PROPBASER,
//     PENDBASER, and the VCPU_CONFIG word (processor number, Last).
//   - flops: per VM (count, vCPU count, ITS, EnableGrp1, GICD_STATUSR) and per vCPU
//     (affinity, CPU interface, GICR_CTLR, candidate, last presentation status).
//   - u_select: the candidate trees (ioe_gic_select.sv), block RAM.
//
// Operations are sequential. The per-vCPU candidates always equal what a scan of the VM
// would find: they are the roots of the candidate selector (ioe_gic_select), a tournament
// tree per VM that takes the new leaf (eligibility, group, priority at every lane) of each
// interrupt an operation writes and walks its path to the root, one level per cycle. A
// leaf that beats a lane's candidate becomes the candidate at once (fast path: LINE, SGIs
// and EOIs notify before the walk ends); a candidate that got worse waits for the root.
// GICD_CTLR / IGRPENn writes and VCPU_CONFIG, which regate or reroute every interrupt,
// offer every leaf again (full pass). A pass over the lanes that may have changed then
// compares each presentation status with the last one seen and emits a notification when
// it differs (one cycle per lane, plus any backpressure on the notification stream).
// docs/gic.md, "RTL micro-architecture", gives the argument for each shortcut.
//
// With Gicv2, VM_CONFIG bit 25 makes a VM a GICv2 (docs/gic.md, "GICv2 mode"): its own
// distributor decode, the GICC space (5), ITARGETSR routing and 8 source bits per SGI lane.

module ioe_gic #(
  parameter int unsigned NrVms   = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned NrIrqs  = ioe_reg_pkg::NrIrqsDefault,
  parameter bit          Lpis    = 1'b0,  // an ITS engine is attached (ports below used)
  parameter bit          Gicv2   = 1'b0,  // GICv2 VMs (VM_CONFIG bit 25, docs/gic.md)
  localparam int unsigned NV     = NrVms * NrVcpus
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // register bus (offset within the block)
  input  logic             req_valid_i,
  input  logic             req_write_i,
  input  logic [11:0]      req_addr_i,
  input  logic [31:0]      req_wdata_i,
  input  logic [3:0]       req_wstrb_i,
  output logic             rsp_valid_o,
  output logic [31:0]      rsp_rdata_o,
  output logic             rsp_error_o,
  // notification source
  output logic             notify_valid_o,
  input  logic             notify_ready_i,
  output ioe_pkg::notify_t notify_o,
  // LPI side (ioe_its): best LPI per vCPU {valid, priority [7:3], INTID}, lanes whose best
  // may have changed, requests (0 acknowledge, 1 EnableLPIs 0->1, 2 1->0, 3 VM reset)
  input  logic [NV*22-1:0]    lpi_best_i,
  input  logic [NV-1:0]       lpi_chg_i,
  output logic                lpi_req_valid_o,
  output logic [1:0]          lpi_req_kind_o,
  output logic [7:0]          lpi_req_vm_o,
  output logic [7:0]          lpi_req_vcpu_o,
  output logic [15:0]         lpi_req_intid_o,
  input  logic                lpi_req_done_i,
  output logic [NrVms*8-1:0]  lpi_nvc_o,
  output logic [NV-1:0]       lpi_enlpis_o,
  output logic [NrVms*64-1:0] lpi_prop_o,    // redistributor 0's PROPBASER per VM
  output logic [NV*64-1:0]    lpi_pend_o     // PENDBASER per vCPU
);

  localparam int unsigned VmW  = (NrVms > 1) ? $clog2(NrVms) : 1;
  localparam int unsigned VcW  = (NrVcpus > 1) ? $clog2(NrVcpus) : 1;
  localparam int unsigned IrqW = $clog2(NrIrqs);
  localparam int unsigned NvW  = (NV > 1) ? $clog2(NV) : 1;
  localparam int unsigned SW   = 19;            // state bits of one interrupt (with sources)
  localparam int unsigned SWm  = Gicv2 ? 19 : 11;  // of them kept per private lane
  localparam int unsigned PW   = NrVcpus * SWm; // private word: every vCPU lane
  localparam int unsigned XW   = 11 + 32;       // SPI word: state (no sources) and route
  localparam int unsigned MW   = 64;            // misc word: one register
  // SClear's sweep covers the INTIDs and the misc words of every vCPU of the VM
  localparam int unsigned ClearN = (NrIrqs > (4 << VcW)) ? NrIrqs : (4 << VcW);

  // x > k for a constant k, as bit tests: the first bit from the top where x and k differ
  // decides. Yosys maps a compare with a constant to a carry chain on the iCE40 (a logic
  // cell per bit); this form becomes a few LUTs.
  function automatic logic gt_k(input logic [15:0] x, input logic [15:0] k);
    logic eq;
    gt_k = 1'b0;
    eq   = 1'b1;
    for (int i = 15; i >= 0; i--) begin
      gt_k = gt_k | (eq & x[i] & ~k[i]);
      eq   = eq & (x[i] == k[i]);
    end
  endfunction

  // x < a VM's interrupt count (at most NrIrqs, VM_CONFIG refuses more) or vCPU count (at
  // most NrVcpus): the bits above the count's width only tested for zero, so the compare's
  // carry chain is as wide as the count (7 bits in the small set instead of 11)
  localparam int unsigned CntW = (IrqW + 1 < 11) ? IrqW + 1 : 11;
  localparam int unsigned NvcW = $clog2(NrVcpus + 1);
  function automatic logic lt_cnt(input logic [10:0] x, input logic [CntW-1:0] cnt);
    lt_cnt = ((x >> CntW) == 11'd0) && (x[CntW-1:0] < cnt);
  endfunction
  function automatic logic lt_nvc(input logic [7:0] x, input logic [NvcW-1:0] nvc);
    lt_nvc = ((x >> NvcW) == 8'd0) && (x[NvcW-1:0] < nvc);
  endfunction

  // state bits of one interrupt
  localparam int unsigned BEn    = 0;
  localparam int unsigned BLatch = 1;
  localparam int unsigned BLevel = 2;
  localparam int unsigned BAct   = 3;
  localparam int unsigned BPrio  = 4;  // 5 bits: priority [7:3]
  localparam int unsigned BGrp   = 9;
  localparam int unsigned BEdge  = 10;
  localparam int unsigned BSrc   = 11; // 8 bits: GICv2 SGI sources (latch = sources != 0)
  localparam logic [SW-1:0] SgiReset   = 19'h601;  // edge, group 1, enabled
  localparam logic [SW-1:0] OtherReset = 19'h200;  // level, group 1, disabled

  // misc words of a vCPU (the VCPU_CONFIG word: processor number [15:0], Last [16])
  localparam logic [1:0] MStatusr = 2'd0;
  localparam logic [1:0] MProp    = 2'd1;
  localparam logic [1:0] MPend    = 2'd2;
  localparam logic [1:0] MVcfg    = 2'd3;

  // operation codes and spaces
  localparam logic [3:0] OpRead32    = 4'd1;
  localparam logic [3:0] OpWrite32   = 4'd2;
  localparam logic [3:0] OpRead64    = 4'd3;
  localparam logic [3:0] OpWrite64   = 4'd4;
  localparam logic [3:0] OpLine      = 4'd5;
  localparam logic [3:0] OpVmConfig  = 4'd6;
  localparam logic [3:0] OpVcpuConfig = 4'd7;
  localparam logic [3:0] OpVmReset   = 4'd8;
  localparam logic [3:0] OpVmSetIts  = 4'd9;

  // ICC system-register encodings: Op0[15:14] Op1[13:11] CRn[10:7] CRm[6:3] Op2[2:0]
  localparam logic [15:0] IccPmr     = 16'hc230;
  localparam logic [15:0] IccIar0    = 16'hc640;
  localparam logic [15:0] IccEoir0   = 16'hc641;
  localparam logic [15:0] IccHppir0  = 16'hc642;
  localparam logic [15:0] IccBpr0    = 16'hc643;
  localparam logic [15:0] IccAp0r0   = 16'hc644;
  localparam logic [15:0] IccAp1r0   = 16'hc648;
  localparam logic [15:0] IccDir     = 16'hc659;
  localparam logic [15:0] IccRpr     = 16'hc65b;
  localparam logic [15:0] IccSgi1r   = 16'hc65d;
  localparam logic [15:0] IccSgi0r   = 16'hc65f;
  localparam logic [15:0] IccIar1    = 16'hc660;
  localparam logic [15:0] IccEoir1   = 16'hc661;
  localparam logic [15:0] IccHppir1  = 16'hc662;
  localparam logic [15:0] IccBpr1    = 16'hc663;
  localparam logic [15:0] IccCtlr    = 16'hc664;
  localparam logic [15:0] IccSre     = 16'hc665;
  localparam logic [15:0] IccIgrpen0 = 16'hc666;
  localparam logic [15:0] IccIgrpen1 = 16'hc667;

  typedef enum logic [3:0] {
    SIdle,    // waiting for OP
    SExec,    // decode; scalar registers complete here
    SERd,     // per-interrupt loop: read the word of one INTID (first one: in SExec)
    SEWb,     // per-interrupt loop: modify, write back, accumulate read data
    SMRd,     // misc word: read
    SMWb,     // misc word: modify, write back
    SClear,   // VM_CONFIG / VM_RESET: write reset values over the VM's region
    SScan,    // full pass: read one INTID (when the selector is idle)
    SScanWb,  // full pass: offer its leaf to the selector
    SNotify,  // compare the masked lanes' status with the last one, notify changes
    SDrain,   // wait for the last notification to leave
    SLpi      // wait for the ITS engine to complete an LPI request
  } state_e;

  typedef enum logic [4:0] {
    EkGroup, EkSetEn, EkClrEn, EkSetPend, EkClrPend, EkSetAct, EkClrAct, EkPrio, EkCfg,
    EkRouteLo, EkRouteHi, EkRoute64, EkLine, EkAck, EkDeact, EkSgi, EkLevel,
    EkTargets, EkSgiPend, EkHppi  // GICv2: ITARGETSR, C/SPENDSGIR, GICC_HPPIR / AHPPIR
  } ekind_e;

  typedef enum logic [2:0] {MkStatusr, MkTyper, MkProp, MkPend, MkVcfg} mkind_e;

  // ---------------------------------------------------------------- access port registers
  logic [31:0] target_q, offset_q, wdata_lo_q, wdata_hi_q, op_q;
  logic        op_qe;
  logic [31:0] status_d, rdata_lo_d, rdata_hi_d;

  ioe_gic_reg_top u_reg (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .req_valid_i   (req_valid_i),
    .req_write_i   (req_write_i),
    .req_addr_i    (req_addr_i),
    .req_wdata_i   (req_wdata_i),
    .req_wstrb_i   (req_wstrb_i),
    .rsp_valid_o   (rsp_valid_o),
    .rsp_rdata_o   (rsp_rdata_o),
    .rsp_error_o   (rsp_error_o),
    .target_q_o    (target_q),
    .offset_q_o    (offset_q),
    .wdata_lo_q_o  (wdata_lo_q),
    .wdata_hi_q_o  (wdata_hi_q),
    .op_q_o        (op_q),
    .op_qe_o       (op_qe),
    .status_d_i    (status_d),
    .rdata_lo_d_i  (rdata_lo_d),
    .rdata_hi_d_i  (rdata_hi_d)
  );

  // ---------------------------------------------------------------- engine state
  state_e      state_q, state_d;
  logic [7:0]  op_vm_q, op_vm_d, op_vc_q, op_vc_d;
  logic [3:0]  op_space_q, op_space_d, op_code_q, op_code_d;
  logic        op_ua_q, op_ua_d;
  logic [15:0] op_off_q, op_off_d;
  logic [63:0] op_wd_q;
  logic        busy_q, busy_d, done_q, done_d, undef_q, undef_d, bad_q, bad_d;
  logic [63:0] rdata_q, rdata_d;
  // per-interrupt loop
  ekind_e      ek_q, ek_d;
  logic [9:0]  base_q, base_d;
  logic [4:0]  k_q, k_d, klast_q, klast_d;
  logic        e_wr_q, e_wr_d, e_rd_q, e_rd_d, scan_after_q, scan_after_d;
  logic [NrVcpus-1:0] sgi_mask_q, sgi_mask_d;
  logic        sgi_grp_q, sgi_grp_d;
  // misc word
  mkind_e      mk_q, mk_d;
  logic [1:0]  half_q, half_d;  // 0 low word, 1 high word, 2 both
  // clear / scan / notify
  logic [10:0] sc_i_q, sc_i_d;          // SClear: the word cleared
  logic        sc_full_q, sc_full_d;   // the operation ends with a full pass (SScan)
  logic [NrVcpus-1:0] nt_mask_q, nt_mask_d;  // lanes the notification pass visits
  logic [NrVcpus-1:0] nt_oh;                 // lowest set bit of nt_mask_q
  logic [VcW-1:0]     nt_lane;               // its index
  logic        ntf_valid_q, ntf_valid_d, ntf_push;
  // LPI side: request in SLpi, lanes to re-check after an LPI change, background pass
  logic [1:0]  lr_kind_q, lr_kind_d;
  logic [15:0] lr_intid_q, lr_intid_d;
  logic        lr_then_ntf_q, lr_then_ntf_d;  // after SLpi: notification pass (else done)
  logic [NV-1:0] ldirty_q, ldirty_clr;
  logic        bg_q, bg_d;                    // the pass runs for LPI changes, not for an OP
  logic        op_pend_q;                     // OP strobe seen during a background pass
  logic [7:0]  ntf_vm_q, ntf_vcpu_q;

  // ---------------------------------------------------------------- decoded operation
  logic           vm_ok, cfg, vc_ok, is_rd, is_wr, is64;
  logic [VmW-1:0] vm;
  logic [VcW-1:0] vc;
  logic [63:0]    wd;
  logic [15:0]    off;

  // per-VM flops, flattened (VM v at [v*W +: W])
  logic [NrVms*11-1:0] vm_cnt_all;
  logic [NrVms*8-1:0]  vm_nvc_all;
  logic [NrVms-1:0]    vm_its_all, vm_grp1_all, vm_v2_all;
  logic [NrVms*32-1:0] vm_dstat_all;
  logic [10:0]         cur_cnt;
  logic [7:0]          cur_nvc;
  logic                cur_its, cur_grp1, cur_v2;
  logic [31:0]         cur_dstat;
  // per-VM commands (for VM `vm`)
  logic                v_cfg_we, v_grp1_we, v_dstat_we, v_its_we;
  logic [10:0]         v_cfg_cnt;
  logic [7:0]          v_cfg_nvc;
  logic                v_cfg_its, v_cfg_v2, v_grp1_wd, v_its_wd;
  logic [31:0]         v_dstat_wd;

  assign vm_ok   = ~gt_k(16'(op_vm_q), 16'(NrVms - 1));  // < NrVms
  assign vm      = op_vm_q[VmW-1:0];
  assign vc      = op_vc_q[VcW-1:0];
  // Selections by VM (and below by vCPU) are AND-OR trees over one-hot selects: cheap
  // in LUTs and fast to synthesise, unlike wide variable part-selects.
  // The operation's VM and vCPU (cur_*, lane_* below) are read only while an operation or
  // a pass runs: in SIdle they are don't-cares (an idle cycle skips the multiplexers in a
  // simulation; Yosys drops the gate: opt -full, -mux_undef).
  logic             busy_st;
  assign busy_st = (state_q != SIdle);
  logic [NrVms-1:0] vm_oh;
  always_comb begin
    vm_oh     = 'x;
    cur_cnt   = 'x;
    cur_nvc   = 'x;
    cur_its   = 1'bx;
    cur_grp1  = 1'bx;
    cur_v2    = 1'bx;
    cur_dstat = 'x;
    if (busy_st) begin
      cur_cnt   = '0;
      cur_nvc   = '0;
      cur_its   = 1'b0;
      cur_grp1  = 1'b0;
      cur_v2    = 1'b0;
      cur_dstat = '0;
      for (int v = 0; v < NrVms; v++) begin
        vm_oh[v]  = (vm == VmW'(v));
        cur_cnt   = cur_cnt | (vm_cnt_all[v*11 +: 11] & {11{vm_oh[v]}});
        cur_nvc   = cur_nvc | (vm_nvc_all[v*8 +: 8] & {8{vm_oh[v]}});
        cur_its   = cur_its | (vm_its_all[v] & vm_oh[v]);
        cur_grp1  = cur_grp1 | (vm_grp1_all[v] & vm_oh[v]);
        cur_v2    = cur_v2 | (vm_v2_all[v] & vm_oh[v]);
        cur_dstat = cur_dstat | (vm_dstat_all[v*32 +: 32] & {32{vm_oh[v]}});
      end
    end
  end
  assign cfg     = vm_ok & (cur_cnt != 11'd0);
  assign vc_ok   = lt_nvc(op_vc_q, cur_nvc[NvcW-1:0]);
  assign is_rd   = (op_code_q == OpRead32) | (op_code_q == OpRead64);
  assign is_wr   = (op_code_q == OpWrite32) | (op_code_q == OpWrite64);
  assign is64    = (op_code_q == OpRead64) | (op_code_q == OpWrite64);
  assign wd      = is64 ? op_wd_q : {32'd0, op_wd_q[31:0]};
  assign off     = op_off_q;

  for (genvar g = 0; g < NrVms; g++) begin : g_vm
    logic [10:0] cnt_q;
    logic [7:0]  nvc_q;
    logic        its_q, grp1_q, v2_q;
    logic [31:0] dstat_q;
    logic        sel;
    assign sel = (vm == VmW'(g)) & vm_ok;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cnt_q   <= '0;
        nvc_q   <= '0;
        its_q   <= 1'b0;
        grp1_q  <= 1'b0;
        v2_q    <= 1'b0;
        dstat_q <= '0;
      end else if (sel) begin
        if (v_cfg_we) begin
          cnt_q   <= v_cfg_cnt;
          nvc_q   <= v_cfg_nvc;
          its_q   <= v_cfg_its;
          v2_q    <= v_cfg_v2;
          grp1_q  <= 1'b0;
          dstat_q <= '0;
        end
        if (v_grp1_we) grp1_q <= v_grp1_wd;
        if (v_dstat_we) dstat_q <= v_dstat_wd;
        if (v_its_we) its_q <= v_its_wd;
      end
    end
    assign vm_cnt_all[g*11 +: 11]  = cnt_q;
    assign vm_nvc_all[g*8 +: 8]    = nvc_q;
    assign vm_its_all[g]           = Lpis & its_q;  // no ITS engine: no VM has an ITS
    assign vm_grp1_all[g]          = grp1_q;
    assign vm_v2_all[g]            = Gicv2 & v2_q;  // no GICv2 mode: bit 25 ignored
    assign vm_dstat_all[g*32 +: 32] = dstat_q;
  end

  // ---------------------------------------------------------------- per-vCPU flops
  // The fields the decoder writes for vCPU cur_idx (vm * NrVcpus + lane): one entry per
  // vCPU, written at cur_idx. The candidate fields (written per lane of VM `vm`): one row per
  // VM, a field per lane. Written at an index, read by index: in Yosys registers (mem2reg)
  // with the same enables and multiplexers as one always_ff per vCPU; in Verilator an idle
  // cycle tests a few write enables instead of every vCPU's.
  logic [31:0] aff_q [NV];
  logic [31:0] ap0_q [NV];
  logic [31:0] ap1_q [NV];
  logic [4:0]  pmr_q [NV];
  logic [2:0]  bpr0_q [NV];
  logic [2:0]  bpr1_q [NV];
  logic [22:0] last_q [NV];
  logic        ig0_q [NV];
  logic        ig1_q [NV];
  logic        eoim_q [NV];
  logic        cbpr_q [NV];
  logic        ackc_q [NV];
  logic        fiqen_q [NV];
  logic [NrVcpus-1:0]    cv_q [NrVms];
  logic [NrVcpus-1:0]    cg_q [NrVms];
  logic [NrVcpus*5-1:0]  cpr_q [NrVms];
  logic [NrVcpus*10-1:0] cid_q [NrVms];
  logic [NV-1:0]         enlpis_q, enlpis_all;  // EnableLPIs: a vector (read whole by the ITS)

  logic [VcW-1:0] lane;     // vCPU lane the status unit looks at
  logic [NvW-1:0] cur_idx;  // vm * NrVcpus + lane
  // commands for vCPU cur_idx
  logic        dec_en;   // SExec of a valid READ/WRITE: the decoder's commands apply
  logic        c_aff_we, c_pmr_we, c_bpr0_we, c_bpr1_we, c_ap0_we, c_ap1_we, c_ig0_we;
  logic        c_ig1_we, c_ctlr_we, c_enlpis_we, c_last_we, c_v2ctl_we;
  logic [31:0] c_aff_wd, c_ap_wd;  // c_ap_wd: APnR0 of the group written (c_ap0_we / c_ap1_we)
  logic [4:0]  c_pmr_wd;
  logic [2:0]  c_bpr0_wd, c_bpr1_wd;
  logic        c_ig0_wd, c_ig1_wd, c_eoim_wd, c_cbpr_wd, c_enlpis_wd, c_ackc_wd, c_fiqen_wd;
  logic [22:0] c_last_wd;
  logic        vm_rst;   // for every lane of VM `vm`
  // candidate updates of the lanes of VM `vm`: the selector's root (every lane), or the
  // fast path (lanes in fast_we: the changed interrupt's leaf beats the candidate)
  logic                  cand_we;
  logic [NrVcpus-1:0]    root_v, root_g, fast_we;
  logic [NrVcpus*5-1:0]  root_p;
  logic [NrVcpus*10-1:0] root_id;
  logic [NrVcpus*7-1:0]  leaf;      // the changed interrupt's leaf per lane {v, group, prio}
  // the candidate written per lane (root or fast path), selected once per lane
  logic [NrVcpus-1:0]    cw_we, cw_v, cw_g;
  logic [NrVcpus*5-1:0]  cw_p;
  logic [NrVcpus*10-1:0] cw_id;
  logic [9:0]            e_intid;   // the INTID of the per-interrupt datapath

  // spaces of the VM's mode (GICv3: 0..4; GICv2: 0, 4, 5) and those that use VCPU (all but
  // the GICv3 distributor)
  logic sp_known, sp_vc;
  assign sp_known = cur_v2 ? ((op_space_q == 4'd0) | (op_space_q == 4'd4) | (op_space_q == 4'd5))
                           : (op_space_q <= 4'd4);
  assign sp_vc    = (op_space_q != 4'd0) | cur_v2;
  assign lane    = (state_q == SNotify) ? nt_lane : vc;
  assign dec_en  = (state_q == SExec) & cfg & (is_rd | is_wr) & sp_known & (~sp_vc | vc_ok);
  assign cur_idx = NvW'(32'(vm) * NrVcpus + 32'(lane));

  // vCPU cur_idx as row (VM) and lane; cur_in: cur_idx names a vCPU
  logic           cur_in, vm_in;
  logic [VmW-1:0] cur_r;
  logic [31:0]    cur_c;
  assign cur_in = ~gt_k(16'(cur_idx), 16'(NV - 1));  // cur_idx < NV
  assign cur_r  = VmW'(32'(cur_idx) / NrVcpus);
  assign cur_c  = 32'(cur_idx) % NrVcpus;
  assign vm_in  = ~gt_k(16'(vm), 16'(NrVms - 1));  // vm < NrVms: the lanes below: those of VM `vm`
  logic  c_any_we;                    // a decoder write for vCPU cur_idx
  assign c_any_we = cur_in & (c_aff_we | c_pmr_we | c_bpr0_we | c_bpr1_we | c_ap0_we | c_ap1_we |
                              c_ig0_we | c_ig1_we | c_ctlr_we | c_enlpis_we | c_v2ctl_we |
                              c_last_we);

  // reset state of a vCPU (card reset and VM_RESET / VM_CONFIG): BPR0 2, BPR1 3,
  // presentation status 1023, everything else 0
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < NV; i++) begin
        aff_q[i]    <= '0;
        ap0_q[i]    <= '0;
        ap1_q[i]    <= '0;
        pmr_q[i]    <= '0;
        bpr0_q[i]   <= 3'd2;
        bpr1_q[i]   <= 3'd3;
        last_q[i]   <= 23'h0003ff;
        ig0_q[i]    <= 1'b0;
        ig1_q[i]    <= 1'b0;
        eoim_q[i]   <= 1'b0;
        cbpr_q[i]   <= 1'b0;
        ackc_q[i]   <= 1'b0;
        fiqen_q[i]  <= 1'b0;
      end
      enlpis_q <= '0;
      for (int v = 0; v < NrVms; v++) begin
        cv_q[v]  <= '0;
        cg_q[v]  <= '0;
        cpr_q[v] <= '0;
        cid_q[v] <= '0;
      end
    end else begin
      // the decoder's commands for vCPU cur_idx
      if (c_any_we) begin
        if (c_aff_we) aff_q[cur_idx] <= c_aff_wd;
        if (c_pmr_we) pmr_q[cur_idx] <= c_pmr_wd;
        if (c_bpr0_we) bpr0_q[cur_idx] <= c_bpr0_wd;
        if (c_bpr1_we) bpr1_q[cur_idx] <= c_bpr1_wd;
        if (c_ap0_we) ap0_q[cur_idx] <= c_ap_wd;
        if (c_ap1_we) ap1_q[cur_idx] <= c_ap_wd;
        if (c_ig0_we) ig0_q[cur_idx] <= c_ig0_wd;
        if (c_ig1_we) ig1_q[cur_idx] <= c_ig1_wd;
        if (c_ctlr_we) begin
          eoim_q[cur_idx] <= c_eoim_wd;
          cbpr_q[cur_idx] <= c_cbpr_wd;
        end
        // (a bit of a vector at a variable index: Yosys 0.23 rejects that under an
        // asynchronous reset, so every bit compares its own index)
        if (c_enlpis_we) begin
          for (int i = 0; i < NV; i++) begin
            if (cur_idx == NvW'(i)) enlpis_q[i] <= c_enlpis_wd;
          end
        end
        if (c_v2ctl_we) begin
          ackc_q[cur_idx]  <= c_ackc_wd;
          fiqen_q[cur_idx] <= c_fiqen_wd;
        end
        if (c_last_we) last_q[cur_idx] <= c_last_wd;
      end
      // candidate updates of the lanes of VM `vm`
      if (vm_ok && (cw_we != '0)) begin
        for (int c = 0; c < NrVcpus; c++) begin
          if (cw_we[c]) begin
            cv_q[vm][c]           <= cw_v[c];
            cg_q[vm][c]           <= cw_g[c];
            cid_q[vm][c*10 +: 10] <= cw_id[c*10 +: 10];
            cpr_q[vm][c*5 +: 5]   <= cw_p[c*5 +: 5];
          end
        end
      end
      // VM_RESET / VM_CONFIG: every lane of VM `vm` (after the writes above: it wins)
      if (vm_ok && vm_rst) begin
        for (int c = 0; c < NrVcpus; c++) begin
          aff_q[32'(vm) * NrVcpus + c]    <= '0;
          ap0_q[32'(vm) * NrVcpus + c]    <= '0;
          ap1_q[32'(vm) * NrVcpus + c]    <= '0;
          pmr_q[32'(vm) * NrVcpus + c]    <= '0;
          bpr0_q[32'(vm) * NrVcpus + c]   <= 3'd2;
          bpr1_q[32'(vm) * NrVcpus + c]   <= 3'd3;
          last_q[32'(vm) * NrVcpus + c]   <= 23'h0003ff;
          ig0_q[32'(vm) * NrVcpus + c]    <= 1'b0;
          ig1_q[32'(vm) * NrVcpus + c]    <= 1'b0;
          eoim_q[32'(vm) * NrVcpus + c]   <= 1'b0;
          cbpr_q[32'(vm) * NrVcpus + c]   <= 1'b0;
          ackc_q[32'(vm) * NrVcpus + c]   <= 1'b0;
          fiqen_q[32'(vm) * NrVcpus + c]  <= 1'b0;
        end
        for (int i = 0; i < NV; i++) begin
          if (32'(vm) == i / NrVcpus) enlpis_q[i] <= 1'b0;
        end
        cv_q[vm]  <= '0;
        cg_q[vm]  <= '0;
        cpr_q[vm] <= '0;
        cid_q[vm] <= '0;
      end
    end
  end
  assign enlpis_all = enlpis_q & {NV{Lpis}};

  // current vCPU (cur_idx)
  logic [31:0] cur_aff, cur_ap0, cur_ap1;
  logic [4:0]  cur_pmr, cur_cpr;
  logic [2:0]  cur_bpr0, cur_bpr1;
  logic        cur_ig0, cur_ig1, cur_eoim, cur_cbpr, cur_enlpis, cur_cv, cur_cg;
  logic        cur_ackc, cur_fiqen;
  logic [9:0]  cur_cid;
  logic [22:0] cur_last;

  // vCPU lanes of VM `vm` (SPI routing, SGI targets, group enables during a full pass)
  logic [NrVcpus*32-1:0] lane_aff;
  logic [NrVcpus-1:0]    lane_ig0, lane_ig1;
  logic [NrVcpus-1:0]    lane_cv, lane_cg;
  logic [NrVcpus*10-1:0] lane_cid;
  logic [NrVcpus*5-1:0]  lane_cpr;
  logic                  vm_enlpis;  // a vCPU of VM `vm` has EnableLPIs = 1

  always_comb begin
    {cur_aff, cur_ap0, cur_ap1, cur_pmr, cur_bpr0, cur_bpr1, cur_last, cur_ig0, cur_ig1,
     cur_eoim, cur_cbpr, cur_ackc, cur_fiqen, cur_enlpis, cur_cpr, cur_cid, cur_cv, cur_cg} = 'x;
    if (busy_st) begin
      cur_aff    = cur_in ? aff_q[cur_idx] : '0;
      cur_ap0    = cur_in ? ap0_q[cur_idx] : '0;
      cur_ap1    = cur_in ? ap1_q[cur_idx] : '0;
      cur_pmr    = cur_in ? pmr_q[cur_idx] : '0;
      cur_bpr0   = cur_in ? bpr0_q[cur_idx] : '0;
      cur_bpr1   = cur_in ? bpr1_q[cur_idx] : '0;
      cur_last   = cur_in ? last_q[cur_idx] : '0;
      cur_ig0    = cur_in & ig0_q[cur_idx];
      cur_ig1    = cur_in & ig1_q[cur_idx];
      cur_eoim   = cur_in & eoim_q[cur_idx];
      cur_cbpr   = cur_in & cbpr_q[cur_idx];
      cur_ackc   = cur_in & Gicv2 & ackc_q[cur_idx];
      cur_fiqen  = cur_in & Gicv2 & fiqen_q[cur_idx];
      cur_enlpis = cur_in & enlpis_all[cur_idx];
      cur_cpr    = cur_in ? cpr_q[cur_r][cur_c*5 +: 5] : '0;
      cur_cid    = cur_in ? cid_q[cur_r][cur_c*10 +: 10] : '0;
      cur_cv     = cur_in & cv_q[cur_r][cur_c];
      cur_cg     = cur_in & cg_q[cur_r][cur_c];
    end
  end

  always_comb begin
    // (the selector's root commits only outside SIdle: cand_we is in the gate for clarity)
    {lane_cid, lane_cpr, lane_cv, lane_cg, lane_aff, lane_ig0, lane_ig1, vm_enlpis} = 'x;
    if (busy_st || cand_we) begin
      lane_cid  = vm_in ? cid_q[vm] : '0;
      lane_cpr  = vm_in ? cpr_q[vm] : '0;
      lane_cv   = vm_in ? cv_q[vm] : '0;
      lane_cg   = vm_in ? cg_q[vm] : '0;
      lane_aff  = '0;
      lane_ig0  = '0;
      lane_ig1  = '0;
      vm_enlpis = 1'b0;
      if (vm_in) begin
        for (int c = 0; c < NrVcpus; c++) begin
          lane_aff[c*32 +: 32] = aff_q[32'(vm) * NrVcpus + c];
          lane_ig0[c]          = ig0_q[32'(vm) * NrVcpus + c];
          lane_ig1[c]          = ig1_q[32'(vm) * NrVcpus + c];
          vm_enlpis            = vm_enlpis | enlpis_all[32'(vm) * NrVcpus + c];
        end
      end
    end
  end

  // ---------------------------------------------------------------- LPI merge (cur_idx)
  // The vCPU's candidate is the better of the SGI/PPI/SPI candidate and its best LPI (LPIs
  // are group 1; ties go to the lower INTID, always the SGI/PPI/SPI).
  logic [21:0] cur_lpi;
  logic        m_lpi, m_cv, m_cg;
  logic [4:0]  m_cpr;
  logic [15:0] m_cid;
  // The status unit's inputs and results (m_*, su_*) are read in SExec and SNotify only;
  // in every other state they are don't-cares, so a simulation skips the LPI multiplexer
  // and the priority encoder there (Yosys drops the gate: opt -full, -mux_undef).
  logic        su_en;
  assign su_en = (state_q == SExec) | (state_q == SNotify);
  always_comb begin
    cur_lpi = 'x;
    if (su_en) begin
      cur_lpi = '0;
      for (int i = 0; i < NV; i++) begin
        cur_lpi = cur_lpi | (lpi_best_i[i*22 +: 22] & {22{cur_idx == NvW'(i)}});
      end
    end
    m_lpi = Lpis & cur_its & cur_lpi[21] & cur_grp1 & cur_ig1 & (~cur_cv | (cur_lpi[20:16] < cur_cpr));
    m_cv  = cur_cv | m_lpi;
    m_cg  = m_lpi | cur_cg;
    m_cpr = m_lpi ? cur_lpi[20:16] : cur_cpr;
    m_cid = m_lpi ? cur_lpi[15:0] : {6'd0, cur_cid};
  end

  // ---------------------------------------------------------------- status unit (cur_idx)
  logic [7:0]  su_p8, su_mask0, su_mask1, su_gp, su_rpr;
  logic [31:0] su_apr;
  logic [4:0]  su_ctz;
  logic        su_pres;
  logic [22:0] su_enc;
  logic [31:0] su_status;
  logic [7:0]  su_bpr1_rd;

  always_comb begin
    su_ctz = 'x;
    if (su_en) begin
      su_ctz = 5'd0;
      for (int i = 31; i >= 0; i--) begin
        if (su_apr[i]) su_ctz = 5'(i);
      end
    end
  end

  assign su_p8      = {m_cpr, 3'b000};
  assign su_mask0   = 8'hff << ({1'b0, cur_bpr0} + 4'd1);
  assign su_mask1   = cur_cbpr ? su_mask0 : (8'hff << cur_bpr1);
  assign su_gp      = su_p8 & (m_cg ? su_mask1 : su_mask0);
  assign su_apr     = cur_ap0 | cur_ap1;
  assign su_rpr     = (su_apr == 32'd0) ? 8'hff : {su_ctz, 3'b000};
  assign su_pres    = m_cv & (su_p8 < {cur_pmr, 3'b000}) & (su_gp < su_rpr);
  assign su_enc     = su_pres ? {1'b1, m_cg, m_cpr, m_cid} : 23'h0003ff;
  assign su_status  = su_pres ? {1'b1, 6'd0, m_cg, m_cpr, 3'b000, m_cid} : 32'h3ff;
  assign su_bpr1_rd = cur_cbpr ? ((cur_bpr0 == 3'd7) ? 8'd7 : (8'(cur_bpr0) + 8'd1)) : 8'(cur_bpr1);

  // ---------------------------------------------------------------- memories
  // No operation uses the data of a read issued in the cycle that writes its address (the
  // per-interrupt loop writes in SEWb and reads the next INTID in SERd; the clear and the
  // misc write-back read nothing they use; scans do not write): no collision logic.
  logic                  priv_we, spi_we, misc_we;
  logic [VmW+5-1:0]      priv_waddr, priv_raddr;
  logic [VmW+IrqW-1:0]   spi_waddr, spi_raddr;
  logic [VmW+VcW+1:0]    misc_waddr, misc_raddr;
  logic [PW-1:0]         priv_wdata, priv_rdata;
  // the private word with every lane widened to SW bits (sources 0 without Gicv2), and the
  // word to write in that form
  logic [NrVcpus*SW-1:0] priv_full, priv_wfull;
  always_comb begin
    for (int c = 0; c < NrVcpus; c++) begin
      priv_full[c*SW +: SW]   = SW'(priv_rdata[c*SWm +: SWm]);
      priv_wdata[c*SWm +: SWm] = priv_wfull[c*SW +: SWm];
    end
  end
  logic [XW-1:0]         spi_wdata, spi_rdata;
  logic [MW-1:0]         misc_wdata, misc_rdata;

  ioe_ram #(
    .Width    (PW),
    .AddrWidth(VmW + 5),
    .NoRwCheck(1'b1)
  ) u_priv (
    .clk_i  (clk_i),
    .we_i   (priv_we),
    .waddr_i(priv_waddr),
    .wdata_i(priv_wdata),
    .raddr_i(priv_raddr),
    .rdata_o(priv_rdata)
  );

  ioe_ram #(
    .Width    (XW),
    .AddrWidth(VmW + IrqW),
    .NoRwCheck(1'b1)
  ) u_spi (
    .clk_i  (clk_i),
    .we_i   (spi_we),
    .waddr_i(spi_waddr),
    .wdata_i(spi_wdata),
    .raddr_i(spi_raddr),
    .rdata_o(spi_rdata)
  );

  // the misc words in two halves with their own write enables: a 32-bit write of one half
  // leaves the other as it is, without a read-modify-write merge
  logic m_lo_en, m_hi_en;

  for (genvar h = 0; h < 2; h++) begin : g_misc
    ioe_ram #(
      .Width    (MW / 2),
      .AddrWidth(VmW + VcW + 2),
      .NoRwCheck(1'b1)
    ) u_misc (
      .clk_i  (clk_i),
      .we_i   (misc_we & ((h == 0) ? m_lo_en : m_hi_en)),
      .waddr_i(misc_waddr),
      .wdata_i(misc_wdata[h*MW/2 +: MW/2]),
      .raddr_i(misc_raddr),
      .rdata_o(misc_rdata[h*MW/2 +: MW/2])
    );
  end

  // ---------------------------------------------------------------- candidate selection
  // The leaf of the interrupt of the per-interrupt datapath (its new state, e_* below) at
  // every lane of VM `vm`: eligible there (pending, enabled, not active, the VM's EnableGrp1,
  // the lane's enable of its group, and for an SPI the lowest-numbered configured vCPU whose
  // affinity equals its route), with its group and priority; all zero when not eligible.
  logic [NrVcpus-1:0] lf_ok, lf_hit, lf_first, lf_v2;
  logic [7:0]         lf_rt8;
  logic               e_private;
  logic [SW-1:0]      e_new;
  logic [31:0]        e_route_new;
  logic [NrVcpus*SW-1:0] e_priv_new;
  // The per-interrupt datapath (e_*, the leaf, the fast path) is read in SExec (LINE), SEWb
  // and SScanWb only: elsewhere its results are don't-cares (as su_en above).
  logic               e_en;
  assign e_en = (state_q == SExec) | (state_q == SEWb) | (state_q == SScanWb);

  always_comb begin
    logic [SW-1:0] st;
    logic          el;
    st       = 'x;
    el       = 'x;
    lf_ok    = 'x;
    lf_hit   = 'x;
    lf_first = 'x;
    lf_rt8   = 'x;
    lf_v2    = 'x;
    leaf     = 'x;
    if (e_en) begin
    for (int c = 0; c < NrVcpus; c++) begin
      lf_ok[c]  = gt_k(16'(cur_nvc), 16'(c));  // c < cur_nvc
      lf_hit[c] = lf_ok[c] & (e_route_new == lane_aff[c*32 +: 32]);
    end
    lf_first = lf_hit & (~lf_hit + NrVcpus'(1));
    // GICv2: the lowest vCPU of the SPI's ITARGETSR byte, vCPU 0 when it has none
    lf_rt8 = e_route_new[7:0] & (~e_route_new[7:0] + 8'd1);
    for (int c = 0; c < NrVcpus; c++) begin
      lf_v2[c] = (c < 8) && ((e_route_new[7:0] == 8'd0) ? (c == 0) : lf_rt8[c % 8]);
    end
    if (cur_v2) lf_first = lf_v2;
    for (int c = 0; c < NrVcpus; c++) begin
      st = e_private ? e_priv_new[c*SW +: SW] : e_new;
      el = lf_ok[c] & (e_private | lf_first[c]) &
           (st[BLatch] | (~st[BEdge] & st[BLevel])) & st[BEn] & ~st[BAct] & cur_grp1 &
           (st[BGrp] ? lane_ig1[c] : lane_ig0[c]);
      leaf[c*7 +: 7] = el ? {1'b1, st[BGrp], st[BPrio +: 5]} : 7'd0;
    end
    end
  end

  // Fast path: when the leaf beats a lane's candidate (or is the candidate, refreshed), it is
  // the lane's new candidate whatever the rest of the tree holds; when the candidate's own
  // leaf gets worse, only the selector's root tells (it follows a few cycles later).
  logic [NrVcpus-1:0] lf_beats, root_chg;
  always_comb begin
    logic [4:0] p;
    p        = 'x;
    lf_beats = 'x;
    if (e_en) begin
      for (int c = 0; c < NrVcpus; c++) begin
        p = leaf[c*7 +: 5];
        // (a tie with a lower INTID than the candidate is left to the root)
        lf_beats[c] = leaf[c*7 + 6] &
                      (~lane_cv[c] | (p < lane_cpr[c*5 +: 5]) |
                       ((p == lane_cpr[c*5 +: 5]) & (e_intid == lane_cid[c*10 +: 10])));
      end
    end
  end
  always_comb begin
    // lanes whose candidate the root commit changes: their status is checked again
    root_chg = '0;
    if (cand_we) begin
      for (int c = 0; c < NrVcpus; c++) begin
        root_chg[c] = (root_v[c] != lane_cv[c]) |
                      (root_v[c] & ((root_id[c*10 +: 10] != lane_cid[c*10 +: 10]) |
                                    (root_p[c*5 +: 5] != lane_cpr[c*5 +: 5]) |
                                    (root_g[c] != lane_cg[c])));
      end
    end
  end

  logic                  sel_look, sel_upd, sel_clr, sel_busy;
  logic [VmW-1:0]        sel_look_vm;
  logic [IrqW-1:0]       sel_look_id;

  ioe_gic_select #(
    .NrVms  (NrVms),
    .NrVcpus(NrVcpus),
    .NrIrqs (NrIrqs)
  ) u_select (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .look_i       (sel_look),
    .look_vm_i    (sel_look_vm),
    .look_intid_i (sel_look_id),
    .upd_i        (sel_upd),
    .upd_leaf_i   (leaf),
    .clr_i        (sel_clr),
    .clr_vm_i     (vm),
    .clr_addr_i   (sc_i_q[IrqW-2:0]),
    .busy_o       (sel_busy),
    .root_valid_o (cand_we),
    .root_v_o     (root_v),
    .root_g_o     (root_g),
    .root_p_o     (root_p),
    .root_id_o    (root_id)
  );

  always_comb begin
    for (int c = 0; c < NrVcpus; c++) begin
      cw_we[c]           = cand_we | fast_we[c];
      cw_v[c]            = cand_we ? root_v[c] : 1'b1;
      cw_g[c]            = cand_we ? root_g[c] : leaf[c*7 + 5];
      cw_p[c*5 +: 5]     = cand_we ? root_p[c*5 +: 5] : leaf[c*7 +: 5];
      cw_id[c*10 +: 10]  = cand_we ? root_id[c*10 +: 10] : e_intid;
    end
  end

  // next lane of the notification pass
  always_comb begin
    nt_oh   = nt_mask_q & (~nt_mask_q + NrVcpus'(1));
    nt_lane = '0;
    for (int c = NrVcpus - 1; c >= 0; c--) begin
      if (nt_mask_q[c]) nt_lane = VcW'(c);
    end
  end

  // ---------------------------------------------------------------- per-interrupt modify
  // One INTID of the loop: old state from memory, new state, read-data contribution.
  // (e_intid, e_private, e_new, e_route_new, e_priv_new are declared above.) The full pass
  // (SScan, SScanWb) steps base_q with ek_q = EkLevel, which modifies nothing.
  logic [SW-1:0] e_old;
  logic [31:0]   e_route_old;
  logic [63:0]   e_rd;
  logic          e_wbit, e_pend_guest;
  logic          e_v2sgi;      // an SGI of a GICv2 VM (sources kept)
  logic [7:0]    e_byte, e_src_lo, e_nvc8;  // byte k of the data; lowest source; the VM's vCPUs
  logic [2:0]    e_src_id;     // index of the lowest source

  assign e_intid   = base_q + 10'(k_q);
  assign e_private = (e_intid[9:5] == 5'd0);  // < 32 (bit tests: no carry chain)

  always_comb begin
    e_old        = 'x;
    e_route_old  = 'x;
    e_new        = 'x;
    e_route_new  = 'x;
    e_rd         = 'x;
    e_wbit       = 'x;
    e_pend_guest = 'x;
    e_v2sgi      = 'x;
    e_byte       = 'x;
    e_src_lo     = 'x;
    e_src_id     = 'x;
    e_nvc8       = 'x;
    e_priv_new   = 'x;
    if (e_en) begin
      e_old = '0;
      for (int c = 0; c < NrVcpus; c++) begin
        e_old = e_old | (priv_full[c*SW +: SW] & {SW{vc == VcW'(c)}});
      end
      if (!e_private) e_old = SW'(spi_rdata[10:0]);
      e_route_old  = e_private ? 32'd0 : spi_rdata[11 +: 32];
      e_new        = e_old;
      e_route_new  = e_route_old;
      e_rd         = '0;
      e_wbit       = wd[{1'b0, k_q}];
      e_pend_guest = e_old[BLatch] | (~e_old[BEdge] & e_old[BLevel]);
      e_v2sgi      = cur_v2 & (e_intid < 10'd16);
      e_byte       = wd[{1'b0, k_q[1:0], 3'b000} +: 8];
      e_src_lo     = e_old[BSrc +: 8] & (~e_old[BSrc +: 8] + 8'd1);
      e_src_id     = 3'd0;
      for (int i = 7; i >= 0; i--) begin
        if (e_old[BSrc + i]) e_src_id = 3'(i);
      end
      for (int i = 0; i < 8; i++) e_nvc8[i] = gt_k(16'(cur_nvc), 16'(i));
      unique case (ek_q)
        EkGroup: begin
          e_rd[0] = e_old[BGrp];
          e_new[BGrp] = e_wbit;
        end
        EkSetEn: begin
          e_rd[0] = e_old[BEn];
          if (e_wbit) e_new[BEn] = 1'b1;
        end
        EkClrEn: begin
          e_rd[0] = e_old[BEn];
          if (e_wbit) e_new[BEn] = 1'b0;
        end
        // GICv2: the pending state in both views; a guest's write of an SGI bit is ignored,
        // userspace's sets the SGI pending from VCPU or clears every source
        EkSetPend: begin
          e_rd[0] = (op_ua_q & ~cur_v2) ? e_old[BLatch] : e_pend_guest;
          if (e_wbit && !(e_v2sgi && !op_ua_q)) begin
            e_new[BLatch] = 1'b1;
            if (e_v2sgi) e_new[BSrc +: 8] = e_old[BSrc +: 8] | (8'd1 << vc);
          end
        end
        EkClrPend: begin
          e_rd[0] = (op_ua_q & ~cur_v2) ? 1'b0 : e_pend_guest;
          if (e_wbit && (cur_v2 ? !(e_v2sgi && !op_ua_q) : !op_ua_q)) begin
            e_new[BLatch]    = 1'b0;
            e_new[BSrc +: 8] = 8'd0;
          end
        end
        EkTargets: if (Gicv2) begin
          // GICv2 ITARGETSR: INTIDs 0..31 read their own vCPU; SPIs the targets, of the VM's
          // vCPUs
          e_rd[7:0] = e_private ? (8'd1 << vc) : e_route_old[7:0];
          if (!e_private) e_route_new[7:0] = e_byte & e_nvc8;
        end
        EkSgiPend: if (Gicv2) begin
          // GICv2 CPENDSGIR (offset bit 5 clear) / SPENDSGIR: the SGI's source byte
          e_rd[7:0] = e_old[BSrc +: 8];
          e_new[BSrc +: 8] = off[5] ? (e_old[BSrc +: 8] | e_byte) : (e_old[BSrc +: 8] & ~e_byte);
          e_new[BLatch] = (e_new[BSrc +: 8] != 8'd0);
        end
        EkHppi: if (Gicv2) begin
          e_rd[9:0]   = e_intid;
          e_rd[12:10] = e_src_id;  // GICv2: an SGI's lowest source (0 for the others)
        end
        EkSetAct: begin
          e_rd[0] = e_old[BAct];
          if (e_wbit) e_new[BAct] = 1'b1;
        end
        EkClrAct: begin
          e_rd[0] = e_old[BAct];
          if (e_wbit) e_new[BAct] = 1'b0;
        end
        EkPrio: begin
          e_rd[7:0] = {e_old[BPrio +: 5], 3'b000};
          e_new[BPrio +: 5] = wd[{1'b0, k_q[1:0], 3'b011} +: 5];
        end
        EkCfg: begin
          e_rd[1] = e_old[BEdge];
          e_new[BEdge] = wd[{1'b0, k_q[3:0], 1'b1}];
        end
        EkRouteLo: begin
          e_rd[23:0] = e_route_old[23:0];
          e_route_new[23:0] = wd[23:0];
        end
        EkRouteHi: begin
          e_rd[7:0] = e_route_old[31:24];
          e_route_new[31:24] = wd[7:0];
        end
        EkRoute64: begin
          e_rd[39:32] = e_route_old[31:24];
          e_rd[23:0]  = e_route_old[23:0];
          e_route_new = {wd[39:32], wd[23:0]};
        end
        EkLevel: e_rd[0] = e_old[BLevel] & (e_intid[9:4] != 6'd0);  // >= 16
        EkLine: begin
          if (op_wd_q[30]) begin
            e_new[BLevel] = op_wd_q[31];  // RAW: the line's state only (LEVEL_INFO)
          end else if (e_old[BEdge]) begin
            if (op_wd_q[31]) e_new[BLatch] = 1'b1;
          end else begin
            e_new[BLevel] = op_wd_q[31];
          end
        end
        EkAck: begin
          // a GICv2 SGI gives up its lowest source and stays pending for the others
          e_rd[9:0]   = e_intid;
          e_rd[12:10] = e_src_id;
          e_new[BAct] = 1'b1;
          e_new[BSrc +: 8] = e_old[BSrc +: 8] & ~e_src_lo;
          e_new[BLatch] = e_v2sgi & (e_new[BSrc +: 8] != 8'd0);
        end
        EkDeact: e_new[BAct] = 1'b0;
        default: ;  // EkSgi: all lanes, below
      endcase
      e_priv_new = priv_full;
      if (ek_q == EkSgi) begin
        // GICv3: the targets whose SGI is of the group generated; GICv2 (GICD_SGIR): every
        // target, pending from VCPU
        for (int c = 0; c < NrVcpus; c++) begin
          if (sgi_mask_q[c] && (cur_v2 || (priv_full[c*SW + BGrp] == sgi_grp_q))) begin
            e_priv_new[c*SW + BLatch] = 1'b1;
            if (cur_v2) e_priv_new[c*SW + BSrc +: 8] = priv_full[c*SW + BSrc +: 8] | (8'd1 << vc);
          end
        end
      end else begin
        for (int c = 0; c < NrVcpus; c++) begin
          if (vc == VcW'(c)) e_priv_new[c*SW +: SW] = e_new;
        end
      end
    end
  end

  // ---------------------------------------------------------------- misc word modify
  logic [63:0]  m_typer, m_val, m_rd;
  logic [MW-1:0] m_new, m_merged;
  logic [1:0]    m_word;  // the misc word of mk_q

  assign m_word  = (mk_q == MkStatusr) ? MStatusr : (mk_q == MkProp) ? MProp :
                   (mk_q == MkPend) ? MPend : MVcfg;
  assign m_typer = {cur_aff, 8'd0, misc_rdata[15:0], 3'd0, misc_rdata[16], 3'd0,
                    cur_its};

  always_comb begin
    // (GICR_STATUSR's high half is always 0: only 32-bit accesses write it)
    m_val = (mk_q == MkTyper) ? m_typer : misc_rdata;
    unique case (half_q)
      2'd0:    m_rd = {32'd0, m_val[31:0]};
      2'd1:    m_rd = {32'd0, m_val[63:32]};
      default: m_rd = m_val;
    endcase
    // the halves written (m_lo_en, m_hi_en): the low one, the high one or both; GICR_TYPER
    // writes are ignored; VCPU_CONFIG writes its word's low half (the high half stays 0)
    m_new[31:0]  = (mk_q == MkVcfg) ? {15'd0, op_wd_q[48:32]} : wd[31:0];
    m_new[63:32] = (half_q == 2'd2) ? wd[63:32] : wd[31:0];
    // the register after the write (the ITS engine's copies)
    m_merged     = {m_hi_en ? m_new[63:32] : misc_rdata[63:32],
                    m_lo_en ? m_new[31:0] : misc_rdata[31:0]};
  end
  assign m_lo_en = (state_q == SClear) | ((half_q != 2'd1) & (mk_q != MkTyper));
  assign m_hi_en = (state_q == SClear) | ((half_q != 2'd0) & (mk_q != MkTyper));

  // ---------------------------------------------------------------- SGI targets
  logic [NrVcpus-1:0] sgi_targets;
  always_comb begin
    // read by the decoder (SExec) only
    sgi_targets = 'x;
    if (state_q == SExec) begin
      for (int c = 0; c < NrVcpus; c++) begin
        logic [31:0] a;
        a = lane_aff[c*32 +: 32];
        if (wd[40]) begin
          sgi_targets[c] = gt_k(16'(cur_nvc), 16'(c)) & (VcW'(c) != vc);
        end else begin
          sgi_targets[c] = gt_k(16'(cur_nvc), 16'(c)) & (a[31:24] == wd[55:48]) &
                           (a[23:16] == wd[39:32]) & (a[15:8] == wd[23:16]) &
                           (a[7:4] == wd[47:44]) & wd[{2'b00, a[3:0]}];
        end
        if (cur_v2) begin
          // GICD_SGIR's TargetListFilter [25:24]: the list [23:16], the others, VCPU, none
          unique case (wd[25:24])
            2'd0:    sgi_targets[c] = (c < 8) && wd[16 + (c % 8)];
            2'd1:    sgi_targets[c] = (VcW'(c) != vc);
            2'd2:    sgi_targets[c] = (VcW'(c) == vc);
            default: sgi_targets[c] = 1'b0;
          endcase
          sgi_targets[c] = sgi_targets[c] & gt_k(16'(cur_nvc), 16'(c));
        end
      end
    end
  end

  // ---------------------------------------------------------------- active priorities
  // IARn sets the acknowledged group priority's bit in APnR0, EOIRn drops the lowest one;
  // the group is off[5] for both (IARn acknowledges only its own group)
  // GICv2 (SPACE 5) keeps both groups' active priorities in AP1R0 (GICC_APR0)
  logic [31:0] ap_x, ap_set, ap_drop;
  logic        gicc;
  assign gicc    = Gicv2 & (op_space_q == 4'd5);
  assign ap_x    = (off[5] | gicc) ? cur_ap1 : cur_ap0;
  assign ap_set  = ap_x | (32'd1 << su_gp[7:3]);
  assign ap_drop = ap_x & (ap_x - 32'd1);

  // ---------------------------------------------------------------- decode (SExec)
  // Every access of SPACE 0..4 resolves to one of: UNDEF, a scalar register (value
  // dv_val, writes through the c_*/v_* commands), a per-interrupt loop, a misc word.
  logic        dv_undef, dv_entry, dv_misc, dv_noscan;
  logic        dv_lpi;       // the operation continues in SLpi (request dv_lpi_kind)
  logic [1:0]  dv_lpi_kind;
  logic        eoi_lpi;      // EOIRn / DIR of an LPI (INTID >= 8192)
  logic [63:0] dv_val;
  ekind_e      dv_ek;
  logic [9:0]  dv_base;
  logic [4:0]  dv_klast;
  mkind_e      dv_mk;
  logic [1:0]  dv_half;
  logic [2:0]  pi_grp;  // which per-interrupt bit register (offset bits [9:7])
  ekind_e      pi_ek;
  logic [9:0]  pi_base;
  logic [10:0] line_intid;
  logic [23:0] eoi_intid;
  logic        eoi_ok;
  logic [10:0] rt_n;

  always_comb begin
    unique case (pi_grp)
      3'd1:    pi_ek = EkGroup;
      3'd2:    pi_ek = EkSetEn;
      3'd3:    pi_ek = EkClrEn;
      3'd4:    pi_ek = EkSetPend;
      3'd5:    pi_ek = EkClrPend;
      3'd6:    pi_ek = EkSetAct;
      default: pi_ek = EkClrAct;
    endcase
  end
  assign pi_grp     = off[9:7];
  assign line_intid = {1'b0, op_wd_q[9:0]};
  assign eoi_intid  = gicc ? {14'd0, wd[9:0]} : wd[23:0];
  assign eoi_lpi    = Lpis & cur_its & (eoi_intid[23:13] != 11'd0);  // >= 8192
  // below the VM's interrupt count and not 1020..1023 (the constant bounds as bit tests)
  assign eoi_ok     = (eoi_intid[23:11] == 13'd0) & lt_cnt(eoi_intid[10:0], cur_cnt[CntW-1:0]) &
                      (eoi_intid[23:2] != 22'h0000ff);
  assign rt_n       = {1'b0, off[12:3]};

  always_comb begin
    dv_undef  = 1'b0;
    dv_entry  = 1'b0;
    dv_misc   = 1'b0;
    dv_noscan = 1'b0;
    dv_lpi    = 1'b0;
    dv_lpi_kind = 2'd0;
    dv_val    = '0;
    dv_ek     = EkGroup;
    dv_base   = '0;
    dv_klast  = '0;
    dv_mk     = MkStatusr;
    dv_half   = 2'd0;
    pi_base   = {off[6:2], 5'd0};
    c_pmr_we    = 1'b0;
    c_bpr0_we   = 1'b0;
    c_bpr1_we   = 1'b0;
    c_ap0_we    = 1'b0;
    c_ap1_we    = 1'b0;
    c_ig0_we    = 1'b0;
    c_ig1_we    = 1'b0;
    c_ctlr_we   = 1'b0;
    c_enlpis_we = 1'b0;
    c_v2ctl_we  = 1'b0;
    c_ackc_wd   = wd[2];
    c_fiqen_wd  = wd[3];
    c_pmr_wd    = (gicc & op_ua_q) ? wd[4:0] : wd[7:3];  // GICC_PMR uaccess: VMPriMask
    c_bpr0_wd   = (wd[2:0] < 3'd2) ? 3'd2 : wd[2:0];
    c_bpr1_wd   = (wd[2:0] < 3'd3) ? 3'd3 : wd[2:0];
    c_ap_wd     = wd[31:0];
    c_ig0_wd    = wd[0];
    c_ig1_wd    = gicc ? wd[1] : wd[0];
    c_eoim_wd   = gicc ? wd[9] : wd[1];
    c_cbpr_wd   = gicc ? wd[4] : wd[0];
    c_enlpis_wd = wd[0];
    v_grp1_we   = 1'b0;
    v_grp1_wd   = cur_v2 ? wd[0] : wd[1];
    v_dstat_we  = 1'b0;
    v_dstat_wd  = wd[31:0];
    sgi_mask_d  = sgi_mask_q;
    sgi_grp_d   = sgi_grp_q;

    if (dec_en) unique case (op_space_q)
      // ------------------------------------------------------------ distributor
      4'd0: begin
        if (cur_v2) begin
          // ---------------------------------------------------------- GICv2 distributor
          // (INTIDs 0..31 banked per VCPU)
          if (is64 || off[1:0] != 2'b00) begin
            dv_undef = 1'b1;
          end else if (off == 16'h0000) begin
            dv_val    = {63'd0, cur_grp1};
            v_grp1_we = is_wr;
          end else if (off == 16'h0004) begin
            dv_val[4:0] = 5'(cur_cnt[10:5] - 6'd1);
            dv_val[7:5] = 3'(cur_nvc - 8'd1);
          end else if (off == 16'h0008) begin
            dv_val = 64'h4b00343b;
          end else if (off >= 16'h0080 && off < 16'h0400) begin
            dv_undef = ~lt_cnt({1'b0, pi_base}, cur_cnt[CntW-1:0]);
            dv_entry = ~dv_undef;
            dv_ek    = pi_ek;
            dv_base  = pi_base;
            dv_klast = 5'd31;
          end else if (off >= 16'h0400 && off < 16'h0c00) begin
            dv_undef = ~lt_cnt({1'b0, off[9:0]}, cur_cnt[CntW-1:0]);
            dv_entry = ~dv_undef;
            dv_ek    = off[11] ? EkTargets : EkPrio;
            dv_base  = off[9:0];
            dv_klast = 5'd3;
          end else if (off >= 16'h0c00 && off < 16'h0d00) begin
            dv_undef = ~lt_cnt({1'b0, off[7:2], 4'd0}, cur_cnt[CntW-1:0]);
            if (off[7:2] == 6'd0) begin
              dv_val = 64'haaaaaaaa;  // SGIs: edge, writes ignored
            end else begin
              dv_entry = ~dv_undef;
              dv_ek    = EkCfg;
              dv_base  = {off[7:2], 4'd0};
              dv_klast = 5'd15;
            end
          end else if (off == 16'h0f00) begin
            dv_entry   = is_wr;  // GICD_SGIR (reads 0)
            dv_ek      = EkSgi;
            dv_base    = {6'd0, wd[3:0]};
            sgi_mask_d = sgi_targets;
          end else if (off >= 16'h0f10 && off < 16'h0f30) begin
            dv_entry = 1'b1;
            dv_ek    = EkSgiPend;
            dv_base  = {6'd0, off[3:2], 2'b00};
            dv_klast = 5'd3;
          end else begin
            dv_undef = 1'b1;
          end
        end else if (!is64) begin
          if (off[1:0] != 2'b00) begin
            dv_undef = 1'b1;
          end else if (off == 16'h0000) begin
            dv_val = {57'd0, 1'b1, 1'b0, 1'b1, 2'b00, cur_grp1, 1'b0};
            v_grp1_we = is_wr;
          end else if (off == 16'h0004) begin
            dv_val[4:0]   = 5'(cur_cnt[10:5] - 6'd1);
            dv_val[23:19] = cur_its ? 5'd15 : 5'd9;
            dv_val[17]    = cur_its;
          end else if (off == 16'h0008) begin
            dv_val = 64'h4b00343b;
          end else if (off == 16'h000c) begin
            dv_val = '0;
          end else if (off == 16'h0010) begin
            dv_val     = op_ua_q ? {32'd0, cur_dstat} : 64'd0;
            v_dstat_we = is_wr & op_ua_q;
          end else if (off[15:10] == 6'd0 && off[9:7] != 3'd0) begin  // 0x0080..0x03ff
            if (pi_base == 10'd0) begin
              dv_val = '0;  // INTIDs 0..31 live in the redistributor
            end else if (~lt_cnt({1'b0, pi_base}, cur_cnt[CntW-1:0])) begin
              dv_undef = 1'b1;
            end else begin
              dv_entry = 1'b1;
              dv_ek    = pi_ek;
              dv_base  = pi_base;
              dv_klast = 5'd31;
            end
          end else if (off[15:10] == 6'd1) begin  // 0x0400..0x07ff
            if (off[9:5] == 5'd0) begin
              dv_val = '0;
            end else if (~lt_cnt({1'b0, off[9:0]}, cur_cnt[CntW-1:0])) begin
              dv_undef = 1'b1;
            end else begin
              dv_entry = 1'b1;
              dv_ek    = EkPrio;
              dv_base  = off[9:0];
              dv_klast = 5'd3;
            end
          end else if (off[15:10] == 6'd2) begin  // 0x0800..0x0bff
            dv_undef = ~lt_cnt({1'b0, off[9:0]}, cur_cnt[CntW-1:0]);  // ITARGETSR: 0, writes ignored
          end else if (off[15:8] == 8'h0c) begin  // 0x0c00..0x0cff
            if (off[7:3] == 5'd0) begin  // off[7:2] < 2
              dv_val = '0;
            end else if (~lt_cnt({1'b0, off[7:2], 4'd0}, cur_cnt[CntW-1:0])) begin
              dv_undef = 1'b1;
            end else begin
              dv_entry = 1'b1;
              dv_ek    = EkCfg;
              dv_base  = {off[7:2], 4'd0};
              dv_klast = 5'd15;
            end
          end else if (off[15:7] == 9'h01a) begin  // 0x0d00..0x0d7f
            dv_undef = ~lt_cnt({1'b0, off[6:2], 5'd0}, cur_cnt[CntW-1:0]);  // IGRPMODR: 0, writes ignored
          end else if (off[15:13] == 3'b011) begin  // 0x6000..0x7fff
            if (rt_n[10:5] == 6'd0 || ~lt_cnt(rt_n, cur_cnt[CntW-1:0])) begin  // rt_n < 32
              dv_undef = 1'b1;
            end else begin
              dv_entry = 1'b1;
              dv_ek    = off[2] ? EkRouteHi : EkRouteLo;
              dv_base  = off[12:3];
            end
          end else if (off == 16'hffe8) begin
            dv_val = 64'h3b;
          end else begin
            dv_undef = 1'b1;
          end
        end else begin
          if (off[2:0] == 3'b000 && off[15:13] == 3'b011 && rt_n[10:5] != 6'd0 &&
              lt_cnt(rt_n, cur_cnt[CntW-1:0])) begin
            dv_entry = 1'b1;
            dv_ek    = EkRoute64;
            dv_base  = off[12:3];
          end else begin
            dv_undef = 1'b1;
          end
        end
      end
      // ------------------------------------------------------------ RD_base
      4'd1: begin
        dv_mk   = MkProp;
        dv_half = is64 ? 2'd2 : {1'b0, off[2]};
        if (is64 ? (off[2:0] != 3'b000) : (off[1:0] != 2'b00)) begin
          dv_undef = 1'b1;
        end else if (!is64 && off == 16'h0000) begin
          dv_val      = {63'd0, cur_enlpis};
          c_enlpis_we = is_wr & cur_its;
          dv_lpi      = Lpis & is_wr & cur_its & (wd[0] != cur_enlpis);
          dv_lpi_kind = wd[0] ? 2'd1 : 2'd2;
        end else if (!is64 && off == 16'h0004) begin
          dv_val = 64'h4b00043b;
        end else if (off == 16'h0008 || (!is64 && off == 16'h000c)) begin
          dv_misc = 1'b1;
          dv_mk   = MkTyper;
        end else if (!is64 && off == 16'h0010) begin
          dv_misc = op_ua_q;
          dv_mk   = MkStatusr;
          dv_val  = '0;
        end else if (!is64 && off == 16'h0014) begin
          dv_val = '0;
        end else if (off == 16'h0070 || (!is64 && off == 16'h0074)) begin
          dv_misc = 1'b1;
          dv_mk   = MkProp;
        end else if (off == 16'h0078 || (!is64 && off == 16'h007c)) begin
          dv_misc = 1'b1;
          dv_mk   = MkPend;
        end else if (!is64 && off == 16'hffe8) begin
          dv_val = 64'h3b;
        end else begin
          dv_undef = 1'b1;
        end
      end
      // ------------------------------------------------------------ SGI_base
      4'd2: begin
        if (is64 || off[1:0] != 2'b00) begin
          dv_undef = 1'b1;
        end else if (off[15:10] == 6'd0 && off[9:7] != 3'd0 && off[6:0] == 7'd0) begin
          dv_entry = 1'b1;
          dv_ek    = pi_ek;
          dv_base  = 10'd0;
          dv_klast = 5'd31;
        end else if (off[15:5] == 11'h020) begin  // 0x0400..0x041f
          dv_entry = 1'b1;
          dv_ek    = EkPrio;
          dv_base  = {5'd0, off[4:0]};
          dv_klast = 5'd3;
        end else if (off == 16'h0c00) begin
          dv_val = 64'haaaaaaaa;
        end else if (off == 16'h0c04) begin
          dv_entry = 1'b1;
          dv_ek    = EkCfg;
          dv_base  = 10'd16;
          dv_klast = 5'd15;
        end else if (off == 16'h0d00 || off == 16'h0e00) begin
          dv_val = '0;
        end else begin
          dv_undef = 1'b1;
        end
      end
      // ------------------------------------------------------------ CPU interface
      4'd3: begin
        if (!is64) begin
          dv_undef = 1'b1;  // system registers are 64-bit accesses
        end else if (off == IccPmr) begin
          dv_val   = {56'd0, cur_pmr, 3'b000};
          c_pmr_we = is_wr;
        end else if (off == IccBpr0) begin
          dv_val    = {61'd0, cur_bpr0};
          c_bpr0_we = is_wr;
        end else if (off == IccBpr1) begin
          dv_val    = {56'd0, su_bpr1_rd};
          c_bpr1_we = is_wr & ~cur_cbpr;
        end else if (off == IccAp0r0) begin
          dv_val   = {32'd0, cur_ap0};
          c_ap0_we = is_wr;
        end else if (off == IccAp1r0) begin
          dv_val   = {32'd0, cur_ap1};
          c_ap1_we = is_wr;
        end else if (off == IccCtlr) begin
          dv_val    = {48'd0, 16'h8400 | {14'd0, cur_eoim, cur_cbpr}};
          c_ctlr_we = is_wr;
        end else if (off == IccSre) begin
          dv_val = 64'h7;
        end else if (off == IccIgrpen0) begin
          dv_val   = {63'd0, cur_ig0};
          c_ig0_we = is_wr;
        end else if (off == IccIgrpen1) begin
          dv_val   = {63'd0, cur_ig1};
          c_ig1_we = is_wr;
        end else if (op_ua_q) begin
          dv_undef = 1'b1;
        end else if ((off == IccIar0 || off == IccIar1) && is_rd) begin
          if (su_pres && m_cg == off[5]) begin
            dv_entry = ~m_lpi;
            dv_lpi   = m_lpi;
            dv_val   = {48'd0, m_cid};
            dv_ek    = EkAck;
            dv_base  = cur_cid;
            c_ap1_we = m_cg;
            c_ap0_we = ~m_cg;
            c_ap_wd  = ap_set;
          end else begin
            dv_val = 64'd1023;
          end
        end else if ((off == IccHppir0 || off == IccHppir1) && is_rd) begin
          dv_val = (m_cv && m_cg == off[5]) ? {48'd0, m_cid} : 64'd1023;
        end else if (off == IccRpr && is_rd) begin
          dv_val = {56'd0, su_rpr};
        end else if ((off == IccEoir0 || off == IccEoir1) && is_wr) begin
          if (eoi_ok || eoi_lpi) begin
            c_ap1_we = off[5];
            c_ap0_we = ~off[5];
            c_ap_wd  = ap_drop;
            dv_entry  = ~cur_eoim & ~eoi_lpi;
            // an LPI has no active state: priority drop only (then the notification pass)
            dv_ek    = EkDeact;
            dv_base  = eoi_intid[9:0];
          end else begin
            dv_noscan = 1'b1;
          end
        end else if (off == IccDir && is_wr) begin
          dv_entry  = cur_eoim & eoi_ok;
          dv_noscan = ~(cur_eoim & eoi_ok);
          dv_ek     = EkDeact;
          dv_base   = eoi_intid[9:0];
        end else if ((off == IccSgi1r || off == IccSgi0r) && is_wr) begin
          dv_entry   = 1'b1;
          dv_ek      = EkSgi;
          dv_base    = {6'd0, wd[27:24]};
          sgi_mask_d = sgi_targets;
          sgi_grp_d  = ~off[1];
        end else begin
          dv_undef = 1'b1;
        end
      end
      // ------------------------------------------------------------ GICv2 CPU interface
      4'd5: begin
        if (!Gicv2 || is64 || off[1:0] != 2'b00) begin
          dv_undef = 1'b1;
        end else if (off == 16'h0000) begin
          dv_val     = {54'd0, cur_eoim, 4'd0, cur_cbpr, cur_fiqen, cur_ackc, cur_ig1, cur_ig0};
          c_ig0_we   = is_wr;
          c_ig1_we   = is_wr;
          c_ctlr_we  = is_wr;
          c_v2ctl_we = is_wr;
        end else if (off == 16'h0004) begin
          dv_val   = op_ua_q ? {59'd0, cur_pmr} : {56'd0, cur_pmr, 3'b000};
          c_pmr_we = is_wr;
        end else if (off == 16'h0008) begin
          dv_val    = {61'd0, cur_bpr0};
          c_bpr0_we = is_wr;
        end else if (off == 16'h001c) begin
          dv_val    = {61'd0, cur_bpr1};  // ABPR: its own value whatever CBPR
          c_bpr1_we = is_wr;
        end else if (off == 16'h00fc) begin
          dv_val = 64'h04b2043b;
        end else if (off >= 16'h00d0 && off <= 16'h00dc) begin
          dv_val   = (off == 16'h00d0) ? {32'd0, cur_ap1} : 64'd0;  // APR0 = AP1R0
          c_ap1_we = is_wr & (off == 16'h00d0);
        end else if (op_ua_q) begin
          dv_undef = 1'b1;
        end else if ((off == 16'h000c || off == 16'h0020) && is_rd) begin
          // IAR: group 0, or group 1 with AckCtl (1022 without); AIAR: group 1
          if (su_pres && ((off == 16'h0020) ? m_cg : (~m_cg | cur_ackc))) begin
            dv_entry = 1'b1;
            dv_ek    = EkAck;
            dv_base  = cur_cid;
            c_ap1_we = 1'b1;
            c_ap_wd  = ap_set;
          end else begin
            dv_val = (su_pres && m_cg && off == 16'h000c) ? 64'd1022 : 64'd1023;
          end
        end else if ((off == 16'h0018 || off == 16'h0028) && is_rd) begin
          // HPPIR / AHPPIR: the candidate (an SGI with its source, read in the loop)
          if (m_cv && ((off == 16'h0028) ? m_cg : (~m_cg | cur_ackc))) begin
            dv_entry = 1'b1;
            dv_ek    = EkHppi;
            dv_base  = cur_cid;
          end else begin
            dv_val = (m_cv && m_cg && off == 16'h0018) ? 64'd1022 : 64'd1023;
          end
        end else if (off == 16'h0014 && is_rd) begin
          dv_val = {56'd0, su_rpr};
        end else if ((off == 16'h0010 || off == 16'h0024) && is_wr) begin
          if (eoi_ok) begin
            c_ap1_we = 1'b1;
            c_ap_wd  = ap_drop;
            dv_entry = ~cur_eoim;
            dv_ek    = EkDeact;
            dv_base  = eoi_intid[9:0];
          end else begin
            dv_noscan = 1'b1;
          end
        end else if (off == 16'h1000 && is_wr) begin
          dv_entry  = cur_eoim & eoi_ok;
          dv_noscan = ~(cur_eoim & eoi_ok);
          dv_ek     = EkDeact;
          dv_base   = eoi_intid[9:0];
        end else begin
          dv_undef = 1'b1;
        end
      end
      // ------------------------------------------------------------ presentation status
      default: begin
        if (off == 16'h0000 && is_rd && !is64) begin
          dv_val = {32'd0, su_status};
        end else if (off[15:7] == 9'h020 && off[1:0] == 2'b00 && is_rd && !is64 &&  // 0x1000..0x107f
                     lt_cnt({1'b0, off[6:2], 5'd0}, cur_cnt[CntW-1:0])) begin
          dv_entry = 1'b1;  // line levels of INTIDs 32n .. 32n+31 (GRP_LEVEL_INFO)
          dv_ek    = EkLevel;
          dv_base  = {off[6:2], 5'd0};
          dv_klast = 5'd31;
        end else begin
          dv_undef = 1'b1;
        end
      end
    endcase
  end

  // ---------------------------------------------------------------- control
  always_comb begin
    state_d      = state_q;
    op_vm_d      = op_vm_q;
    op_vc_d      = op_vc_q;
    op_space_d   = op_space_q;
    op_ua_d      = op_ua_q;
    op_off_d     = op_off_q;
    op_code_d    = op_code_q;
    busy_d       = busy_q;
    done_d       = done_q;
    undef_d      = undef_q;
    bad_d        = bad_q;
    rdata_d      = rdata_q;
    ek_d         = ek_q;
    base_d       = base_q;
    k_d          = k_q;
    klast_d      = klast_q;
    e_wr_d       = e_wr_q;
    e_rd_d       = e_rd_q;
    scan_after_d = scan_after_q;
    mk_d         = mk_q;
    half_d       = half_q;
    sc_i_d       = sc_i_q;
    sc_full_d    = sc_full_q;
    lr_kind_d     = lr_kind_q;
    lr_intid_d    = lr_intid_q;
    lr_then_ntf_d = lr_then_ntf_q;
    ldirty_clr    = '0;
    bg_d          = bg_q;
    nt_mask_d    = nt_mask_q | root_chg;  // a lane whose candidate changed gets checked
    sel_look     = 1'b0;
    sel_look_vm  = vm;
    sel_look_id  = e_intid[IrqW-1:0];
    sel_upd      = 1'b0;
    sel_clr      = 1'b0;
    fast_we      = '0;
    c_aff_we     = 1'b0;
    c_aff_wd     = op_wd_q[31:0];
    v_cfg_we     = 1'b0;
    v_cfg_cnt    = '0;
    v_cfg_nvc    = '0;
    v_cfg_its    = 1'b0;
    v_cfg_v2     = 1'b0;
    v_its_we     = 1'b0;
    v_its_wd     = op_wd_q[0];
    vm_rst       = 1'b0;
    c_last_we    = 1'b0;
    c_last_wd    = su_enc;
    ntf_push     = 1'b0;
    priv_we      = 1'b0;
    spi_we       = 1'b0;
    misc_we      = 1'b0;
    priv_raddr   = {vm, e_intid[4:0]};
    spi_raddr    = {vm, e_intid[IrqW-1:0]};
    misc_raddr   = {vm, vc, m_word};
    priv_waddr   = {vm, e_intid[4:0]};
    spi_waddr    = {vm, e_intid[IrqW-1:0]};
    misc_waddr   = {vm, vc, m_word};
    priv_wfull   = e_priv_new;
    spi_wdata    = {e_route_new, e_new[10:0]};
    misc_wdata   = m_new;

    unique case (state_q)
      SIdle: begin
        bg_d = 1'b0;
        if (op_qe || op_pend_q) begin
          op_vm_d    = target_q[7:0];
          op_vc_d    = target_q[15:8];
          op_space_d = target_q[19:16];
          op_ua_d    = target_q[20];
          op_off_d   = offset_q[15:0];
          op_code_d  = op_q[3:0];
          busy_d     = 1'b1;
          done_d     = 1'b0;
          undef_d    = 1'b0;
          bad_d      = 1'b0;
          state_d    = SExec;
          if (op_q[3:0] == OpLine) begin
            // LINE: read the interrupt's word and its leaf's tree word now, so that SExec
            // can write it back and notify in the next cycle (the decode cannot fail a
            // read; SExec drops it when the operation is UNDEF or BADTARGET)
            ek_d        = EkLine;
            base_d      = wdata_lo_q[9:0];
            k_d         = '0;
            priv_raddr  = {target_q[VmW-1:0], wdata_lo_q[4:0]};
            spi_raddr   = {target_q[VmW-1:0], wdata_lo_q[IrqW-1:0]};
            sel_look    = 1'b1;
            sel_look_vm = target_q[VmW-1:0];
            sel_look_id = wdata_lo_q[IrqW-1:0];
          end
        end else if (Lpis && ldirty_q != '0) begin
          // LPI state changed in the ITS engine: notification pass of those lanes (lowest VM)
          for (int v = NrVms - 1; v >= 0; v--) begin
            if (ldirty_q[v*NrVcpus +: NrVcpus] != '0) begin
              op_vm_d   = 8'(v);
              nt_mask_d = ldirty_q[v*NrVcpus +: NrVcpus];
            end
          end
          for (int v = 0; v < NrVms; v++) begin
            if (8'(v) == op_vm_d) ldirty_clr[v*NrVcpus +: NrVcpus] = '1;
          end
          bg_d    = 1'b1;
          state_d = SNotify;
        end
      end

      SExec: begin
        state_d      = SIdle;  // unless an action below continues
        k_d          = '0;
        klast_d      = '0;
        base_d       = dv_base;
        ek_d         = dv_ek;
        e_rd_d       = 1'b0;
        e_wr_d       = 1'b0;
        scan_after_d = 1'b0;
        mk_d         = dv_mk;
        half_d       = dv_half;
        sc_i_d       = '0;
        rdata_d      = '0;  // every operation but a BADTARGET one rewrites RDATA
        // The notification pass visits the operation's own vCPU (its CPU-interface
        // registers may have changed the status) and every lane whose candidate changed.
        sc_full_d    = 1'b0;
        for (int c = 0; c < NrVcpus; c++) nt_mask_d[c] = (vc == VcW'(c));
        if (op_code_q == OpVmConfig || op_code_q == OpVmReset) begin
          if (!vm_ok || (op_code_q == OpVmConfig &&
                         (op_wd_q[15:6] == 10'd0 || gt_k(op_wd_q[15:0], 16'(NrIrqs)) ||
                          op_wd_q[4:0] != 5'd0 || op_wd_q[23:16] == 8'd0 ||
                          gt_k(16'(op_wd_q[23:16]), 16'(NrVcpus)) ||
                          // GICv2: no ITS, at most 8 vCPUs
                          (Gicv2 && op_wd_q[25] && (op_wd_q[24] || op_wd_q[23:16] > 8'd8)))))
            begin
            bad_d = 1'b1;
          end else begin
            vm_rst    = 1'b1;
            v_cfg_we  = 1'b1;
            v_cfg_cnt = (op_code_q == OpVmConfig) ? op_wd_q[10:0] : 11'd0;
            v_cfg_nvc = (op_code_q == OpVmConfig) ? op_wd_q[23:16] : 8'd0;
            v_cfg_its = (op_code_q == OpVmConfig) & op_wd_q[24];
            v_cfg_v2  = (op_code_q == OpVmConfig) & op_wd_q[25];
            state_d   = SClear;
          end
        end else if (!cfg || op_code_q == 4'd0 || op_code_q > OpVmSetIts) begin
          bad_d = 1'b1;
        end else if (op_code_q == OpVmSetIts) begin
          // the VM's ITS flag alone; no flag without an ITS engine, and no clearing while
          // a vCPU has EnableLPIs = 1 (it implies an ITS)
          if (op_wd_q[0] ? (!Lpis || cur_v2) : vm_enlpis) begin
            bad_d = 1'b1;
          end else begin
            v_its_we = 1'b1;
            if (Lpis) begin
              // LPIs are presented only while the flag is set: check every lane's status
              nt_mask_d = '1;
              state_d   = SNotify;
            end
          end
        end else if (op_code_q == OpVcpuConfig) begin
          if (!vc_ok) begin
            bad_d = 1'b1;
          end else begin
            c_aff_we     = 1'b1;  // affinities route SPIs: full pass
            mk_d         = MkVcfg;
            e_wr_d       = 1'b1;
            scan_after_d = 1'b1;
            sc_full_d    = 1'b1;
            state_d      = SMRd;
          end
        end else if (op_code_q == OpLine) begin
          if (line_intid[10:4] == 7'd0 || ~lt_cnt(line_intid, cur_cnt[CntW-1:0])) begin  // < 16
            undef_d = 1'b1;
          end else if (line_intid[10:5] == 6'd0 && !vc_ok) begin  // < 32
            bad_d = 1'b1;
          end else begin
            // the word read in SIdle: modify and write it back now (as SEWb does), offer
            // the new leaf to the selector, and notify the lanes it beats at once
            priv_we   = e_private;
            spi_we    = ~e_private;
            sel_upd   = 1'b1;
            fast_we   = lf_beats;
            nt_mask_d = lf_beats;
            state_d   = (lf_beats != '0) ? SNotify : SDrain;
          end
        end else if (!sp_known || (sp_vc && !vc_ok)) begin
          bad_d = 1'b1;
        end else if (dv_undef) begin
          undef_d = 1'b1;
        end else begin
          // the scalar writes of the decoder take effect now (c_* / v_* commands)
          e_rd_d       = is_rd;
          e_wr_d       = is_wr | (dv_entry & dv_ek == EkAck);
          scan_after_d = (is_wr & ~dv_noscan) | (dv_entry & dv_ek == EkAck);
          klast_d      = dv_klast;
          // GICD_CTLR.EnableGrp1 and IGRPENn gate many interrupts at once: full pass over
          // the VM's leaves. Every other write changes either no eligibility (CPU-interface
          // registers: notification pass only) or that of the INTIDs of its word (one
          // selector update per INTID in the per-interrupt loop).
          sc_full_d    = v_grp1_we | c_ig0_we | c_ig1_we;
          if (dv_entry && dv_ek == EkAck && su_gp <= (su_p8 & su_mask0 & su_mask1) &&
              (!ntf_valid_q || notify_ready_i)) begin
            // Every interrupt left eligible has a priority >= the acknowledged one, so
            // its group priority is >= p & mask0 & mask1 >= the new running priority:
            // the vCPU's status becomes 0x3ff whatever the selector finds. Notify now;
            // the pass after the root then sees no change.
            c_last_we = 1'b1;
            c_last_wd = 23'h0003ff;
            ntf_push  = 1'b1;
          end
          if (dv_lpi) begin
            // LPI acknowledge (RDATA = the INTID) or EnableLPIs change: the ITS engine
            // works, then the vCPU's notification pass
            rdata_d       = is_rd ? dv_val : 64'd0;
            lr_kind_d     = dv_lpi_kind;
            lr_intid_d    = m_cid;
            lr_then_ntf_d = 1'b1;
            state_d       = SLpi;
          end else if (dv_entry) begin
            state_d = SERd;
          end else if (dv_misc) begin
            state_d = SMRd;
          end else begin
            if (is_rd) rdata_d = dv_val;
            if (is_wr && !dv_noscan) state_d = sc_full_d ? SScan : SNotify;
          end
        end
        if (bad_d) rdata_d = rdata_q;
        if (state_d == SScan) begin
          ek_d   = EkLevel;  // the full pass modifies nothing
          base_d = '0;
        end
        if (state_d == SERd) begin
          // the first word of the per-interrupt loop is read now (saves SERd)
          priv_raddr  = {vm, base_d[4:0]};
          spi_raddr   = {vm, base_d[IrqW-1:0]};
          sel_look    = 1'b1;
          sel_look_id = base_d[IrqW-1:0];
          state_d     = SEWb;
        end
        if (state_d == SIdle) begin
          busy_d = 1'b0;
          done_d = ~bad_d;  // BADTARGET: STATUS = BADTARGET alone (as the C model)
        end
      end

      SERd: begin
        // read addresses come from e_intid (defaults above); the selector must be done
        // with the previous INTID's update before it looks up this one
        if (!sel_busy) begin
          sel_look = 1'b1;
          state_d  = SEWb;
        end
      end

      SEWb: begin
        // the loop's reads step through RDATA from the top: INTID base+k ends at bit k
        // (a bit), bits 2k+1..2k (a configuration pair), byte k (a priority)
        if (e_rd_q) begin
          unique case (ek_q)
            EkCfg:   rdata_d[31:0] = {e_rd[1:0], rdata_q[31:2]};
            EkPrio, EkTargets, EkSgiPend: rdata_d[31:0] = {e_rd[7:0], rdata_q[31:8]};
            EkRouteLo, EkRouteHi, EkRoute64, EkAck, EkHppi: rdata_d = e_rd;  // one step
            default: rdata_d[31:0] = {e_rd[0], rdata_q[31:1]};
          endcase
        end
        if (e_wr_q) begin
          priv_we   = e_private;
          spi_we    = ~e_private;
          sel_upd   = 1'b1;
          fast_we   = lf_beats;
          nt_mask_d = nt_mask_q | lf_beats;
        end
        k_d = k_q + 5'd1;
        if (k_q == klast_q) begin
          if (scan_after_q) begin
            if (sc_full_q) begin
              state_d = SScan;
              ek_d    = EkLevel;
              base_d  = '0;
              k_d     = '0;
            end else begin
              // notify the lanes known now; SDrain waits for the selector's root
              state_d = (nt_mask_d != '0) ? SNotify : SDrain;
            end
          end else begin
            state_d = SIdle;
            busy_d  = 1'b0;
            done_d  = 1'b1;
          end
        end else begin
          state_d = SERd;
        end
      end

      SMRd: state_d = SMWb;

      SMWb: begin
        if (e_rd_q) rdata_d = m_rd;
        misc_we = e_wr_q;
        if (scan_after_q) begin
          // VCPU_CONFIG: full pass; GICR_STATUSR / PROPBASER / PENDBASER: no
          // eligibility changes
          state_d = sc_full_q ? SScan : SNotify;
          ek_d    = EkLevel;
          base_d  = '0;
          k_d     = '0;
        end else begin
          state_d = SIdle;
          busy_d  = 1'b0;
          done_d  = 1'b1;
        end
      end

      SClear: begin
        priv_waddr = {vm, sc_i_q[4:0]};
        spi_waddr  = {vm, sc_i_q[IrqW-1:0]};
        misc_waddr = {vm, sc_i_q[VcW+1:0]};
        // GICv2 VMs reset every interrupt to group 0 (KVM's v2 reset)
        priv_wfull = {NrVcpus{((sc_i_q[10:4] == 7'd0) ? SgiReset : OtherReset) &
                              ~(SW'(cur_v2) << BGrp)}};
        spi_wdata  = {32'd0, OtherReset[10:0] & ~(11'(cur_v2) << BGrp)};
        misc_wdata = '0;
        priv_we    = (sc_i_q[10:5] == 6'd0);  // < 32
        spi_we     = 1'b1;
        misc_we    = ((sc_i_q >> (VcW + 2)) == 11'd0);  // < 4 << VcW
        sel_clr    = ~gt_k(16'(sc_i_q), 16'(NrIrqs / 2 - 1));  // < NrIrqs / 2: the VM's tree: no eligible interrupt
        sc_i_d     = sc_i_q + 11'd1;
        if (32'(sc_i_q) == ClearN - 1) begin
          state_d = SIdle;
          busy_d  = 1'b0;
          done_d  = 1'b1;
          if (Lpis) begin
            // VM_CONFIG / VM_RESET clear the VM's LPIs
            busy_d        = 1'b1;
            done_d        = 1'b0;
            lr_kind_d     = 2'd3;
            lr_then_ntf_d = 1'b0;
            state_d       = SLpi;
          end
        end
      end

      SScan: begin
        // full pass: every INTID's leaf (INTID base_q, read now) is offered to the
        // selector, which walks the paths of the leaves eligible before or after
        if (!sel_busy) begin
          sel_look = 1'b1;
          state_d  = SScanWb;
        end
      end

      SScanWb: begin
        sel_upd = 1'b1;
        if ({1'b0, base_q} == cur_cnt - 11'd1) begin
          nt_mask_d = '1;  // SDrain waits for the last update
          state_d   = SDrain;
        end else begin
          base_d  = base_q + 10'd1;
          state_d = SScan;
        end
      end

      SNotify: begin
        if (nt_mask_q == '0) begin
          state_d = SDrain;
        end else if (!ntf_valid_q || notify_ready_i) begin
          if (su_enc != cur_last) begin
            c_last_we = 1'b1;
            ntf_push  = 1'b1;
          end
          nt_mask_d = (nt_mask_q & ~nt_oh) | root_chg;
          if ((nt_mask_q & ~nt_oh) == '0) state_d = SDrain;
        end
      end

      SDrain: begin
        // the last record leaves and the selector finishes; a lane whose candidate its root
        // changed (commit in this cycle when the selector has just finished) is visited
        if ((!ntf_valid_q || notify_ready_i) && !sel_busy) begin
          if (nt_mask_d != '0) begin
            state_d = SNotify;
          end else begin
            state_d = SIdle;
            if (!bg_q) begin
              busy_d = 1'b0;
              done_d = 1'b1;
            end
          end
        end
      end

      SLpi: begin
        if (lpi_req_done_i) begin
          if (lr_then_ntf_q) begin
            state_d = SNotify;
          end else begin
            state_d = SIdle;
            busy_d  = 1'b0;
            done_d  = 1'b1;
          end
        end
      end

      default: state_d = SIdle;
    endcase
  end

  assign ntf_valid_d = ntf_push | (ntf_valid_q & ~notify_ready_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= SIdle;
      op_vm_q      <= '0;
      op_vc_q      <= '0;
      op_space_q   <= '0;
      op_ua_q      <= 1'b0;
      op_off_q     <= '0;
      op_wd_q      <= '0;
      op_code_q    <= '0;
      busy_q       <= 1'b0;
      done_q       <= 1'b0;
      undef_q      <= 1'b0;
      bad_q        <= 1'b0;
      rdata_q      <= '0;
      ek_q         <= EkGroup;
      base_q       <= '0;
      k_q          <= '0;
      klast_q      <= '0;
      e_wr_q       <= 1'b0;
      e_rd_q       <= 1'b0;
      scan_after_q <= 1'b0;
      sgi_mask_q   <= '0;
      sgi_grp_q    <= 1'b0;
      mk_q         <= MkStatusr;
      half_q       <= '0;
      sc_i_q       <= '0;
      sc_full_q    <= 1'b0;
      nt_mask_q    <= '0;
      ntf_valid_q  <= 1'b0;
      ntf_vm_q     <= '0;
      ntf_vcpu_q   <= '0;
      lr_kind_q    <= '0;
      lr_intid_q   <= '0;
      lr_then_ntf_q <= 1'b0;
      ldirty_q     <= '0;
      bg_q         <= 1'b0;
      op_pend_q    <= 1'b0;
    end else begin
      lr_kind_q    <= lr_kind_d;
      lr_intid_q   <= lr_intid_d;
      lr_then_ntf_q <= lr_then_ntf_d;
      ldirty_q     <= Lpis ? ((ldirty_q & ~ldirty_clr) | lpi_chg_i) : '0;
      bg_q         <= bg_d;
      if (state_q == SIdle) op_pend_q <= 1'b0;
      else if (op_qe) op_pend_q <= 1'b1;
      state_q      <= state_d;
      op_vm_q      <= op_vm_d;
      op_vc_q      <= op_vc_d;
      op_space_q   <= op_space_d;
      op_ua_q      <= op_ua_d;
      op_off_q     <= op_off_d;
      if (state_q == SIdle && (op_qe || op_pend_q)) op_wd_q <= {wdata_hi_q, wdata_lo_q};
      op_code_q    <= op_code_d;
      busy_q       <= busy_d;
      done_q       <= done_d;
      undef_q      <= undef_d;
      bad_q        <= bad_d;
      rdata_q      <= rdata_d;
      ek_q         <= ek_d;
      base_q       <= base_d;
      k_q          <= k_d;
      klast_q      <= klast_d;
      e_wr_q       <= e_wr_d;
      e_rd_q       <= e_rd_d;
      scan_after_q <= scan_after_d;
      if (state_q == SExec) begin
        sgi_mask_q <= sgi_mask_d;
        sgi_grp_q  <= sgi_grp_d;
      end
      mk_q         <= mk_d;
      half_q       <= half_d;
      sc_i_q       <= sc_i_d;
      sc_full_q    <= sc_full_d;
      nt_mask_q    <= nt_mask_d;
      ntf_valid_q  <= ntf_valid_d;
      if (ntf_push) begin
        ntf_vm_q   <= op_vm_q;
        ntf_vcpu_q <= 8'(lane);
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign status_d   = (op_qe || op_pend_q) ? 32'h1 : {28'd0, bad_q, undef_q, done_q, busy_q};

  // ---------------------------------------------------------------- LPI side outputs
  assign lpi_req_valid_o = (state_q == SLpi);
  assign lpi_req_kind_o  = lr_kind_q;
  assign lpi_req_vm_o    = op_vm_q;
  assign lpi_req_vcpu_o  = op_vc_q;
  assign lpi_req_intid_o = lr_intid_q;
  assign lpi_nvc_o       = vm_nvc_all;
  assign lpi_enlpis_o    = enlpis_all;

  if (Lpis) begin : g_lpi_mirror
    // copies of PROPBASER (redistributor 0) and PENDBASER for the ITS engine's table walks
    // flat vectors written per entry (constant part-selects): the ports are these flops,
    // with no per-cycle concatenation in simulation and no dynamic part-select in synthesis.
    // One block under one enable (the VM's clear, a PROPBASER / PENDBASER write-back), so
    // that a cycle without either tests that enable only (Verilator), and the same flops
    // and per-entry enables as one block per entry (Yosys).
    logic [NrVms*64-1:0] prop_q;
    logic [NV*64-1:0]    pend_q;
    logic                mir_clr, mir_we;
    assign mir_clr = (state_q == SClear) && (sc_i_q == '0);
    assign mir_we  = (state_q == SMWb) && misc_we;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        prop_q <= '0;
        pend_q <= '0;
      end else if (mir_clr || mir_we) begin
        for (int v = 0; v < NrVms; v++) begin
          if (32'(vm) == v && mir_clr) prop_q[v*64 +: 64] <= '0;
          else if (32'(vm) == v && mir_we && mk_q == MkProp && vc == '0)
            prop_q[v*64 +: 64] <= m_merged;
        end
        for (int x = 0; x < NV; x++) begin
          if (32'(vm) == x / NrVcpus && mir_clr) pend_q[x*64 +: 64] <= '0;
          else if (32'(cur_idx) == x && mir_we && mk_q == MkPend)
            pend_q[x*64 +: 64] <= m_merged;
        end
      end
    end
    assign lpi_prop_o = prop_q;
    assign lpi_pend_o = pend_q;
  end else begin : g_no_lpi
    assign lpi_prop_o = '0;
    assign lpi_pend_o = '0;
    logic unused_lpi;
    assign unused_lpi = ^{lpi_best_i, lpi_chg_i, lpi_req_done_i, m_merged};
  end
  assign rdata_lo_d = rdata_q[31:0];
  assign rdata_hi_d = rdata_q[63:32];

  assign notify_valid_o = ntf_valid_q;
  assign notify_o.src   = ioe_pkg::NotifySrcGic;
  assign notify_o.vm    = ntf_vm_q;
  assign notify_o.vcpu  = ntf_vcpu_q;

  logic unused_bits;
  assign unused_bits = ^{target_q[31:21], offset_q[31:16], op_q[31:4]};

endmodule
