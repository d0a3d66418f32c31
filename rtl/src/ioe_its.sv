// ioe_its: the ITS engine (register block "its", docs/its.md). With NrIts == 0 (the small
// build) it is an empty placeholder: every operation completes with BADTARGET, it claims
// no MSI, issues no DMA and presents no LPI. Otherwise ioe_its_core does the work.

module ioe_its #(
  parameter int unsigned NrIts     = ioe_reg_pkg::NrItsDefault,
  parameter int unsigned NrVms     = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus   = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned LpiBits   = ioe_reg_pkg::LpiBitsDefault,
  parameter int unsigned DevBits   = ioe_reg_pkg::DevBitsDefault,
  parameter int unsigned EventBits = ioe_reg_pkg::EventBitsDefault,
  parameter int unsigned ItsCacheEntries = ioe_reg_pkg::ItsCacheEntriesDefault,
  // DMA completion timeout in cycles (ioe_its_cto): a board sets clock frequency x timeout
  parameter int unsigned CplTimeout = 16384,
  localparam int unsigned NV       = NrVms * NrVcpus
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
  // free-running cycle count (CYCLE_LO)
  input  logic [31:0]      cycle_i,
  // MSI ingress: claim_o says (combinationally, from addr/devid) that this engine owns the MSI
  input  logic             msi_valid_i,
  output logic             msi_ready_o,
  output logic             msi_claim_o,
  input  logic [31:0]      msi_devid_i,
  input  logic [63:0]      msi_addr_i,
  input  logic [31:0]      msi_data_i,
  // DMA client (tags below 2**DMA_LOCAL_TAG_WIDTH)
  output logic             dma_req_valid_o,
  input  logic             dma_req_ready_i,
  output ioe_pkg::dma_req_t dma_req_o,
  input  logic             dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t dma_rsp_i,
  // LPI side of the GIC engine (ioe_gic)
  output logic [NV*22-1:0]    lpi_best_o,
  output logic [NV-1:0]       lpi_chg_o,
  input  logic                gic_req_valid_i,
  input  logic [1:0]          gic_req_kind_i,
  input  logic [7:0]          gic_req_vm_i,
  input  logic [7:0]          gic_req_vcpu_i,
  input  logic [15:0]         gic_req_intid_i,
  output logic                gic_req_done_o,
  input  logic [NrVms*8-1:0]  gic_nvc_i,
  input  logic [NV-1:0]       gic_enlpis_i,
  input  logic [NrVms*64-1:0] gic_prop_i,
  input  logic [NV*64-1:0]    gic_pend_i
);

  logic [31:0] target_q, offset_q, wdata_lo_q, wdata_hi_q, op_q;
  logic        op_qe;
  logic [31:0] status, rdata_lo, rdata_hi, msi_in, msi_drop, cache_hit, cache_miss, lpi_set;
  logic [31:0] lpi_set_cycle;

  ioe_its_reg_top u_reg (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .req_valid_i      (req_valid_i),
    .req_write_i      (req_write_i),
    .req_addr_i       (req_addr_i),
    .req_wdata_i      (req_wdata_i),
    .req_wstrb_i      (req_wstrb_i),
    .rsp_valid_o      (rsp_valid_o),
    .rsp_rdata_o      (rsp_rdata_o),
    .rsp_error_o      (rsp_error_o),
    .target_q_o       (target_q),
    .offset_q_o       (offset_q),
    .wdata_lo_q_o     (wdata_lo_q),
    .wdata_hi_q_o     (wdata_hi_q),
    .op_q_o           (op_q),
    .op_qe_o          (op_qe),
    .status_d_i       (status),
    .rdata_lo_d_i     (rdata_lo),
    .rdata_hi_d_i     (rdata_hi),
    .msi_in_d_i       (msi_in),
    .msi_drop_d_i     (msi_drop),
    .cache_hit_d_i    (cache_hit),
    .cache_miss_d_i   (cache_miss),
    .lpi_set_d_i      (lpi_set),
    .lpi_set_cycle_d_i(lpi_set_cycle)
  );

  if (NrIts == 0) begin : g_none
    logic done_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) done_q <= 1'b0;
      else if (op_qe) done_q <= 1'b1;
    end
    assign status          = {28'd0, done_q, 1'b0, done_q, 1'b0};
    assign rdata_lo        = '0;
    assign rdata_hi        = '0;
    assign msi_in          = '0;
    assign msi_drop        = '0;
    assign cache_hit       = '0;
    assign cache_miss      = '0;
    assign lpi_set         = '0;
    assign lpi_set_cycle   = '0;
    assign msi_ready_o     = 1'b1;
    assign msi_claim_o     = 1'b0;
    assign dma_req_valid_o = 1'b0;
    assign dma_req_o       = '0;
    assign lpi_best_o      = '0;
    assign lpi_chg_o       = '0;
    assign gic_req_done_o  = 1'b0;
    logic unused;
    assign unused = ^{target_q, offset_q, wdata_lo_q, wdata_hi_q, op_q, cycle_i, msi_valid_i,
                      msi_devid_i, msi_addr_i, msi_data_i, dma_req_ready_i, dma_rsp_valid_i,
                      dma_rsp_i, gic_req_valid_i, gic_req_kind_i, gic_req_vm_i, gic_req_vcpu_i,
                      gic_req_intid_i, gic_nvc_i, gic_enlpis_i, gic_prop_i, gic_pend_i,
                      LpiBits != 0, DevBits != 0, EventBits != 0, ItsCacheEntries != 0,
                      CplTimeout != 0};
  end else begin : g_its
    // the engine's DMA port, through the completion timeout (ioe_its_cto)
    logic              core_req_valid, core_req_ready, core_rsp_valid;
    ioe_pkg::dma_req_t core_req;
    ioe_pkg::dma_rsp_t core_rsp;
    ioe_its_cto #(
      .TimeoutCycles(CplTimeout)
    ) u_cto (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .c_req_valid_i(core_req_valid),
      .c_req_ready_o(core_req_ready),
      .c_req_i      (core_req),
      .c_rsp_valid_o(core_rsp_valid),
      .c_rsp_o      (core_rsp),
      .m_req_valid_o(dma_req_valid_o),
      .m_req_ready_i(dma_req_ready_i),
      .m_req_o      (dma_req_o),
      .m_rsp_valid_i(dma_rsp_valid_i),
      .m_rsp_i      (dma_rsp_i)
    );
    ioe_its_core #(
      .NrIts    (NrIts),
      .NrVms    (NrVms),
      .NrVcpus  (NrVcpus),
      .LpiBits  (LpiBits),
      .DevBits  (DevBits),
      .EventBits(EventBits),
      .CacheEntries(ItsCacheEntries)
    ) u_core (
      .clk_i          (clk_i),
      .rst_ni         (rst_ni),
      .target_i       (target_q),
      .offset_i       (offset_q),
      .wdata_lo_i     (wdata_lo_q),
      .wdata_hi_i     (wdata_hi_q),
      .op_i           (op_q),
      .op_qe_i        (op_qe),
      .status_o       (status),
      .rdata_lo_o     (rdata_lo),
      .rdata_hi_o     (rdata_hi),
      .msi_in_o       (msi_in),
      .msi_drop_o     (msi_drop),
      .cache_hit_o    (cache_hit),
      .cache_miss_o   (cache_miss),
      .lpi_set_o      (lpi_set),
      .lpi_set_cycle_o(lpi_set_cycle),
      .cycle_i        (cycle_i),
      .msi_valid_i    (msi_valid_i),
      .msi_ready_o    (msi_ready_o),
      .msi_claim_o    (msi_claim_o),
      .msi_devid_i    (msi_devid_i),
      .msi_addr_i     (msi_addr_i),
      .msi_data_i     (msi_data_i),
      .dma_req_valid_o(core_req_valid),
      .dma_req_ready_i(core_req_ready),
      .dma_req_o      (core_req),
      .dma_rsp_valid_i(core_rsp_valid),
      .dma_rsp_i      (core_rsp),
      .lpi_best_o     (lpi_best_o),
      .lpi_chg_o      (lpi_chg_o),
      .gic_req_valid_i(gic_req_valid_i),
      .gic_req_kind_i (gic_req_kind_i),
      .gic_req_vm_i   (gic_req_vm_i),
      .gic_req_vcpu_i (gic_req_vcpu_i),
      .gic_req_intid_i(gic_req_intid_i),
      .gic_req_done_o (gic_req_done_o),
      .gic_nvc_i      (gic_nvc_i),
      .gic_enlpis_i   (gic_enlpis_i),
      .gic_prop_i     (gic_prop_i),
      .gic_pend_i     (gic_pend_i)
    );
  end

endmodule
