// Core block (register block 0): identification and build parameters, scratch, the
// free-running cycle counter, MSI ingress capture, wired-line levels, the notification
// test source and the DMA probe. DmaProbe = 0 (the iCEBreaker's card, which has no host
// memory) leaves the probe out: its registers read as zero and ignore writes, and FEATURES
// says so.

module ioe_core #(
  parameter int unsigned NrVms           = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus         = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned NrIrqs          = ioe_reg_pkg::NrIrqsDefault,
  parameter int unsigned NrWired         = ioe_reg_pkg::NrWiredDefault,
  parameter int unsigned LpiBits         = ioe_reg_pkg::LpiBitsDefault,
  parameter int unsigned DevBits         = ioe_reg_pkg::DevBitsDefault,
  parameter int unsigned EventBits       = ioe_reg_pkg::EventBitsDefault,
  parameter int unsigned ItsCacheEntries = ioe_reg_pkg::ItsCacheEntriesDefault,
  parameter int unsigned XiveSources     = ioe_reg_pkg::XiveSourcesDefault,
  parameter int unsigned DmaTags         = ioe_reg_pkg::DmaTagsDefault,
  parameter int unsigned NrIts           = ioe_reg_pkg::NrItsDefault,
  parameter int unsigned NrDmaSegs       = ioe_reg_pkg::NrDmaSegsDefault,
  parameter int unsigned MgmtMemWords    = ioe_reg_pkg::MgmtMemWordsDefault,
  parameter bit          DmaProbe        = 1'b1,
  parameter bit          Gicv2           = 1'b0  // the GIC engine's GICv2 mode (FEATURES.GICV2)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // register bus (offset within the block)
  input  logic                     req_valid_i,
  input  logic                     req_write_i,
  input  logic [11:0]              req_addr_i,
  input  logic [31:0]              req_wdata_i,
  input  logic [3:0]               req_wstrb_i,
  output logic                     rsp_valid_o,
  output logic [31:0]              rsp_rdata_o,
  output logic                     rsp_error_o,
  // MSI ingress, observed when accepted
  input  logic                     msi_fire_i,
  input  logic [31:0]              msi_devid_i,
  input  logic [63:0]              msi_addr_i,
  input  logic [31:0]              msi_data_i,
  // wired lines, already synchronised
  input  logic [NrWired-1:0]       wired_i,
  // notification source
  output logic                     notify_valid_o,
  input  logic                     notify_ready_i,
  output ioe_pkg::notify_t         notify_o,
  input  logic                     notify_fire_i,  // a notification left the card
  // DMA probe master
  output logic                     dma_req_valid_o,
  input  logic                     dma_req_ready_i,
  output ioe_pkg::dma_req_t        dma_req_o,
  input  logic                     dma_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t        dma_rsp_i,
  // the cycle counter's low word, for the engines' timestamps
  output logic [31:0]              cycle_lo_o
);

  // ---------------------------------------------------------------- register block
  logic [31:0] scratch_q, notify_test_q, dma_addr_lo_q, dma_addr_hi_q;
  logic [31:0] dma_wdata_lo_q, dma_wdata_hi_q, dma_cmd_q;
  logic        notify_test_qe, dma_cmd_qe, cycle_lo_re;
  logic [31:0] cycle_hi_d, msi_count_d, msi_devid_d, msi_addr_lo_d, msi_addr_hi_d, msi_data_d;
  logic [31:0] notify_count_d, notify_drop_d, dma_status_d, dma_rdata_lo_d, dma_rdata_hi_d;
  logic [31:0] dma_latency_d;
  logic [63:0] cycle_q;
  logic [11:0] reg_addr;
  logic        reg_valid, reg_rsp_valid, reg_rsp_error, probe_area, probe_rsp_q, probe_err_q;

  // Without the probe, its registers (0x080..0x0A0) are answered here: they read as zero
  // and ignore writes. The register block never sees an address with bit 7 set, so the
  // probe's storage and read data are unreachable and synthesis removes them.
  localparam logic [11:0] ProbeRegs = ioe_reg_pkg::CORE_DMA_ADDR_LO_OFFSET;
  localparam logic [11:0] ProbeLast = ioe_reg_pkg::CORE_DMA_LATENCY_OFFSET;
  assign probe_area = !DmaProbe && req_addr_i[11:7] == ProbeRegs[11:7];
  assign reg_valid  = req_valid_i & ~probe_area;
  assign reg_addr   = {req_addr_i[11:8], req_addr_i[7] & DmaProbe, req_addr_i[6:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      probe_rsp_q <= 1'b0;
      probe_err_q <= 1'b0;
    end else begin
      probe_rsp_q <= req_valid_i & probe_area;
      probe_err_q <= req_addr_i[6:2] > ProbeLast[6:2];
    end
  end
  assign rsp_valid_o = reg_rsp_valid | probe_rsp_q;
  assign rsp_error_o = reg_rsp_error | (probe_rsp_q & probe_err_q);

  ioe_core_reg_top #(
    .DevBits        (DevBits),
    .DmaTags        (DmaTags),
    .EventBits      (EventBits),
    .ItsCacheEntries(ItsCacheEntries),
    .LpiBits        (LpiBits),
    .MgmtMemWords   (MgmtMemWords),
    .NrDmaSegs      (NrDmaSegs),
    .NrIrqs         (NrIrqs),
    .NrVcpus        (NrVcpus),
    .NrVms          (NrVms),
    .NrWired        (NrWired),
    .XiveSources    (XiveSources)
  ) u_reg (
    .features_d_i        ({19'd0, MgmtMemWords != 0, 1'b0, XiveSources != 0, NrIts != 0, 1'b1, 5'd0,
                          1'b1, DmaProbe, 1'b1} | (32'(Gicv2) << 11)),  // GICV2 (bit 11)
    .clk_i               (clk_i),
    .rst_ni              (rst_ni),
    .req_valid_i         (reg_valid),
    .req_write_i         (req_write_i),
    .req_addr_i          (reg_addr),
    .req_wdata_i         (req_wdata_i),
    .req_wstrb_i         (req_wstrb_i),
    .rsp_valid_o         (reg_rsp_valid),
    .rsp_rdata_o         (rsp_rdata_o),
    .rsp_error_o         (reg_rsp_error),
    .scratch_q_o         (scratch_q),
    .cycle_lo_d_i        (cycle_q[31:0]),
    .cycle_lo_re_o       (cycle_lo_re),
    .cycle_hi_d_i        (cycle_hi_d),
    .msi_count_d_i       (msi_count_d),
    .msi_last_devid_d_i  (msi_devid_d),
    .msi_last_addr_lo_d_i(msi_addr_lo_d),
    .msi_last_addr_hi_d_i(msi_addr_hi_d),
    .msi_last_data_d_i   (msi_data_d),
    .wired_level_d_i     (32'(wired_i)),
    .notify_test_q_o     (notify_test_q),
    .notify_test_qe_o    (notify_test_qe),
    .notify_count_d_i    (notify_count_d),
    .notify_drop_d_i     (notify_drop_d),
    .dma_addr_lo_q_o     (dma_addr_lo_q),
    .dma_addr_hi_q_o     (dma_addr_hi_q),
    .dma_wdata_lo_q_o    (dma_wdata_lo_q),
    .dma_wdata_hi_q_o    (dma_wdata_hi_q),
    .dma_cmd_q_o         (dma_cmd_q),
    .dma_cmd_qe_o        (dma_cmd_qe),
    .dma_status_d_i      (dma_status_d),
    .dma_rdata_lo_d_i    (dma_rdata_lo_d),
    .dma_rdata_hi_d_i    (dma_rdata_hi_d),
    .dma_latency_d_i     (dma_latency_d)
  );

  // ---------------------------------------------------------------- cycle counter
  assign cycle_lo_o = cycle_q[31:0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycle_q    <= '0;
      cycle_hi_d <= '0;
    end else begin
      cycle_q <= cycle_q + 64'd1;
      if (cycle_lo_re) cycle_hi_d <= cycle_q[63:32];
    end
  end

  // ---------------------------------------------------------------- MSI ingress capture
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      msi_count_d   <= '0;
      msi_devid_d   <= '0;
      msi_addr_lo_d <= '0;
      msi_addr_hi_d <= '0;
      msi_data_d    <= '0;
    end else if (msi_fire_i) begin
      msi_count_d   <= msi_count_d + 32'd1;
      msi_devid_d   <= msi_devid_i;
      msi_addr_lo_d <= msi_addr_i[31:0];
      msi_addr_hi_d <= msi_addr_i[63:32];
      msi_data_d    <= msi_data_i;
    end
  end

  // ---------------------------------------------------------------- notification test source
  ioe_pkg::notify_t test_notify;
  logic             test_ready;

  assign test_notify.src  = ioe_pkg::NotifySrcTest;
  assign test_notify.vm   = notify_test_q[ioe_reg_pkg::CORE_NOTIFY_TEST_VM_LSB +: 8];
  assign test_notify.vcpu = notify_test_q[ioe_reg_pkg::CORE_NOTIFY_TEST_VCPU_LSB +: 8];

  ioe_fifo #(
    .Width(ioe_pkg::NOTIFY_WIDTH),
    .Depth(8),
    .Ram  (1'b1)
  ) u_notify_fifo (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (notify_test_qe),
    .in_ready_o (test_ready),
    .in_data_i  (test_notify),
    .out_valid_o(notify_valid_o),
    .out_ready_i(notify_ready_i),
    .out_data_o (notify_o)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      notify_count_d <= '0;
      notify_drop_d  <= '0;
    end else begin
      if (notify_fire_i) notify_count_d <= notify_count_d + 32'd1;
      if (notify_test_qe && !test_ready) notify_drop_d <= notify_drop_d + 32'd1;
    end
  end

  // ---------------------------------------------------------------- DMA probe
  localparam int unsigned GoBit    = ioe_reg_pkg::CORE_DMA_CMD_GO_LSB;
  localparam int unsigned WriteBit = ioe_reg_pkg::CORE_DMA_CMD_WRITE_LSB;
  localparam int unsigned StrbLsb  = ioe_reg_pkg::CORE_DMA_CMD_STRB_LSB;

  logic        busy_q, done_q, err_q, req_pending_q;
  logic [63:0] rdata_q;
  logic [31:0] lat_cnt_q, lat_q;
  logic        start, rsp_hit;

  assign start   = DmaProbe & dma_cmd_qe & dma_cmd_q[GoBit] & ~busy_q;
  assign rsp_hit = dma_rsp_valid_i & busy_q & ~req_pending_q & (dma_rsp_i.tag == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q        <= 1'b0;
      done_q        <= 1'b0;
      err_q         <= 1'b0;
      req_pending_q <= 1'b0;
      rdata_q       <= '0;
      lat_cnt_q     <= '0;
      lat_q         <= '0;
      dma_req_o     <= '0;
    end else begin
      if (start) begin
        busy_q          <= 1'b1;
        done_q          <= 1'b0;
        err_q           <= 1'b0;
        req_pending_q   <= 1'b1;
        dma_req_o.tag   <= '0;
        dma_req_o.write <= dma_cmd_q[WriteBit];
        dma_req_o.addr  <= {dma_addr_hi_q, dma_addr_lo_q[31:3], 3'b000};
        dma_req_o.wdata <= {dma_wdata_hi_q, dma_wdata_lo_q};
        dma_req_o.wstrb <= dma_cmd_q[WriteBit] ? dma_cmd_q[StrbLsb +: 8] : 8'h00;
      end
      if (req_pending_q && dma_req_ready_i) begin
        req_pending_q <= 1'b0;
        lat_cnt_q     <= 32'd1;
      end else if (busy_q && lat_cnt_q != '1) begin
        lat_cnt_q <= lat_cnt_q + 32'd1;
      end
      if (rsp_hit) begin
        busy_q <= 1'b0;
        done_q <= 1'b1;
        err_q  <= dma_rsp_i.err;
        lat_q  <= lat_cnt_q;
        if (!dma_req_o.write && !dma_rsp_i.err) rdata_q <= dma_rsp_i.rdata;
      end
    end
  end

  assign dma_req_valid_o = req_pending_q;
  assign dma_status_d    = {29'd0, err_q, done_q, busy_q};
  assign dma_rdata_lo_d  = rdata_q[31:0];
  assign dma_rdata_hi_d  = rdata_q[63:32];
  assign dma_latency_d   = lat_q;

  logic unused_bits;
  assign unused_bits = ^{scratch_q, notify_test_q[31:16], dma_addr_lo_q[2:0], dma_cmd_q[31:16],
                         dma_cmd_q[7:2]};

endmodule
