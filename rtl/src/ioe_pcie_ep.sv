// ioe_pcie_ep: the vendor-neutral PCIe endpoint in front of ioe_top (docs/pcie.md).
//
// Generic TLP streams (between a vendor shim, e.g. ioe_pcie_7x_shim, and this endpoint),
// in the manner of verilog-pcie's: one beat per cycle with valid/ready (a beat that is
// valid stays as it is until it is taken: the receiver may look at it before it takes it),
//   *_hdr   the header, DW0 in [127:96] down to DW3 in [31:0] (0 for a 3-DW header),
//           DWs as the PCIe specification numbers their bits; valid on a sop beat
//   *_data  two payload DWs, the first in [31:0], each a little-endian value
//   *_strb  payload DW enables ([0] for data[31:0]); a TLP without payload is one beat
//           with sop, eop and strb 0; within a TLP every beat but the last has both DWs
//   *_sop, *_eop  first and last beat of a TLP
//   rx_bar  receive only: the BAR the request hit (0..5; 7: none), valid on sop
//   rx_err  receive only: [0] poisoned by the hard block (err_fwd), [1] framing error
//           (the TLP ended inside its header); valid on eop
//
// Inside: ioe_pcie_ep_rx (receive buffer and checks), ioe_pcie_ep_cpl (completer of BAR0,
// BAR2, BAR4 and both doorbells), ioe_pcie_ep_regs and ioe_pcie_ep_msix (BAR2),
// ioe_pcie_ep_ring (notification ring), ioe_pcie_ep_dma (requester: ioe_top's DMA, the
// ring's records and the MSI-X messages, in that priority). The transmit stream takes the
// requester's TLPs before the completer's (completions never pass posted writes), keeps
// the TLP it presents until it is taken and a multi-beat completion together.

