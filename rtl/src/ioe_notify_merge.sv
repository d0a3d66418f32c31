// ioe_notify_merge: one notification stream out of several sources.
//
// Round robin between the sources that have a record (ioe_rr_arb). Once a record is
// offered it stays on the output until taken, so no source loses one; a source that waits
// is stalled by its own valid/ready handshake.

module ioe_notify_merge #(
  parameter int unsigned NrSrcs = 3
) (
  input  logic                                     clk_i,
  input  logic                                     rst_ni,
  input  logic [NrSrcs-1:0]                        s_valid_i,
  output logic [NrSrcs-1:0]                        s_ready_o,
  input  logic [NrSrcs*ioe_pkg::NOTIFY_WIDTH-1:0]  s_notify_i,
  output logic                                     m_valid_o,
  input  logic                                     m_ready_i,
  output ioe_pkg::notify_t                         m_notify_o
);

  localparam int unsigned SW = (NrSrcs > 1) ? $clog2(NrSrcs) : 1;
  localparam int unsigned NW = ioe_pkg::NOTIFY_WIDTH;

  logic [SW-1:0] grant;

  ioe_rr_arb #(
    .N(NrSrcs)
  ) u_rr (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .req_i  (s_valid_i),
    .stall_i(m_valid_o & ~m_ready_i),
    .take_i (m_valid_o & m_ready_i),
    .grant_o(grant)
  );

  always_comb begin
    m_valid_o        = s_valid_i[grant];
    m_notify_o       = s_notify_i[grant*NW +: NW];
    s_ready_o        = '0;
    s_ready_o[grant] = m_ready_i;
  end

endmodule
