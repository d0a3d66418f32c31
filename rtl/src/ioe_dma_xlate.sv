// ioe_dma_xlate: the DMA window, one translation stage at the card's DMA egress.
//
// The engines address guest memory as {VM context [63:48], guest-physical [47:0]}. While
// CTRL.EN is set every request is looked up in a table of NrSegs segments {VM, guest-physical
// pages [base, last], IOVA offset} (lowest matching entry wins) and leaves the card at
// guest-physical + offset, the IOVA the host's IOMMU maps. A request that no valid segment
// holds never reaches the bus: it is answered with an error response carrying its tag (as
// an unmapped host address is answered), counted in FAULTS. While EN is clear (reset)
// addresses pass unchanged. Register block 4 (rtl/regmap/ioe.toml, block dma).
//
// Pipeline, full throughput, 2 cycles of added request latency:
//   stage 1  range compares of every entry, lowest hit as one-hot -> s1_* flops
//   stage 2  one-hot select of the offset, 52-bit page add         -> m_req_* flops
// Responses pass combinationally; an error response waits in err_* until a cycle without
// a host response (a request that misses stalls stage 1 while one is still waiting).

module ioe_dma_xlate #(
  parameter int unsigned NrSegs = ioe_reg_pkg::NrDmaSegsDefault  // 1..32
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // register bus (offset within the block)
  input  logic              req_valid_i,
  input  logic              req_write_i,
  input  logic [11:0]       req_addr_i,
  input  logic [31:0]       req_wdata_i,
  input  logic [3:0]        req_wstrb_i,
  output logic              rsp_valid_o,
  output logic [31:0]       rsp_rdata_o,
  output logic              rsp_error_o,
  // from the DMA arbiter (card-internal addresses)
  input  logic              s_req_valid_i,
  output logic              s_req_ready_o,
  input  ioe_pkg::dma_req_t s_req_i,
  output logic              s_rsp_valid_o,
  output ioe_pkg::dma_rsp_t s_rsp_o,
  // to the host (IOVAs)
  output logic              m_req_valid_o,
  input  logic              m_req_ready_i,
  output ioe_pkg::dma_req_t m_req_o,
  input  logic              m_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t m_rsp_i
);

  localparam int unsigned PW = 36;  // guest-physical page number, [47:12]
  localparam int unsigned OW = 52;  // IOVA page number, [63:12]
  localparam int unsigned IW = (NrSegs > 1) ? $clog2(NrSegs) : 1;
  localparam logic [PW:0] Limit = {1'b1, {PW{1'b0}}};  // 2^48 in pages

  // ---------------------------------------------------------------- registers
  logic [31:0] ctrl_q, seg_index_q, seg_vm_q, seg_gpa_lo_q, seg_gpa_hi_q, seg_size_lo_q;
  logic [31:0] seg_size_hi_q, seg_iova_lo_q, seg_iova_hi_q, seg_cmd_q;
  logic        seg_cmd_qe;
  logic [31:0] seg_valid_d, faults_q;
  logic [63:0] fault_addr_q;

  ioe_dma_reg_top u_reg (
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
    .ctrl_q_o         (ctrl_q),
    .seg_index_q_o    (seg_index_q),
    .seg_vm_q_o       (seg_vm_q),
    .seg_gpa_lo_q_o   (seg_gpa_lo_q),
    .seg_gpa_hi_q_o   (seg_gpa_hi_q),
    .seg_size_lo_q_o  (seg_size_lo_q),
    .seg_size_hi_q_o  (seg_size_hi_q),
    .seg_iova_lo_q_o  (seg_iova_lo_q),
    .seg_iova_hi_q_o  (seg_iova_hi_q),
    .seg_cmd_q_o      (seg_cmd_q),
    .seg_cmd_qe_o     (seg_cmd_qe),
    .seg_valid_d_i    (seg_valid_d),
    .faults_d_i       (faults_q),
    .fault_addr_lo_d_i(fault_addr_q[31:0]),
    .fault_addr_hi_d_i(fault_addr_q[63:32])
  );

  // ---------------------------------------------------------------- segment table
  logic [NrSegs-1:0] valid_q;
  logic [15:0]       vm_q   [NrSegs];
  logic [PW-1:0]     base_q [NrSegs];
  logic [PW-1:0]     last_q [NrSegs];
  logic [OW-1:0]     off_q  [NrSegs];

  logic [PW-1:0] new_base;
  logic [PW:0]   new_size, new_end;
  logic          new_ok, new_carry, cmd_set, cmd_clear, idx_ok;
  logic [IW-1:0] idx;

  assign new_base  = {seg_gpa_hi_q[15:0], seg_gpa_lo_q[31:12]};
  assign new_size  = {seg_size_hi_q[16:0], seg_size_lo_q[31:12]};
  // base (36 bits) + size (37 bits) can carry out of 37 bits: such an entry is past 2^48 too
  assign {new_carry, new_end} = {2'b00, new_base} + {1'b0, new_size};
  assign new_ok    = (new_size != '0) && !new_carry && (new_end <= Limit);
  assign idx       = seg_index_q[IW-1:0];
  assign idx_ok    = seg_index_q[7:0] < 8'(NrSegs);
  assign cmd_set   = seg_cmd_qe & seg_cmd_q[ioe_reg_pkg::DMA_SEG_CMD_SET_LSB];
  assign cmd_clear = seg_cmd_qe & seg_cmd_q[ioe_reg_pkg::DMA_SEG_CMD_CLEAR_LSB];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else if ((cmd_set || cmd_clear) && idx_ok) begin
      valid_q[idx] <= cmd_set & new_ok;
    end
  end

  // entry contents need no reset: valid_q guards them
  always_ff @(posedge clk_i) begin
    if (cmd_set && idx_ok) begin
      vm_q[idx]   <= seg_vm_q[15:0];
      base_q[idx] <= new_base;
      last_q[idx] <= new_end[PW-1:0] - PW'(1);
      off_q[idx]  <= {seg_iova_hi_q, seg_iova_lo_q[31:12]} - OW'(new_base);
    end
  end

  assign seg_valid_d = 32'(valid_q);

  // ---------------------------------------------------------------- stage 1: compare
  logic [NrSegs-1:0] hit, first;
  logic [PW-1:0]     pfn;

  assign pfn = s_req_i.addr[47:12];

  always_comb begin
    for (int unsigned i = 0; i < NrSegs; i++)
      hit[i] = valid_q[i] && vm_q[i] == s_req_i.addr[63:48] && pfn >= base_q[i] &&
               pfn <= last_q[i];
    first = hit & ~(hit - NrSegs'(1));  // the lowest matching entry
  end

  logic              s1_valid_q, s1_xl_q, s1_miss_q;
  logic [NrSegs-1:0] s1_sel_q;
  ioe_pkg::dma_req_t s1_req_q;
  logic              s1_adv, s2_load, err_free, err_valid_q;
  logic [ioe_pkg::DMA_TAG_WIDTH-1:0] err_tag_q;

  assign s2_load       = ~m_req_valid_o | m_req_ready_i;
  assign err_free      = ~err_valid_q | ~m_rsp_valid_i;
  assign s1_adv        = s1_valid_q & (s1_miss_q ? err_free : s2_load);
  assign s_req_ready_o = ~s1_valid_q | s1_adv;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_xl_q    <= 1'b0;
      s1_miss_q  <= 1'b0;
      s1_sel_q   <= '0;
      s1_req_q   <= '0;
    end else if (s_req_ready_o) begin
      s1_valid_q <= s_req_valid_i;
      s1_xl_q    <= ctrl_q[ioe_reg_pkg::DMA_CTRL_EN_LSB];
      s1_miss_q  <= ctrl_q[ioe_reg_pkg::DMA_CTRL_EN_LSB] & ~|hit;
      s1_sel_q   <= first;
      s1_req_q   <= s_req_i;
    end
  end

  // ---------------------------------------------------------------- stage 2: add
  logic [OW-1:0] off_sel;

  always_comb begin
    off_sel = '0;
    for (int unsigned i = 0; i < NrSegs; i++)
      if (s1_sel_q[i]) off_sel = off_sel | off_q[i];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_req_valid_o <= 1'b0;
      m_req_o       <= '0;
    end else if (s2_load) begin
      m_req_valid_o <= s1_valid_q & ~s1_miss_q;
      m_req_o       <= s1_req_q;
      if (s1_xl_q) m_req_o.addr <= {OW'(s1_req_q.addr[47:12]) + off_sel, s1_req_q.addr[11:0]};
    end
  end

  // ---------------------------------------------------------------- faults
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_valid_q  <= 1'b0;
      err_tag_q    <= '0;
      faults_q     <= '0;
      fault_addr_q <= '0;
    end else if (s1_adv && s1_miss_q) begin
      err_valid_q  <= 1'b1;
      err_tag_q    <= s1_req_q.tag;
      faults_q     <= faults_q + 32'd1;
      fault_addr_q <= s1_req_q.addr;
    end else if (!m_rsp_valid_i) begin
      err_valid_q <= 1'b0;
    end
  end

  always_comb begin
    s_rsp_valid_o = m_rsp_valid_i | err_valid_q;
    s_rsp_o       = m_rsp_i;
    if (!m_rsp_valid_i) begin
      s_rsp_o.tag   = err_tag_q;
      s_rsp_o.err   = 1'b1;
      s_rsp_o.rdata = '0;
    end
  end

  logic unused_bits;
  assign unused_bits = ^{ctrl_q[31:1], seg_index_q[31:8], seg_vm_q[31:16], seg_gpa_lo_q[11:0],
                         seg_gpa_hi_q[31:16], seg_size_lo_q[11:0], seg_size_hi_q[31:17],
                         seg_iova_lo_q[11:0], seg_cmd_q[31:2]};

endmodule