module ioe_pcie_ep #(
  parameter int unsigned NrVms = 8,
  localparam int unsigned TW = ioe_pkg::DMA_TAG_WIDTH
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // configuration
  input  logic [15:0]   cfg_id_i,
  input  logic [2:0]    cfg_mps_i,
  input  logic          cfg_msix_en_i,
  input  logic          cfg_msix_fm_i,
  // generic receive stream
  input  logic          rx_valid_i,
  output logic          rx_ready_o,
  input  logic [127:0]  rx_hdr_i,
  input  logic [63:0]   rx_data_i,
  input  logic [1:0]    rx_strb_i,
  input  logic          rx_sop_i,
  input  logic          rx_eop_i,
  input  logic [2:0]    rx_bar_i,
  input  logic [1:0]    rx_err_i,
  // generic transmit stream
  output logic          tx_valid_o,
  input  logic          tx_ready_i,
  output logic [127:0]  tx_hdr_o,
  output logic [63:0]   tx_data_o,
  output logic [1:0]    tx_strb_o,
  output logic          tx_sop_o,
  output logic          tx_eop_o,
  // ioe_top's CSR window
  output logic          m_axil_awvalid_o,
  input  logic          m_axil_awready_i,
  output logic [19:0]   m_axil_awaddr_o,
  output logic          m_axil_wvalid_o,
  input  logic          m_axil_wready_i,
  output logic [31:0]   m_axil_wdata_o,
  output logic [3:0]    m_axil_wstrb_o,
  input  logic          m_axil_bvalid_i,
  output logic          m_axil_bready_o,
  input  logic [1:0]    m_axil_bresp_i,
  output logic          m_axil_arvalid_o,
  input  logic          m_axil_arready_i,
  output logic [19:0]   m_axil_araddr_o,
  input  logic          m_axil_rvalid_i,
  output logic          m_axil_rready_o,
  input  logic [31:0]   m_axil_rdata_i,
  input  logic [1:0]    m_axil_rresp_i,
  // ioe_top's DMA master
  input  logic          s_dma_req_valid_i,
  output logic          s_dma_req_ready_o,
  input  logic [TW-1:0] s_dma_req_tag_i,
  input  logic          s_dma_req_write_i,
  input  logic [63:0]   s_dma_req_addr_i,
  input  logic [63:0]   s_dma_req_wdata_i,
  input  logic [7:0]    s_dma_req_wstrb_i,
  output logic          s_dma_rsp_valid_o,
  output logic [TW-1:0] s_dma_rsp_tag_o,
  output logic          s_dma_rsp_err_o,
  output logic [63:0]   s_dma_rsp_rdata_o,
  // ioe_top's MSI ingress
  output logic          m_msi_valid_o,
  input  logic          m_msi_ready_i,
  output logic [31:0]   m_msi_devid_o,
  output logic [63:0]   m_msi_addr_o,
  output logic [31:0]   m_msi_data_o,
  // ioe_top's notification stream
  input  logic          s_notify_valid_i,
  output logic          s_notify_ready_o,
  input  logic [7:0]    s_notify_vm_i,
  input  logic [7:0]    s_notify_vcpu_i,
  input  logic [3:0]    s_notify_src_i
);

  // ---------------------------------------------------------------- receive buffer
  logic         tlp_valid, tlp_byp, tlp_pop, tlp_poisoned, tlp_malformed, cpl_valid;
  logic [127:0] tlp_hdr;
  logic [2:0]   tlp_bar;
  logic [4:0]   tlp_beat_idx;
  logic [63:0]  tlp_beat;

  ioe_pcie_ep_rx u_rx (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cfg_mps_i      (cfg_mps_i),
    .rx_valid_i     (rx_valid_i),
    .rx_ready_o     (rx_ready_o),
    .rx_hdr_i       (rx_hdr_i),
    .rx_data_i      (rx_data_i),
    .rx_strb_i      (rx_strb_i),
    .rx_sop_i       (rx_sop_i),
    .rx_eop_i       (rx_eop_i),
    .rx_bar_i       (rx_bar_i),
    .rx_err_i       (rx_err_i),
    .tlp_valid_o    (tlp_valid),
    .tlp_byp_o      (tlp_byp),
    .byp_en_i       (!cpl_valid),
    .tlp_pop_i      (tlp_pop),
    .tlp_hdr_o      (tlp_hdr),
    .tlp_bar_o      (tlp_bar),
    .tlp_poisoned_o (tlp_poisoned),
    .tlp_malformed_o(tlp_malformed),
    .tlp_beat_i     (tlp_beat_idx),
    .tlp_beat_o     (tlp_beat)
  );

  // ---------------------------------------------------------------- completer
  logic              reg_req, reg_write, ring_quiet;
  logic [15:0]       reg_addr;
  logic [31:0]       reg_wdata, regs_rdata, msix_rdata;
  logic [3:0]        reg_be;
  logic [31:0]       db_devid;
  logic [63:0]       db_addr;
  logic [NrVms*64-1:0] db_base;
  logic [NrVms*8-1:0]  db_vm;
  logic              db_set;
  logic [63:0]       db_set_addr;
  logic [31:0]       db_set_devid;
  logic              ctx_valid, ctx_ready, ctx_sop, ctx_eop;
  logic [127:0]      ctx_hdr;
  logic [63:0]       ctx_data;
  logic [1:0]        ctx_strb;
  logic              ev_ur, ev_poisoned, ev_malformed, ev_timeout, ev_cpl_error, ev_msix,
                     ev_unexpected;

  ioe_pcie_ep_cpl #(
    .NrVms(NrVms)
  ) u_cpl (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .cfg_id_i        (cfg_id_i),
    .tlp_valid_i     (tlp_valid),
    .tlp_byp_i       (tlp_byp),
    .tlp_pop_o       (tlp_pop),
    .tlp_hdr_i       (tlp_hdr),
    .tlp_bar_i       (tlp_bar),
    .tlp_poisoned_i  (tlp_poisoned),
    .tlp_malformed_i (tlp_malformed),
    .tlp_beat_o      (tlp_beat_idx),
    .tlp_beat_i      (tlp_beat),
    .cpl_valid_o     (cpl_valid),
    .m_axil_awvalid_o(m_axil_awvalid_o),
    .m_axil_awready_i(m_axil_awready_i),
    .m_axil_awaddr_o (m_axil_awaddr_o),
    .m_axil_wvalid_o (m_axil_wvalid_o),
    .m_axil_wready_i (m_axil_wready_i),
    .m_axil_wdata_o  (m_axil_wdata_o),
    .m_axil_wstrb_o  (m_axil_wstrb_o),
    .m_axil_bvalid_i (m_axil_bvalid_i),
    .m_axil_bready_o (m_axil_bready_o),
    .m_axil_bresp_i  (m_axil_bresp_i),
    .m_axil_arvalid_o(m_axil_arvalid_o),
    .m_axil_arready_i(m_axil_arready_i),
    .m_axil_araddr_o (m_axil_araddr_o),
    .m_axil_rvalid_i (m_axil_rvalid_i),
    .m_axil_rready_o (m_axil_rready_o),
    .m_axil_rdata_i  (m_axil_rdata_i),
    .m_axil_rresp_i  (m_axil_rresp_i),
    .reg_req_o       (reg_req),
    .reg_write_o     (reg_write),
    .reg_addr_o      (reg_addr),
    .reg_wdata_o     (reg_wdata),
    .reg_be_o        (reg_be),
    .reg_rdata_i     (regs_rdata | msix_rdata),
    .fence_ok_i      (ring_quiet),
    .db_devid_i      (db_devid),
    .db_addr_i       (db_addr),
    .db_base_i       (db_base),
    .db_vm_i         (db_vm),
    .db_set_o        (db_set),
    .db_set_addr_o   (db_set_addr),
    .db_set_devid_o  (db_set_devid),
    .msi_valid_o     (m_msi_valid_o),
    .msi_ready_i     (m_msi_ready_i),
    .msi_devid_o     (m_msi_devid_o),
    .msi_addr_o      (m_msi_addr_o),
    .msi_data_o      (m_msi_data_o),
    .tx_valid_o      (ctx_valid),
    .tx_ready_i      (ctx_ready),
    .tx_hdr_o        (ctx_hdr),
    .tx_data_o       (ctx_data),
    .tx_strb_o       (ctx_strb),
    .tx_sop_o        (ctx_sop),
    .tx_eop_o        (ctx_eop),
    .ev_ur_o         (ev_ur),
    .ev_poisoned_o   (ev_poisoned),
    .ev_malformed_o  (ev_malformed)
  );

  // ---------------------------------------------------------------- BAR2 registers
  logic [63:0] ring_base;
  logic [4:0]  ring_log2;
  logic        ring_en, ring_tail_we, ring_reset, err_irq, ring_irq;
  logic [31:0] ring_tail, ring_head;
  logic [23:0] timeout_us;

  ioe_pcie_ep_regs #(
    .NrVms(NrVms)
  ) u_regs (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .req_i         (reg_req),
    .write_i       (reg_write),
    .addr_i        (reg_addr),
    .wdata_i       (reg_wdata),
    .be_i          (reg_be),
    .rdata_o       (regs_rdata),
    .ring_base_o   (ring_base),
    .ring_log2_o   (ring_log2),
    .ring_en_o     (ring_en),
    .ring_tail_o   (ring_tail),
    .ring_tail_we_o(ring_tail_we),
    .ring_reset_o  (ring_reset),
    .ring_head_i   (ring_head),
    .db_devid_o    (db_devid),
    .db_addr_o     (db_addr),
    .db_base_o     (db_base),
    .db_vm_o       (db_vm),
    .db_set_i      (db_set),
    .db_set_addr_i (db_set_addr),
    .db_set_devid_i(db_set_devid),
    .timeout_us_o  (timeout_us),
    .ev_poisoned_i (ev_poisoned),
    .ev_ur_i       (ev_ur),
    .ev_malformed_i(ev_malformed),
    .ev_timeout_i  (ev_timeout),
    .ev_cpl_error_i(ev_cpl_error),
    .ev_unexpected_i(ev_unexpected),
    .ev_doorbell_i (m_msi_valid_o && m_msi_ready_i),
    .ev_msix_i     (ev_msix),
    .err_irq_o     (err_irq)
  );

  // ---------------------------------------------------------------- ring and MSI-X
  logic        ring_iw_valid, ring_iw_ready, msix_iw_valid, iw_ready;
  logic [63:0] ring_iw_addr, ring_iw_wdata, msix_iw_addr, msix_iw_wdata;
  logic [7:0]  ring_iw_wstrb, msix_iw_wstrb;

  ioe_pcie_ep_ring u_ring (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .base_i    (ring_base),
    .log2_i    (ring_log2),
    .en_i      (ring_en),
    .tail_i    (ring_tail),
    .tail_we_i (ring_tail_we),
    .reset_i   (ring_reset),
    .head_o    (ring_head),
    .s_valid_i (s_notify_valid_i),
    .s_ready_o (s_notify_ready_o),
    .s_vm_i    (s_notify_vm_i),
    .s_vcpu_i  (s_notify_vcpu_i),
    .s_src_i   (s_notify_src_i),
    .iw_valid_o(ring_iw_valid),
    .iw_ready_i(ring_iw_ready),
    .iw_addr_o (ring_iw_addr),
    .iw_wdata_o(ring_iw_wdata),
    .iw_wstrb_o(ring_iw_wstrb),
    .irq_o     (ring_irq),
    .quiet_o   (ring_quiet)
  );

  ioe_pcie_ep_msix #(
    .NrVec(2)
  ) u_msix (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .req_i     (reg_req),
    .write_i   (reg_write),
    .addr_i    (reg_addr),
    .wdata_i   (reg_wdata),
    .be_i      (reg_be),
    .rdata_o   (msix_rdata),
    .msix_en_i (cfg_msix_en_i),
    .msix_fm_i (cfg_msix_fm_i),
    .irq_i     ({err_irq, ring_irq}),
    .iw_valid_o(msix_iw_valid),
    .iw_ready_i(iw_ready),
    .iw_addr_o (msix_iw_addr),
    .iw_wdata_o(msix_iw_wdata),
    .iw_wstrb_o(msix_iw_wstrb),
    .ev_msix_o (ev_msix)
  );

  // MSI-X messages before records: a vector 0 message always follows its record's write
  assign ring_iw_ready = iw_ready && !msix_iw_valid;

  // ---------------------------------------------------------------- requester
  logic         rtx_valid, rtx_ready;
  logic [127:0] rtx_hdr;
  logic [63:0]  rtx_data;
  logic [1:0]   rtx_strb;

  ioe_pcie_ep_dma u_dma (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .cfg_id_i         (cfg_id_i),
    .timeout_us_i     (timeout_us),
    .s_dma_req_valid_i(s_dma_req_valid_i),
    .s_dma_req_ready_o(s_dma_req_ready_o),
    .s_dma_req_tag_i  (s_dma_req_tag_i),
    .s_dma_req_write_i(s_dma_req_write_i),
    .s_dma_req_addr_i (s_dma_req_addr_i),
    .s_dma_req_wdata_i(s_dma_req_wdata_i),
    .s_dma_req_wstrb_i(s_dma_req_wstrb_i),
    .s_dma_rsp_valid_o(s_dma_rsp_valid_o),
    .s_dma_rsp_tag_o  (s_dma_rsp_tag_o),
    .s_dma_rsp_err_o  (s_dma_rsp_err_o),
    .s_dma_rsp_rdata_o(s_dma_rsp_rdata_o),
    .iw_valid_i       (msix_iw_valid || ring_iw_valid),
    .iw_ready_o       (iw_ready),
    .iw_addr_i        (msix_iw_valid ? msix_iw_addr : ring_iw_addr),
    .iw_wdata_i       (msix_iw_valid ? msix_iw_wdata : ring_iw_wdata),
    .iw_wstrb_i       (msix_iw_valid ? msix_iw_wstrb : ring_iw_wstrb),
    .cpl_valid_i      (cpl_valid),
    .cpl_hdr_i        (tlp_hdr),
    .cpl_data_i       (tlp_beat),
    .tx_valid_o       (rtx_valid),
    .tx_ready_i       (rtx_ready),
    .tx_hdr_o         (rtx_hdr),
    .tx_data_o        (rtx_data),
    .tx_strb_o        (rtx_strb),
    .ev_timeout_o     (ev_timeout),
    .ev_cpl_error_o   (ev_cpl_error),
    .ev_unexpected_o  (ev_unexpected)
  );

  // ---------------------------------------------------------------- transmit
  // Requests (one beat each) go before completions. The source is chosen when a TLP's first
  // beat is presented and kept until its last beat is taken: a beat that is valid must not
  // change before it is taken (the shim sends the header's first DWs before it takes the
  // beat), and a completion's beats stay together.
  logic sel_q, sel_cpl_q, use_cpl;
  assign use_cpl    = sel_q ? sel_cpl_q : !rtx_valid;
  assign tx_valid_o = use_cpl ? ctx_valid : rtx_valid;
  assign tx_hdr_o   = use_cpl ? ctx_hdr : rtx_hdr;
  assign tx_data_o  = use_cpl ? ctx_data : rtx_data;
  assign tx_strb_o  = use_cpl ? ctx_strb : rtx_strb;
  assign tx_sop_o   = use_cpl ? ctx_sop : 1'b1;
  assign tx_eop_o   = use_cpl ? ctx_eop : 1'b1;
  assign ctx_ready  = use_cpl && tx_ready_i;
  assign rtx_ready  = !use_cpl && tx_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sel_q     <= 1'b0;
      sel_cpl_q <= 1'b0;
    end else begin
      sel_q     <= tx_valid_o && !(tx_ready_i && tx_eop_o);
      sel_cpl_q <= use_cpl;
    end
  end

endmodule
