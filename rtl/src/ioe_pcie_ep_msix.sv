// ioe_pcie_ep_msix: MSI-X in fabric (PCIe 3.0 §6.8.2): the table (BAR2 0x8000, 16 bytes a
// vector: message address, upper address, data, vector control with the mask in bit 0,
// masked at reset) and the PBA (BAR2 0xC000, read-only). A vector's event sets its pending
// bit; a pending vector is sent, lowest first, as a 1-DW memory write of its data to its
// address when it is unmasked, MSI-X is enabled and the function is not masked, and its
// pending bit clears. Requests as ioe_pcie_ep_regs (this block answers 0x8000..0xFFFF).

module ioe_pcie_ep_msix #(
  parameter int unsigned NrVec = 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             req_i,
  input  logic             write_i,
  input  logic [15:0]      addr_i,
  input  logic [31:0]      wdata_i,
  input  logic [3:0]       be_i,
  output logic [31:0]      rdata_o,
  input  logic             msix_en_i,
  input  logic             msix_fm_i,
  input  logic [NrVec-1:0] irq_i,
  output logic             iw_valid_o,
  input  logic             iw_ready_i,
  output logic [63:0]      iw_addr_o,
  output logic [63:0]      iw_wdata_o,
  output logic [7:0]       iw_wstrb_o,
  output logic             ev_msix_o
);

  localparam int unsigned VW = (NrVec > 1) ? $clog2(NrVec) : 1;

  logic [31:0]      lo_q [NrVec];
  logic [31:0]      hi_q [NrVec];
  logic [31:0]      data_q [NrVec];
  logic [NrVec-1:0] mask_q, pend_q;
  logic [VW-1:0]    sel, ent;
  logic             send, ent_ok;
  logic [31:0]      rd;

  always_comb begin
    send = 1'b0;
    sel  = '0;
    for (int v = NrVec - 1; v >= 0; v--) begin
      if (pend_q[v] && !mask_q[v]) begin
        send = 1'b1;
        sel  = VW'(v);
      end
    end
    send = send && msix_en_i && !msix_fm_i;
  end

  assign iw_valid_o = send;
  assign iw_addr_o  = {hi_q[sel], lo_q[sel][31:3], 3'b000};
  assign iw_wdata_o = {data_q[sel], data_q[sel]};
  assign iw_wstrb_o = lo_q[sel][2] ? 8'hF0 : 8'h0F;

  // the table entry addressed (0x8000 + 16 * entry)
  assign ent    = addr_i[4 +: VW];
  assign ent_ok = addr_i[14] == 1'b0 && {1'b0, addr_i[13:4]} < 11'(NrVec);
  always_comb begin
    rd = '0;
    if (addr_i[14]) begin
      if (addr_i[13:2] == 12'd0) rd = 32'(pend_q);  // PBA, the first QW's low DW
    end else if (ent_ok) begin
      unique case (addr_i[3:2])
        2'd0: rd = {lo_q[ent][31:2], 2'b00};
        2'd1: rd = hi_q[ent];
        2'd2: rd = data_q[ent];
        default: rd = {31'd0, mask_q[ent]};
      endcase
    end
  end

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] nw,
                                        input logic [3:0] be);
    logic [31:0] r;
    for (int b = 0; b < 4; b++) r[8*b +: 8] = be[b] ? nw[8*b +: 8] : old[8*b +: 8];
    merge = r;
  endfunction

  logic unused;
  assign unused = ^{addr_i[1:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rdata_o   <= '0;
      mask_q    <= '1;
      pend_q    <= '0;
      ev_msix_o <= 1'b0;
      for (int v = 0; v < NrVec; v++) begin
        lo_q[v]   <= '0;
        hi_q[v]   <= '0;
        data_q[v] <= '0;
      end
    end else begin
      rdata_o   <= (req_i && !write_i && addr_i[15]) ? rd : 32'd0;
      ev_msix_o <= send && iw_ready_i;
      pend_q <= (pend_q & ~((send && iw_ready_i) ? (NrVec'(1) << sel) : '0)) | irq_i;
      if (req_i && write_i && addr_i[15] && ent_ok) begin
        unique case (addr_i[3:2])
          2'd0: lo_q[ent] <= merge(lo_q[ent], wdata_i, be_i);
          2'd1: hi_q[ent] <= merge(hi_q[ent], wdata_i, be_i);
          2'd2: data_q[ent] <= merge(data_q[ent], wdata_i, be_i);
          default: if (be_i[0]) mask_q[ent] <= wdata_i[0];
        endcase
      end
    end
  end

endmodule
