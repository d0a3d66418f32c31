// ioe_notify_merge: one notification stream out of several sources.
//
// Round robin between the sources that have a record. Once a record is offered it stays
// on the output until taken (the grant is held while the stream is backpressured), so no
// source loses one; a source that waits is stalled by its own valid/ready handshake.

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

  logic [SW-1:0] grant, last_q, held_q;
  logic          hold_q, any;

  always_comb begin
    grant = last_q;
    any   = 1'b0;
    for (int unsigned k = 1; k <= NrSrcs; k++) begin
      logic [SW:0] c;
      c = {1'b0, last_q} + (SW+1)'(k);
      if (c >= (SW+1)'(NrSrcs)) c = c - (SW+1)'(NrSrcs);
      if (!any && s_valid_i[c[SW-1:0]]) begin
        grant = c[SW-1:0];
        any   = 1'b1;
      end
    end
    if (hold_q) grant = held_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_q <= '0;
      held_q <= '0;
      hold_q <= 1'b0;
    end else begin
      hold_q <= m_valid_o & ~m_ready_i;
      held_q <= grant;
      if (m_valid_o && m_ready_i) last_q <= grant;
    end
  end

  always_comb begin
    m_valid_o        = s_valid_i[grant];
    m_notify_o       = s_notify_i[grant*NW +: NW];
    s_ready_o        = '0;
    s_ready_o[grant] = m_ready_i;
  end

endmodule
