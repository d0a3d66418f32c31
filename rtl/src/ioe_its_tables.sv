// ioe_its_tables: the order of SAVE_TABLES and RESTORE_TABLES (docs/its.md, "SAVE_TABLES /
// RESTORE_TABLES"), the walks of the ITS sequencer (ioe_its_core) that flush the engine's
// state to the guest's tables in KVM's ABI rev 0 and scan it back. Its own FSM; the
// sequencer starts it and, while it runs, lends it the table walker (ioe_its_walk), the
// walk cursor and the collection store. The KVM scan rules are u_rscan (ioe_its_rscan).
//
// Contract:
//   - Start: start_i for one cycle (the sequencer's SExec of SAVE_TABLES / RESTORE_TABLES,
//     restore_i selects). In that cycle and in every cycle active_i is set (the sequencer
//     is in its state STab) the outputs below are the sequencer's: it copies the walk
//     cursor (w_*_o, dte_o, ite_o: default their inputs) and the walker request (wk_*_o)
//     into its own next state, and applies the counter, collection, command-word and errno
//     writes. While active_i is clear the unit holds (its state and registers are kept).
//   - The walker is the unit's while it is active: one request (wk_go_o) at a time, the
//     unit waits for wk_done_i / wk_skip_i (a skipped level-2 page: the walk goes on at the
//     next page). dwr_i says the walker's last access was a write; dwr_clr_o clears it.
//   - Calls to the sequencer (one cycle, active): lpi_go_o creates or references the LPI
//     of the ITE ite_i (MAPTI's path; the sequencer returns with lpi_fail_i set when that
//     failed, the errno already in its RDATA); free_go_o frees (zeroes and derefs) the ITEs
//     of dte_i below EventID w_evn_o (free_all_o clear) or every valid device from slot 0
//     (free_all_o set), with the free walker. The unit is paused (active_i clear) until
//     the sequencer is back in STab.
//   - Result: done_o for one cycle (active); errors are reported when they happen with
//     err_we_o / err_o (an errno: 14 EFAULT, 22 EINVAL, 17 EEXIST, 12 ENOMEM) and a failed
//     restore frees what it restored before done_o.

