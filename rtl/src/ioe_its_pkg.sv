// Helpers of the ITS engine shared by its sequencer (ioe_its_core), its device-table
// addressing (ioe_its_devtab) and its MSI fast path (ioe_its_xlate): sizes of the
// guest-memory tables of a GITS_BASER value.

package ioe_its_pkg;

  // log2 of the 8-byte entries in a page of size code ps (4 KiB, 16 KiB, 64 KiB)
  function automatic logic [3:0] epp_log2(input logic [1:0] ps);
    unique case (ps)
      2'd0:    epp_log2 = 4'd9;
      2'd1:    epp_log2 = 4'd11;
      default: epp_log2 = 4'd13;
    endcase
  endfunction

  // capacity of a table in 8-byte entries: (Size + 1) pages
  function automatic logic [31:0] capacity(input logic [9:0] baser);
    capacity = ({24'd0, baser[7:0]} + 32'd1) << epp_log2(baser[9:8]);
  endfunction

endpackage
