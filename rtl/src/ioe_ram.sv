// Simple dual-port memory of the engines (GIC, ITS, XIVE): one write port, one synchronous read port
// (read data the cycle after the address), written as the block-RAM inference template
// of Yosys and Vivado. No reset: each engine clears or sweeps what it uses before it reads
// it. A read of the address being written in the same cycle may return either value; an
// engine that needs the new value forwards it itself. The memory is always block RAM, even
// where it is small enough that Yosys would build it from flip-flops and LUT multiplexers:
// on the iCE40 the LUTs run out long before the 4-kbit RAMs do.
//
// NoRwCheck = 1 (an engine that never uses the data of such a read, e.g. the GIC) marks the
// memory `no_rw_check`: that read returns an undefined value and synthesis builds no
// collision logic (on the iCE40, whose RAMs do not define it, a comparator and a multiplexer
// of the read data: 180 LUTs for the GIC's 177-bit misc memory).

module ioe_ram #(
  parameter int unsigned Width     = 8,
  parameter int unsigned AddrWidth = 4,
  parameter bit          NoRwCheck = 1'b0,
  localparam int unsigned Depth    = 1 << AddrWidth
) (
  input  logic                 clk_i,
  input  logic                 we_i,
  input  logic [AddrWidth-1:0] waddr_i,
  input  logic [Width-1:0]     wdata_i,
  input  logic [AddrWidth-1:0] raddr_i,
  output logic [Width-1:0]     rdata_o
);

  if (NoRwCheck) begin : g_no_rw_check
    (* ram_style = "block", no_rw_check *)
    logic [Width-1:0] mem_q [Depth];

    always_ff @(posedge clk_i) begin
      if (we_i) mem_q[waddr_i] <= wdata_i;
      rdata_o <= mem_q[raddr_i];
    end
  end else begin : g_read_first
    (* ram_style = "block" *)
    logic [Width-1:0] mem_q [Depth];

    always_ff @(posedge clk_i) begin
      if (we_i) mem_q[waddr_i] <= wdata_i;
      rdata_o <= mem_q[raddr_i];
    end
  end

endmodule
