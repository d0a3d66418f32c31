// ioe_axil_arb: two AXI4-Lite masters onto one slave, one transaction at a time.
//
// When the bus is free, a waiting master is granted one read (AR and R) or one write (AW, W
// and B); its channels then pass straight through until the slave's response is taken. When
// both masters wait, they take turns; a master waiting with both a read and a write gets the
// read first. Master 0 is the host's port (PCIe BAR0), master 1 the JTAG debug bridge. Adds
// one cycle to each access (the grant is a register).

module ioe_axil_arb #(
  parameter int unsigned AddrWidth = 20
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // masters 0 and 1, bit i / slice i of each port
  input  logic [1:0]               s_axil_awvalid_i,
  output logic [1:0]               s_axil_awready_o,
  input  logic [2*AddrWidth-1:0]   s_axil_awaddr_i,
  input  logic [1:0]               s_axil_wvalid_i,
  output logic [1:0]               s_axil_wready_o,
  input  logic [63:0]              s_axil_wdata_i,
  input  logic [7:0]               s_axil_wstrb_i,
  output logic [1:0]               s_axil_bvalid_o,
  input  logic [1:0]               s_axil_bready_i,
  output logic [1:0]               s_axil_bresp_o,
  input  logic [1:0]               s_axil_arvalid_i,
  output logic [1:0]               s_axil_arready_o,
  input  logic [2*AddrWidth-1:0]   s_axil_araddr_i,
  output logic [1:0]               s_axil_rvalid_o,
  input  logic [1:0]               s_axil_rready_i,
  output logic [31:0]              s_axil_rdata_o,
  output logic [1:0]               s_axil_rresp_o,
  // the slave
  output logic                     m_axil_awvalid_o,
  input  logic                     m_axil_awready_i,
  output logic [AddrWidth-1:0]     m_axil_awaddr_o,
  output logic                     m_axil_wvalid_o,
  input  logic                     m_axil_wready_i,
  output logic [31:0]              m_axil_wdata_o,
  output logic [3:0]               m_axil_wstrb_o,
  input  logic                     m_axil_bvalid_i,
  output logic                     m_axil_bready_o,
  input  logic [1:0]               m_axil_bresp_i,
  output logic                     m_axil_arvalid_o,
  input  logic                     m_axil_arready_i,
  output logic [AddrWidth-1:0]     m_axil_araddr_o,
  input  logic                     m_axil_rvalid_i,
  output logic                     m_axil_rready_o,
  input  logic [31:0]              m_axil_rdata_i,
  input  logic [1:0]               m_axil_rresp_i
);

  logic       granted_q, owner_q, read_q, turn_q;  // turn_q: who wins when both wait
  logic [1:0] wants;
  logic       pick, rd, wr, done;

  assign wants = s_axil_arvalid_i | s_axil_awvalid_i | s_axil_wvalid_i;
  assign pick  = (wants == 2'b11) ? turn_q : wants[1];
  assign rd    = granted_q & read_q;
  assign wr    = granted_q & ~read_q;
  assign done  = (rd & m_axil_rvalid_i & s_axil_rready_i[owner_q]) |
                 (wr & m_axil_bvalid_i & s_axil_bready_i[owner_q]);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      granted_q <= 1'b0;
      owner_q   <= 1'b0;
      read_q    <= 1'b0;
      turn_q    <= 1'b0;
    end else if (!granted_q) begin
      if (wants != 2'b00) begin
        granted_q <= 1'b1;
        owner_q   <= pick;
        read_q    <= s_axil_arvalid_i[pick];
        turn_q    <= ~pick;
      end
    end else if (done) begin
      granted_q <= 1'b0;
    end
  end

  // the owner's channels to the slave
  assign m_axil_arvalid_o = rd & s_axil_arvalid_i[owner_q];
  assign m_axil_araddr_o  = s_axil_araddr_i[owner_q*AddrWidth+:AddrWidth];
  assign m_axil_rready_o  = rd & s_axil_rready_i[owner_q];
  assign m_axil_awvalid_o = wr & s_axil_awvalid_i[owner_q];
  assign m_axil_awaddr_o  = s_axil_awaddr_i[owner_q*AddrWidth+:AddrWidth];
  assign m_axil_wvalid_o  = wr & s_axil_wvalid_i[owner_q];
  assign m_axil_wdata_o   = s_axil_wdata_i[owner_q*32+:32];
  assign m_axil_wstrb_o   = s_axil_wstrb_i[owner_q*4+:4];
  assign m_axil_bready_o  = wr & s_axil_bready_i[owner_q];

  // the slave's answers to the owner only
  always_comb begin
    s_axil_arready_o = '0;
    s_axil_rvalid_o  = '0;
    s_axil_awready_o = '0;
    s_axil_wready_o  = '0;
    s_axil_bvalid_o  = '0;
    s_axil_arready_o[owner_q] = rd & m_axil_arready_i;
    s_axil_rvalid_o[owner_q]  = rd & m_axil_rvalid_i;
    s_axil_awready_o[owner_q] = wr & m_axil_awready_i;
    s_axil_wready_o[owner_q]  = wr & m_axil_wready_i;
    s_axil_bvalid_o[owner_q]  = wr & m_axil_bvalid_i;
  end
  assign s_axil_rdata_o = m_axil_rdata_i;
  assign s_axil_rresp_o = m_axil_rresp_i;
  assign s_axil_bresp_o = m_axil_bresp_i;

endmodule
