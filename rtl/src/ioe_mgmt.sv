// ioe_mgmt: the management block (register block 5, docs/firmware.md): the RV32I core
// (ioe_rv32_core) with its memory, a master port onto the register bus, and what it shares
// with the host: control and image loading, the mailbox (doorbell, eight message words, an
// answer notification), the console ring, the timer (the card's cycle counter) and the
// watchdog.

module ioe_mgmt #(
  parameter int unsigned MemWords     = ioe_reg_pkg::MgmtMemWordsDefault,
  parameter              InitFile     = "",
  parameter int unsigned ConsoleDepth = 64,
  localparam int unsigned AW          = ioe_reg_pkg::CSR_ADDR_WIDTH,
  localparam int unsigned BS          = ioe_reg_pkg::CSR_BLOCK_SHIFT
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // register block (slave)
  input  logic                req_valid_i,
  input  logic                req_write_i,
  input  logic [BS-1:0]       req_addr_i,
  input  logic [31:0]         req_wdata_i,
  input  logic [3:0]          req_wstrb_i,
  output logic                rsp_valid_o,
  output logic [31:0]         rsp_rdata_o,
  output logic                rsp_error_o,
  // the core on the register bus (master)
  output logic                bus_req_valid_o,
  output logic                bus_req_write_o,
  output logic [AW-1:0]       bus_req_addr_o,
  output logic [31:0]         bus_req_wdata_o,
  output logic [3:0]          bus_req_wstrb_o,
  input  logic                bus_rsp_valid_i,
  input  logic [31:0]         bus_rsp_rdata_i,
  input  logic                bus_rsp_error_i,
  // answer notification
  output logic                notify_valid_o,
  input  logic                notify_ready_i,
  output ioe_pkg::notify_t    notify_o,
  // the card's cycle counter (low half)
  input  logic [31:0]         cycle_lo_i
);

  localparam int unsigned MemAW = $clog2(MemWords);

  logic [31:0] ctrl_q, imem_addr_q, imem_wdata_q, wdog_load_q;
  logic        imem_wdata_qe, doorbell_qe, mbox_done_qe, wdog_kick_qe, con_put_qe, con_get_re;
  logic [31:0] con_put_q;
  logic [31:0] unused_q [11];
  logic [3:0]  trap_cause;
  logic [31:0] trap_pc, wdog_count_q, wdog_cnt_q;
  logic        trapped, doorbell_q, answer_q, wdog_fire_q, run;
  logic        con_valid;
  logic [7:0]  con_char;

  ioe_mgmt_reg_top u_reg (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (req_valid_i),
    .req_write_i    (req_write_i),
    .req_addr_i     (req_addr_i),
    .req_wdata_i    (req_wdata_i),
    .req_wstrb_i    (req_wstrb_i),
    .rsp_valid_o    (rsp_valid_o),
    .rsp_rdata_o    (rsp_rdata_o),
    .rsp_error_o    (rsp_error_o),
    .ctrl_q_o       (ctrl_q),
    .status_d_i     ({29'd0, answer_q, doorbell_q, trapped}),
    .trap_cause_d_i ({28'd0, trap_cause}),
    .trap_pc_d_i    (trap_pc),
    .imem_addr_q_o  (imem_addr_q),
    .imem_wdata_q_o (imem_wdata_q),
    .imem_wdata_qe_o(imem_wdata_qe),
    .doorbell_q_o   (unused_q[0]),
    .doorbell_qe_o  (doorbell_qe),
    .mbox_done_q_o  (unused_q[1]),
    .mbox_done_qe_o (mbox_done_qe),
    .time_d_i       (cycle_lo_i),
    .wdog_load_q_o  (wdog_load_q),
    .wdog_kick_q_o  (unused_q[2]),
    .wdog_kick_qe_o (wdog_kick_qe),
    .wdog_count_d_i (wdog_count_q),
    .con_put_q_o    (con_put_q),
    .con_put_qe_o   (con_put_qe),
    .con_get_d_i    ({23'd0, con_valid, con_char}),
    .con_get_re_o   (con_get_re),
    .mbox0_q_o      (unused_q[3]),
    .mbox1_q_o      (unused_q[4]),
    .mbox2_q_o      (unused_q[5]),
    .mbox3_q_o      (unused_q[6]),
    .mbox4_q_o      (unused_q[7]),
    .mbox5_q_o      (unused_q[8]),
    .mbox6_q_o      (unused_q[9]),
    .mbox7_q_o      (unused_q[10])
  );

  // ---------------------------------------------------------------- core and memory
  // the core runs while CTRL.RUN is set, except for the cycle in which the watchdog fires
  assign run = ctrl_q[ioe_reg_pkg::MGMT_CTRL_RUN_LSB] & ~wdog_fire_q;

  logic             core_mem_req, core_mem_we, mem_req, mem_we;
  logic [MemAW-1:0] core_mem_addr, mem_addr;
  logic [31:0]      core_mem_wdata, mem_wdata, mem_rdata;
  logic [3:0]       core_mem_wstrb, mem_wstrb;
  logic             load;

  // image loading while the core is held: IMEM_WDATA writes go to the memory port
  assign load      = imem_wdata_qe & ~ctrl_q[ioe_reg_pkg::MGMT_CTRL_RUN_LSB] &
                     (imem_addr_q[15:0] < 16'(MemWords));
  assign mem_req   = load | core_mem_req;
  assign mem_we    = load | core_mem_we;
  assign mem_addr  = load ? imem_addr_q[MemAW-1:0] : core_mem_addr;
  assign mem_wdata = load ? imem_wdata_q : core_mem_wdata;
  assign mem_wstrb = load ? 4'b1111 : core_mem_wstrb;

  ioe_mgmt_ram #(
    .AddrWidth(MemAW),
    .InitFile (InitFile)
  ) u_ram (
    .clk_i  (clk_i),
    .req_i  (mem_req),
    .we_i   (mem_we),
    .addr_i (mem_addr),
    .wdata_i(mem_wdata),
    .wstrb_i(mem_wstrb),
    .rdata_o(mem_rdata)
  );

  ioe_rv32_core #(
    .MemAddrWidth(MemAW),
    .BusAddrWidth(AW)
  ) u_core (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .run_i          (run),
    .mem_req_o      (core_mem_req),
    .mem_we_o       (core_mem_we),
    .mem_addr_o     (core_mem_addr),
    .mem_wdata_o    (core_mem_wdata),
    .mem_wstrb_o    (core_mem_wstrb),
    .mem_rdata_i    (mem_rdata),
    .bus_req_valid_o(bus_req_valid_o),
    .bus_req_write_o(bus_req_write_o),
    .bus_req_addr_o (bus_req_addr_o),
    .bus_req_wdata_o(bus_req_wdata_o),
    .bus_req_wstrb_o(bus_req_wstrb_o),
    .bus_rsp_valid_i(bus_rsp_valid_i),
    .bus_rsp_rdata_i(bus_rsp_rdata_i),
    .bus_rsp_error_i(bus_rsp_error_i),
    .trapped_o      (trapped),
    .trap_cause_o   (trap_cause),
    .trap_pc_o      (trap_pc)
  );

  // ---------------------------------------------------------------- mailbox and watchdog
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      doorbell_q     <= 1'b0;
      answer_q       <= 1'b0;
      notify_valid_o <= 1'b0;
      wdog_cnt_q     <= '0;
      wdog_fire_q    <= 1'b0;
      wdog_count_q   <= '0;
    end else begin
      if (doorbell_qe) begin
        doorbell_q <= 1'b1;
        answer_q   <= 1'b0;
      end else if (mbox_done_qe) begin
        doorbell_q <= 1'b0;
        answer_q   <= 1'b1;
      end
      if (mbox_done_qe) notify_valid_o <= 1'b1;  // one pending notification holds every answer
      else if (notify_ready_i) notify_valid_o <= 1'b0;
      // watchdog: counts while armed, restarts with a kick or a (re)start of the core
      wdog_fire_q <= 1'b0;
      if (wdog_load_q == '0 || wdog_kick_qe || !run) begin
        wdog_cnt_q <= '0;
      end else if (wdog_cnt_q + 32'd1 >= wdog_load_q) begin
        wdog_cnt_q   <= '0;
        wdog_fire_q  <= 1'b1;
        wdog_count_q <= wdog_count_q + 32'd1;
      end else begin
        wdog_cnt_q <= wdog_cnt_q + 32'd1;
      end
    end
  end

  assign notify_o = {ioe_pkg::NotifySrcMgmt, 8'd0, 8'd0};  // {src, vm, vcpu}

  // ---------------------------------------------------------------- console ring
  logic unused_con_full;

  ioe_fifo #(
    .Width(8),
    .Depth(ConsoleDepth)
  ) u_console (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (con_put_qe),
    .in_ready_o (unused_con_full),
    .in_data_i  (con_put_q[7:0]),
    .out_valid_o(con_valid),
    .out_ready_i(con_get_re),
    .out_data_o (con_char)
  );

  logic unused;
  assign unused = ^{con_put_q[31:8], imem_addr_q[31:16], ctrl_q[31:1], unused_q[0], unused_q[1],
                    unused_q[2], unused_q[3], unused_q[4], unused_q[5], unused_q[6], unused_q[7],
                    unused_q[8], unused_q[9], unused_q[10], unused_con_full};

endmodule
