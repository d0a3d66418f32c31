// AXI4-Lite slave to the card's internal register bus.
//
// One access at a time: a write needs AW and W (taken together), a read needs AR.
// When both are waiting, reads and writes take turns. The register bus request is a
// single-cycle pulse; the access completes when the addressed block answers with
// rsp_valid_i (any number of cycles later), and the AXI response is held until the
// master takes it. AXI protection bits are not used.

module ioe_axil_slave #(
  parameter int unsigned AddrWidth = 20
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // AXI4-Lite slave
  input  logic                 s_axil_awvalid_i,
  output logic                 s_axil_awready_o,
  input  logic [AddrWidth-1:0] s_axil_awaddr_i,
  input  logic                 s_axil_wvalid_i,
  output logic                 s_axil_wready_o,
  input  logic [31:0]          s_axil_wdata_i,
  input  logic [3:0]           s_axil_wstrb_i,
  output logic                 s_axil_bvalid_o,
  input  logic                 s_axil_bready_i,
  output logic [1:0]           s_axil_bresp_o,
  input  logic                 s_axil_arvalid_i,
  output logic                 s_axil_arready_o,
  input  logic [AddrWidth-1:0] s_axil_araddr_i,
  output logic                 s_axil_rvalid_o,
  input  logic                 s_axil_rready_i,
  output logic [31:0]          s_axil_rdata_o,
  output logic [1:0]           s_axil_rresp_o,
  // Register bus master
  output logic                 req_valid_o,
  output logic                 req_write_o,
  output logic [AddrWidth-1:0] req_addr_o,
  output logic [31:0]          req_wdata_o,
  output logic [3:0]           req_wstrb_o,
  input  logic                 rsp_valid_i,
  input  logic [31:0]          rsp_rdata_i,
  input  logic                 rsp_error_i
);

  typedef enum logic [1:0] {
    StIdle,
    StWait,
    StWrResp,
    StRdResp
  } state_e;

  state_e state_q, state_d;
  logic   rd_turn_q;  // a read wins when both are waiting
  logic   take_wr, take_rd, is_write_q;
  logic [31:0] rdata_q;
  logic [1:0]  resp_q;

  assign take_wr = (state_q == StIdle) & s_axil_awvalid_i & s_axil_wvalid_i &
                   ~(s_axil_arvalid_i & rd_turn_q);
  assign take_rd = (state_q == StIdle) & s_axil_arvalid_i & ~take_wr;

  assign s_axil_awready_o = take_wr;
  assign s_axil_wready_o  = take_wr;
  assign s_axil_arready_o = take_rd;

  assign req_valid_o = take_wr | take_rd;
  assign req_write_o = take_wr;
  assign req_addr_o  = take_wr ? s_axil_awaddr_i : s_axil_araddr_i;
  assign req_wdata_o = s_axil_wdata_i;
  assign req_wstrb_o = take_wr ? s_axil_wstrb_i : 4'h0;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle:   if (take_wr || take_rd) state_d = StWait;
      StWait:   if (rsp_valid_i) state_d = is_write_q ? StWrResp : StRdResp;
      StWrResp: if (s_axil_bready_i) state_d = StIdle;
      StRdResp: if (s_axil_rready_i) state_d = StIdle;
      default:  state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      rd_turn_q  <= 1'b0;
      is_write_q <= 1'b0;
      rdata_q    <= '0;
      resp_q     <= ioe_pkg::AXI_RESP_OKAY;
    end else begin
      state_q <= state_d;
      if (take_wr) begin
        is_write_q <= 1'b1;
        rd_turn_q  <= 1'b1;
      end else if (take_rd) begin
        is_write_q <= 1'b0;
        rd_turn_q  <= 1'b0;
      end
      if (state_q == StWait && rsp_valid_i) begin
        rdata_q <= rsp_rdata_i;
        resp_q  <= rsp_error_i ? ioe_pkg::AXI_RESP_SLVERR : ioe_pkg::AXI_RESP_OKAY;
      end
    end
  end

  assign s_axil_bvalid_o = (state_q == StWrResp);
  assign s_axil_bresp_o  = resp_q;
  assign s_axil_rvalid_o = (state_q == StRdResp);
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = resp_q;

endmodule
