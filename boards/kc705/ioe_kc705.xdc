# KC705 (XC7K325T-2FFG900C): the pins ioe_kc705_top uses.
# Source: LiteX-Boards, litex_boards/platforms/xilinx_kc705.py (PCIe x8 edge connector lanes,
# reference clock, PERST#, GPIO LEDs 0-3), which follows Xilinx's KC705 master XDC (UG810).

# PCIe reference clock (100 MHz from the slot) and PERST#
set_property PACKAGE_PIN U8 [get_ports pcie_clk_p]
set_property PACKAGE_PIN U7 [get_ports pcie_clk_n]
create_clock -name pcie_refclk -period 10.000 [get_ports pcie_clk_p]
set_property PACKAGE_PIN G25 [get_ports pcie_perst_n]
set_property IOSTANDARD LVCMOS25 [get_ports pcie_perst_n]
set_property PULLUP true [get_ports pcie_perst_n]
set_false_path -from [get_ports pcie_perst_n]

# PCIe lanes 0-7
set_property PACKAGE_PIN M6  [get_ports {pci_exp_rxp[0]}]
set_property PACKAGE_PIN M5  [get_ports {pci_exp_rxn[0]}]
set_property PACKAGE_PIN P6  [get_ports {pci_exp_rxp[1]}]
set_property PACKAGE_PIN P5  [get_ports {pci_exp_rxn[1]}]
set_property PACKAGE_PIN R4  [get_ports {pci_exp_rxp[2]}]
set_property PACKAGE_PIN R3  [get_ports {pci_exp_rxn[2]}]
set_property PACKAGE_PIN T6  [get_ports {pci_exp_rxp[3]}]
set_property PACKAGE_PIN T5  [get_ports {pci_exp_rxn[3]}]
set_property PACKAGE_PIN V6  [get_ports {pci_exp_rxp[4]}]
set_property PACKAGE_PIN V5  [get_ports {pci_exp_rxn[4]}]
set_property PACKAGE_PIN W4  [get_ports {pci_exp_rxp[5]}]
set_property PACKAGE_PIN W3  [get_ports {pci_exp_rxn[5]}]
set_property PACKAGE_PIN Y6  [get_ports {pci_exp_rxp[6]}]
set_property PACKAGE_PIN Y5  [get_ports {pci_exp_rxn[6]}]
set_property PACKAGE_PIN AA4 [get_ports {pci_exp_rxp[7]}]
set_property PACKAGE_PIN AA3 [get_ports {pci_exp_rxn[7]}]
set_property PACKAGE_PIN L4  [get_ports {pci_exp_txp[0]}]
set_property PACKAGE_PIN L3  [get_ports {pci_exp_txn[0]}]
set_property PACKAGE_PIN M2  [get_ports {pci_exp_txp[1]}]
set_property PACKAGE_PIN M1  [get_ports {pci_exp_txn[1]}]
set_property PACKAGE_PIN N4  [get_ports {pci_exp_txp[2]}]
set_property PACKAGE_PIN N3  [get_ports {pci_exp_txn[2]}]
set_property PACKAGE_PIN P2  [get_ports {pci_exp_txp[3]}]
set_property PACKAGE_PIN P1  [get_ports {pci_exp_txn[3]}]
set_property PACKAGE_PIN T2  [get_ports {pci_exp_txp[4]}]
set_property PACKAGE_PIN T1  [get_ports {pci_exp_txn[4]}]
set_property PACKAGE_PIN U4  [get_ports {pci_exp_txp[5]}]
set_property PACKAGE_PIN U3  [get_ports {pci_exp_txn[5]}]
set_property PACKAGE_PIN V2  [get_ports {pci_exp_txp[6]}]
set_property PACKAGE_PIN V1  [get_ports {pci_exp_txn[6]}]
set_property PACKAGE_PIN Y2  [get_ports {pci_exp_txp[7]}]
set_property PACKAGE_PIN Y1  [get_ports {pci_exp_txn[7]}]

# GPIO LEDs 0-3 (active high, bank 33 at 1.5 V)
set_property PACKAGE_PIN AB8 [get_ports {led[0]}]
set_property PACKAGE_PIN AA8 [get_ports {led[1]}]
set_property PACKAGE_PIN AC9 [get_ports {led[2]}]
set_property PACKAGE_PIN AB9 [get_ports {led[3]}]
set_property IOSTANDARD LVCMOS15 [get_ports {led[*]}]
set_false_path -to [get_ports {led[*]}]

# the JTAG bridge's TCK domain (BSCANE2) and the user clock are asynchronous (ioe_sync between)
# (TCK at most 30 MHz: an FT2232H cable's limit)
create_clock -name jtag_tck -period 33.333 [get_pins -hierarchical -filter {NAME =~ *u_bscan/TCK}]
set_clock_groups -asynchronous -group jtag_tck -group [get_clocks -include_generated_clocks pcie_refclk]
