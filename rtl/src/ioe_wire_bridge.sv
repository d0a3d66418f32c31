// Wire bridge: the card side of the wire protocol (docs/wire.md, version 1) between a
// byte stream (a UART on the iCEBreaker, the Verilator harness in sim) and ioe_top's CSR
// port (AXI4-Lite master) and notification port.
//
// Receive: every byte goes into a 2 KiB ring (block RAM) that keeps the frame being
// parsed from its sync byte on, so that a dropped frame can be scanned again for a sync
// byte from its second byte on, as the protocol asks. One state machine hunts for the
// sync byte, reads the header, checks the length (BAD_LEN at once), runs the CRC-32 over
// header, payload and checksum (the residue of a good frame is constant), then serves the
// request from the ring: HELLO, BATCH (READ / WRITE / POLL on the AXI master, POLL timed
// in microseconds of ClkHz and compared a byte at a time, its `b` read again from the ring),
// RESET (pulses card_rst_no, the bridge keeps its state), FENCE (answered once the notify
// port has been idle for 16 cycles). The parser waits until the response or ERROR of a
// frame is sent (both take their seq from the frame's header register); bytes that arrive
// meanwhile wait in the ring.
// A frame that stops arriving for RxTimeoutUs microseconds is dropped as BAD_LEN (a wait
// on the link has a bound). in_ready_o is low while the ring is full.
//
// Transmit: one frame at a time, byte by byte with its own CRC-32; a notification record
// waiting on the notify port goes first (one record per NOTIFY frame, taken from the
// port when its frame starts, so the port is back-pressured while the link is busy and no
// record is ever dropped), then an ERROR, then the response, whose payload the request's
// state machine wrote byte by byte into a 512-byte buffer (block RAM).
//
// Not served: DMA (no DMA port on the board: caps has neither FD_MEMORY nor DMA_WIRE) and
// the simulation messages (no SIM cap); those types are answered with BAD_TYPE.

