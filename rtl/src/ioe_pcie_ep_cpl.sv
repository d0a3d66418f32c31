// ioe_pcie_ep_cpl: the endpoint's completer. Serves the TLP ioe_pcie_ep_rx holds:
//   - poisoned and malformed TLPs are dropped and counted;
//   - completions go to the requester (cpl_valid_o for one cycle, the TLP as it is);
//   - memory reads and writes (MRd, MWr) to BAR0 (ioe_top's CSR window over AXI4-Lite),
//     BAR2 (the endpoint's registers, reg_* port) and BAR4 (device doorbells) are served
//     one DW at a time in address order, with the DW's byte enables;
//   - everything else (I/O, configuration, MRdLk, atomics, messages, other BARs) is an
//     Unsupported Request: a Cpl with status UR for a non-posted request, counted.
// Read data collects in a 16-DW buffer and leaves as CplD split at every 64-byte boundary
// (byte count and lower address as PCIe 3.0 §2.3.1.1); an AXI error makes the rest of the
// read one Cpl with status Completer Abort. Writes of DB_DATA (BAR2 0x2C) and of BAR4 page
// v offset o become MSIs on the ingress port: {DB_DEVID, DB_ADDR, data} and {the writer's
// requester ID, DB_PAGE_VM[v] << 48 | DB_BASE[v] + o, data}. docs/pcie.md sections 1-3.
// Fast paths: a 1-DW device doorbell is served in the cycle it is presented (also when the
// receive buffer passes it through, tlp_byp_i), its MSI offered to the ingress port at
// once (held in the MSI register only if the port does not take it); a 4-DW write of the
// whole libioe doorbell (BAR2 0x20, all bytes) takes two cycles and sets DB_ADDR and
// DB_DEVID at once (db_set_o).

