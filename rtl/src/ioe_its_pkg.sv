// Helpers of the ITS engine shared by its sequencer (ioe_its_core), its device-table
// addressing (ioe_its_devtab), its table walker (ioe_its_walk) and its MSI fast path
// (ioe_its_xlate): sizes of the guest-memory tables of a GITS_BASER value, the walker's
// request kinds.

package ioe_its_pkg;

  // log2 of the 8-byte entries in a page of size code ps (4 KiB, 16 KiB, 64 KiB)
  function automatic logic [3:0] epp_log2(input logic [1:0] ps);
    unique case (ps)
      2'd0:    epp_log2 = 4'd9;
      2'd1:    epp_log2 = 4'd11;
      default: epp_log2 = 4'd13;
    endcase
  endfunction

  // the entries the sequencer's table walker (ioe_its_walk) accesses (its kind_i)
  localparam logic [2:0] WkDev = 3'd0, WkSlot = 3'd1, WkDte = 3'd2, WkIte = 3'd3,
                         WkIteRd = 3'd4, WkCte = 3'd5, WkAgain = 3'd6, WkAddr = 3'd7;

  // capacity of a table in 8-byte entries: (Size + 1) pages
  function automatic logic [31:0] capacity(input logic [9:0] baser);
    capacity = ({24'd0, baser[7:0]} + 32'd1) << epp_log2(baser[9:8]);
  endfunction

  // entries a walk visits in an ITT of Size sz: at most the largest ITT mapped (mx)
  function automatic logic [31:0] itt_len(input logic [4:0] sz, input logic [4:0] mx);
    itt_len = 32'd2 << ((sz < mx) ? sz : mx);
  endfunction

endpackage
