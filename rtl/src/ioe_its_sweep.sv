// ioe_its_sweep: what an LPI sweep of the ITS engine does to one LPI (docs/its.md, "LPI
// sweeps"). Combinational; the sequencer in ioe_its_core walks the INTIDs (skipping blocks
// whose occupancy bit is clear), reads each LPI word from the LPI store (ioe_its_lpi),
// issues the DMA reads and writes this unit asks for, and writes back the word it returns.
//
// Contract:
//   - An LPI word is {refs [RefW], target vCPU [VcW], priority [5], enable, pending} from
//     bit LW-1 down to bit 0; a word with refs == 0 is an unmapped LPI.
//   - Step 1 (the word read, s1_word_i, of INTID intid_i) for sweep kind k_i:
//       0 one LPI: retarget_i ? set the target to tgt_i if mapped
//                              : drop one reference (the last one zeroes the word and,
//                                if it was pending, asks for a rescan);
//       7 acknowledge: clear pending if mapped; always a rescan;
//       1 INVALL (target t2_i): a mapped LPI of t2_i needs its configuration byte;
//       2 MOVALL: a mapped LPI of t2_i moves to t_i;
//       3 EnableLPIs on (t2_i): a mapped LPI of t2_i needs its pending bit, unless the
//         vCPU's GICR_PENDBASER.PTZ (ptz_t2_i) is set; 6 SAVE_PENDING: every mapped LPI
//         needs its pending-table byte (to rewrite its bit);
//       4 EnableLPIs off: a pending LPI of t2_i is cleared;
//       5 VM reset: the word is zeroed.
//     Outputs s1_we_o / s1_word_o (the word to write), s1_rescan_o, and s1_dma_o with
//     s1_daddr_o (8-byte aligned, in the VM's IOVA window ivm_i) when the step continues
//     with a DMA read (step 2).
//   - Step 2 (after that read: s2_word_i the word of step 1, s2_data_i the 8 bytes read,
//     intid_i its INTID): s2_word_o is the word with the configuration byte applied
//     (priority, enable: INVALL) or the pending bit ORed in (kind 3); s2_wdata_o the
//     pending-table double word with the LPI's bit set to its pending bit (kind 6).
//   - No state, no clock: the sequencer owns the order, the DMA port and the errors.

module ioe_its_sweep #(
  parameter int unsigned VcW  = 3,
  parameter int unsigned RefW = 8,
  localparam int unsigned LW  = RefW + VcW + 5 + 2
) (
  input  logic [2:0]    k_i,         // sweep kind
  input  logic          retarget_i,  // kind 0: retarget (else drop a reference)
  input  logic [VcW-1:0] t_i,        // MOVALL's new target
  input  logic [VcW-1:0] t2_i,       // the swept vCPU
  input  logic [VcW-1:0] tgt_i,      // kind 0's new target
  input  logic          ptz_t2_i,    // GICR_PENDBASER.PTZ of t2_i
  input  logic [7:0]    ivm_i,       // IOVA window of the VM
  input  logic [47:12]  prop_i,      // the VM's GICR_PROPBASER (address bits)
  input  logic [47:16]  pend_i,      // GICR_PENDBASER (address bits) of the word's target
  input  logic [7:0]    vm_i,        // the VM (SAVE_PENDING / EnableLPIs window)
  input  logic [15:0]   intid_i,     // the LPI swept
  // step 1
  input  logic [LW-1:0] s1_word_i,
  output logic          s1_we_o,
  output logic [LW-1:0] s1_word_o,
  output logic          s1_rescan_o,
  output logic          s1_dma_o,
  output logic [63:0]   s1_daddr_o,
  // step 2
  input  logic [LW-1:0] s2_word_i,
  input  logic [63:0]   s2_data_i,
  output logic [LW-1:0] s2_word_o,
  output logic [63:0]   s2_wdata_o
);

  localparam int unsigned LPend = 0;
  localparam int unsigned LEn   = 1;
  localparam int unsigned LPrio = 2;
  localparam int unsigned LTgt  = 7;
  localparam int unsigned LRefs = 7 + VcW;

  logic          mapped, of_t2;
  logic [RefW-1:0] refs;
  assign refs   = s1_word_i[LRefs +: RefW];
  assign mapped = refs != '0;
  assign of_t2  = s1_word_i[LTgt +: VcW] == t2_i;

  always_comb begin
    s1_we_o     = 1'b0;
    s1_word_o   = s1_word_i;
    s1_rescan_o = 1'b0;
    s1_dma_o    = 1'b0;
    s1_daddr_o  = '0;
    unique case (k_i)
      3'd0: begin
        if (retarget_i) begin
          if (mapped) begin
            s1_word_o[LTgt +: VcW] = tgt_i;
            s1_we_o = 1'b1;
          end
        end else if (refs > RefW'(1)) begin
          s1_word_o[LRefs +: RefW] = refs - RefW'(1);
          s1_we_o = 1'b1;
        end else if (refs == RefW'(1)) begin
          s1_word_o   = '0;
          s1_we_o     = 1'b1;
          s1_rescan_o = s1_word_i[LPend];
        end
      end
      3'd7: begin
        if (mapped) begin
          s1_word_o[LPend] = 1'b0;
          s1_we_o = 1'b1;
        end
        s1_rescan_o = 1'b1;
      end
      3'd1: begin
        s1_dma_o   = mapped && of_t2;
        s1_daddr_o = {8'd0, ivm_i, 48'd0} |
                     (({16'd0, prop_i, 12'd0} + {48'd0, intid_i} - 64'd8192) & ~64'd7);
      end
      3'd2: begin
        if (mapped && of_t2) begin
          s1_word_o[LTgt +: VcW] = t_i;
          s1_we_o = 1'b1;
        end
      end
      3'd3, 3'd6: begin
        s1_dma_o   = mapped && (k_i == 3'd6 || (of_t2 && !ptz_t2_i));
        s1_daddr_o = {8'd0, vm_i, 48'd0} |
                     (({16'd0, pend_i, 16'd0} + {51'd0, intid_i[15:3]}) & ~64'd7);
      end
      3'd4: begin
        if (s1_word_i[LPend] && of_t2) begin
          s1_word_o[LPend] = 1'b0;
          s1_we_o = 1'b1;
        end
      end
      default: begin
        s1_word_o = '0;
        s1_we_o   = 1'b1;
      end
    endcase
  end

  logic [7:0] cfg;
  assign cfg = s2_data_i[8*intid_i[2:0] +: 8];  // configuration byte of the INTID
  logic unused;
  assign unused = ^cfg[2:1];
  always_comb begin
    s2_word_o = s2_word_i;
    if (k_i == 3'd3) begin
      s2_word_o[LPend] = s2_word_i[LPend] | s2_data_i[intid_i[5:0]];
    end else begin
      s2_word_o[LPrio +: 5] = cfg[7:3];
      s2_word_o[LEn]        = cfg[0];
    end
    s2_wdata_o = s2_word_i[LPend] ? (s2_data_i | (64'd1 << {intid_i[5:0]})) :
                                    (s2_data_i & ~(64'd1 << {intid_i[5:0]}));
  end

endmodule
