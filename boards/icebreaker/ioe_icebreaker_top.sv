// iCEBreaker board top: the 12 MHz oscillator through the iCE40 PLL to the design clock,
// power-on and button reset, the FT2232H channel B UART (pins 6 and 9) on the wire
// card's byte streams (rtl/src/ioe_wire_card.sv), LEDs and buttons. Pins: ioe_icebreaker.pcf.
//
// Design clock 8 MHz: the PLL makes 15.94 MHz (12 MHz x 85 / 64: icepll -i 12 -o 16; the
// PLL's output range starts at 16 MHz) and a flip-flop halves it to 7.97 MHz. UART 2 Mbaud
// (4 clocks per bit; 2 Mbaud is one of the FT2232H's exact rates, 12 MHz / 6; the board's
// bit is 0.4% longer). The GIC engine's longest path takes about 95 ns on the UP5K: 8 MHz
// keeps a quarter of the period spare. docs/boards.md says why.
//
// LEDs (the main board's are active low): green blinks (heartbeat, about 1 Hz), red lights
// when a frame was dropped; on the PMOD 2 board LED1 receive, LED2 transmit, LED3 a
// notification, LED4 a request served (each lit for 66 to 132 ms after the event). The user
// button resets the card and the bridge; BTN1..BTN3 drive wired SPI lines 0..2.

module ioe_icebreaker_top (
  input  logic clk_12m_i,
  input  logic uart_rx_i,
  output logic uart_tx_o,
  input  logic btn_ni,
  output logic led_red_no,
  output logic led_grn_no,
  output logic led1_o,
  output logic led2_o,
  output logic led3_o,
  output logic led4_o,
  input  logic btn1_i,
  input  logic btn2_i,
  input  logic btn3_i
);

  localparam int unsigned ClkHz      = 8_000_000;  // nominal (7.97 MHz)
  localparam int unsigned Baud       = 2_000_000;
  localparam int unsigned NrWired    = ioe_reg_pkg::NrWiredSmall;

  logic       clk_pll, clk_q, clk, lock, btn_n, rst_n;
  logic [7:0] por_q;
  logic       rx_valid, rx_ready, tx_valid, tx_ready;
  logic [7:0] rx_data, tx_data;
  logic       rx_err, served, drop, notify;
  logic [NrWired-1:0] wired;
  logic [31:0] cycle;  // the card's bridge counts the clock cycles from reset
  logic [4:0]  seen_q, led_q, ev;
  logic        tick;
  logic        unused_bits;

  // 12 MHz x (DIVF+1) / 2^DIVQ = 12 x 85 / 64 = 15.94 MHz (VCO 1020 MHz)
  SB_PLL40_PAD #(
    .FEEDBACK_PATH("SIMPLE"),
    .DIVR         (4'b0000),
    .DIVF         (7'b1010100),
    .DIVQ         (3'b110),
    .FILTER_RANGE (3'b001)
  ) u_pll (
    .PACKAGEPIN  (clk_12m_i),
    .PLLOUTCORE  (clk_pll),
    .PLLOUTGLOBAL(),
    .EXTFEEDBACK (1'b0),
    .DYNAMICDELAY(8'd0),
    .LOCK        (lock),
    .BYPASS      (1'b0),
    .RESETB      (1'b1),
    .LATCHINPUTVALUE(1'b0),
    .SDO         (),
    .SDI         (1'b0),
    .SCLK        (1'b0)
  );

  // the design clock: the PLL's output halved (nextpnr puts it on a global buffer)
  always_ff @(posedge clk_pll or negedge lock) begin
    if (!lock) clk_q <= 1'b0;
    else clk_q <= ~clk_q;
  end
  assign clk = clk_q;

  // reset: held until the PLL locks, then 255 cycles; the button restarts it
  ioe_sync #(
    .Width     (1),
    .ResetValue(1'b1)
  ) u_btn_sync (
    .clk_i (clk),
    .rst_ni(lock),
    .d_i   (btn_ni),
    .q_o   (btn_n)
  );

  always_ff @(posedge clk or negedge lock) begin
    if (!lock) por_q <= '0;
    else if (!btn_n) por_q <= '0;
    else if (por_q != 8'hFF) por_q <= por_q + 1'b1;
  end
  assign rst_n = (por_q == 8'hFF);

  ioe_uart_rx #(
    .ClksPerBit(ClkHz / Baud)
  ) u_rx (
    .clk_i      (clk),
    .rst_ni     (rst_n),
    .rx_i       (uart_rx_i),
    .valid_o    (rx_valid),
    .data_o     (rx_data),
    .frame_err_o(rx_err)
  );

  ioe_uart_tx #(
    .ClksPerBit(ClkHz / Baud)
  ) u_tx (
    .clk_i  (clk),
    .rst_ni (rst_n),
    .valid_i(tx_valid),
    .ready_o(tx_ready),
    .data_i (tx_data),
    .tx_o   (uart_tx_o)
  );

  assign wired = NrWired'({btn3_i, btn2_i, btn1_i});

  ioe_wire_card #(
    .ClkHz(ClkHz)
  ) u_card (
    .clk_i      (clk),
    .rst_ni     (rst_n),
    .in_valid_i (rx_valid),
    .in_ready_o (rx_ready),  // a byte that finds the ring full is lost (its frame fails)
    .in_data_i  (rx_data),
    .out_valid_o(tx_valid),
    .out_ready_i(tx_ready),
    .out_data_o (tx_data),
    .wired_i    (wired),
    .served_o   (served),
    .drop_o     (drop),
    .notify_o   (notify),
    .cycle_o    (cycle)
  );

  // LEDs: an event lights its LED from the next tick (every 2^19 cycles, 66 ms) to the one after
  assign ev   = {served, notify, tx_valid & tx_ready, rx_valid, drop | rx_err};
  assign tick = (cycle[18:0] == '0);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      seen_q <= '0;
      led_q  <= '0;
    end else begin
      if (tick) begin
        led_q  <= seen_q | ev;
        seen_q <= '0;
      end else begin
        seen_q <= seen_q | ev;
      end
    end
  end

  assign led_grn_no = ~cycle[22];
  assign led_red_no = ~led_q[0];
  assign led1_o     = led_q[1];
  assign led2_o     = led_q[2];
  assign led3_o     = led_q[3];
  assign led4_o     = led_q[4];
  assign unused_bits = ^{rx_ready, cycle[31:23]};

endmodule
