// ioe_jtag_dbg: the JTAG debug bridge. A 64-bit user data register (behind ioe_jtag_tap's
// USER1 or a BSCANE2) carries one command word per scan; the bridge performs it as an
// AXI4-Lite master on the card's CSR port, in the card's clock domain. docs/jtag.md.
//
// Command word shifted in (LSB first):
//   [31:0]  data (WRITE)      [51:32] byte address      [63:62] op: 0 NOP, 1 READ, 2 WRITE
// Status word shifted out in the same scan (captured at Capture-DR):
//   [31:0]  data of the last completed READ (0 after a WRITE)
//   [32]    busy: an access is still running; the command of this scan is ignored
//   [33]    error: the last completed access answered SLVERR or DECERR
//   [35:34] op of the last completed access
//   [63:48] 16'hd0b1 (the bridge's signature; protocol version 1)
// Reads are pipelined: scan READ, then scan NOP (or the next command) to collect the data.
//
// Clock crossing: a command is handed over with a toggle (req_tgl_q, tck_i domain) that the
// clk_i domain sees through ioe_sync; the answer comes back with a toggle the other way.
// The command and the answer registers stay still while their toggle is in flight.

module ioe_jtag_dbg #(
  parameter int unsigned AddrWidth = 20
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // JTAG user data register (BSCANE2's signals, tck_i domain)
  input  logic                 tck_i,
  input  logic                 sel_i,
  input  logic                 capture_i,
  input  logic                 shift_i,
  input  logic                 update_i,
  input  logic                 tdi_i,
  output logic                 tdo_o,
  // AXI4-Lite master (clk_i domain)
  output logic                 m_axil_awvalid_o,
  input  logic                 m_axil_awready_i,
  output logic [AddrWidth-1:0] m_axil_awaddr_o,
  output logic                 m_axil_wvalid_o,
  input  logic                 m_axil_wready_i,
  output logic [31:0]          m_axil_wdata_o,
  output logic [3:0]           m_axil_wstrb_o,
  input  logic                 m_axil_bvalid_i,
  output logic                 m_axil_bready_o,
  input  logic [1:0]           m_axil_bresp_i,
  output logic                 m_axil_arvalid_o,
  input  logic                 m_axil_arready_i,
  output logic [AddrWidth-1:0] m_axil_araddr_o,
  input  logic                 m_axil_rvalid_i,
  output logic                 m_axil_rready_o,
  input  logic [31:0]          m_axil_rdata_i,
  input  logic [1:0]           m_axil_rresp_i
);

  localparam logic [1:0]  OpNop = 2'd0, OpRead = 2'd1, OpWrite = 2'd2;
  localparam logic [15:0] Signature = 16'hd0b1;

  // ---------------------------------------------------------------- tck_i domain
  logic [63:0] dr_q;
  logic        req_tgl_q, accept_q, ack_tgl_tck, busy;
  logic [1:0]  cmd_op_q;
  logic [AddrWidth-1:0] cmd_addr_q;
  logic [31:0] cmd_data_q;
  // the answer, written by the clk_i domain before it toggles ack_tgl_q
  logic [31:0] rsp_data_q;
  logic        rsp_err_q;
  logic [1:0]  rsp_op_q;
  logic        ack_tgl_q;

  ioe_sync u_ack_sync (
    .clk_i (tck_i),
    .rst_ni(rst_ni),
    .d_i   (ack_tgl_q),
    .q_o   (ack_tgl_tck)
  );

  assign busy = req_tgl_q ^ ack_tgl_tck;

  always_ff @(posedge tck_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dr_q       <= '0;
      req_tgl_q  <= 1'b0;
      accept_q   <= 1'b0;
      cmd_op_q   <= OpNop;
      cmd_addr_q <= '0;
      cmd_data_q <= '0;
    end else if (sel_i) begin
      if (capture_i) begin
        // the answer's registers are read only while no access runs (they hold still then)
        dr_q     <= busy ? {Signature, 15'd0, 1'b1, 32'd0}
                         : {Signature, 12'd0, rsp_op_q, rsp_err_q, 1'b0, rsp_data_q};
        accept_q <= ~busy;
      end else if (shift_i) begin
        dr_q <= {tdi_i, dr_q[63:1]};
      end else if (update_i && accept_q) begin
        accept_q <= 1'b0;
        if (dr_q[63:62] == OpRead || dr_q[63:62] == OpWrite) begin
          cmd_op_q   <= dr_q[63:62];
          cmd_addr_q <= dr_q[32+:AddrWidth];
          cmd_data_q <= dr_q[31:0];
          req_tgl_q  <= ~req_tgl_q;
        end
      end
    end
  end

  assign tdo_o = dr_q[0];

  // ---------------------------------------------------------------- clk_i domain
  typedef enum logic [1:0] {StIdle, StRead, StWrite} state_e;

  state_e state_q;
  logic   req_tgl_clk, aw_done_q, w_done_q;
  logic   unused;

  assign unused = m_axil_bresp_i[0] ^ m_axil_rresp_i[0];  // OKAY/EXOKAY vs SLVERR/DECERR: bit 1

  ioe_sync u_req_sync (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (req_tgl_q),
    .q_o   (req_tgl_clk)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      aw_done_q  <= 1'b0;
      w_done_q   <= 1'b0;
      ack_tgl_q  <= 1'b0;
      rsp_data_q <= '0;
      rsp_err_q  <= 1'b0;
      rsp_op_q   <= OpNop;
    end else begin
      unique case (state_q)
        StIdle: begin
          if (req_tgl_clk != ack_tgl_q) begin
            state_q   <= (cmd_op_q == OpWrite) ? StWrite : StRead;
            aw_done_q <= 1'b0;
            w_done_q  <= 1'b0;
          end
        end
        StRead: begin
          if (m_axil_rvalid_i) begin
            rsp_data_q <= m_axil_rdata_i;
            rsp_err_q  <= m_axil_rresp_i[1];
            rsp_op_q   <= OpRead;
            ack_tgl_q  <= ~ack_tgl_q;
            state_q    <= StIdle;
          end
        end
        StWrite: begin
          if (m_axil_awready_i) aw_done_q <= 1'b1;
          if (m_axil_wready_i) w_done_q <= 1'b1;
          if (m_axil_bvalid_i) begin
            rsp_data_q <= '0;
            rsp_err_q  <= m_axil_bresp_i[1];
            rsp_op_q   <= OpWrite;
            ack_tgl_q  <= ~ack_tgl_q;
            state_q    <= StIdle;
          end
        end
        default: state_q <= StIdle;
      endcase
    end
  end

  // the address phase is held until taken; the response is taken in the cycle it comes
  logic ar_done_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ar_done_q <= 1'b0;
    else if (state_q != StRead) ar_done_q <= 1'b0;
    else if (m_axil_arready_i) ar_done_q <= 1'b1;
  end

  assign m_axil_arvalid_o = (state_q == StRead) & ~ar_done_q;
  assign m_axil_araddr_o  = cmd_addr_q;
  assign m_axil_rready_o  = (state_q == StRead);
  assign m_axil_awvalid_o = (state_q == StWrite) & ~aw_done_q;
  assign m_axil_awaddr_o  = cmd_addr_q;
  assign m_axil_wvalid_o  = (state_q == StWrite) & ~w_done_q;
  assign m_axil_wdata_o   = cmd_data_q;
  assign m_axil_wstrb_o   = 4'hf;
  assign m_axil_bready_o  = (state_q == StWrite);

endmodule
