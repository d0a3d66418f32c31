// ioe_dma_arb: shares the card's DMA master between several engines.
//
// Requests: round robin between the clients that have one (ioe_rr_arb); once a request
// is on the output it stays there until the host side takes it. The tag's top
// ClientBits bits carry the client index and the rest the client's own tag, so responses
// (which may come back in any order and have no backpressure) go straight back to the
// client that asked. A client must keep its
// own tags below 2**(DMA_TAG_WIDTH-ClientBits) and reserve room for its responses.

module ioe_dma_arb #(
  parameter int unsigned NrClients  = 3,
  parameter int unsigned ClientBits = 2
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // clients (client c's request is c_req_i[c*DMA_REQ_WIDTH +: DMA_REQ_WIDTH])
  input  logic [NrClients-1:0]        c_req_valid_i,
  output logic [NrClients-1:0]        c_req_ready_o,
  input  logic [NrClients*ioe_pkg::DMA_REQ_WIDTH-1:0] c_req_i,
  output logic [NrClients-1:0]        c_rsp_valid_o,
  output ioe_pkg::dma_rsp_t           c_rsp_o,
  // host side
  output logic                        m_req_valid_o,
  input  logic                        m_req_ready_i,
  output ioe_pkg::dma_req_t           m_req_o,
  input  logic                        m_rsp_valid_i,
  input  ioe_pkg::dma_rsp_t           m_rsp_i
);

  localparam int unsigned TW = ioe_pkg::DMA_TAG_WIDTH;
  localparam int unsigned CW = (NrClients > 1) ? $clog2(NrClients) : 1;
  localparam int unsigned RW = ioe_pkg::DMA_REQ_WIDTH;

  ioe_pkg::dma_req_t sel;

  logic [CW-1:0] grant;

  ioe_rr_arb #(
    .N(NrClients)
  ) u_rr (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .req_i  (c_req_valid_i),
    .stall_i(m_req_valid_o & ~m_req_ready_i),
    .take_i (m_req_valid_o & m_req_ready_i),
    .grant_o(grant)
  );

  always_comb begin
    sel           = c_req_i[grant*RW +: RW];
    m_req_valid_o = c_req_valid_i[grant];
    m_req_o       = sel;
    m_req_o.tag   = {ClientBits'(grant), sel.tag[ioe_pkg::DMA_LOCAL_TAG_WIDTH-1:0]};
    c_req_ready_o = '0;
    c_req_ready_o[grant] = m_req_ready_i;
  end

  // responses: by the client bits of the tag; the client sees its own tag
  always_comb begin
    c_rsp_valid_o = '0;
    if (m_rsp_valid_i && 32'(m_rsp_i.tag[TW-1 -: ClientBits]) < NrClients)
      c_rsp_valid_o[m_rsp_i.tag[TW-1 -: ClientBits]] = 1'b1;
    c_rsp_o     = m_rsp_i;
    c_rsp_o.tag = {{ClientBits{1'b0}}, m_rsp_i.tag[ioe_pkg::DMA_LOCAL_TAG_WIDTH-1:0]};
  end

endmodule
