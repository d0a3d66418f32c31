// ioe_its_walk: the ITS sequencer's table walker (docs/its.md, "Tables in guest memory"):
// one 8-byte access at a time to an entry of the guest's device table (flat or two-level),
// an ITT, the collection table, or a plain address (command queue, LPI configuration and
// pending tables), over the engine's DMA port with tag 0 (one beat outstanding). The
// device-table addressing is ioe_its_devtab's. Every address is in the VM's IOVA window
// ivm_i; the tables are described by baser0_i / baser1_i.
//
// Contract:
//   - Request: go_i for one cycle while idle_o, with kind_i naming the entry (ioe_its_pkg's
//     Wk* codes), we_i / wd_i / strb_i (a write of wd_i with byte enables strb_i; else a read):
//       WkDev   the DTE of DeviceID dev_i (a lookup: for a two-level table the level-1 entry
//              is read first). The caller checks lk_fail_o (dev_i out of the table's range,
//              or BASER0 invalid) before asking: such a request is not made.
//       WkSlot  the DTE of slot slot_i of a walk over every slot (for a two-level table the
//              level-1 entry of its page first, unless that page's was read already and the
//              walk stayed in it: slot_nx_i is the walk's next slot, flush_i drops the page).
//       WkDte   the DTE the last WkDev / WkSlot found (dte_addr_o).
//       WkIte   entry ev_i of the ITT of the DTE dte_i; WkIteRd the same for the DTE on rdata_o.
//       WkCte   entry ev_i of the collection table (BASER1).
//       WkAgain the entry of the previous access (addr_o): "zero this entry", read-modify-write.
//       WkAddr  the address addr_i.
//   - Response: done_o for one cycle when the access is over; from the next cycle rdata_o
//     (the double word read) and err_o (a DMA error) hold until the next request (clr_i
//     clears err_o). A WkDev whose level-1 entry is unreadable or invalid is done with
//     err_o set. A WkSlot whose level-1 entry is unreadable or invalid is done with skip_o
//     (its page has no DTEs: the walk goes on at the next page, slot_pmask_o are the bits
//     of a slot within its page) and err_o clear; l1_o marks the cycle a level-1 entry of
//     a walk was accepted. done_o never comes in the cycle of go_i.

