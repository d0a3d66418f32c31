// ioe_mgmt_bus_arb: two masters on the one register bus (ioe_csr_fabric): the host's bus
// bridge (master 0) and the management core (master 1). Each master has at most one request
// in flight and presents it for one cycle; a request that finds the bus busy (or loses to the
// other in the same cycle) waits in a one-entry buffer. The bus carries one request at a time
// and its response goes back to the master that issued it. When both wait, the one not served
// last goes first, so neither starves.

module ioe_mgmt_bus_arb #(
  parameter int unsigned AddrWidth = 20
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // masters: index 0 host, 1 core
  input  logic [1:0]           m_req_valid_i,
  input  logic [1:0]           m_req_write_i,
  input  logic [2*AddrWidth-1:0] m_req_addr_i,  // master m at [AddrWidth*m +: AddrWidth]
  input  logic [63:0]          m_req_wdata_i,   // master m at [32*m +: 32]
  input  logic [7:0]           m_req_wstrb_i,   // master m at [4*m +: 4]
  output logic [1:0]           m_rsp_valid_o,
  output logic [31:0]          m_rsp_rdata_o,   // shared; valid for the master m_rsp_valid_o names
  output logic                 m_rsp_error_o,
  // the bus
  output logic                 req_valid_o,
  output logic                 req_write_o,
  output logic [AddrWidth-1:0] req_addr_o,
  output logic [31:0]          req_wdata_o,
  output logic [3:0]           req_wstrb_o,
  input  logic                 rsp_valid_i,
  input  logic [31:0]          rsp_rdata_i,
  input  logic                 rsp_error_i
);

  localparam int unsigned ReqW = 1 + AddrWidth + 32 + 4;  // {write, addr, wdata, wstrb}

  logic [1:0]      pend_q, want;
  logic [ReqW-1:0] buf_q [2];
  logic [ReqW-1:0] cand [2];
  logic            busy_q, owner_q, last_q, grant;
  logic            issue;

  for (genvar m = 0; m < 2; m++) begin : g_m
    assign cand[m] = pend_q[m] ? buf_q[m] :
                     {m_req_write_i[m], m_req_addr_i[AddrWidth*m +: AddrWidth],
                      m_req_wdata_i[32*m +: 32], m_req_wstrb_i[4*m +: 4]};
  end
  assign want  = pend_q | m_req_valid_i;
  // the master granted when both want the bus: the one not served last
  assign grant = (want == 2'b11) ? ~last_q : want[1];
  assign issue = !busy_q && want != 2'b00;

  assign req_valid_o = issue;
  assign {req_write_o, req_addr_o, req_wdata_o, req_wstrb_o} = cand[grant];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q  <= '0;
      busy_q  <= 1'b0;
      owner_q <= 1'b0;
      last_q  <= 1'b0;
    end else begin
      for (int unsigned m = 0; m < 2; m++) begin
        if (issue && 32'(grant) == m) pend_q[m] <= 1'b0;
        else if (m_req_valid_i[m]) pend_q[m] <= 1'b1;
      end
      if (issue) begin
        busy_q  <= 1'b1;
        owner_q <= grant;
        last_q  <= grant;
      end else if (rsp_valid_i) begin
        busy_q <= 1'b0;
      end
    end
  end

  // the request data of a waiting master (no reset: only read while pend_q says it is valid)
  always_ff @(posedge clk_i) begin
    for (int unsigned m = 0; m < 2; m++) begin
      if (m_req_valid_i[m]) buf_q[m] <= cand[m];
    end
  end

  assign m_rsp_valid_o = {rsp_valid_i & owner_q, rsp_valid_i & ~owner_q};
  assign m_rsp_rdata_o = rsp_rdata_i;
  assign m_rsp_error_o = rsp_error_i;

endmodule
