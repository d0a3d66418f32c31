// Small synchronous first-word-fall-through FIFO, for control streams. The storage is
// flip-flops, or with Ram = 1 a block RAM (ioe_ram) read one cycle ahead: same ports and
// same cycle-by-cycle behaviour, for FIFOs whose flops and read multiplexer cost more
// logic than a RAM (the iCE40's logic cells run out long before its RAMs do).

module ioe_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4,  // power of two, >= 2
  parameter bit          Ram   = 1'b0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o
);

  localparam int unsigned PtrW = $clog2(Depth);

  logic [PtrW-1:0]  wptr_q, rptr_q;
  logic [PtrW:0]    count_q;
  logic             push, pop;

  assign in_ready_o  = (count_q != (PtrW + 1)'(Depth));
  assign out_valid_o = (count_q != '0);
  assign push        = in_valid_i & in_ready_o;
  assign pop         = out_valid_o & out_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q  <= '0;
      rptr_q  <= '0;
      count_q <= '0;
    end else begin
      if (push) wptr_q <= wptr_q + 1'b1;
      if (pop) rptr_q <= rptr_q + 1'b1;
      if (push && !pop) count_q <= count_q + 1'b1;
      else if (pop && !push) count_q <= count_q - 1'b1;
    end
  end

  if (Ram) begin : g_ram
    // the RAM reads the head of the next cycle; a record written into that slot in this
    // cycle (a push into a FIFO that is empty after this cycle's pop) is forwarded
    logic [PtrW-1:0]  rptr_d;
    logic [Width-1:0] ram_data, fwd_q;
    logic             fwd_q_sel;

    assign rptr_d = pop ? rptr_q + 1'b1 : rptr_q;

    ioe_ram #(
      .Width    (Width),
      .AddrWidth(PtrW),
      .NoRwCheck(1'b1)  // that read's data is never used: fwd_q replaces it
    ) u_mem (
      .clk_i  (clk_i),
      .we_i   (push),
      .waddr_i(wptr_q),
      .wdata_i(in_data_i),
      .raddr_i(rptr_d),
      .rdata_o(ram_data)
    );

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) fwd_q_sel <= 1'b0;
      else fwd_q_sel <= push && (wptr_q == rptr_d);
    end
    always_ff @(posedge clk_i) begin
      fwd_q <= in_data_i;
    end
    assign out_data_o = fwd_q_sel ? fwd_q : ram_data;
  end else begin : g_flops
    logic [Width-1:0] mem_q [Depth];

    always_ff @(posedge clk_i) begin
      if (push) mem_q[wptr_q] <= in_data_i;
    end
    assign out_data_o = mem_q[rptr_q];
  end

endmodule
