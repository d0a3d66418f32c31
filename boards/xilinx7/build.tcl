# Vivado batch build of a Xilinx 7-series board kit (docs/boards.md, "Xilinx PCIe kits"):
#   vivado -mode batch -source boards/litefury/build.tcl -tclargs OUT_DIR
# The board's build.tcl sets ioe_board (name, part, top, lanes, BAR4 size, XDC) and sources this.
# Generates the PCIe IP (pcie_7x_0: PG054, Gen2 at the board's width, 64-bit AXI4-Stream at
# 250 MHz, the BARs and MSI-X of docs/pcie.md), reads the card's RTL (rtl/files.f), the shared
# board logic and the board's top and XDC, and writes OUT_DIR/<top>.bit with utilisation and
# timing reports. Not run on our machines (no Vivado): written against Vivado 2023.2's
# pcie_7x 3.3 property names, untested.

set here [file dirname [file normalize [info script]]]
set root [file normalize [file join $here .. ..]]
set out [expr {$argc > 0 ? [file normalize [lindex $argv 0]] : [file join $root build $ioe_board(name)]}]
file mkdir $out

create_project -in_memory -part $ioe_board(part)
set_property target_language Verilog [current_project]

# the PCIe hard block, made for this board
create_ip -name pcie_7x -vendor xilinx.com -library ip -module_name pcie_7x_0 -dir $out
set_property -dict [list \
  CONFIG.Maximum_Link_Width X$ioe_board(lanes) \
  CONFIG.Link_Speed 5.0_GT/s \
  CONFIG.Interface_Width 64_bit \
  CONFIG.User_Clk_Freq 250 \
  CONFIG.Device_ID 10e0 \
  CONFIG.Max_Payload_Size 256_bytes \
  CONFIG.Bar0_Enabled true CONFIG.Bar0_Type Memory CONFIG.Bar0_64bit true \
  CONFIG.Bar0_Scale Megabytes CONFIG.Bar0_Size 1 \
  CONFIG.Bar2_Enabled true CONFIG.Bar2_Type Memory CONFIG.Bar2_64bit true \
  CONFIG.Bar2_Scale Kilobytes CONFIG.Bar2_Size 64 \
  CONFIG.Bar4_Enabled true CONFIG.Bar4_Type Memory CONFIG.Bar4_64bit true \
  CONFIG.Bar4_Scale Kilobytes CONFIG.Bar4_Size $ioe_board(bar4_kib) \
  CONFIG.MSI_Enabled false \
  CONFIG.MSIx_Enabled true CONFIG.MSIx_Table_Size 2 \
  CONFIG.MSIx_Table_BIR BAR_3:2 CONFIG.MSIx_Table_Offset 8000 \
  CONFIG.MSIx_PBA_BIR BAR_3:2 CONFIG.MSIx_PBA_Offset C000 \
] [get_ips pcie_7x_0]
generate_target all [get_ips pcie_7x_0]
synth_ip [get_ips pcie_7x_0]

# the card (rtl/files.f, in compile order), the BSCANE2 shim, the shared board logic, the top
set files {}
foreach f [split [string trim [read [open [file join $root rtl files.f]]]] "\n"] {
  lappend files [file join $root $f]
}
lappend files [file join $root rtl src ioe_jtag_bscane2.sv] [file join $here ioe_xc7_board.sv] \
  [file join $root boards $ioe_board(name) $ioe_board(top).sv]
read_verilog -sv $files
read_xdc [file join $root boards $ioe_board(name) $ioe_board(xdc)]

# the management core's firmware goes into its block RAM (docs/firmware.md): the image of a
# CMake build of this tree, or ioe_board(fw_hex)
set fw_hex [file join $root build firmware ioe_fw.hex]
if {[info exists ioe_board(fw_hex)]} { set fw_hex [file normalize $ioe_board(fw_hex)] }
if {![file exists $fw_hex]} {
  error "no firmware image $fw_hex: build it first (cmake --build build --target ioe_fw)"
}
synth_design -top $ioe_board(top) -part $ioe_board(part) -generic "MgmtInitFile=\"$fw_hex\""
opt_design
place_design
route_design
report_utilization -file [file join $out utilization.rpt]
report_timing_summary -file [file join $out timing.rpt]
write_bitstream -force [file join $out $ioe_board(top).bit]
