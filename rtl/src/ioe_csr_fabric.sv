// Register-bus fabric: routes each request to the block selected by the address bits
// above BlockShift (block n answers addresses n << BlockShift .. ((n+1) << BlockShift) - 1)
// and returns that block's response. A request for a block index without a block is
// answered here, one cycle later, with an error and zero data; so is a request for a block
// that this build leaves out (bit n of Present clear: its engine has no instance, so its
// registers are not built either and FEATURES says the block is absent). Only one request is in
// flight at a time (the AXI4-Lite bridge guarantees it), so responses are simply ORed.

module ioe_csr_fabric #(
  parameter int unsigned AddrWidth  = 20,
  parameter int unsigned BlockShift = 12,
  parameter int unsigned NrBlocks   = 1,
  parameter int unsigned Present    = 32'hffff_ffff
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // from the bus bridge
  input  logic                             req_valid_i,
  input  logic                             req_write_i,
  input  logic [AddrWidth-1:0]             req_addr_i,
  input  logic [31:0]                      req_wdata_i,
  input  logic [3:0]                       req_wstrb_i,
  output logic                             rsp_valid_o,
  output logic [31:0]                      rsp_rdata_o,
  output logic                             rsp_error_o,
  // to the blocks (address is the offset inside the block)
  output logic [NrBlocks-1:0]              blk_req_valid_o,
  output logic                             blk_req_write_o,
  output logic [BlockShift-1:0]            blk_req_addr_o,
  output logic [31:0]                      blk_req_wdata_o,
  output logic [3:0]                       blk_req_wstrb_o,
  input  logic [NrBlocks-1:0]              blk_rsp_valid_i,
  input  logic [NrBlocks*32-1:0]           blk_rsp_rdata_i,  // block b at [32*b +: 32]
  input  logic [NrBlocks-1:0]              blk_rsp_error_i
);

  localparam int unsigned SelWidth = AddrWidth - BlockShift;

  logic [SelWidth-1:0] sel;
  logic                mapped, miss_q;

  assign sel    = req_addr_i[AddrWidth-1:BlockShift];
  assign mapped = (32'(sel) < NrBlocks) && (((Present >> sel) & 32'd1) != 32'd0);

  always_comb begin
    for (int unsigned b = 0; b < NrBlocks; b++) begin
      blk_req_valid_o[b] = req_valid_i & (32'(sel) == b) & Present[b];
    end
  end
  assign blk_req_write_o = req_write_i;
  assign blk_req_addr_o  = req_addr_i[BlockShift-1:0];
  assign blk_req_wdata_o = req_wdata_i;
  assign blk_req_wstrb_o = req_wstrb_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) miss_q <= 1'b0;
    else miss_q <= req_valid_i & ~mapped;
  end

  always_comb begin
    rsp_valid_o = miss_q;
    rsp_error_o = miss_q;
    rsp_rdata_o = '0;
    for (int unsigned b = 0; b < NrBlocks; b++) begin
      if (blk_rsp_valid_i[b]) begin
        rsp_valid_o = 1'b1;
        rsp_error_o = rsp_error_o | blk_rsp_error_i[b];
        rsp_rdata_o = rsp_rdata_o | blk_rsp_rdata_i[32*b +: 32];
      end
    end
  end

endmodule
