// ioe_its_cmdq: the command queue of the ITS engine (docs/its.md, "Commands"): where the next
// command is in guest memory, the four beats of the command being executed, and its fields
// decoded. The sequencer does the DMA reads and owns CBASER, CWRITER and CREADR.
//
// Contract:
//   - Queue (combinational, of the instance being served): qsize_o is the queue's size in
//     bytes ((CBASER.Size + 1) * 4 KiB); pending_o says a command waits (enabled and
//     CREADR != CWRITER); fetch_addr_o is the I/O address of its first beat (the VM's
//     IOVA window ivm_i, CBASER's physical address + CREADR); creadr_next_o is CREADR
//     after this command (the offset + 32, 0 at the end of the queue).
//   - Beats: start_i restarts at beat 0; beat_i takes one beat (data_i, or a DMA error
//     err_i, which leaves the command with opcode 0 so that it does nothing); last_o says
//     the beat being taken is the fourth. w2_we_i overwrites word 2 with w2_wd_i
//     (RESTORE_TABLES keys the collection lookup on it).
//   - Decode: the fields of the command held and one flag per opcode class.

module ioe_its_cmdq (
  input  logic        clk_i,
  input  logic        rst_ni,
  // queue of the instance being served
  input  logic        en_i,
  input  logic [7:0]  ivm_i,
  input  logic [63:0] cbaser_i,
  input  logic [19:5] cwriter_i,
  input  logic [19:5] creadr_i,
  output logic [31:0] qsize_o,
  output logic        pending_o,
  output logic [63:0] fetch_addr_o,
  output logic [63:0] creadr_next_o,
  // beats
  input  logic        start_i,
  input  logic        beat_i,
  input  logic [63:0] data_i,
  input  logic        err_i,
  output logic        last_o,
  input  logic        w2_we_i,
  input  logic [63:0] w2_wd_i,
  // fields
  output logic [31:0] dev_o,     // DeviceID
  output logic [31:0] ev_o,      // EventID
  output logic [31:0] lpi_o,     // pINTID of MAPTI, EventID of MAPI
  output logic [4:0]  size_o,    // MAPD: EventID bits - 1
  output logic [43:0] itt_o,     // MAPD: ITT address [51:8]
  output logic [15:0] icid_o,
  output logic        v_o,       // MAPD, MAPC: Valid
  output logic [31:0] rd1_o,     // MAPC RDbase, MOVALL RDbase1 (vCPU)
  output logic [31:0] rd2_o,     // MOVALL RDbase2
  output logic [63:0] w2_o,
  // opcode classes
  output logic        is_mapd_o,
  output logic        is_mapc_o,
  output logic        is_mapti_o,  // MAPTI or MAPI
  output logic        is_int_o,
  output logic        is_movi_o,
  output logic        is_discard_o,
  output logic        is_clear_o,
  output logic        is_inv_o,
  output logic        is_invall_o,
  output logic        is_movall_o,
  output logic        inv_cache_o  // changes a translation (the translation cache is flushed)
);

  localparam logic [7:0] CMovi = 8'h01, CInt = 8'h03, CClear = 8'h04, CMapd = 8'h08,
                         CMapc = 8'h09, CMapti = 8'h0A, CMapi = 8'h0B, CInv = 8'h0C,
                         CInvall = 8'h0D, CMovall = 8'h0E, CDiscard = 8'h0F;

  logic [63:0] cmd_q [4];
  logic [1:0]  beat_q;

  // ---------------------------------------------------------------- queue
  logic [63:0] rd_off;
  assign rd_off        = {44'd0, creadr_i, 5'd0};
  assign qsize_o       = ({24'd0, cbaser_i[7:0]} + 32'd1) << 12;
  assign pending_o     = en_i && creadr_i != cwriter_i;
  assign fetch_addr_o  = {8'd0, ivm_i, 48'd0} | ({12'd0, cbaser_i[51:16], 16'd0} + rd_off);
  assign creadr_next_o = (rd_off + 64'd32 >= {32'd0, qsize_o}) ? 64'd0 : rd_off + 64'd32;

  // ---------------------------------------------------------------- beats
  assign last_o = beat_q == 2'd3;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int k = 0; k < 4; k++) cmd_q[k] <= '0;
      beat_q <= '0;
    end else begin
      if (start_i) beat_q <= '0;
      if (beat_i) begin
        cmd_q[beat_q] <= err_i ? 64'd0 : data_i;
        if (err_i) cmd_q[0] <= 64'd0;
        if (!last_o && !err_i) beat_q <= beat_q + 2'd1;
      end
      if (w2_we_i) cmd_q[2] <= w2_wd_i;
    end
  end

  // ---------------------------------------------------------------- decode
  logic [7:0] opc;
  assign opc    = cmd_q[0][7:0];
  assign dev_o  = cmd_q[0][63:32];
  assign ev_o   = cmd_q[1][31:0];
  assign lpi_o  = (opc == CMapi) ? cmd_q[1][31:0] : cmd_q[1][63:32];
  assign size_o = cmd_q[1][4:0];
  assign itt_o  = cmd_q[2][51:8];
  assign icid_o = cmd_q[2][15:0];
  assign v_o    = cmd_q[2][63];
  assign rd1_o  = cmd_q[2][47:16];
  assign rd2_o  = cmd_q[3][47:16];
  assign w2_o   = cmd_q[2];

  assign is_mapd_o    = opc == CMapd;
  assign is_mapc_o    = opc == CMapc;
  assign is_mapti_o   = opc == CMapti || opc == CMapi;
  assign is_int_o     = opc == CInt;
  assign is_movi_o    = opc == CMovi;
  assign is_discard_o = opc == CDiscard;
  assign is_clear_o   = opc == CClear;
  assign is_inv_o     = opc == CInv;
  assign is_invall_o  = opc == CInvall;
  assign is_movall_o  = opc == CMovall;
  assign inv_cache_o  = is_mapd_o || is_movi_o || is_discard_o || is_movall_o || is_mapc_o;

  logic unused;
  assign unused = ^{cbaser_i[63:52], cbaser_i[15:8]};

endmodule