module ioe_wire_bridge #(
  parameter int unsigned  ClkHz       = 8_000_000,
  parameter int unsigned  AddrWidth   = 20,
  parameter logic [31:0]  Caps        = 32'h0000_0018,  // ASYNC (the card runs on its own), FENCE
  parameter logic [127:0] Name        = {"ioe-icebreaker", 16'h0000},  // NUL-padded, first char in [127:120]
  parameter int unsigned  RxTimeoutUs = 2000,
  parameter int unsigned  CycleBits   = 64,  // NOTIFY's cycle field: a counter of this width (8..64, whole bytes)
  parameter int unsigned  DropBits    = 32,  // ERROR's dropped field: a counter of this width
  localparam int unsigned AW          = AddrWidth
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // bytes from the host
  input  logic          in_valid_i,
  output logic          in_ready_o,
  input  logic [7:0]    in_data_i,
  // bytes to the host
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [7:0]    out_data_o,
  // reset of the card (RESET request), active low, registered
  output logic          card_rst_no,
  // AXI4-Lite master on the card's CSR port
  output logic          m_axil_awvalid_o,
  input  logic          m_axil_awready_i,
  output logic [AW-1:0] m_axil_awaddr_o,
  output logic          m_axil_wvalid_o,
  input  logic          m_axil_wready_i,
  output logic [31:0]   m_axil_wdata_o,
  output logic [3:0]    m_axil_wstrb_o,
  input  logic          m_axil_bvalid_i,
  output logic          m_axil_bready_o,
  input  logic [1:0]    m_axil_bresp_i,
  output logic          m_axil_arvalid_o,
  input  logic          m_axil_arready_i,
  output logic [AW-1:0] m_axil_araddr_o,
  input  logic          m_axil_rvalid_i,
  output logic          m_axil_rready_o,
  input  logic [31:0]   m_axil_rdata_i,
  input  logic [1:0]    m_axil_rresp_i,
  // the card's notification stream
  input  logic          notify_valid_i,
  output logic          notify_ready_o,
  input  logic [7:0]    notify_vm_i,
  input  logic [7:0]    notify_vcpu_i,
  input  logic [3:0]    notify_src_i,
  // status, one-cycle pulses (LEDs)
  output logic          served_o,  // a request was answered
  output logic          drop_o,    // a frame was dropped (an ERROR is sent)
  // the free-running cycle counter of NOTIFY's cycle field (a board's LEDs count with it)
  output logic [CycleBits-1:0] cycle_o
);

  // ---------------------------------------------------------------- protocol constants
  localparam logic [7:0]  Sync       = 8'hA5;
  localparam logic [7:0]  TypeHello  = 8'h01;
  localparam logic [7:0]  TypeBatch  = 8'h02;
  localparam logic [7:0]  TypeReset  = 8'h03;
  localparam logic [7:0]  TypeFence  = 8'h06;
  localparam logic [7:0]  TypeNotify = 8'h20;
  localparam logic [7:0]  TypeError  = 8'h7F;
  localparam logic [2:0]  ErrCrc     = 3'd1;
  localparam logic [2:0]  ErrLen     = 3'd2;
  localparam logic [2:0]  ErrType    = 3'd3;
  localparam logic [2:0]  ErrPayload = 3'd4;
  localparam logic [2:0]  ErrVersion = 3'd5;
  localparam logic [2:0]  ErrOrder   = 3'd7;
  localparam logic [31:0] Residue    = 32'hDEBB20E3;  // CRC register after a good frame
  localparam logic [31:0] MaxPayload = 32'd1024;
  localparam logic [31:0] ErrnoEio   = -32'sd5;
  localparam logic [31:0] ErrnoInval = -32'sd22;
  localparam logic [31:0] ErrnoTime  = -32'sd110;
  localparam int unsigned UsDiv      = (ClkHz / 1_000_000 > 0) ? ClkHz / 1_000_000 : 1;
  localparam int unsigned PW         = (UsDiv > 1) ? $clog2(UsDiv) : 1;

  // ---------------------------------------------------------------- state
  typedef enum logic [4:0] {
    MHunt, MHdr, MPay, MCrc, MCrcChk, MDispatch, MDrop, MDropW, MReject, MRejectW, MFin,
    MHello, MHelloWr, MTmo, MOpLoad, MOpExec, MRd, MRdW, MCmp, MWr, MWrB, MOpEval, MOpNext,
    MBatchEnd, MBatchDone, MReset, MFence, MWordWr, MRespond, MRespondW
  } m_state_e;

  typedef enum logic [1:0] {
    TIdle, THdr, TPay, TCrc
  } t_state_e;

  typedef enum logic [1:0] {
    KNotify, KError, KResp
  } t_kind_e;

  typedef enum logic [1:0] {
    StOk, StEio, StInval, StTime
  } status_e;

  // where the response buffer's next byte comes from
  typedef enum logic [1:0] {
    WWord, WStat, WDone
  } w_src_e;

  // receive ring and the request state machine
  m_state_e       st_q, st_d, ret_q, ret_d;
  logic [10:0]    wr_q, base_q, base_d, ra_q, ra_d, ptr_sum, ptr_off;
  logic           ph_q, ph_d;
  logic [10:0]    cnt_q, cnt_d, cnt_inc;
  logic [7:0]     rbyte, type_q, type_d;
  logic [15:0]    seq_q, seq_d;
  logic [10:0]    len_q, len_d;
  logic           hello_q, hello_d;
  logic [31:0]    tmr_q, tmr_d, tmo_q, tmo_d;
  logic [PW-1:0]  pre_q;
  logic           us_tick;
  logic [1:0]     kind_q, kind_d;
  logic           bad_q, bad_d;  // the op's kind or address cannot run: -EINVAL
  logic [23:0]    addr_q, addr_d;
  logic [31:0]    a_q, a_d, word_q, word_d;
  logic           match_q, match_d, axerr_q, axerr_d, aw_done_q, aw_done_d, w_done_q, w_done_d;
  logic [5:0]     opi_q, opi_d;
  status_e        stat_q, stat_d;
  w_src_e         wsrc_q, wsrc_d;
  logic [8:0]     waddr_q, waddr_d;
  logic [7:0]     wbyte;
  logic [3:0]     rst_cnt_q, rst_cnt_d;
  logic           resp_we;
  logic [2:0]     err_code_q, err_code_d;
  logic           err_valid_q, err_set, err_clr;
  logic [DropBits-1:0] dropped_q;
  logic [31:0]    dropped32;
  logic           resp_valid_q, resp_set, resp_clr;
  logic [8:0]     rlen_q, rlen_d;
  logic           byte_go, avail, expired, crx_busy, crx_init, crx_valid;
  logic [31:0]    crx;

  // transmit
  t_state_e              ts_q, ts_d;
  t_kind_e               tk_q, tk_d;
  logic                  tph_q, tph_d;
  logic [8:0]            tcnt_q, tcnt_d;
  logic [15:0]           cseq_q, cseq_d;
  logic [7:0]            nvm_q, nvcpu_q;
  logic [3:0]            nsrc_q;
  logic [CycleBits-1:0]  cyc_q, ncyc_q;  // ncyc_q: the record's cycle, shifted out a byte at a time
  logic                  ncyc_shift;
  logic                  ctx_busy, ctx_init, ctx_valid, take_note;
  logic [31:0]           ctx;
  logic [7:0]            tbyte, pbyte, rsp_byte;
  logic [8:0]            tlen;
  logic [7:0]            ttype;
  logic [15:0]           tseq;
  logic                  unused_bits;

  // ---------------------------------------------------------------- receive ring
  // full when the byte after the last one written would be the frame's first
  assign in_ready_o = (wr_q + 11'd1) != base_q;
  assign avail      = (ra_q != wr_q);

  ioe_ram #(
    .Width    (8),
    .AddrWidth(11),
    .NoRwCheck(1'b1)  // the parser reads only bytes written in earlier cycles
  ) u_ring (
    .clk_i  (clk_i),
    .we_i   (in_valid_i & in_ready_o),
    .waddr_i(wr_q),
    .wdata_i(in_data_i),
    .raddr_i(ra_q),
    .rdata_o(rbyte)
  );

  ioe_crc32 u_crc_rx (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .init_i (crx_init),
    .valid_i(crx_valid),
    .data_i (rbyte),
    .busy_o (crx_busy),
    .crc_o  (crx)
  );

  // response payload: written byte by byte in order by the request state machine (the
  // BATCH status and count last, at offset 0), read by the transmitter
  ioe_ram #(
    .Width    (8),
    .AddrWidth(9),
    .NoRwCheck(1'b1)  // written only while no response is being sent
  ) u_resp (
    .clk_i  (clk_i),
    .we_i   (resp_we),
    .waddr_i(waddr_q),
    .wdata_i(wbyte),
    .raddr_i(tcnt_q),
    .rdata_o(rsp_byte)
  );

  // microsecond tick
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) pre_q <= '0;
    else pre_q <= us_tick ? PW'(UsDiv - 1) : pre_q - 1'b1;
  end
  assign us_tick = (pre_q == '0);
  assign expired = (tmr_q == '0);

  // one byte of the ring per two cycles: ph 0 waits for a byte (and the CRC unit), ph 1 has
  // it in rbyte
  assign byte_go = ph_q;
  assign cnt_inc = cnt_q + 11'd1;

  // the ring pointer moves of a frame: one adder on base_q
  always_comb begin
    unique case (st_q)
      MDropW:  ptr_off = 11'd1;         // scan again from the dropped frame's second byte
      MFin:    ptr_off = 11'd12 + len_q;  // past the frame's checksum
      default: ptr_off = 11'd8;         // the payload (MDispatch)
    endcase
  end
  assign ptr_sum = base_q + ptr_off;

  // byte i of the HELLO response (word 1, the ID, comes from word_q)
  function automatic logic [7:0] hello_byte(input logic [4:0] i);
    logic [31:0] w;
    unique case (i[4:2])
      3'd0:    w = 32'h0000_0001;  // version 1, 0
      3'd2:    w = Caps;
      3'd3:    w = MaxPayload;
      default: begin
        for (int b = 0; b < 4; b++) begin
          w[8*b+:8] = Name[127-8*(4*(32'(i[4:2])-4)+b)-:8];
        end
      end
    endcase
    hello_byte = w[8*i[1:0]+:8];
  endfunction

  // the byte written into the response buffer
  always_comb begin
    logic [31:0] errno;
    unique case (stat_q)
      StOk:    errno = '0;
      StEio:   errno = ErrnoEio;
      StInval: errno = ErrnoInval;
      default: errno = ErrnoTime;
    endcase
    if (st_q == MHelloWr && waddr_q[4:2] != 3'd1) begin
      wbyte = hello_byte(waddr_q[4:0]);
    end else begin
      unique case (wsrc_q)
        WStat:   wbyte = errno[8*waddr_q[1:0]+:8];
        WDone:   wbyte = (waddr_q[1:0] == 2'd0) ? {2'd0, opi_q} : 8'd0;
        default: wbyte = word_q[7:0];
      endcase
    end
  end

  // the bits of address byte j (of four) at or above AW must be zero
  function automatic logic [7:0] addr_hi_mask(input logic [1:0] j);
    for (int b = 0; b < 8; b++) addr_hi_mask[b] = (8 * 32'(j) + 32'(b)) >= AW;
  endfunction

  always_comb begin
    st_d       = st_q;
    ret_d      = ret_q;
    base_d     = base_q;
    ra_d       = ra_q;
    ph_d       = 1'b0;
    cnt_d      = cnt_q;
    type_d     = type_q;
    seq_d      = seq_q;
    len_d      = len_q;
    hello_d    = hello_q;
    tmr_d      = (us_tick && !expired) ? tmr_q - 1'b1 : tmr_q;
    tmo_d      = tmo_q;
    kind_d     = kind_q;
    bad_d      = bad_q;
    addr_d     = addr_q;
    a_d        = a_q;
    match_d    = match_q;
    axerr_d    = axerr_q;
    aw_done_d  = aw_done_q;
    w_done_d   = w_done_q;
    opi_d      = opi_q;
    stat_d     = stat_q;
    word_d     = word_q;
    wsrc_d     = wsrc_q;
    waddr_d    = waddr_q;
    rst_cnt_d  = (rst_cnt_q != '0) ? rst_cnt_q - 1'b1 : rst_cnt_q;
    resp_we    = 1'b0;
    err_code_d = err_code_q;
    err_set    = 1'b0;
    resp_set   = 1'b0;
    rlen_d     = rlen_q;
    crx_init   = 1'b0;
    crx_valid  = 1'b0;
    m_axil_arvalid_o = 1'b0;
    m_axil_rready_o  = 1'b0;
    m_axil_awvalid_o = 1'b0;
    m_axil_wvalid_o  = 1'b0;
    m_axil_bready_o  = 1'b0;

    // the byte fetch of the states that read the ring
    if (st_q == MHunt || st_q == MHdr || st_q == MPay || st_q == MCrc || st_q == MHello ||
        st_q == MTmo || st_q == MOpLoad || st_q == MCmp) begin
      if (!ph_q) ph_d = avail && !crx_busy;
      else ra_d = ra_q + 1'b1;
    end
    if (byte_go) cnt_d = cnt_inc;

    unique case (st_q)
      MHunt: begin
        // base_q follows the scan: the frame starts at the sync byte
        cnt_d = '0;
        if (byte_go) begin
          base_d = ra_d;
          if (rbyte == Sync) begin
            base_d    = ra_q;
            crx_init  = 1'b1;
            crx_valid = 1'b1;
            seq_d     = '0;
            tmr_d     = RxTimeoutUs;
            st_d      = MHdr;
          end
        end
      end
      MHdr, MPay, MCrc: begin
        if (byte_go) begin
          crx_valid = 1'b1;
          tmr_d     = RxTimeoutUs;
          if (st_q == MHdr) begin
            // header bytes 1 to 7
            unique case (cnt_q[2:0])
              3'd0: type_d = rbyte;
              3'd1: seq_d[7:0] = rbyte;
              3'd2: seq_d[15:8] = rbyte;
              3'd3: len_d[7:0] = rbyte;
              3'd4: begin
                len_d[10:8] = rbyte[2:0];
                if (rbyte[7:3] != 5'd0 || rbyte[2:0] > 3'd4 || (rbyte == 8'd4 && len_q[7:0] != '0)) begin
                  err_code_d = ErrLen;
                  st_d       = MDrop;
                end
              end
              3'd6: begin
                cnt_d = '0;
                st_d  = (len_q == '0) ? MCrc : MPay;
              end
              default: ;
            endcase
          end else if (st_q == MPay) begin
            if (cnt_inc == len_q) begin
              cnt_d = '0;
              st_d  = MCrc;
            end
          end else if (cnt_q[1:0] == 2'd3) begin
            st_d = MCrcChk;
          end
        end else if (!ph_q && !avail && expired) begin
          err_code_d = ErrLen;  // the frame stopped arriving
          st_d       = MDrop;
        end
      end
      MCrcChk: begin
        if (!crx_busy) begin
          err_code_d = ErrCrc;
          st_d       = (crx == Residue) ? MDispatch : MDrop;
        end
      end
      // The ERROR frame and the response take the frame's type and seq from type_q and
      // seq_q: the parser waits until they are sent (the host sends one request at a time;
      // what comes meanwhile waits in the ring).
      MDrop, MReject: begin
        if (!err_valid_q) begin
          err_set = 1'b1;
          st_d    = (st_q == MDrop) ? MDropW : MRejectW;
        end
      end
      MDropW, MRejectW: begin
        // a dropped frame (MDrop) is scanned again from its second byte; a well-formed
        // frame that cannot be served (MReject) is consumed
        if (!err_valid_q) begin
          if (st_q == MDropW) begin
            base_d = ptr_sum;
            ra_d   = ptr_sum;
            st_d   = MHunt;
          end else begin
            st_d = MFin;
          end
        end
      end
      MFin: begin
        base_d = ptr_sum;
        ra_d   = ptr_sum;
        st_d   = MHunt;
      end
      MDispatch: begin
        ra_d    = ptr_sum;
        cnt_d   = '0;
        opi_d   = '0;
        stat_d  = StOk;
        waddr_d = (type_q == TypeBatch) ? 9'd8 : 9'd0;
        st_d    = MReject;
        if (type_q == TypeError) begin
          st_d = MFin;  // the host could not take one of ours: nothing to answer
        end else if (type_q[7]) begin
          err_code_d = ErrOrder;  // this card sends no requests
        end else if (type_q != TypeHello && type_q != TypeBatch && type_q != TypeReset &&
                     type_q != TypeFence) begin
          err_code_d = ErrType;
        end else if (type_q != TypeHello && !hello_q) begin
          err_code_d = ErrVersion;
        end else begin
          err_code_d = ErrPayload;
          unique case (type_q)
            TypeHello: if (len_q == 11'd4) st_d = MHello;
            // 20..1012 and 4 mod 16: 16k + 4 with k in 1..63 (bit tests, no carry chains)
            TypeBatch: if (len_q[10] == 1'b0 && len_q[9:4] != 6'd0 && len_q[3:0] == 4'd4) st_d = MTmo;
            TypeFence: if (len_q == '0) st_d = MFence;
            default:   if (len_q == '0) begin
              st_d      = MReset;
              rst_cnt_d = '1;
            end
          endcase
        end
      end
      // ---------------------------------------------------------------- HELLO
      MHello: begin
        if (byte_go) begin
          a_d = {rbyte, a_q[31:8]};
          if (cnt_q[0]) begin
            if ({rbyte, a_q[31:24]} == 16'd0) begin
              err_code_d = ErrVersion;  // no version at or below the host's
              st_d       = MReject;
            end else begin
              hello_d = 1'b1;
              addr_d  = '0;  // the ID register
              st_d    = MRd;
            end
          end
        end
      end
      MHelloWr: begin
        // 32 bytes in order, word 1 (the ID) from word_q
        resp_we = 1'b1;
        waddr_d = waddr_q + 9'd1;
        if (waddr_q[4:2] == 3'd1) word_d = {word_q[7:0], word_q[31:8]};
        if (waddr_q[4:0] == 5'd31) st_d = MRespond;
      end
      // ---------------------------------------------------------------- BATCH
      MTmo: begin
        if (byte_go) begin
          tmo_d = {rbyte, tmo_q[31:8]};
          if (cnt_q[1:0] == 2'd3) begin
            cnt_d = '0;
            st_d  = MOpLoad;
          end
        end
      end
      MOpLoad: begin
        // kind, 3 bytes 0, addr (the bytes below AW kept), a; b is read by the POLL compare
        if (byte_go) begin
          unique case (cnt_q[3:2])
            2'd0: if (cnt_q[1:0] == 2'd0) begin
              kind_d = rbyte[1:0];
              bad_d  = (rbyte[7:2] != 6'd0) | (rbyte[1:0] == 2'd3);  // > 2
            end
            2'd1: begin
              if (cnt_q[1:0] != 2'd3) addr_d = {rbyte, addr_q[23:8]};
              if ((rbyte & addr_hi_mask(cnt_q[1:0])) != '0 ||
                  (cnt_q[1:0] == 2'd0 && rbyte[1:0] != 2'b00)) bad_d = 1'b1;
            end
            2'd2: a_d = {rbyte, a_q[31:8]};
            default: ;
          endcase
          if (cnt_q[3:0] == 4'd15) st_d = MOpExec;
        end
      end
      MOpExec: begin
        tmr_d     = tmo_q;
        aw_done_d = 1'b0;
        w_done_d  = 1'b0;
        if (bad_q) begin
          stat_d = StInval;
          word_d = '0;
          st_d   = MOpEval;
        end else begin
          st_d = (kind_q == 2'd1) ? MWr : MRd;
        end
      end
      MRd: begin
        m_axil_arvalid_o = 1'b1;
        if (m_axil_arready_i) st_d = MRdW;
      end
      MRdW: begin
        m_axil_rready_o = 1'b1;
        if (m_axil_rvalid_i) begin
          word_d  = m_axil_rdata_i;
          axerr_d = m_axil_rresp_i[1];
          st_d    = MOpEval;
          if (type_q == TypeHello) begin
            st_d = MHelloWr;
          end else if (kind_q == 2'd2) begin
            // POLL: compare (value & a) == b a byte at a time, b from the ring again
            ra_d    = ra_q - 11'd4;
            cnt_d   = '0;
            match_d = 1'b1;
            st_d    = MCmp;
          end
        end
      end
      MCmp: begin
        if (byte_go) begin
          if ((word_q[7:0] & a_q[7:0]) != rbyte) match_d = 1'b0;
          word_d = {word_q[7:0], word_q[31:8]};
          a_d    = {a_q[7:0], a_q[31:8]};
          if (cnt_q[1:0] == 2'd3) st_d = MOpEval;
        end
      end
      MWr: begin
        m_axil_awvalid_o = !aw_done_q;
        m_axil_wvalid_o  = !w_done_q;
        aw_done_d = aw_done_q | m_axil_awready_i;
        w_done_d  = w_done_q | m_axil_wready_i;
        if (aw_done_d && w_done_d) st_d = MWrB;
      end
      MWrB: begin
        m_axil_bready_o = 1'b1;
        if (m_axil_bvalid_i) begin
          word_d  = '0;
          axerr_d = m_axil_bresp_i[1];
          st_d    = MOpEval;
        end
      end
      MOpEval: begin
        st_d = MOpNext;
        if (stat_q == StOk) begin
          if (axerr_q) begin
            stat_d = StEio;
          end else if (kind_q == 2'd2 && !match_q) begin
            if (expired) stat_d = StTime;
            else st_d = MRd;  // poll again
          end
        end
        wsrc_d = WWord;
        ret_d  = MOpNext;
        if (st_d == MOpNext) st_d = MWordWr;
      end
      MOpNext: begin
        opi_d = opi_q + 1'b1;
        cnt_d = '0;
        st_d  = (stat_q != StOk || {1'b0, opi_q} + 7'd1 == len_q[10:4]) ? MBatchEnd : MOpLoad;
      end
      MBatchEnd: begin
        rlen_d  = waddr_q;  // 8 + 4 x done
        waddr_d = '0;
        wsrc_d  = WStat;
        ret_d   = MBatchDone;
        st_d    = MWordWr;
      end
      MBatchDone: begin
        wsrc_d = WDone;
        ret_d  = MRespond;
        st_d   = MWordWr;
      end
      // ---------------------------------------------------------------- RESET
      MReset: begin
        if (rst_cnt_q == 4'd1) begin
          wsrc_d = WStat;  // StOk: 0
          ret_d  = MRespond;
          st_d   = MWordWr;
        end
      end
      // ---------------------------------------------------------------- FENCE
      // answered once the notification port has been idle for 16 cycles; the transmitter
      // sends a waiting record before a response, so every record raised before is out first
      MFence: begin
        cnt_d = notify_valid_i ? '0 : cnt_inc;
        if (cnt_q[4]) begin
          wsrc_d = WStat;  // StOk: 0
          ret_d  = MRespond;
          st_d   = MWordWr;
        end
      end
      // ---------------------------------------------------------------- response
      MWordWr: begin
        resp_we = 1'b1;
        waddr_d = waddr_q + 9'd1;
        word_d  = {word_q[7:0], word_q[31:8]};
        if (waddr_q[1:0] == 2'd3) st_d = ret_q;
      end
      MRespond: begin
        resp_set = 1'b1;
        if (type_q != TypeBatch) rlen_d = waddr_q;
        st_d = MRespondW;
      end
      MRespondW: if (!resp_valid_q) st_d = MFin;
      default: st_d = MHunt;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q         <= MHunt;
      ret_q        <= MHunt;
      wr_q         <= '0;
      base_q       <= '0;
      ra_q         <= '0;
      ph_q         <= 1'b0;
      cnt_q        <= '0;
      type_q       <= '0;
      seq_q        <= '0;
      len_q        <= '0;
      hello_q      <= 1'b0;
      tmr_q        <= '0;
      tmo_q        <= '0;
      kind_q       <= '0;
      bad_q        <= 1'b0;
      addr_q       <= '0;
      a_q          <= '0;
      match_q      <= 1'b0;
      axerr_q      <= 1'b0;
      aw_done_q    <= 1'b0;
      w_done_q     <= 1'b0;
      opi_q        <= '0;
      stat_q       <= StOk;
      word_q       <= '0;
      wsrc_q       <= WWord;
      waddr_q      <= '0;
      rst_cnt_q    <= '0;
      err_code_q   <= '0;
      err_valid_q  <= 1'b0;
      dropped_q    <= '0;
      resp_valid_q <= 1'b0;
      rlen_q       <= '0;
    end else begin
      st_q         <= st_d;
      ret_q        <= ret_d;
      if (in_valid_i && in_ready_o) wr_q <= wr_q + 1'b1;
      base_q       <= base_d;
      ra_q         <= ra_d;
      ph_q         <= ph_d;
      cnt_q        <= cnt_d;
      type_q       <= type_d;
      seq_q        <= seq_d;
      len_q        <= len_d;
      hello_q      <= hello_d;
      tmr_q        <= tmr_d;
      tmo_q        <= tmo_d;
      kind_q       <= kind_d;
      bad_q        <= (st_q == MOpNext) ? 1'b0 : bad_d;
      addr_q       <= addr_d;
      a_q          <= a_d;
      match_q      <= match_d;
      axerr_q      <= axerr_d;
      aw_done_q    <= aw_done_d;
      w_done_q     <= w_done_d;
      opi_q        <= opi_d;
      stat_q       <= stat_d;
      word_q       <= word_d;
      wsrc_q       <= wsrc_d;
      waddr_q      <= waddr_d;
      rst_cnt_q    <= rst_cnt_d;
      err_code_q   <= err_code_d;
      err_valid_q  <= (err_valid_q & ~err_clr) | err_set;
      if (err_set) dropped_q <= dropped_q + 1'b1;
      resp_valid_q <= (resp_valid_q & ~resp_clr) | resp_set;
      rlen_q       <= rlen_d;
    end
  end

  // the card is held in reset while rst_cnt_q runs (16 cycles)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) card_rst_no <= 1'b0;
    else card_rst_no <= (rst_cnt_d == '0);
  end

  assign m_axil_araddr_o = AW'(addr_q);
  assign m_axil_awaddr_o = AW'(addr_q);
  assign m_axil_wdata_o  = a_q;
  assign m_axil_wstrb_o  = 4'hF;
  assign served_o        = resp_set;
  assign drop_o          = err_set;

  // ---------------------------------------------------------------- transmit
  // header (tcnt 0..7), payload (tcnt 0..tlen-1, the response buffer's address), checksum
  // (tcnt 0..3)
  ioe_crc32 u_crc_tx (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .init_i (ctx_init),
    .valid_i(ctx_valid),
    .data_i (tbyte),
    .busy_o (ctx_busy),
    .crc_o  (ctx)
  );

  assign ttype     = (tk_q == KNotify) ? TypeNotify : (tk_q == KError) ? TypeError : {5'b10000, type_q[2:0]};
  assign tseq      = (tk_q == KResp) ? seq_q : cseq_q;
  assign tlen      = (tk_q == KNotify) ? 9'd16 : (tk_q == KError) ? 9'd8 : rlen_q;
  assign dropped32 = 32'(dropped_q);

  always_comb begin
    unique case (tk_q)
      KNotify: begin
        unique case (tcnt_q[3:0])
          4'd0:    pbyte = 8'd1;  // one record
          4'd4:    pbyte = nvm_q;
          4'd5:    pbyte = nvcpu_q;
          4'd6:    pbyte = {4'd0, nsrc_q};
          4'd8, 4'd9, 4'd10, 4'd11, 4'd12, 4'd13, 4'd14, 4'd15:
                   pbyte = ncyc_q[7:0];
          default: pbyte = 8'd0;
        endcase
      end
      KError: begin
        unique case (tcnt_q[2:0])
          3'd0:    pbyte = {5'd0, err_code_q};
          3'd2:    pbyte = seq_q[7:0];
          3'd3:    pbyte = seq_q[15:8];
          3'd4:    pbyte = dropped32[7:0];
          3'd5:    pbyte = dropped32[15:8];
          3'd6:    pbyte = dropped32[23:16];
          3'd7:    pbyte = dropped32[31:24];
          default: pbyte = 8'd0;
        endcase
      end
      default: pbyte = rsp_byte;
    endcase
    unique case (ts_q)
      THdr: begin
        unique case (tcnt_q[2:0])
          3'd0:    tbyte = Sync;
          3'd1:    tbyte = ttype;
          3'd2:    tbyte = tseq[7:0];
          3'd3:    tbyte = tseq[15:8];
          3'd4:    tbyte = tlen[7:0];
          3'd5:    tbyte = {7'd0, tlen[8]};
          default: tbyte = 8'd0;
        endcase
      end
      TPay:    tbyte = pbyte;
      default: tbyte = ~ctx[8*tcnt_q[1:0]+:8];
    endcase
  end

  always_comb begin
    ts_d        = ts_q;
    tk_d        = tk_q;
    tph_d       = 1'b0;
    tcnt_d      = tcnt_q;
    cseq_d      = cseq_q;
    ctx_init    = 1'b0;
    ctx_valid   = 1'b0;
    take_note   = 1'b0;
    ncyc_shift  = 1'b0;
    err_clr     = 1'b0;
    resp_clr    = 1'b0;
    out_valid_o = 1'b0;
    if (ts_q == TIdle) begin
      tcnt_d = '0;
      if (notify_valid_i || err_valid_q || resp_valid_q) begin
        ctx_init  = 1'b1;
        take_note = notify_valid_i;
        tk_d      = notify_valid_i ? KNotify : err_valid_q ? KError : KResp;
        ts_d      = THdr;
      end
    end else if (!tph_q) begin
      // tph 0: the response buffer's read and the CRC unit settle; tph 1: the byte is out
      tph_d = !ctx_busy;
    end else begin
      out_valid_o = 1'b1;
      tph_d       = 1'b1;
      if (out_ready_i) begin
        tph_d     = 1'b0;
        ctx_valid = (ts_q != TCrc);
        ncyc_shift = (ts_q == TPay) && (tk_q == KNotify) && tcnt_q[3];
        tcnt_d    = tcnt_q + 1'b1;
        unique case (ts_q)
          THdr: if (tcnt_q[2:0] == 3'd7) begin
            tcnt_d = '0;
            ts_d   = (tlen == '0) ? TCrc : TPay;
          end
          TPay: if (tcnt_d == tlen) begin
            tcnt_d = '0;
            ts_d   = TCrc;
          end
          default: if (tcnt_q[1:0] == 2'd3) begin
            ts_d     = TIdle;
            err_clr  = (tk_q == KError);
            resp_clr = (tk_q == KResp);
            if (tk_q != KResp) cseq_d = cseq_q + 1'b1;
          end
        endcase
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ts_q    <= TIdle;
      tk_q    <= KNotify;
      tph_q   <= 1'b0;
      tcnt_q  <= '0;
      cseq_q  <= '0;
      nvm_q   <= '0;
      nvcpu_q <= '0;
      nsrc_q  <= '0;
      ncyc_q  <= '0;
      cyc_q   <= '0;
    end else begin
      ts_q   <= ts_d;
      tk_q   <= tk_d;
      tph_q  <= tph_d;
      tcnt_q <= tcnt_d;
      cseq_q <= cseq_d;
      cyc_q  <= cyc_q + 1'b1;
      if (take_note) begin
        nvm_q   <= notify_vm_i;
        nvcpu_q <= notify_vcpu_i;
        nsrc_q  <= notify_src_i;
        ncyc_q  <= cyc_q;
      end else if (ncyc_shift) begin
        ncyc_q <= ncyc_q >> 8;
      end
    end
  end

  assign notify_ready_o = take_note;
  assign cycle_o        = cyc_q;
  assign out_data_o     = tbyte;
  assign unused_bits    = ^{m_axil_bresp_i[0], m_axil_rresp_i[0], addr_q};

endmodule
