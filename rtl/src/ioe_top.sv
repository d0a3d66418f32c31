// ioe_top: the board-agnostic top of the Interrupt Offload Engine.
//
// Host-facing ports (docs/architecture.md describes the protocols):
//   s_axil_*   AXI4-Lite slave: the CSR window (BAR0 on a PCIe board), 32-bit data
//   m_dma_*    DMA master into host memory: valid/ready request channel (one 8-byte beat,
//              tagged), response channel without backpressure (the card reserves room for
//              every tag it has outstanding); responses may come back in any order
//   s_msi_*    MSI ingress stream {requester ID = DeviceID, doorbell address, data}
//   wired_i    wired SPI level inputs (asynchronous; synchronised inside)
//   m_notify_* notification stream: which VM / vCPU has something to present
//
// Register blocks on the internal bus: 0 = core, 1 = GIC, 2 = ITS, 3 = XIVE, 4 = DMA window
// (ioe_dma_xlate, absent when NrDmaSegs is 0), 5 = management core (ioe_mgmt, absent when
// MgmtMemWords is 0; it is also a second master on the bus, beside the host). The ITS and
// the XIVE engine each claim the MSIs addressed to them (an MSI neither claims is only
// captured by the core); the core's DMA probe, the ITS and the XIVE engine share the DMA
// master through ioe_dma_arb, whose requests leave through the DMA window; the core, the GIC and the XIVE engine share the
// notification stream through ioe_notify_merge.

