// ioe_xive_core: the XIVE engine proper (see ioe_xive.sv for the pipeline outline and
// docs/xive.md for the semantics it implements).

module ioe_xive_core #(
  parameter int unsigned NrVms       = 8,
  parameter int unsigned NrVcpus     = 8,
  parameter int unsigned XiveSources = 1024,
  parameter int unsigned EqWriteTimeout = 4096
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // access port
  input  logic [31:0]       target_i,
  input  logic [31:0]       offset_i,
  input  logic [63:0]       wdata_i,
  input  logic [3:0]        code_i,
  input  logic              start_i,
  output logic [31:0]       status_o,
  output logic [63:0]       rdata_o,
  output logic [31:0]       trig_count_o,
  output logic [31:0]       eq_write_count_o,
  output logic [31:0]       eq_write_cycle_o,
  output logic [31:0]       eq_write_err_o,
  input  logic [31:0]       cycle_i,
  // MSI ingress
  input  logic              msi_valid_i,
  output logic              msi_ready_o,
  output logic              msi_claim_o,
  input  logic [63:0]       msi_addr_i,
  // notifications
  output logic              notify_valid_o,
  input  logic              notify_ready_i,
  output ioe_pkg::notify_t  notify_o,
  // DMA
  output logic              dma_req_valid_o,
  input  logic              dma_req_ready_i,
  output ioe_pkg::dma_req_t dma_req_o,
  input  logic              dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t dma_rsp_i
);

  // ---------------------------------------------------------------- sizes
  localparam int unsigned VmW   = (NrVms > 1) ? $clog2(NrVms) : 1;
  localparam int unsigned SrvW  = (NrVcpus > 1) ? $clog2(NrVcpus) : 1;
  localparam int unsigned SrcW  = (XiveSources > 1) ? $clog2(XiveSources) : 1;
  localparam int unsigned EndW  = SrvW + 3;
  localparam int unsigned NEnd  = NrVcpus * 8;                    // ENDs per VM
  localparam int unsigned NSeq  = (XiveSources > NEnd) ? XiveSources : NEnd;
  localparam int unsigned SeqW  = (NSeq > 1) ? $clog2(NSeq) : 1;
  localparam int unsigned NSrvT = NrVms * NrVcpus;
  localparam int unsigned SrcAW = VmW + SrcW;
  localparam int unsigned EndAW = VmW + EndW;
  localparam int unsigned SrvAW = VmW + SrvW;
  // source entry: valid, lsi, asserted, pq[2], masked, prio[3], server, eisn[31]
  localparam int unsigned SrcDW = 1 + 1 + 1 + 2 + 1 + 3 + SrvW + 31;
  // END entry: en, an, gen, qshift[5], index[22], qaddr[47:12]
  localparam int unsigned EndDW = 1 + 1 + 1 + 5 + 22 + 36;
  localparam int unsigned LTagW = ioe_pkg::DMA_LOCAL_TAG_WIDTH;
  localparam int unsigned NTags = 1 << LTagW;
  localparam int unsigned FifoDepth = 4;

  // operation codes (docs/xive.md)
  localparam logic [3:0] OpEsbLoad = 4'd1, OpEsbStore = 4'd2, OpTrigger = 4'd3,
                         OpSrcSet = 4'd4, OpSrcConfig = 4'd5, OpSrcRead = 4'd6,
                         OpSrcLevel = 4'd7, OpSrcSync = 4'd8, OpEqConfig = 4'd9,
                         OpEqRead = 4'd10, OpTmLoad = 4'd11, OpTmStore = 4'd12,
                         OpVpSet = 4'd13, OpVpGet = 4'd14, OpVmCtrl = 4'd15;
  // internal: the outcome of an event's EQ write (INDEX = source, WDATA[0] = write ok)
  localparam logic [3:0] OpCommit = 4'd0;
  localparam logic [2:0] CtlReset = 3'd1, CtlEqSync = 3'd2, CtlClear = 3'd3, CtlWindow = 3'd4;

  // ---------------------------------------------------------------- access-port state
  typedef enum logic [2:0] {StInit, StIdle, StIssue, StSeq, StWait, StDrain} st_e;
  st_e st_q;

  logic [3:0]     op_code_q;
  logic [2:0]     op_sub_q;
  logic [VmW-1:0] op_vm_q;
  logic [23:0]    op_idx_q;
  logic [31:0]    op_off_q;
  logic [63:0]    op_wd_q;
  logic [SeqW-1:0] seq_q;
  logic [VmW-1:0] init_vm_q;
  logic           busy_q, done_q, undef_q, bad_q, pend_q;
  logic [63:0]    rdata_q;
  logic [31:0]    trig_count_q, eq_write_count_q, eq_write_cycle_q, eq_write_err_q;

  assign status_o         = {28'd0, bad_q, undef_q, done_q, busy_q};
  assign rdata_o          = rdata_q;
  assign trig_count_o     = trig_count_q;
  assign eq_write_count_o = eq_write_count_q;
  assign eq_write_cycle_o = eq_write_cycle_q;
  assign eq_write_err_o   = eq_write_err_q;

  // ESB windows: the first page of each and, computed when the window is set, the page
  // after its last source (so an MSI is claimed by two compares, without a subtraction)
  logic [30:0] win_base_q [NrVms];
  logic [31:0] win_end_q  [NrVms];
  logic [NrVms-1:0] win_en_q;

  // validation of a new operation (combinational on the registers)
  logic [7:0]  t_vm;
  logic [23:0] t_idx;
  logic        v_bad;
  logic [2:0]  v_sub;
  assign t_vm  = target_i[7:0];
  assign t_idx = target_i[31:8];
  assign v_sub = offset_i[2:0];

  always_comb begin
    v_bad = 1'b0;
    if (32'(t_vm) >= NrVms) v_bad = 1'b1;
    unique case (code_i)
      OpEsbLoad, OpEsbStore: v_bad |= (32'(t_idx) >= XiveSources) | (offset_i[31:17] != '0);
      OpTrigger, OpSrcSet, OpSrcRead, OpSrcLevel, OpSrcSync: v_bad |= (32'(t_idx) >= XiveSources);
      OpSrcConfig: v_bad |= (32'(t_idx) >= XiveSources) | (32'(wdata_i[31:3]) >= NrVcpus);
      OpEqConfig: begin
        v_bad |= (32'(t_idx) >= NEnd);
        if (offset_i[4:0] != 5'd0)
          v_bad |= (offset_i[4:0] < 5'd12) | (offset_i[4:0] > 5'd24) | (wdata_i[63:48] != '0) |
                   ((wdata_i[23:0] & ~(24'hffffff << offset_i[4:0])) != '0) |
                   ((offset_i[31:10] >> (offset_i[4:0] - 5'd2)) != '0);
      end
      OpEqRead: v_bad |= (32'(t_idx) >= NEnd);
      OpTmLoad, OpTmStore, OpVpSet, OpVpGet: v_bad |= (32'(t_idx) >= NrVcpus);
      OpVmCtrl: begin
        v_bad |= (offset_i[31:3] != '0) | (v_sub == 3'd0) | (v_sub > CtlWindow);
        if (v_sub == CtlWindow) v_bad |= (wdata_i[16:1] != '0) | (wdata_i[63:48] != '0);
      end
      default: v_bad = 1'b1;
    endcase
  end

  // ---------------------------------------------------------------- pipeline registers
  // S1 (source stage) and S2 (END stage) items
  logic            s1_v_q, s1_op_q, s1_last_q;
  logic [3:0]      s1_code_q;
  logic [2:0]      s1_sub_q;
  logic [VmW-1:0]  s1_vm_q;
  logic [23:0]     s1_idx_q;
  logic [31:0]     s1_off_q;
  logic [63:0]     s1_wd_q;

  logic            s2_v_q, s2_op_q, s2_last_q, s2_fwd_q, s2_undef_q;
  logic [3:0]      s2_code_q;
  logic [2:0]      s2_sub_q;
  logic [VmW-1:0]  s2_vm_q;
  logic [23:0]     s2_idx_q;
  logic [31:0]     s2_off_q;
  logic [63:0]     s2_wd_q, s2_rd_q;
  logic [2:0]      s2_prio_q;
  logic [SrvW-1:0] s2_srv_q;
  logic [30:0]     s2_eisn_q;

  // S0 admission
  logic            s0_v, s0_op, s0_last;
  logic [3:0]      s0_code;
  logic [2:0]      s0_sub;
  logic [VmW-1:0]  s0_vm;
  logic [23:0]     s0_idx;
  logic [31:0]     s0_off;
  logic [63:0]     s0_wd;
  logic            admit;

  // FIFO occupancy (for admission credits)
  logic [3:0] dq_cnt_q, nq_cnt_q;
  logic [3:0] inflight;
  logic       room, s1_fwd;
  // EQ writes in flight (docs/xive.md "Ordering"): an END with a write in flight takes no
  // other event until that write's commit item has passed S2 (the next entry's slot depends
  // on whether this one was written). An ESB item (MSI or ESB operation) in S1 whose source
  // targets such an END is parked: it changes nothing, nothing behind it is admitted, and it
  // is issued again after the next commit. Operations other than ESB, TIMA and VP ones wait
  // until no write is in flight (quiet), so no EAS or END changes under a write.
  // a write's outcome, the cycle after it came: a success writes the END's next entry (kept
  // with the tag) at once; a failure is a commit item for S0 (VM and source from the tag)
  logic       cm_v_q, cm_ok_q, cm_issue, cm_dir;
  logic [VmW-1:0]   cm_vm;
  logic [SrcW-1:0]  cm_src;
  logic [EndAW-1:0] cm_end;
  logic [EndDW-1:0] cm_next;
  logic       s1_conf, quiet, rp_issue;
  // the parked item: op, last, code, sub, vm, index, offset, wdata (as S1 holds them)
  localparam int unsigned PkW = 1 + 1 + 4 + 3 + VmW + 24 + 32 + 64;
  logic            pk_q, pk_go_q;
  logic [PkW-1:0]  pk_item_q;
  logic [LTagW:0]  nev_q;                  // events between their EQ write and its commit
  logic [(1 << EndAW)-1:0] efly_q;         // ENDs with an EQ write in flight
  logic            op_free;                // the pending operation need not wait for quiet
  assign inflight = 4'(s1_v_q) + 4'(s2_v_q);
  assign room  = (dq_cnt_q + inflight < 4'(FifoDepth)) && (nq_cnt_q + inflight < 4'(FifoDepth));
  assign cm_issue = cm_v_q & ~cm_ok_q;
  assign cm_dir   = cm_v_q & cm_ok_q;
  assign rp_issue = pk_q & pk_go_q & room & ~cm_issue;
  assign admit = room & ~cm_issue & ~pk_q & ~s1_conf;
  assign op_free = (op_code_q == OpEsbLoad) | (op_code_q == OpEsbStore) |
                   (op_code_q == OpTrigger) | (op_code_q == OpTmLoad) |
                   (op_code_q == OpTmStore) | (op_code_q == OpVpSet) | (op_code_q == OpVpGet);

  // MSI claim: VM addr[63:48], page addr[47:17] in [window base, window end); the source
  // is the page minus the base, of which only the low SrcW bits can be set in a claimed page
  // (fewer LUT levels than the 32-bit difference compared with the window size)
  logic [15:0]     m_vm;
  logic [30:0]     m_page;
  logic [SrcW-1:0] m_src;
  logic [VmW-1:0]  m_vmi;
  assign m_vm   = msi_addr_i[63:48];
  assign m_vmi  = m_vm[VmW-1:0];
  assign m_page = msi_addr_i[47:17];
  always_comb begin
    msi_claim_o = 1'b0;
    m_src       = '0;
    if (32'(m_vm) < NrVms) begin
      msi_claim_o = win_en_q[m_vmi] & (m_page >= win_base_q[m_vmi]) &
                    ({1'b0, m_page} < win_end_q[m_vmi]);
      m_src       = m_page[SrcW-1:0] - win_base_q[m_vmi][SrcW-1:0];
    end
  end

  logic seq_issue, op_issue, msi_take, msi_state;
  assign op_issue  = (st_q == StIssue) & admit & (quiet | op_free);
  assign seq_issue = ((st_q == StSeq) & quiet | (st_q == StInit)) & admit;
  assign msi_state = (st_q == StIdle) | (st_q == StWait);
  assign msi_take  = msi_valid_i & msi_claim_o & admit & msi_state;
  assign msi_ready_o = admit & msi_state;

  logic seq_last;
  assign seq_last = (32'(seq_q) == NSeq - 1);

  always_comb begin
    s0_v = 1'b0; s0_op = 1'b0; s0_last = 1'b0;
    s0_code = op_code_q; s0_sub = op_sub_q; s0_vm = op_vm_q; s0_idx = op_idx_q;
    s0_off = op_off_q; s0_wd = op_wd_q;
    if (cm_issue) begin
      s0_v = 1'b1; s0_code = OpCommit; s0_vm = cm_vm; s0_idx = 24'(cm_src);
      s0_wd = {63'd0, cm_ok_q};
    end else if (rp_issue) begin
      s0_v = 1'b1;
      {s0_op, s0_last, s0_code, s0_sub, s0_vm, s0_idx, s0_off, s0_wd} = pk_item_q;
    end else if (op_issue) begin
      s0_v = 1'b1; s0_op = 1'b1; s0_last = 1'b1;
    end else if (seq_issue) begin
      s0_v = 1'b1; s0_op = (st_q == StSeq); s0_last = seq_last;
      s0_code = OpVmCtrl; s0_idx = 24'(seq_q);
      if (st_q == StInit) begin
        s0_sub = CtlClear; s0_vm = init_vm_q;
      end
    end else if (msi_take) begin
      s0_v = 1'b1; s0_code = OpEsbStore; s0_vm = m_vmi; s0_idx = 24'(m_src);
      s0_off = {15'd0, msi_addr_i[16:0]}; s0_wd = '0;
    end
  end

  // ---------------------------------------------------------------- source RAM
  logic             src_we;
  logic [SrcAW-1:0] src_waddr, src_raddr;
  logic [SrcDW-1:0] src_wdata, src_rdata;
  logic             src_fw_q;
  logic [SrcAW-1:0] src_fw_addr_q;
  logic [SrcDW-1:0] src_fw_data_q;

  assign src_raddr = {s0_vm, s0_idx[SrcW-1:0]};

  ioe_ram #(.Width(SrcDW), .AddrWidth(SrcAW)) u_src_ram (
    .clk_i  (clk_i),
    .we_i   (src_we),
    .waddr_i(src_waddr),
    .wdata_i(src_wdata),
    .raddr_i(src_raddr),
    .rdata_o(src_rdata)
  );

  // ---------------------------------------------------------------- S1: source stage
  logic [SrcDW-1:0] s1_cur;
  logic             c_valid, c_lsi, c_asserted, c_masked;
  logic [1:0]       c_pq;
  logic [2:0]       c_prio;
  logic [SrvW-1:0]  c_srv;
  logic [30:0]      c_eisn;
  logic             n_valid, n_lsi, n_asserted, n_masked;
  logic [1:0]       n_pq;
  logic [2:0]       n_prio;
  logic [SrvW-1:0]  n_srv;
  logic [30:0]      n_eisn;
  logic             s1_undef, s1_trig, s1_in_range, s1_cm;
  logic [63:0]      s1_rd;
  logic [11:0]      s1_o;

  assign s1_cur = (src_fw_q && src_fw_addr_q == {s1_vm_q, s1_idx_q[SrcW-1:0]}) ? src_fw_data_q
                                                                             : src_rdata;
  assign {c_valid, c_lsi, c_asserted, c_pq, c_masked, c_prio, c_srv, c_eisn} = s1_cur;
  assign s1_o = s1_off_q[11:0];
  assign s1_in_range = (32'(s1_idx_q) < XiveSources);
  assign s1_cm = (s1_code_q == OpCommit);

  // PQ machine helpers (pure functions of the current state)
  function automatic logic [2:0] f_trig(input logic lsi, input logic [1:0] pq);
    // returns {forward, new pq}
    if (pq == 2'b00) f_trig = {1'b1, 2'b10};
    else if (!lsi && pq == 2'b10) f_trig = {1'b0, 2'b11};
    else f_trig = {1'b0, pq};
  endfunction

  always_comb begin
    logic [2:0] t;
    logic       ef;
    {n_valid, n_lsi, n_asserted, n_pq, n_masked, n_prio, n_srv, n_eisn} = s1_cur;
    s1_fwd   = 1'b0;
    s1_undef = 1'b0;
    s1_trig  = 1'b0;
    s1_rd    = '0;
    src_we   = 1'b0;
    t        = '0;
    ef       = 1'b0;
    if (s1_v_q) begin
      unique case (s1_code_q)
        OpEsbStore, OpTrigger, OpEsbLoad: begin
          src_we = 1'b1;
          if (s1_code_q != OpEsbLoad && (!s1_off_q[16] || s1_o < 12'h400 || s1_code_q == OpTrigger)) begin
            s1_trig = 1'b1;
            t = f_trig(c_lsi, c_pq);
            s1_fwd = t[2];
            n_pq = t[1:0];
          end else if (s1_code_q == OpEsbLoad && !s1_off_q[16]) begin
            s1_rd = '1;
          end else if (s1_o < 12'h800 && (s1_code_q == OpEsbLoad || s1_o >= 12'h400)) begin
            // EOI
            ef = (c_pq == 2'b11);
            n_pq = (c_pq == 2'b10) ? 2'b00 : (c_pq == 2'b11) ? 2'b10 : c_pq;
            s1_fwd = ef;
            if (c_lsi && c_asserted && n_pq == 2'b00) begin
              n_pq = 2'b10;
              s1_fwd = 1'b1;
            end
            s1_rd = {63'd0, ef};
          end else if (s1_o < 12'hc00) begin
            if (s1_code_q == OpEsbLoad) s1_rd = {62'd0, c_pq};
            else s1_undef = 1'b1;
          end else begin
            n_pq = s1_o[9:8];
            s1_rd = {62'd0, c_pq};
          end
          if (s1_code_q != OpEsbLoad) s1_rd = '0;  // stores return nothing
        end
        OpSrcSet: begin
          src_we = 1'b1;
          n_valid = 1'b1; n_lsi = s1_wd_q[0]; n_asserted = s1_wd_q[0] & s1_wd_q[1];
          n_masked = 1'b1; n_prio = '0; n_srv = '0; n_pq = 2'b01;
        end
        OpSrcConfig: begin
          if (!c_valid) s1_undef = 1'b1;
          else begin
            src_we = 1'b1;
            n_prio = s1_wd_q[2:0]; n_srv = s1_wd_q[3 +: SrvW]; n_masked = s1_wd_q[32];
            n_eisn = s1_wd_q[63:33];
          end
        end
        OpSrcRead: begin
          if (s1_off_q == 32'd0) s1_rd = {59'd0, c_valid, c_asserted, c_lsi, c_pq};
          else if (s1_off_q == 32'd8)
            s1_rd = {c_eisn, c_masked, 29'(c_srv), c_prio};
          else s1_undef = 1'b1;
        end
        OpSrcLevel: begin
          if (!c_valid) s1_undef = 1'b1;
          else begin
            src_we = 1'b1;
            if (c_lsi) n_asserted = s1_wd_q[0];
            if (s1_wd_q[0]) begin
              s1_trig = 1'b1;
              t = f_trig(c_lsi, c_pq);
              s1_fwd = t[2];
              n_pq = t[1:0];
            end
          end
        end
        OpSrcSync: s1_undef = ~c_valid;
        OpCommit: begin
          // a failed write: the event is lost, the source no longer has one in a queue
          if (!s1_wd_q[0]) begin
            src_we = 1'b1;
            n_pq = 2'b00;
          end
        end
        OpVmCtrl: begin
          if (s1_in_range && s1_sub_q == CtlReset && c_valid) begin
            src_we = 1'b1;
            n_pq = 2'b01; n_masked = 1'b1; n_prio = '0; n_srv = '0; n_eisn = '0;
          end else if (s1_in_range && s1_sub_q == CtlClear) begin
            src_we = 1'b1;
            {n_valid, n_lsi, n_asserted, n_pq, n_masked, n_prio, n_srv, n_eisn} = '0;
            n_pq = 2'b01; n_masked = 1'b1;
          end
        end
        default: ;
      endcase
    end
    if (n_masked) s1_fwd = 1'b0;
    if (s1_conf) begin
      // parked: changes nothing now, issued again after the next commit
      src_we  = 1'b0;
      s1_fwd  = 1'b0;
      s1_trig = 1'b0;
    end
  end

  assign src_waddr = {s1_vm_q, s1_idx_q[SrcW-1:0]};
  assign src_wdata = {n_valid, n_lsi, n_asserted, n_pq, n_masked, n_prio, n_srv, n_eisn};

  // ---------------------------------------------------------------- END RAM
  logic             end_we;
  logic [EndAW-1:0] end_waddr, end_raddr;
  logic [EndDW-1:0] end_wdata, end_rdata;
  logic             end_fw_q;
  logic [EndAW-1:0] end_fw_addr_q;
  logic [EndDW-1:0] end_fw_data_q;

  assign end_raddr = (s1_fwd | s1_cm) ? {s1_vm_q, n_srv, n_prio}
                                      : {s1_vm_q, s1_idx_q[EndW-1:0]};

  ioe_ram #(.Width(EndDW), .AddrWidth(EndAW)) u_end_ram (
    .clk_i  (clk_i),
    .we_i   (end_we),
    .waddr_i(end_waddr),
    .wdata_i(end_wdata),
    .raddr_i(end_raddr),
    .rdata_o(end_rdata)
  );

  // ---------------------------------------------------------------- thread contexts
  logic [7:0] nsr_q [NSrvT];
  logic [7:0] cppr_q [NSrvT];
  logic [7:0] ipb_q [NSrvT];
  logic [7:0] lsmfb_q [NSrvT];
  logic [7:0] ack_q [NSrvT];
  logic [7:0] inc_q [NSrvT];
  logic [7:0] age_q [NSrvT];

  function automatic logic [7:0] f_pipr(input logic [7:0] ipb);
    f_pipr = 8'hff;
    for (int p = 7; p >= 0; p--)
      if (ipb[7-p]) f_pipr = 8'(p);
  endfunction

  // ---------------------------------------------------------------- S2: END stage
  logic [EndAW-1:0] s2_eaddr;
  logic [EndDW-1:0] s2_ecur;
  logic             e_en, e_an, e_gen;
  logic [4:0]       e_qshift;
  logic [21:0]      e_index, e_mask, e_next;
  logic [35:0]      e_qaddr;
  logic [SrvAW-1:0] s2_sidx;
  logic             srv_we, srv_clear, s2_notify, s2_dma, s2_undef;
  logic [7:0]       w_nsr, w_cppr, w_ipb, w_lsmfb, w_ack, w_inc, w_age;
  logic [63:0]      s2_rd;
  logic [47:0]      e_entry;
  logic [31:0]      e_word;
  logic [SrvW-1:0]  s2_srv;
  logic             s2_cm, s2_fwd_en;

  assign s2_cm    = (s2_code_q == OpCommit) & ~s2_fwd_q;
  assign s2_srv   = (s2_fwd_q | s2_cm) ? s2_srv_q : s2_idx_q[SrvW-1:0];
  assign s2_eaddr = (s2_fwd_q | s2_cm) ? {s2_vm_q, s2_srv_q, s2_prio_q}
                                       : {s2_vm_q, s2_idx_q[EndW-1:0]};
  assign s2_fwd_en = s2_fwd_q & e_en;
  assign s2_ecur  = (end_fw_q && end_fw_addr_q == s2_eaddr) ? end_fw_data_q : end_rdata;
  assign {e_en, e_an, e_gen, e_qshift, e_index, e_qaddr} = s2_ecur;
  assign e_mask   = ~(22'h3fffff << (e_qshift - 5'd2));
  assign e_next   = (e_index + 22'd1) & e_mask;
  assign e_entry  = {e_qaddr, 12'd0} | {24'd0, e_index, 2'b00};
  assign e_word   = {e_gen, s2_eisn_q};
  assign s2_sidx  = {s2_vm_q, s2_srv};

  // an ESB item whose source (EAS unmasked) targets an END with a write in flight, or with
  // one being issued by the item in S2, waits (its source may be the one in flight, and the
  // event it forwards needs the END's next index)
  logic [EndAW-1:0] s1_eas_end;
  logic             s1_esb;
  assign s1_eas_end = {s1_vm_q, c_srv, c_prio};
  assign s1_esb  = (s1_code_q == OpEsbStore) | (s1_code_q == OpTrigger) | (s1_code_q == OpEsbLoad);
  assign s1_conf = s1_v_q & s1_esb & ~c_masked &
                   (efly_q[s1_eas_end] | (s2_v_q & s2_fwd_en & (s2_eaddr == s1_eas_end)));

  always_comb begin
    logic [7:0] pp;
    end_we    = 1'b0;
    end_waddr = s2_eaddr;
    end_wdata = s2_ecur;
    srv_we    = 1'b0;
    srv_clear = 1'b0;
    s2_notify = 1'b0;
    s2_dma    = 1'b0;
    s2_undef  = s2_undef_q;
    s2_rd     = s2_rd_q;
    w_nsr   = nsr_q[s2_sidx];
    w_cppr  = cppr_q[s2_sidx];
    w_ipb   = ipb_q[s2_sidx];
    w_lsmfb = lsmfb_q[s2_sidx];
    w_ack   = ack_q[s2_sidx];
    w_inc   = inc_q[s2_sidx];
    w_age   = age_q[s2_sidx];
    pp      = '0;
    if (s2_v_q) begin
      if (s2_fwd_q) begin
        // the entry goes out and the event is presented; the index waits for the commit item
        if (e_en) begin
          s2_dma = 1'b1;
          if (e_an) begin
            srv_we = 1'b1;
            w_ipb  = w_ipb | (8'h80 >> s2_prio_q);
          end
        end
      end else begin
        unique case (s2_code_q)
          OpCommit: ;  // a failed write: the index stays
          OpEqConfig: begin
            end_we = 1'b1;
            if (s2_off_q[4:0] == 5'd0) end_wdata = '0;
            else end_wdata = {1'b1, s2_off_q[8], s2_off_q[9], s2_off_q[4:0], s2_off_q[31:10],
                              s2_wd_q[47:12]};
          end
          OpEqRead: begin
            if (s2_off_q == 32'd0)
              s2_rd = e_en ? {32'd0, e_index, e_gen, e_an, 3'd0, e_qshift} : '0;
            else if (s2_off_q == 32'd8) s2_rd = e_en ? {16'd0, e_qaddr, 12'd0} : '0;
            else s2_undef = 1'b1;
          end
          OpTmLoad: begin
            if (s2_off_q == 32'h10)
              s2_rd = {w_nsr, w_cppr, w_ipb, w_lsmfb, w_ack, w_inc, w_age, f_pipr(w_ipb)};
            else if (s2_off_q == 32'h810) begin
              if (w_nsr != 8'd0) begin
                srv_we = 1'b1;
                pp     = f_pipr(w_ipb);
                s2_rd  = {48'd0, w_nsr, pp};
                w_cppr = pp;
                if (pp < 8'd8) w_ipb = w_ipb & ~(8'h80 >> pp[2:0]);
                w_nsr  = 8'd0;
              end else s2_rd = {56'd0, w_cppr};
            end else s2_undef = 1'b1;
          end
          OpTmStore: begin
            if (s2_off_q == 32'h11) begin
              srv_we = 1'b1;
              w_cppr = (s2_wd_q[7:0] <= 8'd7) ? s2_wd_q[7:0] : 8'hff;
            end else if (s2_off_q == 32'h812) begin
              srv_we = 1'b1;
              if (s2_wd_q[7:0] <= 8'd7) w_ipb = w_ipb | (8'h80 >> s2_wd_q[2:0]);
            end else s2_undef = 1'b1;
          end
          OpVpSet: begin
            srv_we = 1'b1;
            {w_nsr, w_cppr, w_ipb, w_lsmfb, w_ack, w_inc, w_age} = s2_wd_q[63:8];
          end
          OpVpGet: s2_rd = {w_nsr, w_cppr, w_ipb, w_lsmfb, w_ack, w_inc, w_age, f_pipr(w_ipb)};
          OpVmCtrl: begin
            if (32'(s2_idx_q) < NEnd && (s2_sub_q == CtlReset || s2_sub_q == CtlClear)) begin
              end_we    = 1'b1;
              end_wdata = '0;
            end
            if (32'(s2_idx_q) < NrVcpus && s2_sub_q == CtlClear) srv_clear = 1'b1;
          end
          default: ;
        endcase
      end
      // presentation check (never on an acknowledge, which only lowers)
      if (srv_we && !(s2_code_q == OpTmLoad && !s2_fwd_q) && w_nsr == 8'd0 &&
          f_pipr(w_ipb) < w_cppr) begin
        w_nsr     = 8'h80;
        s2_notify = 1'b1;
      end
      if (s2_undef) s2_rd = '0;
    end
    // a successful write's commit: the END's next index (and generation). No S2 item writes
    // an END then: those that do (EQ_CONFIG, VM_CTRL RESET / CLEAR) enter only when no
    // write is in flight.
    if (cm_dir) begin
      end_we    = 1'b1;
      end_waddr = cm_end;
      end_wdata = cm_next;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < NSrvT; i++) begin
        nsr_q[i] <= '0; cppr_q[i] <= '0; ipb_q[i] <= '0; lsmfb_q[i] <= '0;
        ack_q[i] <= 8'hff; inc_q[i] <= '0; age_q[i] <= '0;
      end
    end else if (srv_clear) begin
      nsr_q[s2_sidx] <= '0; cppr_q[s2_sidx] <= '0; ipb_q[s2_sidx] <= '0;
      lsmfb_q[s2_sidx] <= '0; ack_q[s2_sidx] <= 8'hff; inc_q[s2_sidx] <= '0;
      age_q[s2_sidx] <= '0;
    end else if (srv_we) begin
      nsr_q[s2_sidx] <= w_nsr; cppr_q[s2_sidx] <= w_cppr; ipb_q[s2_sidx] <= w_ipb;
      lsmfb_q[s2_sidx] <= w_lsmfb; ack_q[s2_sidx] <= w_ack; inc_q[s2_sidx] <= w_inc;
      age_q[s2_sidx] <= w_age;
    end
  end

  // ---------------------------------------------------------------- DMA and notification FIFOs
  // the event's VM, source, END and the END's entry after a successful write (its commit)
  localparam int unsigned IW  = VmW + SrcW + EndAW + EndDW;
  localparam int unsigned DqW = IW + 64 + 64 + 8;
  logic [DqW-1:0] dq_in, dq_out;
  logic           dq_in_ready, dq_out_valid, dq_pop;
  logic [31:0]    e_be;
  assign e_be  = {e_word[7:0], e_word[15:8], e_word[23:16], e_word[31:24]};
  assign dq_in = {s2_vm_q, s2_idx_q[SrcW-1:0], s2_eaddr,
                  e_en, e_an, (e_next == '0) ? ~e_gen : e_gen, e_qshift, e_next, e_qaddr,
                  {16'(s2_vm_q), e_entry[47:3], 3'b000},
                  {e_be, e_be}, e_index[0] ? 8'hf0 : 8'h0f};

  ioe_fifo #(.Width(DqW), .Depth(FifoDepth)) u_dq (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (s2_dma),
    .in_ready_o (dq_in_ready),
    .in_data_i  (dq_in),
    .out_valid_o(dq_out_valid),
    .out_ready_i(dq_pop),
    .out_data_o (dq_out)
  );

  logic [NTags-1:0] tag_busy_q;
  logic [LTagW-1:0] tag_q;
  logic             tag_free;
  assign tag_free        = ~tag_busy_q[tag_q];
  assign dma_req_valid_o = dq_out_valid & tag_free;
  assign dq_pop          = dma_req_ready_i & tag_free;
  always_comb begin
    dma_req_o       = '0;
    dma_req_o.tag   = ioe_pkg::DMA_TAG_WIDTH'(tag_q);
    dma_req_o.write = 1'b1;
    dma_req_o.addr  = dq_out[135:72];
    dma_req_o.wdata = dq_out[71:8];
    dma_req_o.wstrb = dq_out[7:0];
  end

  ioe_pkg::notify_t nq_in;
  logic             nq_in_ready;
  always_comb begin
    nq_in      = '0;
    nq_in.src  = ioe_pkg::NotifySrcXive;
    nq_in.vm   = 8'(s2_vm_q);
    nq_in.vcpu = 8'(s2_srv);
  end

  ioe_fifo #(.Width(ioe_pkg::NOTIFY_WIDTH), .Depth(FifoDepth)) u_nq (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (s2_notify),
    .in_ready_o (nq_in_ready),
    .in_data_i  (nq_in),
    .out_valid_o(notify_valid_o),
    .out_ready_i(notify_ready_i),
    .out_data_o (notify_o)
  );

  logic dma_fire, drained, dq_popped, nq_popped, s2_cm_done;
  assign dq_popped = dq_pop & dq_out_valid;
  assign nq_popped = notify_valid_o & notify_ready_i;
  assign dma_fire = dma_req_valid_o & dma_req_ready_i;
  assign s2_cm_done = s2_v_q & s2_cm;
  assign quiet    = (nev_q == '0) & ~pk_q & ~cm_v_q & ~(s1_v_q & s1_fwd) & ~(s2_v_q & s2_fwd_q);
  assign drained  = quiet & ~s1_v_q & ~s2_v_q & ~dq_out_valid;

  // EQ writes in flight, one per tag: the event's VM, source, END and next END entry (tag
  // RAM), the cycle it was issued (time RAM) and whether its outcome is still to come
  // (live). A response to a live tag, or a scanner that visits one tag per cycle and finds
  // it issued EqWriteTimeout or more cycles ago, ends it: the next cycle, its commit.
  // A response to a tag that timed out is dropped (the tag stays busy until then).
  localparam int unsigned TsW = $clog2(EqWriteTimeout + 2 * NTags) + 1;
  logic [NTags-1:0] live_q;
  logic [LTagW-1:0] r_tag, tr_raddr, sc_q, sc_prev_q;
  logic             r_live, sc_chk_q, to_due, to_fire;
  logic [IW-1:0]    tr_rdata;
  logic [TsW-1:0]   ts_rdata, ts_age;
  assign r_tag    = dma_rsp_i.tag[LTagW-1:0];
  assign r_live   = dma_rsp_valid_i & live_q[r_tag];
  assign ts_age   = cycle_i[TsW-1:0] - ts_rdata;
  assign to_due   = sc_chk_q & live_q[sc_prev_q] & (ts_age >= TsW'(EqWriteTimeout));
  assign to_fire  = to_due & ~r_live;
  assign tr_raddr = r_live ? r_tag : sc_prev_q;
  assign {cm_vm, cm_src, cm_end, cm_next} = tr_rdata;

  ioe_ram #(.Width(IW), .AddrWidth(LTagW)) u_tag_ram (
    .clk_i  (clk_i),
    .we_i   (dma_fire),
    .waddr_i(tag_q),
    .wdata_i(dq_out[DqW-1 -: IW]),
    .raddr_i(tr_raddr),
    .rdata_o(tr_rdata)
  );

  ioe_ram #(.Width(TsW), .AddrWidth(LTagW)) u_ts_ram (
    .clk_i  (clk_i),
    .we_i   (dma_fire),
    .waddr_i(tag_q),
    .wdata_i(cycle_i[TsW-1:0]),
    .raddr_i(sc_q),
    .rdata_o(ts_rdata)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tag_busy_q       <= '0;
      tag_q            <= '0;
      dq_cnt_q         <= '0;
      nq_cnt_q         <= '0;
      eq_write_count_q <= '0;
      eq_write_cycle_q <= '0;
      eq_write_err_q   <= '0;
      live_q           <= '0;
      sc_q             <= '0;
      sc_prev_q        <= '0;
      sc_chk_q         <= 1'b0;
      cm_v_q           <= 1'b0;
      cm_ok_q          <= 1'b0;
      nev_q            <= '0;
      efly_q           <= '0;
      pk_q             <= 1'b0;
      pk_go_q          <= 1'b0;
      pk_item_q        <= '0;
    end else begin
      // a response frees its tag; a request taking the same tag in that cycle wins. A tag
      // whose write timed out stays busy until its late response (dropped) comes, and the
      // allocator skips busy tags.
      if (dma_rsp_valid_i) tag_busy_q[r_tag] <= 1'b0;
      if (dma_fire) tag_busy_q[tag_q] <= 1'b1;
      if (dma_fire) begin
        tag_q            <= tag_q + 1'b1;
        eq_write_count_q <= eq_write_count_q + 1'b1;
        eq_write_cycle_q <= cycle_i;
      end else if (dq_out_valid && !tag_free) tag_q <= tag_q + 1'b1;
      // outcomes
      if (r_live) live_q[r_tag] <= 1'b0;
      if (to_fire) live_q[sc_prev_q] <= 1'b0;
      if (dma_fire) live_q[tag_q] <= 1'b1;
      cm_v_q  <= r_live | to_fire;
      cm_ok_q <= r_live & ~dma_rsp_i.err;
      if ((r_live && dma_rsp_i.err) || to_fire) eq_write_err_q <= eq_write_err_q + 1'b1;
      // the timeout scanner (a check the response took the tag RAM from is made again)
      sc_prev_q <= sc_q;
      if (to_due && r_live) begin
        sc_q     <= sc_prev_q;
        sc_chk_q <= 1'b0;
      end else begin
        sc_q     <= sc_q + 1'b1;
        sc_chk_q <= ~(dma_fire && tag_q == sc_q);  // a time being written is read stale
      end
      // ENDs in flight
      if (s2_dma) efly_q[s2_eaddr] <= 1'b1;
      if (s2_cm_done) efly_q[s2_eaddr] <= 1'b0;
      if (cm_dir) efly_q[cm_end] <= 1'b0;
      nev_q <= nev_q + (LTagW + 1)'(s2_dma) - (LTagW + 1)'(s2_cm_done) - (LTagW + 1)'(cm_dir);
      // the parked item
      if (s1_conf) begin
        pk_q      <= 1'b1;
        pk_go_q   <= s2_cm_done | cm_dir;
        pk_item_q <= {s1_op_q, s1_last_q, s1_code_q, s1_sub_q, s1_vm_q, s1_idx_q, s1_off_q,
                      s1_wd_q};
      end else if (rp_issue) pk_q <= 1'b0;
      else if (s2_cm_done || cm_dir) pk_go_q <= 1'b1;
      dq_cnt_q <= dq_cnt_q + 4'(s2_dma) - 4'(dq_popped);
      nq_cnt_q <= nq_cnt_q + 4'(s2_notify) - 4'(nq_popped);
    end
  end

  // ---------------------------------------------------------------- pipeline and sequencer
  logic s2_done;
  assign s2_done = s2_v_q & s2_op_q & s2_last_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= StInit;
      op_code_q <= '0; op_sub_q <= '0; op_vm_q <= '0; op_idx_q <= '0; op_off_q <= '0;
      op_wd_q <= '0; seq_q <= '0; init_vm_q <= '0;
      busy_q <= 1'b1; done_q <= 1'b0; undef_q <= 1'b0; bad_q <= 1'b0; rdata_q <= '0;
      pend_q <= 1'b0;
      trig_count_q <= '0;
      for (int unsigned i = 0; i < NrVms; i++) begin
        win_base_q[i] <= '0;
        win_end_q[i]  <= '0;
      end
      win_en_q <= '0;
      s1_v_q <= 1'b0; s1_op_q <= 1'b0; s1_last_q <= 1'b0; s1_code_q <= '0; s1_sub_q <= '0;
      s1_vm_q <= '0; s1_idx_q <= '0; s1_off_q <= '0; s1_wd_q <= '0;
      s2_v_q <= 1'b0; s2_op_q <= 1'b0; s2_last_q <= 1'b0; s2_fwd_q <= 1'b0;
      s2_undef_q <= 1'b0; s2_code_q <= '0; s2_sub_q <= '0; s2_vm_q <= '0; s2_idx_q <= '0;
      s2_off_q <= '0; s2_wd_q <= '0; s2_rd_q <= '0; s2_prio_q <= '0; s2_srv_q <= '0;
      s2_eisn_q <= '0;
      src_fw_q <= 1'b0; src_fw_addr_q <= '0; src_fw_data_q <= '0;
      end_fw_q <= 1'b0; end_fw_addr_q <= '0; end_fw_data_q <= '0;
    end else begin
      // S0 -> S1
      s1_v_q <= s0_v;
      if (s0_v) begin
        s1_op_q <= s0_op; s1_last_q <= s0_last; s1_code_q <= s0_code; s1_sub_q <= s0_sub;
        s1_vm_q <= s0_vm; s1_idx_q <= s0_idx; s1_off_q <= s0_off; s1_wd_q <= s0_wd;
      end
      // S1 -> S2
      s2_v_q <= s1_v_q & ~s1_conf;
      if (s1_v_q) begin
        s2_op_q <= s1_op_q; s2_last_q <= s1_last_q; s2_code_q <= s1_code_q;
        s2_sub_q <= s1_sub_q; s2_vm_q <= s1_vm_q; s2_idx_q <= s1_idx_q; s2_off_q <= s1_off_q;
        s2_wd_q <= s1_wd_q; s2_rd_q <= s1_rd; s2_undef_q <= s1_undef; s2_fwd_q <= s1_fwd;
        s2_prio_q <= n_prio; s2_srv_q <= n_srv; s2_eisn_q <= n_eisn;
      end
      if (s1_trig) trig_count_q <= trig_count_q + 1'b1;
      // forwarding copies of this cycle's writes
      src_fw_q <= src_we; src_fw_addr_q <= src_waddr; src_fw_data_q <= src_wdata;
      end_fw_q <= end_we; end_fw_addr_q <= end_waddr; end_fw_data_q <= end_wdata;

      // sequencer (an operation started during the table sweep after reset waits for it)
      if (st_q == StInit && start_i) pend_q <= 1'b1;
      if (st_q == StIdle) pend_q <= 1'b0;
      unique case (st_q)
        StInit: if (admit) begin
          if (seq_last) begin
            seq_q <= '0;
            if (32'(init_vm_q) == NrVms - 1) begin
              st_q   <= StIdle;
              busy_q <= 1'b0;
            end else init_vm_q <= init_vm_q + 1'b1;
          end else seq_q <= seq_q + 1'b1;
        end
        StIdle: if (start_i || pend_q) begin
          op_code_q <= code_i; op_sub_q <= v_sub; op_vm_q <= t_vm[VmW-1:0]; op_idx_q <= t_idx;
          op_off_q <= offset_i; op_wd_q <= wdata_i; seq_q <= '0;
          done_q <= 1'b0; undef_q <= 1'b0; bad_q <= 1'b0; rdata_q <= '0;
          if (v_bad) begin
            done_q <= 1'b1; bad_q <= 1'b1; rdata_q <= '0;
          end else if (code_i == OpVmCtrl && v_sub == CtlWindow) begin
            win_base_q[t_vm[VmW-1:0]] <= wdata_i[47:17];
            win_end_q[t_vm[VmW-1:0]]  <= {1'b0, wdata_i[47:17]} + 32'(XiveSources);
            win_en_q[t_vm[VmW-1:0]]   <= wdata_i[0];
            done_q <= 1'b1; rdata_q <= '0;
          end else if (code_i == OpVmCtrl && v_sub == CtlEqSync) begin
            busy_q <= 1'b1; st_q <= StDrain;
          end else if (code_i == OpVmCtrl) begin
            busy_q <= 1'b1; st_q <= StSeq;
            if (v_sub == CtlClear) win_en_q[t_vm[VmW-1:0]] <= 1'b0;
          end else begin
            busy_q <= 1'b1; st_q <= StIssue;
          end
        end
        StIssue: if (op_issue) st_q <= StWait;
        StSeq: if (seq_issue) begin
          if (seq_last) st_q <= StWait;
          else seq_q <= seq_q + 1'b1;
        end
        StWait: if (s2_done) begin
          rdata_q <= s2_rd;
          undef_q <= s2_undef;
          if (s2_code_q == OpSrcSync) st_q <= StDrain;
          else begin
            st_q <= StIdle; busy_q <= 1'b0; done_q <= 1'b1;
          end
        end
        StDrain: if (drained) begin
          st_q <= StIdle; busy_q <= 1'b0; done_q <= 1'b1;
        end
        default: st_q <= StIdle;
      endcase
    end
  end

  logic unused;
  assign unused = ^{dq_in_ready, nq_in_ready, dma_rsp_i.rdata,
                    dma_rsp_i.tag[ioe_pkg::DMA_TAG_WIDTH-1:LTagW], s1_wd_q[31:SrvW+3],
                    e_entry[2:0], cycle_i[31:TsW]};

endmodule
