# Vivado batch build of the LiteFury kit: vivado -mode batch -source boards/litefury/build.tcl
# -tclargs OUT_DIR (boards/xilinx7/build.tcl does the work; docs/boards.md).
# BAR4: NrVms (4 in the mid set) x 4 KiB.
array set ioe_board {
  name litefury part xc7a100tfgg484-2L top ioe_litefury_top lanes 4 bar4_kib 16
  xdc ioe_litefury.xdc
}
source [file join [file dirname [info script]] .. xilinx7 build.tcl]