module ioe_top #(
  parameter int unsigned NrVms           = ioe_reg_pkg::NrVmsDefault,
  parameter int unsigned NrVcpus         = ioe_reg_pkg::NrVcpusDefault,
  parameter int unsigned NrIrqs          = ioe_reg_pkg::NrIrqsDefault,
  parameter int unsigned NrWired         = ioe_reg_pkg::NrWiredDefault,
  parameter int unsigned LpiBits         = ioe_reg_pkg::LpiBitsDefault,
  parameter int unsigned DevBits         = ioe_reg_pkg::DevBitsDefault,
  parameter int unsigned EventBits       = ioe_reg_pkg::EventBitsDefault,
  parameter int unsigned NrIts           = ioe_reg_pkg::NrItsDefault,
  parameter int unsigned ItsCacheEntries = ioe_reg_pkg::ItsCacheEntriesDefault,
  parameter int unsigned XiveSources     = ioe_reg_pkg::XiveSourcesDefault,
  parameter int unsigned DmaTags         = ioe_reg_pkg::DmaTagsDefault,
  parameter int unsigned NrDmaSegs       = ioe_reg_pkg::NrDmaSegsDefault,
  parameter int unsigned MgmtMemWords    = ioe_reg_pkg::MgmtMemWordsDefault,
  parameter              MgmtInitFile    = "",  // firmware image ($readmemh) of the management core
  parameter bit          DmaProbe        = 1'b1,  // the core's DMA probe (0: a card without host memory)
  // GICv2 VMs in the GIC engine (FEATURES.GICV2; rtl/regmap's Gicv2: off in the small set)
  parameter int unsigned Gicv2           = ioe_reg_pkg::Gicv2Default,
  // DMA completion timeouts in cycles (a board sets its clock times the time it wants):
  // the ITS's reads (ioe_its_cto; 16384 is 66 us at 250 MHz) and the XIVE's EQ writes
  parameter int unsigned ItsCplTimeout   = 16384,
  parameter int unsigned XiveEqWriteTimeout = 4096,
  localparam int unsigned AW             = ioe_reg_pkg::CSR_ADDR_WIDTH,
  localparam int unsigned TW             = ioe_pkg::DMA_TAG_WIDTH
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // AXI4-Lite CSR slave
  input  logic               s_axil_awvalid_i,
  output logic               s_axil_awready_o,
  input  logic [AW-1:0]      s_axil_awaddr_i,
  input  logic               s_axil_wvalid_i,
  output logic               s_axil_wready_o,
  input  logic [31:0]        s_axil_wdata_i,
  input  logic [3:0]         s_axil_wstrb_i,
  output logic               s_axil_bvalid_o,
  input  logic               s_axil_bready_i,
  output logic [1:0]         s_axil_bresp_o,
  input  logic               s_axil_arvalid_i,
  output logic               s_axil_arready_o,
  input  logic [AW-1:0]      s_axil_araddr_i,
  output logic               s_axil_rvalid_o,
  input  logic               s_axil_rready_i,
  output logic [31:0]        s_axil_rdata_o,
  output logic [1:0]         s_axil_rresp_o,
  // DMA master
  output logic               m_dma_req_valid_o,
  input  logic               m_dma_req_ready_i,
  output logic [TW-1:0]      m_dma_req_tag_o,
  output logic               m_dma_req_write_o,
  output logic [63:0]        m_dma_req_addr_o,
  output logic [63:0]        m_dma_req_wdata_o,
  output logic [7:0]         m_dma_req_wstrb_o,
  input  logic               m_dma_rsp_valid_i,
  input  logic [TW-1:0]      m_dma_rsp_tag_i,
  input  logic               m_dma_rsp_err_i,
  input  logic [63:0]        m_dma_rsp_rdata_i,
  // MSI ingress
  input  logic               s_msi_valid_i,
  output logic               s_msi_ready_o,
  input  logic [31:0]        s_msi_devid_i,
  input  logic [63:0]        s_msi_addr_i,
  input  logic [31:0]        s_msi_data_i,
  // wired SPI inputs
  input  logic [NrWired-1:0] wired_i,
  // notification stream
  output logic               m_notify_valid_o,
  input  logic               m_notify_ready_i,
  output logic [7:0]         m_notify_vm_o,
  output logic [7:0]         m_notify_vcpu_o,
  output logic [3:0]         m_notify_src_o
);

  localparam int unsigned NrBlocks = 6;
  localparam int unsigned BS       = ioe_reg_pkg::CSR_BLOCK_SHIFT;

  // ---------------------------------------------------------------- CSR path
  logic                      bus_req_valid, bus_req_write, bus_rsp_valid, bus_rsp_error;
  logic [AW-1:0]             bus_req_addr;
  logic [31:0]               bus_req_wdata, bus_rsp_rdata;
  logic [3:0]                bus_req_wstrb;
  logic [NrBlocks-1:0]       blk_req_valid, blk_rsp_valid, blk_rsp_error;
  logic                      blk_req_write;
  logic [BS-1:0]             blk_req_addr;
  logic [31:0]               blk_req_wdata;
  logic [3:0]                blk_req_wstrb;
  logic [NrBlocks*32-1:0]    blk_rsp_rdata;
  logic                      host_req_valid, host_req_write, host_rsp_valid;
  logic [AW-1:0]             host_req_addr;
  logic [31:0]               host_req_wdata;
  logic [3:0]                host_req_wstrb;
  logic                      mgmt_req_valid, mgmt_req_write, mgmt_rsp_valid;
  logic [AW-1:0]             mgmt_req_addr;
  logic [31:0]               mgmt_req_wdata, mgmt_rsp_rdata;
  logic [3:0]                mgmt_req_wstrb;
  logic                      mgmt_rsp_error;

  ioe_axil_slave #(
    .AddrWidth(AW)
  ) u_axil (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .s_axil_awvalid_i(s_axil_awvalid_i),
    .s_axil_awready_o(s_axil_awready_o),
    .s_axil_awaddr_i (s_axil_awaddr_i),
    .s_axil_wvalid_i (s_axil_wvalid_i),
    .s_axil_wready_o (s_axil_wready_o),
    .s_axil_wdata_i  (s_axil_wdata_i),
    .s_axil_wstrb_i  (s_axil_wstrb_i),
    .s_axil_bvalid_o (s_axil_bvalid_o),
    .s_axil_bready_i (s_axil_bready_i),
    .s_axil_bresp_o  (s_axil_bresp_o),
    .s_axil_arvalid_i(s_axil_arvalid_i),
    .s_axil_arready_o(s_axil_arready_o),
    .s_axil_araddr_i (s_axil_araddr_i),
    .s_axil_rvalid_o (s_axil_rvalid_o),
    .s_axil_rready_i (s_axil_rready_i),
    .s_axil_rdata_o  (s_axil_rdata_o),
    .s_axil_rresp_o  (s_axil_rresp_o),
    .req_valid_o     (host_req_valid),
    .req_write_o     (host_req_write),
    .req_addr_o      (host_req_addr),
    .req_wdata_o     (host_req_wdata),
    .req_wstrb_o     (host_req_wstrb),
    .rsp_valid_i     (host_rsp_valid),
    .rsp_rdata_i     (bus_rsp_rdata),
    .rsp_error_i     (bus_rsp_error)
  );

  // the host and the management core share the bus (ioe_mgmt_bus_arb); without the core the
  // host's requests go straight through

  if (MgmtMemWords != 0) begin : g_bus_arb
    logic [31:0] arb_rsp_rdata;
    logic        arb_rsp_error;
    ioe_mgmt_bus_arb #(
      .AddrWidth(AW)
    ) u_bus_arb (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .m_req_valid_i({mgmt_req_valid, host_req_valid}),
      .m_req_write_i({mgmt_req_write, host_req_write}),
      .m_req_addr_i ({mgmt_req_addr, host_req_addr}),
      .m_req_wdata_i({mgmt_req_wdata, host_req_wdata}),
      .m_req_wstrb_i({mgmt_req_wstrb, host_req_wstrb}),
      .m_rsp_valid_o({mgmt_rsp_valid, host_rsp_valid}),
      .m_rsp_rdata_o(arb_rsp_rdata),
      .m_rsp_error_o(arb_rsp_error),
      .req_valid_o  (bus_req_valid),
      .req_write_o  (bus_req_write),
      .req_addr_o   (bus_req_addr),
      .req_wdata_o  (bus_req_wdata),
      .req_wstrb_o  (bus_req_wstrb),
      .rsp_valid_i  (bus_rsp_valid),
      .rsp_rdata_i  (bus_rsp_rdata),
      .rsp_error_i  (bus_rsp_error)
    );
    assign mgmt_rsp_rdata = arb_rsp_rdata;
    assign mgmt_rsp_error = arb_rsp_error;
  end else begin : g_no_bus_arb
    assign bus_req_valid  = host_req_valid;
    assign bus_req_write  = host_req_write;
    assign bus_req_addr   = host_req_addr;
    assign bus_req_wdata  = host_req_wdata;
    assign bus_req_wstrb  = host_req_wstrb;
    assign host_rsp_valid = bus_rsp_valid;
    assign mgmt_rsp_valid = 1'b0;
    assign mgmt_rsp_rdata = '0;
    assign mgmt_rsp_error = 1'b0;
    logic unused_mgmt_req;
    assign unused_mgmt_req = ^{mgmt_req_valid, mgmt_req_write, mgmt_req_addr, mgmt_req_wdata,
                               mgmt_req_wstrb};
  end

  ioe_csr_fabric #(
    .AddrWidth (AW),
    .BlockShift(BS),
    .NrBlocks  (NrBlocks),
    // blocks 2 (its) and 3 (xive) only in builds with the engine
    .Present   ({26'd0, MgmtMemWords != 0, NrDmaSegs != 0, XiveSources != 0, NrIts != 0, 2'b11})
  ) u_fabric (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (bus_req_valid),
    .req_write_i    (bus_req_write),
    .req_addr_i     (bus_req_addr),
    .req_wdata_i    (bus_req_wdata),
    .req_wstrb_i    (bus_req_wstrb),
    .rsp_valid_o    (bus_rsp_valid),
    .rsp_rdata_o    (bus_rsp_rdata),
    .rsp_error_o    (bus_rsp_error),
    .blk_req_valid_o(blk_req_valid),
    .blk_req_write_o(blk_req_write),
    .blk_req_addr_o (blk_req_addr),
    .blk_req_wdata_o(blk_req_wdata),
    .blk_req_wstrb_o(blk_req_wstrb),
    .blk_rsp_valid_i(blk_rsp_valid),
    .blk_rsp_rdata_i(blk_rsp_rdata),
    .blk_rsp_error_i(blk_rsp_error)
  );

  // ---------------------------------------------------------------- inputs
  logic [NrWired-1:0] wired_sync;

  ioe_sync #(
    .Width(NrWired)
  ) u_wired_sync (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (wired_i),
    .q_o   (wired_sync)
  );

  // ---------------------------------------------------------------- MSI dispatch
  // The ITS has precedence over the XIVE engine when both claim an address; unclaimed
  // MSIs are accepted at once (the core counts and captures every MSI taken).
  logic its_msi_claim, its_msi_ready, xive_msi_claim, xive_msi_ready;
  logic its_msi_valid, xive_msi_valid;

  assign its_msi_valid  = s_msi_valid_i & its_msi_claim;
  assign xive_msi_valid = s_msi_valid_i & ~its_msi_claim & xive_msi_claim;
  assign s_msi_ready_o  = its_msi_claim ? its_msi_ready :
                          xive_msi_claim ? xive_msi_ready : 1'b1;

  // ---------------------------------------------------------------- core block
  ioe_pkg::notify_t  notify, core_notify, gic_notify, xive_notify;
  logic              core_notify_valid, core_notify_ready, gic_notify_valid, gic_notify_ready;
  logic              xive_notify_valid, xive_notify_ready;
  ioe_pkg::dma_req_t dma_req, core_dma_req, its_dma_req, xive_dma_req;
  ioe_pkg::dma_rsp_t dma_rsp, eng_dma_rsp;
  logic              core_dma_valid, its_dma_valid, xive_dma_valid;
  logic [2:0]        eng_dma_ready, eng_dma_rsp_valid;
  logic [31:0]       cycle_lo;

  assign dma_rsp.tag   = m_dma_rsp_tag_i;
  assign dma_rsp.err   = m_dma_rsp_err_i;
  assign dma_rsp.rdata = m_dma_rsp_rdata_i;

  ioe_core #(
    .NrVms          (NrVms),
    .NrVcpus        (NrVcpus),
    .NrIrqs         (NrIrqs),
    .NrWired        (NrWired),
    .LpiBits        (LpiBits),
    .DevBits        (DevBits),
    .EventBits      (EventBits),
    .ItsCacheEntries(ItsCacheEntries),
    .XiveSources    (XiveSources),
    .DmaTags        (DmaTags),
    .NrIts          (NrIts),
    .NrDmaSegs      (NrDmaSegs),
    .MgmtMemWords   (MgmtMemWords),
    .DmaProbe       (DmaProbe),
    .Gicv2          (Gicv2 != 0)
  ) u_core (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (blk_req_valid[0]),
    .req_write_i    (blk_req_write),
    .req_addr_i     (blk_req_addr),
    .req_wdata_i    (blk_req_wdata),
    .req_wstrb_i    (blk_req_wstrb),
    .rsp_valid_o    (blk_rsp_valid[0]),
    .rsp_rdata_o    (blk_rsp_rdata[31:0]),
    .rsp_error_o    (blk_rsp_error[0]),
    .msi_fire_i     (s_msi_valid_i & s_msi_ready_o),
    .msi_devid_i    (s_msi_devid_i),
    .msi_addr_i     (s_msi_addr_i),
    .msi_data_i     (s_msi_data_i),
    .wired_i        (wired_sync),
    .notify_valid_o (core_notify_valid),
    .notify_ready_i (core_notify_ready),
    .notify_o       (core_notify),
    .notify_fire_i  (m_notify_valid_o & m_notify_ready_i),
    .dma_req_valid_o(core_dma_valid),
    .dma_req_ready_i(eng_dma_ready[0]),
    .dma_req_o      (core_dma_req),
    .dma_rsp_valid_i(eng_dma_rsp_valid[0]),
    .dma_rsp_i      (eng_dma_rsp),
    .cycle_lo_o     (cycle_lo)
  );

  // ---------------------------------------------------------------- GIC block
  // LPI side between the GIC and ITS engines (docs/its.md, RTL micro-architecture)
  logic [NrVms*NrVcpus*22-1:0] lpi_best;
  logic [NrVms*NrVcpus-1:0]    lpi_chg, lpi_enlpis;
  logic                        lpi_req_valid, lpi_req_done;
  logic [1:0]                  lpi_req_kind;
  logic [7:0]                  lpi_req_vm, lpi_req_vcpu;
  logic [15:0]                 lpi_req_intid;
  logic [NrVms*8-1:0]          lpi_nvc;
  logic [NrVms*64-1:0]         lpi_prop;
  logic [NrVms*NrVcpus*64-1:0] lpi_pend;

  ioe_gic #(
    .NrVms  (NrVms),
    .NrVcpus(NrVcpus),
    .NrIrqs (NrIrqs),
    .Lpis   (NrIts != 0),
    .Gicv2  (Gicv2 != 0)
  ) u_gic (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .req_valid_i   (blk_req_valid[1]),
    .req_write_i   (blk_req_write),
    .req_addr_i    (blk_req_addr),
    .req_wdata_i   (blk_req_wdata),
    .req_wstrb_i   (blk_req_wstrb),
    .rsp_valid_o   (blk_rsp_valid[1]),
    .rsp_rdata_o   (blk_rsp_rdata[63:32]),
    .rsp_error_o   (blk_rsp_error[1]),
    .notify_valid_o(gic_notify_valid),
    .notify_ready_i(gic_notify_ready),
    .notify_o      (gic_notify),
    .lpi_best_i     (lpi_best),
    .lpi_chg_i      (lpi_chg),
    .lpi_req_valid_o(lpi_req_valid),
    .lpi_req_kind_o (lpi_req_kind),
    .lpi_req_vm_o   (lpi_req_vm),
    .lpi_req_vcpu_o (lpi_req_vcpu),
    .lpi_req_intid_o(lpi_req_intid),
    .lpi_req_done_i (lpi_req_done),
    .lpi_nvc_o      (lpi_nvc),
    .lpi_enlpis_o   (lpi_enlpis),
    .lpi_prop_o     (lpi_prop),
    .lpi_pend_o     (lpi_pend)
  );

  // ---------------------------------------------------------------- ITS block
  ioe_its #(
    .NrIts    (NrIts),
    .NrVms    (NrVms),
    .NrVcpus  (NrVcpus),
    .LpiBits  (LpiBits),
    .DevBits  (DevBits),
    .EventBits(EventBits),
    .ItsCacheEntries(ItsCacheEntries),
    .CplTimeout(ItsCplTimeout)
  ) u_its (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (blk_req_valid[2]),
    .req_write_i    (blk_req_write),
    .req_addr_i     (blk_req_addr),
    .req_wdata_i    (blk_req_wdata),
    .req_wstrb_i    (blk_req_wstrb),
    .rsp_valid_o    (blk_rsp_valid[2]),
    .rsp_rdata_o    (blk_rsp_rdata[95:64]),
    .rsp_error_o    (blk_rsp_error[2]),
    .cycle_i        (cycle_lo),
    .msi_valid_i    (its_msi_valid),
    .msi_ready_o    (its_msi_ready),
    .msi_claim_o    (its_msi_claim),
    .msi_devid_i    (s_msi_devid_i),
    .msi_addr_i     (s_msi_addr_i),
    .msi_data_i     (s_msi_data_i),
    .dma_req_valid_o(its_dma_valid),
    .dma_req_ready_i(eng_dma_ready[1]),
    .dma_req_o      (its_dma_req),
    .dma_rsp_valid_i(eng_dma_rsp_valid[1]),
    .dma_rsp_i      (eng_dma_rsp),
    .lpi_best_o     (lpi_best),
    .lpi_chg_o      (lpi_chg),
    .gic_req_valid_i(lpi_req_valid),
    .gic_req_kind_i (lpi_req_kind),
    .gic_req_vm_i   (lpi_req_vm),
    .gic_req_vcpu_i (lpi_req_vcpu),
    .gic_req_intid_i(lpi_req_intid),
    .gic_req_done_o (lpi_req_done),
    .gic_nvc_i      (lpi_nvc),
    .gic_enlpis_i   (lpi_enlpis),
    .gic_prop_i     (lpi_prop),
    .gic_pend_i     (lpi_pend)
  );

  // ---------------------------------------------------------------- XIVE block
  ioe_xive #(
    .NrVms      (NrVms),
    .NrVcpus    (NrVcpus),
    .XiveSources(XiveSources),
    .EqWriteTimeout(XiveEqWriteTimeout)
  ) u_xive (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (blk_req_valid[3]),
    .req_write_i    (blk_req_write),
    .req_addr_i     (blk_req_addr),
    .req_wdata_i    (blk_req_wdata),
    .req_wstrb_i    (blk_req_wstrb),
    .rsp_valid_o    (blk_rsp_valid[3]),
    .rsp_rdata_o    (blk_rsp_rdata[127:96]),
    .rsp_error_o    (blk_rsp_error[3]),
    .cycle_i        (cycle_lo),
    .msi_valid_i    (xive_msi_valid),
    .msi_ready_o    (xive_msi_ready),
    .msi_claim_o    (xive_msi_claim),
    .msi_devid_i    (s_msi_devid_i),
    .msi_addr_i     (s_msi_addr_i),
    .msi_data_i     (s_msi_data_i),
    .notify_valid_o (xive_notify_valid),
    .notify_ready_i (xive_notify_ready),
    .notify_o       (xive_notify),
    .dma_req_valid_o(xive_dma_valid),
    .dma_req_ready_i(eng_dma_ready[2]),
    .dma_req_o      (xive_dma_req),
    .dma_rsp_valid_i(eng_dma_rsp_valid[2]),
    .dma_rsp_i      (eng_dma_rsp)
  );

  // ---------------------------------------------------------------- DMA arbiter
  ioe_pkg::dma_req_t arb_req;
  ioe_pkg::dma_rsp_t arb_rsp;
  logic              arb_req_valid, arb_req_ready, arb_rsp_valid;

  ioe_dma_arb #(
    .NrClients (3),
    .ClientBits(ioe_pkg::DMA_CLIENT_BITS)
  ) u_dma_arb (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .c_req_valid_i({xive_dma_valid, its_dma_valid, core_dma_valid}),
    .c_req_ready_o(eng_dma_ready),
    .c_req_i      ({xive_dma_req, its_dma_req, core_dma_req}),
    .c_rsp_valid_o(eng_dma_rsp_valid),
    .c_rsp_o      (eng_dma_rsp),
    .m_req_valid_o(arb_req_valid),
    .m_req_ready_i(arb_req_ready),
    .m_req_o      (arb_req),
    .m_rsp_valid_i(arb_rsp_valid),
    .m_rsp_i      (arb_rsp)
  );

  // ---------------------------------------------------------------- DMA window
  // card-internal {VM, guest-physical} -> IOVA (docs/architecture.md, "The DMA window")
  if (NrDmaSegs != 0) begin : g_dma_xlate
    ioe_dma_xlate #(
      .NrSegs(NrDmaSegs)
    ) u_dma_xlate (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .req_valid_i  (blk_req_valid[4]),
      .req_write_i  (blk_req_write),
      .req_addr_i   (blk_req_addr),
      .req_wdata_i  (blk_req_wdata),
      .req_wstrb_i  (blk_req_wstrb),
      .rsp_valid_o  (blk_rsp_valid[4]),
      .rsp_rdata_o  (blk_rsp_rdata[159:128]),
      .rsp_error_o  (blk_rsp_error[4]),
      .s_req_valid_i(arb_req_valid),
      .s_req_ready_o(arb_req_ready),
      .s_req_i      (arb_req),
      .s_rsp_valid_o(arb_rsp_valid),
      .s_rsp_o      (arb_rsp),
      .m_req_valid_o(m_dma_req_valid_o),
      .m_req_ready_i(m_dma_req_ready_i),
      .m_req_o      (dma_req),
      .m_rsp_valid_i(m_dma_rsp_valid_i),
      .m_rsp_i      (dma_rsp)
    );
  end else begin : g_no_dma_xlate
    assign m_dma_req_valid_o       = arb_req_valid;
    assign arb_req_ready           = m_dma_req_ready_i;
    assign dma_req                 = arb_req;
    assign arb_rsp_valid           = m_dma_rsp_valid_i;
    assign arb_rsp                 = dma_rsp;
    assign blk_rsp_valid[4]        = 1'b0;
    assign blk_rsp_rdata[159:128]  = '0;
    assign blk_rsp_error[4]        = 1'b0;
    logic unused_blk;
    assign unused_blk = blk_req_valid[4];
  end

  // ---------------------------------------------------------------- management core
  ioe_pkg::notify_t mgmt_notify;
  logic             mgmt_notify_valid, mgmt_notify_ready;

  if (MgmtMemWords != 0) begin : g_mgmt
    ioe_mgmt #(
      .MemWords(MgmtMemWords),
      .InitFile(MgmtInitFile)
    ) u_mgmt (
      .clk_i          (clk_i),
      .rst_ni         (rst_ni),
      .req_valid_i    (blk_req_valid[5]),
      .req_write_i    (blk_req_write),
      .req_addr_i     (blk_req_addr),
      .req_wdata_i    (blk_req_wdata),
      .req_wstrb_i    (blk_req_wstrb),
      .rsp_valid_o    (blk_rsp_valid[5]),
      .rsp_rdata_o    (blk_rsp_rdata[191:160]),
      .rsp_error_o    (blk_rsp_error[5]),
      .bus_req_valid_o(mgmt_req_valid),
      .bus_req_write_o(mgmt_req_write),
      .bus_req_addr_o (mgmt_req_addr),
      .bus_req_wdata_o(mgmt_req_wdata),
      .bus_req_wstrb_o(mgmt_req_wstrb),
      .bus_rsp_valid_i(mgmt_rsp_valid),
      .bus_rsp_rdata_i(mgmt_rsp_rdata),
      .bus_rsp_error_i(mgmt_rsp_error),
      .notify_valid_o (mgmt_notify_valid),
      .notify_ready_i (mgmt_notify_ready),
      .notify_o       (mgmt_notify),
      .cycle_lo_i     (cycle_lo)
    );
  end else begin : g_no_mgmt
    assign mgmt_req_valid         = 1'b0;
    assign mgmt_req_write         = 1'b0;
    assign mgmt_req_addr          = '0;
    assign mgmt_req_wdata         = '0;
    assign mgmt_req_wstrb         = '0;
    assign mgmt_notify_valid      = 1'b0;
    assign mgmt_notify            = '0;
    assign blk_rsp_valid[5]       = 1'b0;
    assign blk_rsp_rdata[191:160] = '0;
    assign blk_rsp_error[5]       = 1'b0;
    logic unused_mgmt;
    assign unused_mgmt = ^{blk_req_valid[5], mgmt_rsp_valid, mgmt_rsp_rdata, mgmt_rsp_error,
                           mgmt_notify_ready};
  end

  // ---------------------------------------------------------------- notification merge
  ioe_notify_merge #(
    .NrSrcs(4)
  ) u_notify_merge (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i ({mgmt_notify_valid, xive_notify_valid, gic_notify_valid, core_notify_valid}),
    .s_ready_o ({mgmt_notify_ready, xive_notify_ready, gic_notify_ready, core_notify_ready}),
    .s_notify_i({mgmt_notify, xive_notify, gic_notify, core_notify}),
    .m_valid_o (m_notify_valid_o),
    .m_ready_i (m_notify_ready_i),
    .m_notify_o(notify)
  );

  assign m_notify_vm_o     = notify.vm;
  assign m_notify_vcpu_o   = notify.vcpu;
  assign m_notify_src_o    = notify.src;
  assign m_dma_req_tag_o   = dma_req.tag;
  assign m_dma_req_write_o = dma_req.write;
  assign m_dma_req_addr_o  = dma_req.addr;
  assign m_dma_req_wdata_o = dma_req.wdata;
  assign m_dma_req_wstrb_o = dma_req.wstrb;

endmodule
