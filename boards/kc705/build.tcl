# Vivado batch build of the KC705 kit: vivado -mode batch -source boards/kc705/build.tcl
# -tclargs OUT_DIR (boards/xilinx7/build.tcl does the work; docs/boards.md).
# BAR4: NrVms (8 in the default set) x 4 KiB.
array set ioe_board {
  name kc705 part xc7k325tffg900-2 top ioe_kc705_top lanes 8 bar4_kib 32
  xdc ioe_kc705.xdc
}
source [file join [file dirname [info script]] .. xilinx7 build.tcl]
