// ioe_rv32_core: the management core's RV32I processor (docs/firmware.md).
//
// A multi-cycle machine without a pipeline: fetch (memory read), decode (register-file read),
// execute (ALU, branch, address; memory or bus request), then for loads one more cycle from
// memory or as many as the register bus takes. ALU instructions take 3 cycles, loads and
// stores to memory 3-4, bus accesses 3 plus the bus latency.
//
// Address map: memory (code and data, one port) at 0 .. 4*2^MemAddrWidth-1; the card's CSR
// window (ioe_csr_fabric) at BusBase + 0 .. 2^BusAddrWidth-1. No CSRs (Zicsr) and no
// interrupts: every exception stops the core (trapped_o) with an mcause-numbered cause and the
// PC of the instruction (of the target for a fetch outside memory), until run_i is taken low (the host, or the watchdog, restarts it).
// FENCE and FENCE.I are no-ops (one memory port, nothing to order).
//
// The register file is a two-read-port memory with synchronous reads (block or distributed
// RAM); x0 is never written and reads as zero through a mask.

module ioe_rv32_core #(
  parameter int unsigned MemAddrWidth = 11,
  parameter int unsigned BusAddrWidth = 20,
  parameter logic [31:0] BusBase      = 32'h8000_0000
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    run_i,  // 0: held at PC 0 (synchronous)
  // memory: read data the cycle after the request
  output logic                    mem_req_o,
  output logic                    mem_we_o,
  output logic [MemAddrWidth-1:0] mem_addr_o,
  output logic [31:0]             mem_wdata_o,
  output logic [3:0]              mem_wstrb_o,
  input  logic [31:0]             mem_rdata_i,
  // register bus master (one request in flight; a one-cycle request, the response later)
  output logic                    bus_req_valid_o,
  output logic                    bus_req_write_o,
  output logic [BusAddrWidth-1:0] bus_req_addr_o,
  output logic [31:0]             bus_req_wdata_o,
  output logic [3:0]              bus_req_wstrb_o,
  input  logic                    bus_rsp_valid_i,
  input  logic [31:0]             bus_rsp_rdata_i,
  input  logic                    bus_rsp_error_i,
  // trap state
  output logic                    trapped_o,
  output logic [3:0]              trap_cause_o,
  output logic [31:0]             trap_pc_o
);

  // mcause values of the exceptions the core raises
  localparam logic [3:0] CauseFetchMisaligned = 4'd0;
  localparam logic [3:0] CauseFetchFault      = 4'd1;
  localparam logic [3:0] CauseIllegal         = 4'd2;
  localparam logic [3:0] CauseBreak           = 4'd3;
  localparam logic [3:0] CauseLoadMisaligned  = 4'd4;
  localparam logic [3:0] CauseLoadFault       = 4'd5;
  localparam logic [3:0] CauseStoreMisaligned = 4'd6;
  localparam logic [3:0] CauseStoreFault      = 4'd7;
  localparam logic [3:0] CauseEcall           = 4'd11;

  localparam logic [6:0] OpLui    = 7'b0110111;
  localparam logic [6:0] OpAuipc  = 7'b0010111;
  localparam logic [6:0] OpJal    = 7'b1101111;
  localparam logic [6:0] OpJalr   = 7'b1100111;
  localparam logic [6:0] OpBranch = 7'b1100011;
  localparam logic [6:0] OpLoad   = 7'b0000011;
  localparam logic [6:0] OpStore  = 7'b0100011;
  localparam logic [6:0] OpImm    = 7'b0010011;
  localparam logic [6:0] OpReg    = 7'b0110011;
  localparam logic [6:0] OpFence  = 7'b0001111;
  localparam logic [6:0] OpSystem = 7'b1110011;

  localparam int unsigned MemBytesBits = MemAddrWidth + 2;

  typedef enum logic [2:0] {
    StFetch,
    StDecode,
    StExec,
    StLoad,
    StBus,
    StTrap
  } state_e;

  state_e      state_q;
  logic [31:0] pc_q, instr_q, rs1_q, rs2_q;
  logic [1:0]  ls_off_q;
  logic [3:0]  cause_q;

  // ---------------------------------------------------------------- register file
  logic [31:0] rf_q [32];
  logic        rf_we;
  logic [31:0] rf_wdata;
  logic [31:0] rs1, rs2;

  always_ff @(posedge clk_i) begin
    if (rf_we) rf_q[instr_q[11:7]] <= rf_wdata;
    rs1_q <= rf_q[mem_rdata_i[19:15]];
    rs2_q <= rf_q[mem_rdata_i[24:20]];
  end
  assign rs1 = (instr_q[19:15] == 5'd0) ? 32'd0 : rs1_q;
  assign rs2 = (instr_q[24:20] == 5'd0) ? 32'd0 : rs2_q;

  // ---------------------------------------------------------------- decode and execute
  logic [6:0]  opcode;
  logic [2:0]  f3;
  logic [6:0]  f7;
  logic [31:0] imm_i, imm_s, imm_b, imm_u, imm_j;

  assign opcode = instr_q[6:0];
  assign f3     = instr_q[14:12];
  assign f7     = instr_q[31:25];
  assign imm_i  = {{20{instr_q[31]}}, instr_q[31:20]};
  assign imm_s  = {{20{instr_q[31]}}, instr_q[31:25], instr_q[11:7]};
  assign imm_b  = {{19{instr_q[31]}}, instr_q[31], instr_q[7], instr_q[30:25], instr_q[11:8], 1'b0};
  assign imm_u  = {instr_q[31:12], 12'd0};
  assign imm_j  = {{11{instr_q[31]}}, instr_q[31], instr_q[19:12], instr_q[20], instr_q[30:21], 1'b0};

  // ALU of OP and OP-IMM
  logic [31:0] alu_b, alu;
  logic [4:0]  shamt;
  logic        alt;  // SUB / SRA

  assign alu_b = (opcode == OpReg) ? rs2 : imm_i;
  assign shamt = alu_b[4:0];
  assign alt   = f7[5] & ((opcode == OpReg & f3 == 3'b000) | f3 == 3'b101);

  always_comb begin
    unique case (f3)
      3'b000:  alu = alt ? rs1 - alu_b : rs1 + alu_b;
      3'b001:  alu = rs1 << shamt;
      3'b010:  alu = {31'd0, $signed(rs1) < $signed(alu_b)};
      3'b011:  alu = {31'd0, rs1 < alu_b};
      3'b100:  alu = rs1 ^ alu_b;
      3'b101:  alu = alt ? 32'($signed(rs1) >>> shamt) : rs1 >> shamt;
      3'b110:  alu = rs1 | alu_b;
      default: alu = rs1 & alu_b;
    endcase
  end

  logic taken;
  always_comb begin
    unique case (f3)
      3'b000:  taken = rs1 == rs2;
      3'b001:  taken = rs1 != rs2;
      3'b100:  taken = $signed(rs1) < $signed(rs2);
      3'b101:  taken = $signed(rs1) >= $signed(rs2);
      3'b110:  taken = rs1 < rs2;
      default: taken = rs1 >= rs2;
    endcase
  end

  // legal encodings of RV32I (plus FENCE.I); everything else is an illegal instruction
  logic legal;
  always_comb begin
    unique case (opcode)
      OpLui, OpAuipc, OpJal: legal = 1'b1;
      OpJalr:   legal = f3 == 3'b000;
      OpBranch: legal = f3 != 3'b010 && f3 != 3'b011;
      OpLoad:   legal = f3 != 3'b011 && f3 != 3'b110 && f3 != 3'b111;
      OpStore:  legal = f3 == 3'b000 || f3 == 3'b001 || f3 == 3'b010;
      OpImm:    legal = f3 == 3'b001 ? f7 == 7'd0 :
                        f3 == 3'b101 ? (f7 == 7'd0 || f7 == 7'h20) : 1'b1;
      OpReg:    legal = f7 == 7'd0 || (f7 == 7'h20 && (f3 == 3'b000 || f3 == 3'b101));
      OpFence:  legal = f3 == 3'b000 || f3 == 3'b001;
      default:  legal = 1'b0;  // SYSTEM is handled on its own
    endcase
  end

  // next PC, write-back of the instructions that finish in StExec
  logic [31:0] pc_seq, pc_jump, ls_addr;
  logic        jumps, wb_exec;
  logic [31:0] wb_exec_data;

  assign pc_seq  = pc_q + 32'd4;
  assign pc_jump = opcode == OpJalr ? (rs1 + imm_i) & ~32'd1 :
                   opcode == OpJal  ? pc_q + imm_j : pc_q + imm_b;
  assign jumps   = opcode == OpJal || opcode == OpJalr || (opcode == OpBranch && taken);
  assign ls_addr = rs1 + (opcode == OpStore ? imm_s : imm_i);

  always_comb begin
    wb_exec      = 1'b1;
    wb_exec_data = alu;
    unique case (opcode)
      OpLui:          wb_exec_data = imm_u;
      OpAuipc:        wb_exec_data = pc_q + imm_u;
      OpJal, OpJalr:  wb_exec_data = pc_seq;
      OpImm, OpReg:   wb_exec_data = alu;
      default:        wb_exec = 1'b0;
    endcase
  end

  // loads and stores: alignment, region, byte lanes
  logic        is_load, is_store, ls_misaligned, ls_mem, ls_bus;
  logic [3:0]  st_strb;
  logic [31:0] st_data;

  assign is_load       = opcode == OpLoad;
  assign is_store      = opcode == OpStore;
  assign ls_misaligned = (f3[1:0] == 2'b01 && ls_addr[0]) || (f3[1:0] == 2'b10 && ls_addr[1:0] != 2'b00);
  assign ls_mem        = ls_addr[31:MemBytesBits] == '0;
  assign ls_bus        = ls_addr[31:BusAddrWidth] == BusBase[31:BusAddrWidth];
  assign st_strb       = (f3[1:0] == 2'b00 ? 4'b0001 : f3[1:0] == 2'b01 ? 4'b0011 : 4'b1111)
                         << ls_addr[1:0];
  assign st_data       = rs2 << {ls_addr[1:0], 3'b000};

  // the exception an instruction in StExec raises, if any
  logic       exc;
  logic [3:0] exc_cause;
  always_comb begin
    exc       = 1'b1;
    exc_cause = CauseIllegal;
    if (opcode == OpSystem) begin
      exc_cause = instr_q == 32'h0000_0073 ? CauseEcall :
                  instr_q == 32'h0010_0073 ? CauseBreak : CauseIllegal;
    end else if (!legal) begin
      exc_cause = CauseIllegal;
    end else if (jumps && pc_jump[1]) begin
      exc_cause = CauseFetchMisaligned;
    end else if ((is_load || is_store) && ls_misaligned) begin
      exc_cause = is_load ? CauseLoadMisaligned : CauseStoreMisaligned;
    end else if ((is_load || is_store) && !ls_mem && !ls_bus) begin
      exc_cause = is_load ? CauseLoadFault : CauseStoreFault;
    end else begin
      exc = 1'b0;
    end
  end

  // load data: the addressed lanes of the word, sign- or zero-extended
  logic [31:0] ld_word, ld_shift, ld_data;
  assign ld_word  = state_q == StBus ? bus_rsp_rdata_i : mem_rdata_i;
  assign ld_shift = ld_word >> {ls_off_q, 3'b000};
  always_comb begin
    unique case (f3)
      3'b000:  ld_data = {{24{ld_shift[7]}}, ld_shift[7:0]};
      3'b001:  ld_data = {{16{ld_shift[15]}}, ld_shift[15:0]};
      3'b100:  ld_data = {24'd0, ld_shift[7:0]};
      3'b101:  ld_data = {16'd0, ld_shift[15:0]};
      default: ld_data = ld_shift;
    endcase
  end

  // ---------------------------------------------------------------- ports
  logic exec_ok;
  assign exec_ok = state_q == StExec && !exc;

  assign mem_req_o   = state_q == StFetch || (exec_ok && (is_load || is_store) && ls_mem);
  assign mem_we_o    = exec_ok && is_store && ls_mem;
  assign mem_addr_o  = state_q == StFetch ? pc_q[MemBytesBits-1:2] : ls_addr[MemBytesBits-1:2];
  assign mem_wdata_o = st_data;
  assign mem_wstrb_o = st_strb;

  assign bus_req_valid_o = exec_ok && (is_load || is_store) && !ls_mem;
  assign bus_req_write_o = is_store;
  assign bus_req_addr_o  = {ls_addr[BusAddrWidth-1:2], 2'b00};
  assign bus_req_wdata_o = st_data;
  assign bus_req_wstrb_o = is_store ? st_strb : 4'b0000;

  logic bus_done;
  assign bus_done = state_q == StBus && bus_rsp_valid_i;
  assign rf_we    = instr_q[11:7] != 5'd0 &&
                    ((exec_ok && wb_exec) || state_q == StLoad ||
                     (bus_done && !bus_rsp_error_i && is_load));
  assign rf_wdata = state_q == StExec ? wb_exec_data : ld_data;

  assign trapped_o    = state_q == StTrap;
  assign trap_cause_o = cause_q;
  assign trap_pc_o    = pc_q;

  // ---------------------------------------------------------------- sequence
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StFetch;
      pc_q     <= '0;
      instr_q  <= '0;
      ls_off_q <= '0;
      cause_q  <= '0;
    end else if (!run_i) begin
      state_q <= StFetch;
      pc_q    <= '0;
      cause_q <= '0;
    end else begin
      unique case (state_q)
        StFetch: begin
          if (pc_q[31:MemBytesBits] != '0) begin  // outside memory: fetch fault at the target
            cause_q <= CauseFetchFault;
            state_q <= StTrap;
          end else begin
            state_q <= StDecode;
          end
        end
        StDecode: begin
          instr_q <= mem_rdata_i;
          state_q <= StExec;
        end
        StExec: begin
          ls_off_q <= ls_addr[1:0];
          if (exc) begin
            cause_q <= exc_cause;
            state_q <= StTrap;
          end else if (is_load && ls_mem) begin
            state_q <= StLoad;
          end else if ((is_load || is_store) && !ls_mem) begin
            state_q <= StBus;
          end else begin
            pc_q    <= jumps ? pc_jump : pc_seq;
            state_q <= StFetch;
          end
        end
        StLoad: begin
          pc_q    <= pc_seq;
          state_q <= StFetch;
        end
        StBus: begin
          if (bus_rsp_valid_i) begin
            if (bus_rsp_error_i) begin
              cause_q <= is_load ? CauseLoadFault : CauseStoreFault;
              state_q <= StTrap;
            end else begin
              pc_q    <= pc_seq;
              state_q <= StFetch;
            end
          end
        end
        default: ;  // StTrap: stopped until run_i goes low
      endcase
    end
  end

endmodule
