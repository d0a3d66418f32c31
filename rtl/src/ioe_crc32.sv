// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's crc32()), one bit per
// cycle: a byte takes eight cycles (busy_o). init_i starts a new checksum (register all
// ones; with valid_i in the same cycle, data_i is its first byte); crc_o is the register, so the checksum of the bytes fed so far is ~crc_o, and
// after a frame's bytes followed by its own checksum (little-endian) the register holds the
// residue 0xDEBB20E3 (Residue).
//
// Bit-serial because the wire bridge has many cycles per byte (a UART byte is ten bit
// times of several clocks each): 32 flops and about as many LUTs, against roughly three
// times that for an eight-bit-wide XOR network.

module ioe_crc32 (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        init_i,   // when not busy
  input  logic        valid_i,  // feed data_i, when not busy
  input  logic [7:0]  data_i,
  output logic        busy_o,
  output logic [31:0] crc_o
);

  localparam logic [31:0] Poly = 32'hEDB88320;

  logic [31:0] crc_q;
  logic [7:0]  sh_q;
  logic [3:0]  cnt_q;
  logic        fb;

  assign busy_o = (cnt_q != '0);
  assign fb     = crc_q[0] ^ sh_q[0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      crc_q <= '1;
      sh_q  <= '0;
      cnt_q <= '0;
    end else if (busy_o) begin
      crc_q <= {1'b0, crc_q[31:1]} ^ (fb ? Poly : 32'd0);
      sh_q  <= {1'b0, sh_q[7:1]};
      cnt_q <= cnt_q - 1'b1;
    end else begin
      if (init_i) crc_q <= '1;
      if (valid_i) begin
        sh_q  <= data_i;
        cnt_q <= 4'd8;
      end
    end
  end

  assign crc_o = crc_q;

endmodule
