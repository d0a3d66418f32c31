// ioe_xive: placeholder of the XIVE engine (register block "xive"). It answers every operation
// with BADTARGET, claims no MSI, issues no DMA. docs/xive.md will describe the engine that
// replaces it.

module ioe_xive #(
  parameter int unsigned NrVms   = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus = ioe_reg_pkg::NrVcpusDefault
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
  // notification source
  output logic             notify_valid_o,
  input  logic             notify_ready_i,
  output ioe_pkg::notify_t notify_o,
  // DMA client (tags below 2**DMA_LOCAL_TAG_WIDTH)
  output logic             dma_req_valid_o,
  input  logic             dma_req_ready_i,
  output ioe_pkg::dma_req_t dma_req_o,
  input  logic             dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t dma_rsp_i

);

  logic [31:0] target_q, offset_q, wdata_lo_q, wdata_hi_q, op_q;
  logic        op_qe, done_q;

  ioe_xive_reg_top u_reg (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .req_valid_i (req_valid_i),
    .req_write_i (req_write_i),
    .req_addr_i  (req_addr_i),
    .req_wdata_i (req_wdata_i),
    .req_wstrb_i (req_wstrb_i),
    .rsp_valid_o (rsp_valid_o),
    .rsp_rdata_o (rsp_rdata_o),
    .rsp_error_o (rsp_error_o),
    .target_q_o  (target_q),
    .offset_q_o  (offset_q),
    .wdata_lo_q_o(wdata_lo_q),
    .wdata_hi_q_o(wdata_hi_q),
    .op_q_o      (op_q),
    .op_qe_o     (op_qe),
    .status_d_i  ({28'd0, done_q, 1'b0, done_q, 1'b0}),
    .rdata_lo_d_i(32'd0),
    .rdata_hi_d_i(32'd0),
    .trig_count_d_i(32'd0),
    .eq_write_count_d_i(32'd0),
    .eq_write_cycle_d_i(32'd0)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) done_q <= 1'b0;
    else if (op_qe) done_q <= 1'b1;
  end

  assign msi_ready_o     = 1'b1;
  assign msi_claim_o     = 1'b0;
  assign dma_req_valid_o = 1'b0;
  assign dma_req_o       = '0;
  assign notify_valid_o  = 1'b0;
  assign notify_o        = '0;

  logic unused;
  assign unused = ^{NrVms != 0, NrVcpus != 0, target_q, offset_q, wdata_lo_q, wdata_hi_q, op_q, cycle_i, msi_valid_i,
                    msi_devid_i, msi_addr_i, msi_data_i, dma_req_ready_i, dma_rsp_valid_i,
                    dma_rsp_i, notify_ready_i};

endmodule