module ioe_its_tables #(
  parameter int unsigned DevBits = 16,
  parameter int unsigned LpiBits = 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // handshake with the sequencer
  input  logic               start_i,
  input  logic               restore_i,
  input  logic               active_i,
  input  logic               lpi_fail_i,
  output logic               done_o,
  output logic               err_we_o,
  output logic [7:0]         err_o,
  output logic               lpi_go_o,
  output logic               free_go_o,
  output logic               free_all_o,
  // the instance: BASER0 / BASER1, the walk bound, the VM's vCPUs, its collections
  input  logic               b0v_i,
  input  logic               b1v_i,
  input  logic [9:0]         b1_i,       // BASER1[9:0] (the collection table's size)
  input  logic [DevBits:0]   nd_i,
  input  logic [DevBits-1:0] dmax_i,
  input  logic [4:0]         imax_i,
  input  logic [7:0]         nvc_i,
  input  logic [4:0]         ncoll_i,
  input  logic [15:0]        ent_icid_i, // collection w_ev_i of the store
  input  logic [8:0]         ent_tgt_i,
  input  logic               ca_hit_i,   // a collection with the ICID of the command word
  input  logic               cb_hit_i,   // a collection with the ICID of ite_i
  // the command words (the CTE being restored is word 2, for the collection lookup)
  input  logic [63:0]        c_w2_i,
  input  logic [31:0]        c_rd1_i,
  input  logic [15:0]        c_icid_i,
  output logic               w2_we_o,
  output logic [63:0]        w2_wd_o,
  // counter and collection writes
  output logic               cnt_inc_o,  // device w_dev_i made valid, ITT Size cnt_size_o
  output logic [4:0]         cnt_size_o,
  output logic               cnt_max_o,
  output logic               cnt_clr_o,
  output logic               ncoll_we_o,
  output logic [4:0]         ncoll_wd_o,
  output logic               coll_we_o,  // collection ncoll_i := {coll_icid_o, coll_tgt_o}
  output logic [15:0]        coll_icid_o,
  output logic [8:0]         coll_tgt_o,
  // the walk cursor (the sequencer's registers, shared with its free walker)
  input  logic [31:0]        w_dev_i,
  input  logic [31:0]        w_ev_i,
  input  logic [31:0]        w_evn_i,
  input  logic [DevBits:0]   w_left_i,
  input  logic [63:0]        dte_i,
  input  logic [63:0]        ite_i,
  output logic [31:0]        w_dev_o,
  output logic [31:0]        w_ev_o,
  output logic [31:0]        w_evn_o,
  output logic [DevBits:0]   w_left_o,
  output logic [63:0]        dte_o,
  output logic [63:0]        ite_o,
  // the table walker
  output logic               wk_go_o,
  output logic [2:0]         wk_kind_o,
  output logic               wk_we_o,
  output logic [63:0]        wk_wd_o,
  output logic [31:0]        wk_ev_o,
  output logic [63:0]        wk_addr_o,
  input  logic               wk_done_i,
  input  logic               wk_skip_i,
  input  logic               wk_l1_i,
  input  logic [63:0]        wk_rd_i,
  input  logic               wk_err_i,
  input  logic [63:0]        wk_dte_addr_i,
  input  logic               sl_end_i,
  input  logic [31:0]        sl_pmask_i,
  input  logic               dwr_i,
  output logic               dwr_clr_o
);

  typedef enum logic [4:0] {
    TIdle, TWalk,
    TSvDev, TSvDte, TSvIte, TSvIteW, TSvItt, TSvDteW, TSvEnd, TSvColl,
    TRsColl, TRsCte, TRsDev, TRsDte, TRsIte, TRsIteLpi, TRsLpi, TRsIteNext, TRsErr, TRsClr
  } tstate_e;

  tstate_e     st_q, st_d, ret_q, ret_d, st;
  logic        rsm_q, rsm_d;                           // restore (else save)
  logic        sv_he_q, sv_hd_q, sv_he_d, sv_hd_d;     // a previous valid ITE / DTE
  logic [31:0] sv_pe_q, sv_pd_q, sv_pe_d, sv_pd_d;     // its EventID / DeviceID
  logic [63:0] sv_pite_q, sv_pdte_q, sv_pite_d, sv_pdte_d;
  logic [63:0] sv_pa_q, sv_pa_d;                       // address of the previous DTE
  logic        rs_done_q, rs_done_d;
  logic [1:0]  rs_ph_q, rs_ph_d;                       // a failed restore's clean-up (TRsErr)
  logic [31:0] rs_pos_q, rs_pos_d;                     // next DeviceID / EventID scanned

  // the next ITE of an ITT walk (nx_ite): EventID w_ev_i + 1, or past the last the state
  // nx_end; its answer goes to nx_ret
  logic        nx_ite, ev_last;
  tstate_e     nx_end, nx_ret;
  assign ev_last = w_ev_i + 32'd1 >= w_evn_i;

  logic [31:0] ct_cap;
  assign ct_cap = ioe_its_pkg::capacity(b1_i);

  // KVM's scan rules for the entry on wk_rd_i (TRsDte: the DTE of slot w_dev_i; TRsIte:
  // the ITE w_ev_i of dte_i; TRsIteLpi: the checks of ite_i; TRsIteNext: the next device)
  logic        rs_dte_reach, rs_dte_zero, rs_dte_dev, rs_ite_reach, rs_ite_zero, rs_ite_take;
  logic        rs_ite_bad, rs_dev_last;
  logic [31:0] rs_dte_evn, rs_ite_epos, rs_dev_pos;
  ioe_its_rscan #(
    .LpiBits (LpiBits)
  ) u_rscan (
    .slot_i      (w_dev_i),
    .rd_i        (wk_rd_i),
    .pos_i       (rs_pos_q),
    .done_i      (rs_done_q),
    .dte_reach_o (rs_dte_reach),
    .dte_zero_o  (rs_dte_zero),
    .dte_dev_o   (rs_dte_dev),
    .dte_evn_o   (rs_dte_evn),
    .dte_i       (dte_i),
    .ev_i        (w_ev_i),
    .epos_i      (sv_pe_q),
    .evn_i       (w_evn_i),
    .ite_reach_o (rs_ite_reach),
    .ite_zero_o  (rs_ite_zero),
    .ite_take_o  (rs_ite_take),
    .ite_i       (ite_i),
    .coll_hit_i  (cb_hit_i),
    .ite_bad_o   (rs_ite_bad),
    .ite_epos_o  (rs_ite_epos),
    .dev_last_o  (rs_dev_last),
    .dev_pos_o   (rs_dev_pos)
  );

  always_comb begin
    st_d = st_q; ret_d = ret_q; rsm_d = rsm_q;
    sv_he_d = sv_he_q; sv_hd_d = sv_hd_q; sv_pe_d = sv_pe_q; sv_pd_d = sv_pd_q;
    sv_pite_d = sv_pite_q; sv_pdte_d = sv_pdte_q; sv_pa_d = sv_pa_q;
    rs_done_d = rs_done_q; rs_ph_d = rs_ph_q; rs_pos_d = rs_pos_q;
    done_o = 1'b0; err_we_o = 1'b0; err_o = '0; lpi_go_o = 1'b0; free_go_o = 1'b0;
    free_all_o = 1'b0;
    w2_we_o = 1'b0; w2_wd_o = '0;
    cnt_inc_o = 1'b0; cnt_size_o = '0; cnt_max_o = 1'b0; cnt_clr_o = 1'b0;
    ncoll_we_o = 1'b0; ncoll_wd_o = '0; coll_we_o = 1'b0; coll_icid_o = '0; coll_tgt_o = '0;
    w_dev_o = w_dev_i; w_ev_o = w_ev_i; w_evn_o = w_evn_i; w_left_o = w_left_i;
    dte_o = dte_i; ite_o = ite_i;
    wk_go_o = 1'b0; wk_kind_o = ioe_its_pkg::WkAddr; wk_we_o = 1'b0; wk_wd_o = '0;
    wk_ev_o = '0; wk_addr_o = '0;
    dwr_clr_o = 1'b0;
    nx_ite = 1'b0; nx_end = TIdle; nx_ret = TIdle;
    // back from an LPI creation: on (TRsIteNext) or the clean-up (TRsErr)
    st = st_q;
    if (st_q == TRsLpi) st = lpi_fail_i ? TRsErr : TRsIteNext;

    if (start_i) begin
      rsm_d = restore_i;
      if (!restore_i) begin
        w_dev_o  = '0;
        w_left_o = nd_i;
        sv_hd_d  = 1'b0;
        st_d     = b0v_i ? TSvDev : TSvEnd;
      end else begin
        ncoll_we_o = 1'b1;
        ncoll_wd_o = '0;
        w_ev_o     = '0;  // CTE index
        st_d       = b1v_i ? TRsColl : TRsDev;
        w_dev_o    = '0;
        rs_done_d  = 1'b0;
        rs_pos_d   = '0;
        rs_ph_d    = 2'd0;
        dte_o      = '0;  // TRsErr: no device being restored
      end
    end else if (active_i) begin
      st_d = st;
      unique case (st)
        // ---------------------------------------------------------- a walker access
        TWalk: begin
          if (wk_l1_i && !rs_done_q) rs_pos_d = w_dev_i;  // KVM's restore scans a page from its start
          if (wk_skip_i) begin
            w_dev_o = (w_dev_i | sl_pmask_i) + 32'd1;
            st_d    = rsm_q ? TRsDev : TSvDev;
          end else if (wk_done_i) begin
            st_d = ret_q;
          end
        end

        // ---------------------------------------------------------- the device table
        // every DTE slot, DeviceID w_dev_i next; SAVE_TABLES stops after the nd-th device or
        // past the highest DeviceID mapped, RESTORE_TABLES' scan at the table's end
        TSvDev, TRsDev: begin
          if (sl_end_i || !b0v_i ||
              (st == TSvDev && (w_left_i == '0 || w_dev_i > 32'(dmax_i)))) begin
            if (st == TSvDev) st_d = TSvEnd;
            else if (rs_ph_q != 2'd0) st_d = TRsErr;
            else begin
              st_d   = TIdle;
              done_o = 1'b1;
            end
          end else begin
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkSlot;
            st_d      = TWalk;
            ret_d     = (st == TSvDev) ? TSvDte : TRsDte;
            w_ev_o    = '0;
            w_evn_o   = 32'hffffffff;
          end
        end

        // ---------------------------------------------------------- SAVE_TABLES
        // Valid DTEs in DeviceID order; each one's valid ITEs in EventID order get KVM's
        // next fields (the previous entry is rewritten when the next valid one is found),
        // then the collections.
        TSvDte: begin
          if (wk_err_i || !wk_rd_i[63] || wk_rd_i[4:0] > 5'd30) begin
            w_dev_o = w_dev_i + 32'd1;
            st_d    = TSvDev;
          end else begin
            w_left_o  = w_left_i - 1'b1;
            dte_o     = wk_rd_i;
            w_ev_o    = '0;
            w_evn_o   = ioe_its_pkg::itt_len(wk_rd_i[4:0], imax_i);
            sv_he_d   = 1'b0;
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkIteRd;
            st_d      = TWalk;
            ret_d     = TSvIte;
          end
        end
        TSvIte: begin
          // ITE w_ev_i on wk_rd_i
          if (wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else if (wk_rd_i[47:16] != 32'd0 && sv_he_q) begin
            // rewrite the previous one with its next, then continue with this one
            ite_o     = wk_rd_i;
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkIte;
            wk_ev_o   = sv_pe_q;
            wk_we_o   = 1'b1;
            wk_wd_o   = {(w_ev_i - sv_pe_q > 32'hffff) ? 16'hffff : 16'(w_ev_i - sv_pe_q),
                         sv_pite_q[47:0]};
            st_d      = TWalk;
            ret_d     = TSvIteW;
          end else begin
            if (wk_rd_i[47:16] != 32'd0) begin
              sv_he_d   = 1'b1;
              sv_pe_d   = w_ev_i;
              sv_pite_d = wk_rd_i;
            end
            st_d  = TSvIteW;
            ite_o = '0;
          end
        end
        TSvIteW: begin
          if (dwr_i && wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else begin
            if (dwr_i) begin
              sv_he_d   = 1'b1;
              sv_pe_d   = w_ev_i;
              sv_pite_d = ite_i;
            end
            dwr_clr_o = 1'b1;
            nx_ite    = 1'b1;
            nx_end    = TSvItt;
            nx_ret    = TSvIte;
          end
        end
        TSvItt: begin
          // the last valid ITE gets next = 0; then the previous DTE its next
          if (sv_he_q) begin
            sv_he_d   = 1'b0;
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkIte;
            wk_ev_o   = sv_pe_q;
            wk_we_o   = 1'b1;
            wk_wd_o   = {16'd0, sv_pite_q[47:0]};
            st_d      = TWalk;
            ret_d     = TSvItt;
          end else if (dwr_i && wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else if (sv_hd_q) begin
            wk_go_o   = 1'b1;
            wk_addr_o = sv_pa_q;
            wk_we_o   = 1'b1;
            wk_wd_o   = {sv_pdte_q[63], (w_dev_i - sv_pd_q > 32'd16383) ? 14'h3fff :
                                        14'(w_dev_i - sv_pd_q), sv_pdte_q[48:0]};
            st_d      = TWalk;
            ret_d     = TSvDteW;
          end else begin
            dwr_clr_o = 1'b1;
            st_d      = TSvDteW;
          end
        end
        TSvDteW: begin
          if (dwr_i && wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else begin
            dwr_clr_o = 1'b1;
            sv_hd_d   = 1'b1;
            sv_pd_d   = w_dev_i;
            sv_pa_d   = wk_dte_addr_i;
            sv_pdte_d = dte_i;
            w_dev_o   = w_dev_i + 32'd1;
            st_d      = TSvDev;
          end
        end
        TSvEnd: begin
          if (sv_hd_q) begin
            sv_hd_d   = 1'b0;
            wk_go_o   = 1'b1;
            wk_addr_o = sv_pa_q;
            wk_we_o   = 1'b1;
            wk_wd_o   = {sv_pdte_q[63], 14'd0, sv_pdte_q[48:0]};
            st_d      = TWalk;
            ret_d     = TSvEnd;
          end else if (dwr_i && wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else begin
            dwr_clr_o = 1'b1;
            w_ev_o    = '0;
            st_d      = b1v_i ? TSvColl : TIdle;
            done_o    = !b1v_i;
          end
        end
        TSvColl: begin
          // collection w_ev_i (w_ev_i == count: the terminating zero entry)
          if (dwr_i && wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TIdle;
            done_o   = 1'b1;
          end else if (w_ev_i > {27'd0, ncoll_i} || w_ev_i >= ct_cap) begin
            dwr_clr_o = 1'b1;
            st_d      = TIdle;
            done_o    = 1'b1;
          end else begin
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkCte;
            wk_ev_o   = w_ev_i;
            wk_we_o   = 1'b1;
            wk_wd_o   = (w_ev_i == {27'd0, ncoll_i}) ? 64'd0 :
                        {1'b1, 15'd0,
                         ent_tgt_i[8] ? 32'hffffffff : {24'd0, ent_tgt_i[7:0]}, ent_icid_i};
            w_ev_o    = w_ev_i + 32'd1;
            st_d      = TWalk;
            ret_d     = TSvColl;
          end
        end

        // ---------------------------------------------------------- RESTORE_TABLES
        // Collections from the table (stop at V = 0), then the device table with KVM's
        // next-chain scan; entries the scan skips are zeroed; every ITE reached creates or
        // references its LPI. On an error the devices the scan restored and the collections
        // are freed again (TRsErr).
        TRsColl: begin
          if (w_ev_i >= ct_cap) begin
            st_d = TRsDev;
          end else begin
            wk_go_o   = 1'b1;
            wk_kind_o = ioe_its_pkg::WkCte;
            wk_ev_o   = w_ev_i;
            st_d      = TWalk;
            ret_d     = TRsCte;
          end
        end
        TRsCte: begin
          w2_we_o = 1'b1;  // the collection lookup (ca_hit_i) keys on the command's ICID
          w2_wd_o = wk_rd_i;
          if (wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TRsErr;
          end else if (!wk_rd_i[63]) begin
            st_d = TRsDev;
          end else begin
            st_d = TRsCte;  // checks next cycle, with word 2 = the CTE
            if (c_w2_i == wk_rd_i && wk_rd_i[63]) begin
              err_we_o = 1'b1;
              st_d     = TRsErr;
              if (c_rd1_i != 32'hffffffff && c_rd1_i >= {24'd0, nvc_i}) begin
                err_o = 8'd22;
              end else if (ca_hit_i) begin
                err_o = 8'd17;
              end else if ({16'd0, c_icid_i} >= ct_cap) begin
                err_o = 8'd22;
              end else if (ncoll_i == 5'd16) begin
                err_o = 8'd12;
              end else begin
                err_we_o    = 1'b0;
                coll_we_o   = 1'b1;
                coll_icid_o = c_icid_i;
                coll_tgt_o  = (c_rd1_i == 32'hffffffff) ? 9'h100 : {1'b0, c_rd1_i[7:0]};
                ncoll_we_o  = 1'b1;
                ncoll_wd_o  = ncoll_i + 5'd1;
                w_ev_o      = w_ev_i + 32'd1;
                w2_wd_o     = '0;
                st_d        = TRsColl;
              end
            end
          end
        end
        TRsDte: begin
          if (dwr_i || wk_err_i) begin
            // after zeroing a skipped DTE, or an unreadable slot: next device
            dwr_clr_o = 1'b1;
            w_dev_o   = w_dev_i + 32'd1;
            st_d      = TRsDev;
          end else if (rs_dte_zero) begin
            wk_go_o   = 1'b1;  // zero the DTE just read
            wk_kind_o = ioe_its_pkg::WkAgain;
            wk_we_o   = 1'b1;
            st_d      = TWalk;
            ret_d     = TRsDte;
          end else if (!rs_dte_dev) begin
            if (rs_dte_reach) rs_pos_d = w_dev_i + 32'd1;
            w_dev_o = w_dev_i + 32'd1;
            st_d    = TRsDev;
          end else begin
            cnt_inc_o  = 1'b1;
            cnt_size_o = wk_rd_i[4:0];
            dte_o      = wk_rd_i;
            w_ev_o     = '0;
            w_evn_o    = rs_dte_evn;
            sv_pe_d    = '0;  // next EventID the ITT scan looks at
            wk_go_o    = 1'b1;
            wk_kind_o  = ioe_its_pkg::WkIteRd;
            st_d       = TWalk;
            ret_d      = TRsIte;
          end
        end
        TRsIte: begin
          // ITE w_ev_i on wk_rd_i (or the write that zeroed it)
          if (dwr_i) begin
            dwr_clr_o = 1'b1;
            st_d      = TRsIteNext;
          end else if (wk_err_i) begin
            err_we_o = 1'b1;
            err_o    = 8'd14;
            st_d     = TRsErr;
          end else if (rs_ite_zero) begin
            wk_go_o   = 1'b1;  // zero the ITE just read
            wk_kind_o = ioe_its_pkg::WkAgain;
            wk_we_o   = 1'b1;
            st_d      = TWalk;
            ret_d     = TRsIte;
          end else if (rs_ite_take) begin
            ite_o = wk_rd_i;
            st_d  = TRsIteLpi;
          end else begin
            if (rs_ite_reach) sv_pe_d = w_ev_i + 32'd1;
            st_d = TRsIteNext;
          end
        end
        TRsIteLpi: begin
          // checks with cb_* (collection of ite_i), then the LPI (the sequencer's MAPTI path)
          if (rs_ite_bad) begin
            err_we_o = 1'b1;
            err_o    = 8'd22;
            st_d     = TRsErr;
          end else begin
            sv_pe_d  = rs_ite_epos;
            lpi_go_o = 1'b1;
            st_d     = TRsLpi;
          end
        end
        TRsIteNext: begin
          dwr_clr_o = 1'b1;
          nx_ite    = 1'b1;
          nx_end    = TRsDev;
          nx_ret    = TRsIte;
          if (ev_last) begin
            // end of this ITT: the DTE's next field continues the device scan
            if (rs_dev_last) rs_done_d = 1'b1;
            else rs_pos_d = rs_dev_pos;
            w_dev_o = w_dev_i + 32'd1;
          end
        end
        TRsErr: begin
          // a failed restore leaves no device and no collection (as KVM), the errno in RDATA.
          // rs_ph_q 0: the error. The device it failed in (dte_i valid; none when the
          // collections failed) frees the ITEs below the failing EventID w_ev_i and its DTE
          // (the free walker from EventID 0 to w_ev_i - 1), then 1: the scan goes on from
          // the next slot (from slot 0 after the collections) zeroing every valid DTE
          // (rs_done: not reached, no references, no ITT walk), then 2: the devices it
          // restored, the valid DTEs up to dev_max, are freed with the ITT bound the scan
          // set (nd "no count" for the walk), then no device is left (TRsClr).
          dwr_clr_o = 1'b1;
          rs_done_d = 1'b1;
          if (rs_ph_q == 2'd0) begin
            ncoll_we_o = 1'b1;
            ncoll_wd_o = '0;
            cnt_max_o  = 1'b1;
            if (!b0v_i) begin
              st_d = TRsClr;
            end else if (dte_i[63]) begin
              w_ev_o    = 32'hffffffff;  // the free walker: EventID 0 next
              w_evn_o   = w_ev_i;
              free_go_o = 1'b1;
              rs_ph_d   = 2'd1;
            end else begin
              w_dev_o = '0;
              rs_ph_d = 2'd2;
              st_d    = TRsDev;
            end
          end else if (rs_ph_q == 2'd1) begin
            w_dev_o = w_dev_i + 32'd1;
            rs_ph_d = 2'd2;
            st_d    = TRsDev;
          end else begin
            w_dev_o    = '0;
            w_left_o   = '1;
            free_go_o  = 1'b1;
            free_all_o = 1'b1;
            st_d       = TRsClr;
          end
        end
        TRsClr: begin
          cnt_clr_o = 1'b1;
          rs_ph_d   = 2'd0;
          st_d      = TIdle;
          done_o    = 1'b1;
        end
        default: st_d = TIdle;
      endcase
      if (nx_ite) begin
        if (ev_last) begin
          st_d = nx_end;
        end else begin
          w_ev_o    = w_ev_i + 32'd1;
          wk_go_o   = 1'b1;
          wk_kind_o = ioe_its_pkg::WkIte;
          wk_ev_o   = w_ev_i + 32'd1;
          st_d      = TWalk;
          ret_d     = nx_ret;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= TIdle; ret_q <= TIdle; rsm_q <= 1'b0;
      sv_he_q <= 1'b0; sv_hd_q <= 1'b0; sv_pe_q <= '0; sv_pd_q <= '0; sv_pite_q <= '0;
      sv_pdte_q <= '0; sv_pa_q <= '0; rs_done_q <= 1'b0; rs_pos_q <= '0; rs_ph_q <= 2'd0;
    end else begin
      st_q <= st_d; ret_q <= ret_d; rsm_q <= rsm_d;
      sv_he_q <= sv_he_d; sv_hd_q <= sv_hd_d; sv_pe_q <= sv_pe_d; sv_pd_q <= sv_pd_d;
      sv_pite_q <= sv_pite_d; sv_pdte_q <= sv_pdte_d; sv_pa_q <= sv_pa_d;
      rs_done_q <= rs_done_d; rs_pos_q <= rs_pos_d; rs_ph_q <= rs_ph_d;
    end
  end

endmodule