module ioe_pcie_ep_cpl #(
  parameter int unsigned NrVms = 8,
  localparam int unsigned VmBits = (NrVms > 1) ? $clog2(NrVms) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic [15:0]         cfg_id_i,
  // the TLP held by the receive buffer
  input  logic                tlp_valid_i,
  input  logic                tlp_byp_i,
  output logic                tlp_pop_o,
  input  logic [127:0]        tlp_hdr_i,
  input  logic [2:0]          tlp_bar_i,
  input  logic                tlp_poisoned_i,
  input  logic                tlp_malformed_i,
  output logic [4:0]          tlp_beat_o,
  input  logic [63:0]         tlp_beat_i,
  // completions for the requester
  output logic                cpl_valid_o,
  // ioe_top's CSR window
  output logic                m_axil_awvalid_o,
  input  logic                m_axil_awready_i,
  output logic [19:0]         m_axil_awaddr_o,
  output logic                m_axil_wvalid_o,
  input  logic                m_axil_wready_i,
  output logic [31:0]         m_axil_wdata_o,
  output logic [3:0]          m_axil_wstrb_o,
  input  logic                m_axil_bvalid_i,
  output logic                m_axil_bready_o,
  input  logic [1:0]          m_axil_bresp_i,
  output logic                m_axil_arvalid_o,
  input  logic                m_axil_arready_i,
  output logic [19:0]         m_axil_araddr_o,
  input  logic                m_axil_rvalid_i,
  output logic                m_axil_rready_o,
  input  logic [31:0]         m_axil_rdata_i,
  input  logic [1:0]          m_axil_rresp_i,
  // BAR2 registers: a request for one cycle, read data the cycle after
  output logic                reg_req_o,
  output logic                reg_write_o,
  output logic [15:0]         reg_addr_o,
  output logic [31:0]         reg_wdata_o,
  output logic [3:0]          reg_be_o,
  input  logic [31:0]         reg_rdata_i,
  input  logic                fence_ok_i,  // the ring's quiet_o: NRING_FENCE may be answered
  // doorbell registers
  input  logic [31:0]         db_devid_i,
  input  logic [63:0]         db_addr_i,
  input  logic [NrVms*64-1:0] db_base_i,
  input  logic [NrVms*8-1:0]  db_vm_i,
  output logic                db_set_o,
  output logic [63:0]         db_set_addr_o,
  output logic [31:0]         db_set_devid_o,
  // MSI ingress of ioe_top
  output logic                msi_valid_o,
  input  logic                msi_ready_i,
  output logic [31:0]         msi_devid_o,
  output logic [63:0]         msi_addr_o,
  output logic [31:0]         msi_data_o,
  // completions to the transmit stream
  output logic                tx_valid_o,
  input  logic                tx_ready_i,
  output logic [127:0]        tx_hdr_o,
  output logic [63:0]         tx_data_o,
  output logic [1:0]          tx_strb_o,
  output logic                tx_sop_o,
  output logic                tx_eop_o,
  // events for the counters
  output logic                ev_ur_o,
  output logic                ev_poisoned_o,
  output logic                ev_malformed_o
);

  localparam logic [2:0] CplSc = 3'd0, CplUr = 3'd1, CplCa = 3'd4;

  typedef enum logic [3:0] {Idle, Acc, AxiW, AxiR, Reg1, Reg2, Msi, Send, DbLib} st_e;
  st_e st_q;

  // ---------------------------------------------------------------- decode of the TLP held
  logic [7:0]  ft;
  logic        is_mrd, is_mwr, is_cpl, is_msg, posted, bar_ok, is_mem;
  logic [10:0] len;
  logic [3:0]  fbe, lbe;
  logic [29:0] dwaddr;

  assign ft     = tlp_hdr_i[127:120];
  assign is_mrd = ft[6] == 1'b0 && ft[4:0] == 5'b00000;
  assign is_mwr = ft[6] == 1'b1 && ft[4:0] == 5'b00000;
  assign is_mem = ft[4:1] == 4'd0;
  assign is_cpl = ft[4:1] == 4'b0101;  // Cpl, CplD, CplLk, CplDLk
  assign is_msg = ft[4:3] == 2'b10;
  assign posted = is_mwr || is_msg;
  assign bar_ok = tlp_bar_i == 3'd0 || tlp_bar_i == 3'd2 || tlp_bar_i == 3'd4;
  assign len    = (tlp_hdr_i[105:96] == 10'd0) ? 11'd1024 : {1'b0, tlp_hdr_i[105:96]};
  assign fbe    = tlp_hdr_i[67:64];
  assign lbe    = tlp_hdr_i[71:68];
  assign dwaddr = ft[5] ? tlp_hdr_i[31:2] : tlp_hdr_i[63:34];

  // index of the first enabled byte, and bytes disabled above the last enabled one
  function automatic logic [1:0] lead0(input logic [3:0] be);
    lead0 = be[0] ? 2'd0 : be[1] ? 2'd1 : be[2] ? 2'd2 : be[3] ? 2'd3 : 2'd0;
  endfunction
  function automatic logic [1:0] trail0(input logic [3:0] be);
    trail0 = be[3] ? 2'd0 : be[2] ? 2'd1 : be[1] ? 2'd2 : be[0] ? 2'd3 : 2'd0;
  endfunction
  // Byte Count of a read's first completion (PCIe 3.0 §2.3.1.1)
  function automatic logic [12:0] byte_count(input logic [10:0] n, input logic [3:0] f,
                                             input logic [3:0] l);
    logic [12:0] b;
    if (n == 11'd1) b = (f == 4'd0) ? 13'd1 : 13'd4 - 13'(lead0(f)) - 13'(trail0(f));
    else b = {n, 2'b00} - 13'(lead0(f)) - 13'(trail0(l));
    byte_count = b;
  endfunction

  // ---------------------------------------------------------------- state of the request
  logic [29:0] addr_q;
  logic [10:0] rem_q, idx_q;
  logic [4:0]  k_q;
  logic [3:0]  fbe_q, lbe_q;
  logic [12:0] bc_q;
  logic [6:0]  la_q;
  logic [2:0]  status_q, bar_q;
  logic        write_q, first_q, nodata_q;
  logic [15:0] rid_q;
  logic [7:0]  tag_q;
  logic [2:0]  tc_q;
  logic [2:0]  attr_q;
  logic [31:0] cbuf_q [16];
  logic [2:0]  sbeat_q;
  logic [11:0] fwait_q;  // cycles a read of NRING_FENCE has waited

  logic [3:0]  be;
  logic [31:0] wdw;
  logic [VmBits-1:0] vm;
  logic        vm_ok;
  logic [63:0] vm_base;
  logic [7:0]  vm_ctx;  // the VM context of doorbell page `vm`

  assign be         = first_q ? fbe_q : (rem_q == 11'd1) ? lbe_q : 4'hF;
  assign tlp_beat_o = (st_q == Idle) ? 5'd0 : (st_q == DbLib) ? 5'd1 : idx_q[5:1];
  assign wdw        = idx_q[0] ? tlp_beat_i[63:32] : tlp_beat_i[31:0];
  assign vm         = (st_q == Idle) ? dwaddr[10 +: VmBits] : addr_q[10 +: VmBits];
  assign vm_ok      = {1'b0, vm} < (VmBits + 1)'(NrVms);
  assign vm_base    = db_base_i[vm*64 +: 64];
  assign vm_ctx     = db_vm_i[vm*8 +: 8];

  // Idle: the TLP held is taken when no MSI waits; those that need no state machine (dropped,
  // completions, posted URs, 1-DW device doorbells) leave the buffer in the same cycle. A
  // TLP the buffer passes through is served only if it leaves in that cycle and is not a
  // completion (the requester reads a completion from the buffer the cycle after): the
  // others wait a cycle for their stored copy.
  logic pop_q, msi_q, idle_go, fast_db, fast_lib, pop_now, quick, msi_now, lib_now;
  logic [63:0] lib_addr_q;
  assign fast_db   = is_mwr && tlp_bar_i == 3'd4 && len == 11'd1;
  assign fast_lib  = is_mwr && tlp_bar_i == 3'd2 && len == 11'd4 && dwaddr[13:0] == 14'h0008 &&
                     fbe == 4'hF && lbe == 4'hF;
  assign quick     = tlp_poisoned_i || tlp_malformed_i || fast_db ||
                     (posted && !((is_mrd || is_mwr) && bar_ok));
  assign idle_go   = st_q == Idle && tlp_valid_i && !pop_q && !msi_q &&
                     (!tlp_byp_i || (quick && !is_cpl));
  assign pop_now   = idle_go && (quick || is_cpl);
  assign lib_now   = st_q == DbLib;
  assign tlp_pop_o = pop_now || pop_q || lib_now;
  // the MSI offered at once: a 1-DW device doorbell in Idle, or the 4-DW libioe doorbell
  assign msi_now   = (idle_go && !tlp_poisoned_i && !tlp_malformed_i && fast_db && vm_ok) ||
                     lib_now;
  logic [31:0] msi_devid_d, msi_data_d;
  logic [63:0] msi_addr_d;
  assign msi_devid_d = lib_now ? tlp_beat_i[31:0] : {16'd0, tlp_hdr_i[95:80]};
  assign msi_addr_d  = lib_now ? lib_addr_q :
                       {16'(vm_ctx), vm_base[47:0] + {36'd0, dwaddr[9:0], 2'b00}};
  assign msi_data_d  = lib_now ? tlp_beat_i[63:32] : tlp_beat_i[31:0];
  logic [31:0] msi_devid_q, msi_data_q;
  logic [63:0] msi_addr_q;
  assign msi_valid_o = msi_q || msi_now;
  assign msi_devid_o = msi_q ? msi_devid_q : msi_devid_d;
  assign msi_addr_o  = msi_q ? msi_addr_q : msi_addr_d;
  assign msi_data_o  = msi_q ? msi_data_q : msi_data_d;
  assign db_set_o       = lib_now;
  assign db_set_addr_o  = lib_addr_q;
  assign db_set_devid_o = tlp_beat_i[31:0];

  // one DW done this cycle, and its read data
  logic        step;
  logic [31:0] rdw;
  always_comb begin
    step = 1'b0;
    rdw  = '0;
    unique case (st_q)
      Acc: step = (bar_q == 3'd4 && (!write_q || !vm_ok)) ||
                  (bar_q == 3'd0 && write_q && be == 4'd0);
      AxiW: step = m_axil_bvalid_i && !m_axil_awvalid_o && !m_axil_wvalid_o;
      AxiR: begin
        step = m_axil_rvalid_i && !m_axil_arvalid_o;
        rdw  = m_axil_rdata_i;
      end
      Reg2: begin
        step = 1'b1;
        rdw  = reg_rdata_i;
      end
      Msi: step = msi_ready_i;
      default: ;
    endcase
  end

  // the completion's header: Cpl/CplD, TC and attributes of the request
  logic [127:0] cpl_hdr;
  assign cpl_hdr = {nodata_q ? 8'h0A : 8'h4A, 1'b0, tc_q, 1'b0, attr_q[2], 4'd0, attr_q[1:0],
                    2'd0, nodata_q ? 10'd0 : {5'd0, k_q},
                    cfg_id_i, status_q, 1'b0, bc_q[11:0],
                    rid_q, tag_q, 1'b0, la_q, 32'd0};

  assign tx_valid_o = st_q == Send;
  assign tx_hdr_o   = cpl_hdr;
  assign tx_sop_o   = sbeat_q == 3'd0;
  assign tx_data_o  = {cbuf_q[{sbeat_q, 1'b1}], cbuf_q[{sbeat_q, 1'b0}]};
  assign tx_strb_o  = nodata_q ? 2'b00 : {{1'b0, sbeat_q, 1'b1} < k_q, 1'b1};
  assign tx_eop_o   = nodata_q || ({1'b0, sbeat_q, 1'b0} + 5'd2 >= k_q);

  assign m_axil_bready_o = 1'b1;
  assign m_axil_rready_o = 1'b1;

  logic unused;
  assign unused = ^{tlp_hdr_i[119], tlp_hdr_i[115], tlp_hdr_i[113:110], tlp_hdr_i[107:106],
                    tlp_hdr_i[33:32], tlp_hdr_i[1:0], m_axil_bresp_i[0], m_axil_rresp_i[0], ft[7],
                    bc_q[12], vm_base[63:48]};

  always_ff @(posedge clk_i) begin
    if (step && !write_q) cbuf_q[k_q[3:0]] <= rdw;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q             <= Idle;
      pop_q            <= 1'b0;
      cpl_valid_o      <= 1'b0;
      ev_ur_o          <= 1'b0;
      ev_poisoned_o    <= 1'b0;
      ev_malformed_o   <= 1'b0;
      addr_q           <= '0;
      rem_q            <= '0;
      idx_q            <= '0;
      k_q              <= '0;
      fbe_q            <= '0;
      lbe_q            <= '0;
      bc_q             <= '0;
      la_q             <= '0;
      status_q         <= CplSc;
      bar_q            <= '0;
      write_q          <= 1'b0;
      first_q          <= 1'b0;
      nodata_q         <= 1'b0;
      rid_q            <= '0;
      tag_q            <= '0;
      tc_q             <= '0;
      attr_q           <= '0;
      sbeat_q          <= '0;
      fwait_q          <= '0;
      m_axil_awvalid_o <= 1'b0;
      m_axil_awaddr_o  <= '0;
      m_axil_wvalid_o  <= 1'b0;
      m_axil_wdata_o   <= '0;
      m_axil_wstrb_o   <= '0;
      m_axil_arvalid_o <= 1'b0;
      m_axil_araddr_o  <= '0;
      reg_req_o        <= 1'b0;
      reg_write_o      <= 1'b0;
      reg_addr_o       <= '0;
      reg_wdata_o      <= '0;
      reg_be_o         <= '0;
      msi_q            <= 1'b0;
      msi_devid_q      <= '0;
      msi_addr_q       <= '0;
      msi_data_q       <= '0;
      lib_addr_q       <= '0;
    end else begin
      pop_q          <= 1'b0;
      cpl_valid_o    <= 1'b0;
      ev_ur_o        <= 1'b0;
      ev_poisoned_o  <= 1'b0;
      ev_malformed_o <= 1'b0;
      reg_req_o      <= 1'b0;
      if (m_axil_awready_i) m_axil_awvalid_o <= 1'b0;
      if (m_axil_wready_i) m_axil_wvalid_o <= 1'b0;
      if (m_axil_arready_i) m_axil_arvalid_o <= 1'b0;
      if (msi_ready_i) msi_q <= 1'b0;
      if (msi_now && !msi_ready_i) begin  // not taken at once: held
        msi_q       <= 1'b1;
        msi_devid_q <= msi_devid_d;
        msi_addr_q  <= msi_addr_d;
        msi_data_q  <= msi_data_d;
      end

      unique case (st_q)
        Idle: if (idle_go) begin
          rid_q    <= tlp_hdr_i[95:80];
          tag_q    <= tlp_hdr_i[79:72];
          tc_q     <= tlp_hdr_i[118:116];
          attr_q   <= {tlp_hdr_i[114], tlp_hdr_i[109:108]};
          addr_q   <= dwaddr;
          rem_q    <= len;
          idx_q    <= '0;
          k_q      <= '0;
          sbeat_q  <= '0;
          fbe_q    <= fbe;
          lbe_q    <= lbe;
          bar_q    <= tlp_bar_i;
          write_q  <= is_mwr;
          first_q  <= 1'b1;
          nodata_q <= 1'b0;
          status_q <= CplSc;
          bc_q     <= is_mem ? byte_count(len, fbe, len == 11'd1 ? 4'd0 : lbe) : 13'd4;
          la_q     <= is_mem ? {dwaddr[4:0], lead0(fbe)} : 7'd0;
          if (tlp_poisoned_i) begin
            ev_poisoned_o <= 1'b1;
          end else if (tlp_malformed_i) begin
            ev_malformed_o <= 1'b1;
          end else if (is_cpl) begin
            cpl_valid_o <= 1'b1;
          end else if (fast_db) begin  // a 1-DW device doorbell: the MSI at once (msi_now)
            if (!vm_ok) ev_ur_o <= 1'b1;
          end else if (fast_lib) begin  // the whole libioe doorbell: its DWs 2 and 3 next
            lib_addr_q <= tlp_beat_i;
            st_q       <= DbLib;
          end else if ((is_mrd || is_mwr) && bar_ok) begin
            st_q <= Acc;
          end else begin
            ev_ur_o <= 1'b1;
            if (!posted) begin
              status_q <= CplUr;
              nodata_q <= 1'b1;
              st_q     <= Send;
            end
          end
        end

        Acc: begin
          unique case (bar_q)
            3'd0: begin
              if (write_q) begin
                if (be != 4'd0) begin
                  m_axil_awvalid_o <= 1'b1;
                  m_axil_wvalid_o  <= 1'b1;
                  m_axil_awaddr_o  <= {addr_q[17:0], 2'b00};
                  m_axil_wdata_o   <= wdw;
                  m_axil_wstrb_o   <= be;
                  st_q             <= AxiW;
                end
              end else begin
                m_axil_arvalid_o <= 1'b1;
                m_axil_araddr_o  <= {addr_q[17:0], 2'b00};
                st_q             <= AxiR;
              end
            end
            3'd2: begin
              if (write_q && addr_q[13:0] == 14'h000B) begin  // DB_DATA: the libioe doorbell
                msi_q       <= 1'b1;
                msi_devid_q <= db_devid_i;
                msi_addr_q  <= db_addr_i;
                msi_data_q  <= wdw;
                st_q        <= Msi;
              end else if (!write_q && addr_q[13:0] == 14'h0018 && !fence_ok_i &&
                           fwait_q != 12'hFFF) begin
                // NRING_FENCE: answered once the notification stream is quiet (the records
                // of everything before it leave ahead of the completion), 4095 cycles at most
                fwait_q <= fwait_q + 12'd1;
              end else begin
                fwait_q     <= '0;
                reg_req_o   <= 1'b1;
                reg_write_o <= write_q;
                reg_addr_o  <= {addr_q[13:0], 2'b00};
                reg_wdata_o <= wdw;
                reg_be_o    <= be;
                st_q        <= Reg1;
              end
            end
            default: begin  // BAR4: reads return 0, writes to a page past NrVms are dropped
              if (write_q && vm_ok) begin
                msi_q       <= 1'b1;
                msi_devid_q <= {16'd0, rid_q};
                msi_addr_q  <= {16'(vm_ctx), vm_base[47:0] + {36'd0, addr_q[9:0], 2'b00}};
                msi_data_q  <= wdw;
                st_q        <= Msi;
              end else if (write_q) begin
                ev_ur_o <= 1'b1;
              end
            end
          endcase
        end

        AxiW: if (step && m_axil_bresp_i[1]) ev_ur_o <= 1'b1;
        AxiR: if (step && m_axil_rresp_i[1]) status_q <= CplCa;
        Reg1: st_q <= Reg2;
        DbLib: st_q <= Idle;  // the MSI offered (msi_now) or held, the TLP popped

        Send: if (tx_ready_i) begin
          sbeat_q <= sbeat_q + 3'd1;
          if (tx_eop_o) begin
            sbeat_q <= '0;
            k_q     <= '0;
            if (nodata_q || rem_q == 11'd0) begin
              pop_q     <= 1'b1;
              st_q      <= Idle;
            end else begin
              bc_q <= {rem_q, 2'b00} - 13'(trail0(lbe_q));
              la_q <= {addr_q[4:0], 2'b00};
              st_q <= Acc;
            end
          end
        end
        default: ;
      endcase

      // a DW done: keep its read data, move on, and send at a 64-byte boundary or the end
      if (step) begin
        first_q <= 1'b0;
        addr_q  <= addr_q + 30'd1;
        rem_q   <= rem_q - 11'd1;
        idx_q   <= idx_q + 11'd1;
        if (!write_q) k_q <= k_q + 5'd1;
        if (!write_q && (rem_q == 11'd1 || addr_q[3:0] == 4'hF)) begin
          st_q <= Send;
          // an AXI error: the rest of the read is one Cpl with status CA
          if (status_q != CplSc || (st_q == AxiR && m_axil_rresp_i[1])) nodata_q <= 1'b1;
        end else if (rem_q == 11'd1) begin
          pop_q     <= 1'b1;
          st_q      <= Idle;
        end else begin
          st_q <= Acc;
        end
      end
    end
  end

endmodule
