// UART transmitter, 8N1, LSB first, line idle high. ClksPerBit clock cycles per bit
// (ClkHz / baud). Takes a byte (valid/ready) whenever it is idle and sends it as a start
// bit, eight data bits and one stop bit; the next byte can follow right after the stop bit.

module ioe_uart_tx #(
  parameter int unsigned ClksPerBit = 8,
  localparam int unsigned CW        = $clog2(ClksPerBit)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o
);

  localparam logic [CW-1:0] FullBit = CW'(ClksPerBit - 1);

  // {stop, data[7:0], start} shifted out LSB first; bits_q counts the bits still to send
  logic [9:0]    sh_q;
  logic [3:0]    bits_q;
  logic [CW-1:0] cnt_q;

  // ready in the last cycle of a stop bit too, so that bytes follow back to back
  assign ready_o = (bits_q == '0) || (bits_q == 4'd1 && cnt_q == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_q   <= '1;
      bits_q <= '0;
      cnt_q  <= '0;
    end else if (ready_o && valid_i) begin
      sh_q   <= {1'b1, data_i, 1'b0};
      bits_q <= 4'd10;
      cnt_q  <= FullBit;
    end else if (bits_q != '0) begin
      if (cnt_q != '0) begin
        cnt_q <= cnt_q - 1'b1;
      end else begin
        sh_q   <= {1'b1, sh_q[9:1]};
        bits_q <= bits_q - 1'b1;
        cnt_q  <= FullBit;
      end
    end
  end

  assign tx_o = sh_q[0];

endmodule
