// ioe_its_devtab: where the ITS engine finds a device's DTE in guest memory (docs/its.md,
// "Tables in guest memory"), for a flat or a two-level device table (GITS_BASER0.Indirect),
// shared by the DTE lookups of the sequencer and its walks over every slot of the table
// (freeing every device, MAPC's retarget, SAVE_TABLES, RESTORE_TABLES). Combinational.
//
// Contract (P: the table's page size in bytes, E = P/8 entries per page, C = (Size + 1) * E
// its capacity in entries, base: BASER0's address with the bits below P cleared; every
// address is in the VM's IOVA window ivm_i):
//   - Lookup of DeviceID dev_i: lk_fail_o when dev_i >= 2^DevBits, BASER0 is invalid, or
//     dev_i (flat) / dev_i / E (two-level) >= C. Else lk_addr_o is the first read: the DTE
//     at base + 8 dev_i (flat, lk_l1_o = 0) or the level-1 entry at base + 8 (dev_i / E)
//     (two-level, lk_l1_o = 1). l1e_dte_o is the DTE's address in the level-2 page that the
//     level-1 entry l1e_i names (page address l1e_page_o: bits [47:12], the bits below P
//     cleared).
//   - Slot walk at DeviceID slot_i: slot_end_o past the last slot (as the lookup's range
//     check, BASER0's Valid aside); for a two-level table slot_l1_o asks for the level-1
//     entry at slot_l1a_o first unless l1ok_i (the page of slot_i, l2_i, read already);
//     slot_dte_o is the slot's DTE address (in l2_i for a two-level table). slot_pmask_o is
//     E - 1 (a page's slots: DeviceIDs that differ only in these bits).

module ioe_its_devtab #(
  parameter int unsigned DevBits = 16
) (
  input  logic [63:0] baser0_i,
  input  logic [7:0]  ivm_i,
  // lookup
  input  logic [31:0] dev_i,
  output logic        lk_fail_o,
  output logic        lk_l1_o,
  output logic [63:0] lk_addr_o,
  input  logic [63:0] l1e_i,
  output logic [63:0] l1e_page_o,
  output logic [63:0] l1e_dte_o,
  // slot walk
  input  logic [31:0] slot_i,
  input  logic        l1ok_i,
  input  logic [63:0] l2_i,
  output logic        slot_end_o,
  output logic        slot_l1_o,
  output logic [63:0] slot_l1a_o,
  output logic [63:0] slot_dte_o,
  output logic [31:0] slot_pmask_o
);

  logic        indirect;
  logic [4:0]  sh;        // log2 E
  logic [31:0] cap, pmask;
  logic [63:0] iova, base;
  assign indirect = baser0_i[62];
  assign sh       = {1'b0, ioe_its_pkg::epp_log2(baser0_i[9:8])};
  assign cap      = ioe_its_pkg::capacity(baser0_i[9:0]);
  assign pmask    = (32'd1 << sh) - 32'd1;
  assign iova     = {8'd0, ivm_i, 48'd0};
  assign base     = {16'd0, baser0_i[47:12], 12'd0} & ~{32'd0, (32'd8 << sh) - 32'd1};

  // the DeviceIDs of the table: below 2^DevBits and C (flat) or C pages of E (two-level)
  function automatic logic beyond(input logic [31:0] d);
    beyond = d >= (32'd1 << DevBits) || (indirect ? (d >> sh) >= cap : d >= cap);
  endfunction

  assign lk_fail_o  = beyond(dev_i) || !baser0_i[63];
  assign lk_l1_o    = indirect;
  assign lk_addr_o  = iova | (base + {29'd0, indirect ? dev_i >> sh : dev_i, 3'd0});
  assign l1e_page_o = {16'd0, l1e_i[47:12], 12'd0} & ~{32'd0, (32'd8 << sh) - 32'd1};
  assign l1e_dte_o  = iova | (l1e_page_o + {29'd0, dev_i & pmask, 3'd0});

  assign slot_end_o   = beyond(slot_i);
  assign slot_l1_o    = indirect && !l1ok_i;
  assign slot_l1a_o   = iova | (base + {29'd0, slot_i >> sh, 3'd0});
  assign slot_dte_o   = indirect ? iova | (l2_i + {29'd0, slot_i & pmask, 3'd0}) :
                                   iova | (base + {29'd0, slot_i, 3'd0});
  assign slot_pmask_o = pmask;

  logic unused;
  assign unused = ^{baser0_i[61:48], baser0_i[11:10], l1e_i[63:48], l1e_i[11:0]};

endmodule
