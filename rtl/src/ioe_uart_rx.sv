// UART receiver, 8N1, LSB first, for a line idle high. ClksPerBit clock cycles per bit
// (ClkHz / baud, at least 4). The line goes through a two-flop synchroniser (ioe_sync);
// a falling edge starts a character, the start bit is checked again in its middle (a
// glitch shorter than half a bit is a false start and is ignored), the eight data bits
// and the stop bit are sampled in their middles. A character whose stop bit is 0 is not
// delivered: frame_err_o pulses and the receiver waits for the line to go idle (high)
// before it looks for the next start bit, so a break does not read as a run of 0x00.
//
// No back-pressure: valid_o pulses for one cycle with data_o; a consumer that cannot take
// the byte loses it.

module ioe_uart_rx #(
  parameter int unsigned ClksPerBit = 8,
  localparam int unsigned CW        = $clog2(ClksPerBit)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,         // the pin, asynchronous
  output logic       valid_o,
  output logic [7:0] data_o,
  output logic       frame_err_o   // a stop bit was 0 (or the line stayed low)
);

  // The start edge is seen up to one cycle after it happened: wait (ClksPerBit-1)/2 cycles
  // to the middle of the start bit, then ClksPerBit cycles per bit.
  localparam logic [CW-1:0] HalfBit = CW'((ClksPerBit - 1) / 2);
  localparam logic [CW-1:0] FullBit = CW'(ClksPerBit - 1);

  typedef enum logic [2:0] {
    RxIdle, RxStart, RxData, RxStop, RxWaitIdle
  } rx_state_e;

  rx_state_e   state_q, state_d;
  logic [CW-1:0] cnt_q, cnt_d;
  logic [2:0]  bit_q, bit_d;
  logic [7:0]  sh_q, sh_d;
  logic        line;

  ioe_sync #(
    .Width     (1),
    .ResetValue(1'b1)
  ) u_sync (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (rx_i),
    .q_o   (line)
  );

  always_comb begin
    state_d     = state_q;
    cnt_d       = cnt_q;
    bit_d       = bit_q;
    sh_d        = sh_q;
    valid_o     = 1'b0;
    frame_err_o = 1'b0;
    if (state_q != RxIdle && state_q != RxWaitIdle && cnt_q != '0) begin
      cnt_d = cnt_q - 1'b1;
    end else begin
      unique case (state_q)
        RxIdle: begin
          if (!line) begin
            state_d = RxStart;
            cnt_d   = HalfBit;
          end
        end
        RxStart: begin  // middle of the start bit
          if (line) begin
            state_d = RxIdle;  // false start
          end else begin
            state_d = RxData;
            cnt_d   = FullBit;
            bit_d   = '0;
          end
        end
        RxData: begin
          sh_d  = {line, sh_q[7:1]};
          cnt_d = FullBit;
          bit_d = bit_q + 1'b1;
          if (bit_q == 3'd7) state_d = RxStop;
        end
        RxStop: begin
          if (line) begin
            valid_o = 1'b1;
            state_d = RxIdle;
          end else begin
            frame_err_o = 1'b1;
            state_d     = RxWaitIdle;
          end
        end
        RxWaitIdle: begin
          if (line) state_d = RxIdle;
        end
        default: state_d = RxIdle;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= RxIdle;
      cnt_q   <= '0;
      bit_q   <= '0;
      sh_q    <= '0;
    end else begin
      state_q <= state_d;
      cnt_q   <= cnt_d;
      bit_q   <= bit_d;
      sh_q    <= sh_d;
    end
  end

  assign data_o = sh_q;

endmodule
