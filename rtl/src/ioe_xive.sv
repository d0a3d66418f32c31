// ioe_xive: the card's XIVE engine (register block "xive"), contract in docs/xive.md.
//
// Every operation step and every claimed MSI is an item of one in-order pipeline:
//   S0  admission (operation sequencer has precedence over the MSI port); source RAM read
//   S1  source stage: ESB PQ machine, EAS read/modify/write, source results; END RAM read
//   S2  END stage: EQ entry (DMA write into a FIFO), END write-back, thread contexts
//       (presentation, TIMA and VP_STATE operations), notifications, completion
// Each stage forwards the value it wrote the cycle before, so back-to-back items on the
// same source or END see each other's updates: one item per cycle. An event that writes an
// EQ entry is presented at once; its END then takes no other event until the write's
// response (or EqWriteTimeout cycles without one), when a commit item advances the END's
// index or, when the write failed, counts EQ_WRITE_ERR, keeps the index and returns the
// source's PQ to 00. Writes to different ENDs are in flight together (one per DMA tag); an
// ESB item whose source targets an END with a write in flight is parked (it and everything
// behind it wait for the next commit), and operations that change an EAS or an END wait
// until no write is in flight.
// Admission keeps room in the DMA and notification FIFOs for everything in flight, so the
// stages never stall. VM_CTRL RESET / CLEAR, and the table sweep after reset, are
// sequences of items.
// With XiveSources = 0 the engine is empty (every operation BADTARGET, no MSI claimed).

module ioe_xive #(
  parameter int unsigned NrVms       = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus     = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned XiveSources = ioe_reg_pkg::XiveSourcesDefault,
  // cycles an issued event-queue write waits for its response before it counts as failed
  parameter int unsigned EqWriteTimeout = 4096
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
  logic        op_qe;
  logic [31:0] status, rdata_lo, rdata_hi, trig_count, eq_write_count, eq_write_cycle;
  logic [31:0] eq_write_err;

  ioe_xive_reg_top u_reg (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .req_valid_i       (req_valid_i),
    .req_write_i       (req_write_i),
    .req_addr_i        (req_addr_i),
    .req_wdata_i       (req_wdata_i),
    .req_wstrb_i       (req_wstrb_i),
    .rsp_valid_o       (rsp_valid_o),
    .rsp_rdata_o       (rsp_rdata_o),
    .rsp_error_o       (rsp_error_o),
    .target_q_o        (target_q),
    .offset_q_o        (offset_q),
    .wdata_lo_q_o      (wdata_lo_q),
    .wdata_hi_q_o      (wdata_hi_q),
    .op_q_o            (op_q),
    .op_qe_o           (op_qe),
    .status_d_i        (status),
    .rdata_lo_d_i      (rdata_lo),
    .rdata_hi_d_i      (rdata_hi),
    .trig_count_d_i    (trig_count),
    .eq_write_count_d_i(eq_write_count),
    .eq_write_cycle_d_i(eq_write_cycle),
    .eq_write_err_d_i  (eq_write_err)
  );

  if (XiveSources == 0) begin : g_empty
    logic done_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) done_q <= 1'b0;
      else if (op_qe) done_q <= 1'b1;
    end
    assign status          = {28'd0, done_q, 1'b0, done_q, 1'b0};
    assign rdata_lo        = '0;
    assign rdata_hi        = '0;
    assign trig_count      = '0;
    assign eq_write_count  = '0;
    assign eq_write_cycle  = '0;
    assign eq_write_err    = '0;
    assign msi_ready_o     = 1'b1;
    assign msi_claim_o     = 1'b0;
    assign dma_req_valid_o = 1'b0;
    assign dma_req_o       = '0;
    assign notify_valid_o  = 1'b0;
    assign notify_o        = '0;
    logic unused;
    assign unused = ^{NrVms != 0, NrVcpus != 0, EqWriteTimeout != 0, target_q, offset_q, wdata_lo_q, wdata_hi_q,
                      op_q, cycle_i, msi_valid_i, msi_devid_i, msi_addr_i, msi_data_i,
                      dma_req_ready_i, dma_rsp_valid_i, dma_rsp_i, notify_ready_i};
  end else begin : g_engine
    ioe_xive_core #(
      .NrVms      (NrVms),
      .NrVcpus    (NrVcpus),
      .XiveSources   (XiveSources),
      .EqWriteTimeout(EqWriteTimeout)
    ) u_core (
      .clk_i           (clk_i),
      .rst_ni          (rst_ni),
      .target_i        (target_q),
      .offset_i        (offset_q),
      .wdata_i         ({wdata_hi_q, wdata_lo_q}),
      .code_i          (op_q[3:0]),
      .start_i         (op_qe),
      .status_o        (status),
      .rdata_o         ({rdata_hi, rdata_lo}),
      .trig_count_o    (trig_count),
      .eq_write_count_o(eq_write_count),
      .eq_write_cycle_o(eq_write_cycle),
      .eq_write_err_o  (eq_write_err),
      .cycle_i         (cycle_i),
      .msi_valid_i     (msi_valid_i),
      .msi_ready_o     (msi_ready_o),
      .msi_claim_o     (msi_claim_o),
      .msi_addr_i      (msi_addr_i),
      .notify_valid_o  (notify_valid_o),
      .notify_ready_i  (notify_ready_i),
      .notify_o        (notify_o),
      .dma_req_valid_o (dma_req_valid_o),
      .dma_req_ready_i (dma_req_ready_i),
      .dma_req_o       (dma_req_o),
      .dma_rsp_valid_i (dma_rsp_valid_i),
      .dma_rsp_i       (dma_rsp_i)
    );
    logic unused;
    assign unused = ^{op_q[31:4], msi_devid_i, msi_data_i};
  end

endmodule
