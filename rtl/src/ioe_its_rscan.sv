// ioe_its_rscan: the rules of RESTORE_TABLES' scan of the device table and of each ITT
// (KVM's scan_its_table with vgic_its_restore_dte / vgic_its_restore_ite; docs/its.md,
// "SAVE_TABLES / RESTORE_TABLES"), applied to one entry. Combinational; the sequencer in
// ioe_its_core walks the slots and EventIDs, issues the DMA reads and the writes that
// zero entries, keeps the scan's positions, creates the LPIs and handles every error.
//
// Contract (an entry is valid when V (DTE bit 63) is set / pINTID (ITE bits 47:16) is not 0):
//   - Device table, rd_i the DTE just read at DeviceID slot_i, the scan at DeviceID pos_i
//     (done_i: the scan ended, or failed):
//       dte_reach_o the scan reaches the slot (not done_i, slot_i >= pos_i);
//       dte_zero_o  valid but not reached: the sequencer zeroes it;
//       dte_dev_o   reached, valid and Size <= 30: a device to restore, whose ITT has
//                   dte_evn_o = 2^(Size+1) entries;
//       reached but no device (invalid, or Size 31): the scan looks at slot_i + 1 next;
//       not reached and invalid: nothing.
//   - ITT of the device dte_i (at DeviceID slot_i, evn_i = 2^(Size+1) entries), rd_i the ITE
//     just read at EventID ev_i, the ITT scan at EventID epos_i:
//       ite_reach_o the ITT scan reaches the entry (ev_i >= epos_i);
//       ite_zero_o  valid but not reached (skipped by the chain): zeroed;
//       ite_take_o  reached and valid: checked next (ite_i, below);
//       reached and invalid: the ITT scan looks at ev_i + 1 next; not reached and
//       invalid: nothing.
//   - The ITE ite_i at EventID ev_i, coll_hit_i when a restored collection has its ICID:
//       ite_bad_o   pINTID < 8192 or > 2^LpiBits - 1, ev_i + next >= evn_i, or no such
//                   collection: EINVAL;
//       ite_epos_o  where the ITT scan goes on: ev_i + next, or evn_i for next = 0 (the end).
//   - After the ITT of dte_i: dev_last_o (next = 0: the device scan ends), else the scan
//     goes on at dev_pos_o = slot_i + next.
//   - No state, no clock.

module ioe_its_rscan #(
  parameter int unsigned LpiBits = 16
) (
  input  logic [31:0] slot_i,     // DeviceID of the slot / of the device being restored
  input  logic [63:0] rd_i,       // the entry just read (DTE or ITE)
  // device table
  input  logic [31:0] pos_i,
  input  logic        done_i,
  output logic        dte_reach_o,
  output logic        dte_zero_o,
  output logic        dte_dev_o,
  output logic [31:0] dte_evn_o,
  // ITT
  input  logic [63:0] dte_i,      // the device being restored
  input  logic [31:0] ev_i,
  input  logic [31:0] epos_i,
  input  logic [31:0] evn_i,
  output logic        ite_reach_o,
  output logic        ite_zero_o,
  output logic        ite_take_o,
  input  logic [63:0] ite_i,      // the ITE being checked
  input  logic        coll_hit_i,
  output logic        ite_bad_o,
  output logic [31:0] ite_epos_o,
  output logic        dev_last_o,
  output logic [31:0] dev_pos_o
);

  localparam logic [31:0] LpiMax = (32'd1 << LpiBits) - 32'd1;

  logic rd_ite;
  assign dte_reach_o = !done_i && slot_i >= pos_i;
  assign dte_zero_o  = rd_i[63] && !dte_reach_o;
  assign dte_dev_o   = rd_i[63] && dte_reach_o && rd_i[4:0] <= 5'd30;
  assign dte_evn_o   = 32'd1 << ({27'd0, rd_i[4:0]} + 32'd1);

  assign rd_ite      = rd_i[47:16] != 32'd0;
  assign ite_reach_o = ev_i >= epos_i;
  assign ite_zero_o  = rd_ite && !ite_reach_o;
  assign ite_take_o  = rd_ite && ite_reach_o;

  assign ite_bad_o  = ite_i[47:16] < 32'd8192 || ite_i[47:16] > LpiMax ||
                      ev_i + {16'd0, ite_i[63:48]} >= evn_i || !coll_hit_i;
  assign ite_epos_o = (ite_i[63:48] == 16'd0) ? evn_i : ev_i + {16'd0, ite_i[63:48]};

  assign dev_last_o = dte_i[62:49] == 14'd0;
  assign dev_pos_o  = slot_i + {18'd0, dte_i[62:49]};

  logic unused;
  assign unused = ^{rd_i[62:48], rd_i[15:5], dte_i[63], dte_i[48:0], ite_i[15:0]};

endmodule