module ioe_its_walk #(
  parameter int unsigned DevBits = 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // the tables of the current instance
  input  logic [7:0]         ivm_i,
  input  logic [63:0]        baser0_i,
  input  logic [63:0]        baser1_i,
  // request
  input  logic               go_i,
  input  logic [2:0]         kind_i,
  input  logic               we_i,
  input  logic [63:0]        wd_i,
  input  logic [7:0]         strb_i,
  input  logic [31:0]        dev_i,
  input  logic [31:0]        slot_i,
  input  logic [31:0]        slot_nx_i,
  input  logic               flush_i,
  input  logic [63:0]        dte_i,
  input  logic [31:0]        ev_i,
  input  logic [63:0]        addr_i,
  input  logic               clr_i,
  // response
  output logic               idle_o,
  output logic               done_o,
  output logic               skip_o,
  output logic               l1_o,
  output logic [63:0]        rdata_o,
  output logic               err_o,
  output logic [63:0]        addr_o,
  output logic [63:0]        dte_addr_o,
  // device-table views of the sequencer's bounds
  output logic               lk_fail_o,
  output logic               slot_end_o,
  output logic [31:0]        slot_pmask_o,
  // DMA (tag 0)
  output logic               dma_req_valid_o,
  input  logic               dma_req_ready_i,
  output ioe_pkg::dma_req_t  dma_req_o,
  input  logic               dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t  dma_rsp_i
);


  typedef enum logic [1:0] {WIdle, WReq, WRsp, WL1} wstate_e;
  wstate_e     st_q, st_d;
  logic        wr_q, wr_d, err_q, err_d, l1_q, l1_d, slot_q, slot_d;
  logic [63:0] addr_q, addr_d, wd_q, wd_d, rd_q, rd_d, dta_q, dta_d, l2_q, l2_d;
  logic [7:0]  strb_q, strb_d;
  logic        l1ok_q, l1ok_d;

  // where the entries are (ioe_its_devtab): the lookup of dev_i and slot slot_i
  logic        lk_l1, sl_l1;
  logic [31:0] pmask;
  logic [63:0] lk_addr, l1e_page, l1e_dte, sl_l1a, sl_dte;
  ioe_its_devtab #(
    .DevBits(DevBits)
  ) u_devtab (
    .baser0_i    (baser0_i),
    .ivm_i       (ivm_i),
    .dev_i       (dev_i),
    .lk_fail_o   (lk_fail_o),
    .lk_l1_o     (lk_l1),
    .lk_addr_o   (lk_addr),
    .l1e_i       (rd_q),
    .l1e_page_o  (l1e_page),
    .l1e_dte_o   (l1e_dte),
    .slot_i      (slot_i),
    .l1ok_i      (l1ok_q),
    .l2_i        (l2_q),
    .slot_end_o  (slot_end_o),
    .slot_l1_o   (sl_l1),
    .slot_l1a_o  (sl_l1a),
    .slot_dte_o  (sl_dte),
    .slot_pmask_o(pmask)
  );

  logic [63:0] iova;
  logic [48:5] itt;  // the ITT address (>> 8) of the DTE
  assign iova = {8'd0, ivm_i, 48'd0};
  assign itt  = (kind_i == ioe_its_pkg::WkIteRd) ? rd_q[48:5] : dte_i[48:5];

  logic rsp;
  assign rsp = (st_q == WRsp) && dma_rsp_valid_i && !dma_rsp_i.tag[5];

  always_comb begin
    st_d = st_q; wr_d = wr_q; err_d = err_q; l1_d = l1_q; slot_d = slot_q;
    addr_d = addr_q; wd_d = wd_q; rd_d = rd_q; dta_d = dta_q; l2_d = l2_q; strb_d = strb_q;
    l1ok_d = l1ok_q;
    done_o = 1'b0;
    skip_o = 1'b0;
    l1_o   = 1'b0;
    if (clr_i) err_d = 1'b0;
    unique case (st_q)
      WIdle: begin
        if (go_i) begin
          st_d   = WReq;
          wr_d   = we_i;
          wd_d   = wd_i;
          strb_d = strb_i;
          l1_d   = 1'b0;
          slot_d = kind_i == ioe_its_pkg::WkSlot;
          unique case (kind_i)
            ioe_its_pkg::WkDev: begin
              addr_d = lk_addr;
              l1_d   = lk_l1;
              if (!lk_l1) dta_d = lk_addr;
            end
            ioe_its_pkg::WkSlot: begin
              addr_d = sl_l1 ? sl_l1a : sl_dte;
              l1_d   = sl_l1;
              if (!sl_l1) dta_d = sl_dte;
            end
            ioe_its_pkg::WkDte:          addr_d = dta_q;
            ioe_its_pkg::WkIte, ioe_its_pkg::WkIteRd:
              addr_d = iova | ({12'd0, itt[48:5], 8'd0} + {29'd0, ev_i, 3'd0});
            ioe_its_pkg::WkCte:
              addr_d = iova | ({16'd0, baser1_i[47:12], 12'd0} + {29'd0, ev_i, 3'd0});
            ioe_its_pkg::WkAgain:        addr_d = addr_q;
            default:       addr_d = addr_i;
          endcase
        end
      end
      WReq: if (dma_req_ready_i) st_d = WRsp;
      WRsp: begin
        if (rsp) begin
          rd_d  = dma_rsp_i.rdata;
          err_d = dma_rsp_i.err;
          if (l1_q) begin
            st_d = WL1;
          end else begin
            st_d   = WIdle;
            done_o = 1'b1;
          end
        end
      end
      WL1: begin
        // the level-1 entry on rd_q: an unreadable or invalid one ends the access
        l1_d = 1'b0;
        if (err_q || !rd_q[63]) begin
          st_d   = WIdle;
          done_o = 1'b1;
          skip_o = slot_q;
          err_d  = !slot_q;
        end else begin
          st_d = WReq;
          if (slot_q) begin
            l2_d   = l1e_page;
            l1ok_d = 1'b1;
            l1_o   = 1'b1;
            addr_d = iova | (l1e_page + {29'd0, slot_i & pmask, 3'd0});
          end else begin
            addr_d = l1e_dte;
          end
          dta_d = addr_d;
        end
      end
      default: st_d = WIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= WIdle; wr_q <= 1'b0; err_q <= 1'b0; l1_q <= 1'b0; slot_q <= 1'b0;
      addr_q <= '0; wd_q <= '0; rd_q <= '0; dta_q <= '0; l2_q <= '0; strb_q <= '0;
      l1ok_q <= 1'b0;
    end else begin
      st_q <= st_d; wr_q <= wr_d; err_q <= err_d; l1_q <= l1_d; slot_q <= slot_d;
      addr_q <= addr_d; wd_q <= wd_d; rd_q <= rd_d; dta_q <= dta_d; l2_q <= l2_d;
      strb_q <= strb_d;
      // the page read stays valid while the walk stays in it
      l1ok_q <= l1ok_d & ~flush_i & (((slot_nx_i ^ slot_i) & ~pmask) == '0);
    end
  end

  assign idle_o       = st_q == WIdle;
  assign rdata_o      = rd_q;
  assign err_o        = err_q;
  assign addr_o       = addr_q;
  assign dte_addr_o   = dta_q;
  assign slot_pmask_o = pmask;

  assign dma_req_valid_o = st_q == WReq;
  always_comb begin
    dma_req_o       = '0;
    dma_req_o.tag   = '0;
    dma_req_o.write = wr_q;
    dma_req_o.addr  = addr_q;
    dma_req_o.wdata = wd_q;
    dma_req_o.wstrb = wr_q ? strb_q : 8'h00;
  end

  logic unused;
  assign unused = ^{dte_i[63:49], dte_i[4:0], baser1_i[63:48], baser1_i[11:0]};

endmodule
