// ioe_pcie_ep_regs: the endpoint's registers, BAR2 0x0000..0x7FFF (docs/pcie.md section
// 1): identification, the notification ring's configuration, the two doorbells'
// registers (DB_DATA itself is taken by the completer), the counters and the completion
// timeout. Device doorbell page p has a base (DB_BASE) and a VM context (DB_PAGE_VM, p
// after reset), selected by DB_PAGE. A request for one cycle; its read data the cycle after (0 outside the block).
// Any error counter's change raises err_irq_o for one cycle (MSI-X vector 1). db_set_i
// writes DB_ADDR_LO, DB_ADDR_HI and DB_DEVID at once (the completer's 4-DW doorbell).

module ioe_pcie_ep_regs #(
  parameter int unsigned NrVms = 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                req_i,
  input  logic                write_i,
  input  logic [15:0]         addr_i,
  input  logic [31:0]         wdata_i,
  input  logic [3:0]          be_i,
  output logic [31:0]         rdata_o,
  // notification ring
  output logic [63:0]         ring_base_o,
  output logic [4:0]          ring_log2_o,
  output logic                ring_en_o,
  output logic [31:0]         ring_tail_o,
  output logic                ring_tail_we_o,  // the cycle after TAIL was written
  output logic                ring_reset_o,    // the cycle after the ring was enabled
  input  logic [31:0]         ring_head_i,
  // doorbells
  output logic [31:0]         db_devid_o,
  output logic [63:0]         db_addr_o,
  output logic [NrVms*64-1:0] db_base_o,
  output logic [NrVms*8-1:0]  db_vm_o,
  input  logic                db_set_i,
  input  logic [63:0]         db_set_addr_i,
  input  logic [31:0]         db_set_devid_i,
  // requester
  output logic [23:0]         timeout_us_o,
  // counted events
  input  logic                ev_poisoned_i,
  input  logic                ev_ur_i,
  input  logic                ev_malformed_i,
  input  logic                ev_timeout_i,
  input  logic                ev_cpl_error_i,
  input  logic                ev_unexpected_i,
  input  logic                ev_doorbell_i,
  input  logic                ev_msix_i,
  output logic                err_irq_o
);

  localparam logic [31:0] EpId = 32'h10E0_0C1E, EpVersion = 32'd1;

  logic [31:0] base_lo_q, base_hi_q, log2_q, tail_q, timeout_q, devid_q, dblo_q, dbhi_q;
  logic [7:0]  vmsel_q;
  logic        en_q;
  logic [31:0] cnt_q [8];
  logic [63:0] dbbase_q [NrVms];
  logic [7:0]  dbvm_q [NrVms];
  logic [7:0]  ev;
  localparam int unsigned VmBits = (NrVms > 1) ? $clog2(NrVms) : 1;
  logic [VmBits-1:0] vsel;
  logic        vmsel_ok, wr;
  logic [31:0] rd;

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] nw,
                                        input logic [3:0] be);
    logic [31:0] r;
    for (int b = 0; b < 4; b++) r[8*b +: 8] = be[b] ? nw[8*b +: 8] : old[8*b +: 8];
    merge = r;
  endfunction

  // NRING_LOG2 reads back clamped to 4..16
  function automatic logic [31:0] clamp_log2(input logic [31:0] v);
    clamp_log2 = (v < 32'd4) ? 32'd4 : (v > 32'd16) ? 32'd16 : v;
  endfunction

  assign ev       = {ev_unexpected_i, ev_msix_i, ev_doorbell_i, ev_cpl_error_i, ev_timeout_i,
                     ev_malformed_i, ev_ur_i, ev_poisoned_i};
  assign vmsel_ok = 32'(vmsel_q) < NrVms;
  assign vsel     = vmsel_q[VmBits-1:0];
  assign wr       = req_i && write_i && addr_i[15] == 1'b0;

  assign ring_base_o  = {base_hi_q, base_lo_q[31:3], 3'b000};
  assign ring_log2_o  = log2_q[4:0];
  assign ring_en_o    = en_q;
  assign ring_tail_o  = tail_q;
  assign db_devid_o   = devid_q;
  assign db_addr_o    = {dbhi_q, dblo_q};
  assign timeout_us_o = (timeout_q > 32'h00FF_FFFF) ? 24'hFF_FFFF : timeout_q[23:0];
  for (genvar v = 0; v < NrVms; v++) begin : g_base
    assign db_base_o[v*64 +: 64] = dbbase_q[v];
    assign db_vm_o[v*8 +: 8]     = dbvm_q[v];
  end

  always_comb begin
    rd = '0;
    unique case (addr_i[14:0])
      15'h0000: rd = EpId;
      15'h0004: rd = EpVersion;
      15'h0008: rd = {base_lo_q[31:3], 3'b000};
      15'h000C: rd = base_hi_q;
      15'h0010: rd = log2_q;
      15'h0014: rd = ring_head_i;
      15'h0018: rd = tail_q;
      15'h001C: rd = {31'd0, en_q};
      15'h0020: rd = dblo_q;
      15'h0024: rd = dbhi_q;
      15'h0028: rd = devid_q;
      15'h0030: rd = {24'd0, vmsel_q};
      15'h0034: rd = vmsel_ok ? dbbase_q[vsel][31:0] : 32'd0;
      15'h0038: rd = vmsel_ok ? dbbase_q[vsel][63:32] : 32'd0;
      15'h003C: rd = vmsel_ok ? {24'd0, dbvm_q[vsel]} : 32'd0;
      15'h0040: rd = cnt_q[0];
      15'h0044: rd = cnt_q[1];
      15'h0048: rd = cnt_q[2];
      15'h004C: rd = cnt_q[3];
      15'h0050: rd = cnt_q[4];
      15'h0054: rd = cnt_q[5];
      15'h0058: rd = cnt_q[6];
      15'h005C: rd = timeout_q;
      15'h0060: rd = ring_head_i;  // NRING_FENCE: the completer holds it (ioe_pcie_ep_cpl)
      15'h0064: rd = cnt_q[7];     // CNT_CPL_UNEXPECTED
      default: rd = '0;
    endcase
  end

  logic unused;
  assign unused = ^{addr_i[1:0], base_lo_q[2:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rdata_o        <= '0;
      base_lo_q      <= '0;
      base_hi_q      <= '0;
      log2_q         <= 32'd4;
      tail_q         <= '0;
      en_q           <= 1'b0;
      timeout_q      <= 32'd50000;
      devid_q        <= '0;
      dblo_q         <= '0;
      dbhi_q         <= '0;
      vmsel_q        <= '0;
      ring_tail_we_o <= 1'b0;
      ring_reset_o   <= 1'b0;
      err_irq_o      <= 1'b0;
      for (int i = 0; i < 8; i++) cnt_q[i] <= '0;
      for (int v = 0; v < NrVms; v++) begin
        dbbase_q[v] <= '0;
        dbvm_q[v]   <= 8'(v);
      end
    end else begin
      rdata_o        <= (req_i && !write_i && addr_i[15] == 1'b0) ? rd : 32'd0;
      ring_tail_we_o <= 1'b0;
      ring_reset_o   <= 1'b0;
      err_irq_o      <= |ev[4:0] | ev[7];
      for (int i = 0; i < 8; i++) if (ev[i]) cnt_q[i] <= cnt_q[i] + 32'd1;
      if (db_set_i) begin
        dblo_q  <= db_set_addr_i[31:0];
        dbhi_q  <= db_set_addr_i[63:32];
        devid_q <= db_set_devid_i;
      end
      if (wr) begin
        unique case (addr_i[14:0])
          15'h0008: base_lo_q <= merge(base_lo_q, wdata_i, be_i);
          15'h000C: base_hi_q <= merge(base_hi_q, wdata_i, be_i);
          15'h0010: log2_q <= clamp_log2(merge(log2_q, wdata_i, be_i));
          15'h0018: begin
            tail_q         <= merge(tail_q, wdata_i, be_i);
            ring_tail_we_o <= 1'b1;
          end
          15'h001C: if (be_i[0]) begin
            en_q <= wdata_i[0];
            if (wdata_i[0]) begin
              tail_q       <= '0;
              ring_reset_o <= 1'b1;
            end
          end
          15'h0020: dblo_q <= merge(dblo_q, wdata_i, be_i);
          15'h0024: dbhi_q <= merge(dbhi_q, wdata_i, be_i);
          15'h0028: devid_q <= merge(devid_q, wdata_i, be_i);
          15'h0030: if (be_i[0]) vmsel_q <= wdata_i[7:0];
          15'h0034: if (vmsel_ok) dbbase_q[vsel][31:0] <=
                      merge(dbbase_q[vsel][31:0], wdata_i, be_i);
          15'h0038: if (vmsel_ok) dbbase_q[vsel][63:32] <=
                      merge(dbbase_q[vsel][63:32], wdata_i, be_i);
          15'h003C: if (vmsel_ok && be_i[0]) dbvm_q[vsel] <= wdata_i[7:0];
          15'h005C: timeout_q <= merge(timeout_q, wdata_i, be_i);
          default: ;
        endcase
      end
    end
  end

endmodule
