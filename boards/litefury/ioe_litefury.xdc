# LiteFury (RHS Research, XC7A100T-L2FGG484E): the pins ioe_litefury_top uses.
# Source: LiteX-Boards, litex_boards/platforms/rhsresearchllc_litefury.py (PCIe x4 lanes in the
# board's order, reference clock, PERST#, user LEDs, configuration settings).

# PCIe reference clock (100 MHz from the M.2 host) and PERST#
set_property PACKAGE_PIN F6 [get_ports pcie_clk_p]
set_property PACKAGE_PIN E6 [get_ports pcie_clk_n]
create_clock -name pcie_refclk -period 10.000 [get_ports pcie_clk_p]
set_property PACKAGE_PIN J1 [get_ports pcie_perst_n]
set_property IOSTANDARD LVCMOS33 [get_ports pcie_perst_n]
set_property PULLUP true [get_ports pcie_perst_n]
set_false_path -from [get_ports pcie_perst_n]

# PCIe lanes 0-3 (the board routes them to the GTP quad out of the usual order)
set_property PACKAGE_PIN B10 [get_ports {pci_exp_rxp[0]}]
set_property PACKAGE_PIN A10 [get_ports {pci_exp_rxn[0]}]
set_property PACKAGE_PIN B8  [get_ports {pci_exp_rxp[1]}]
set_property PACKAGE_PIN A8  [get_ports {pci_exp_rxn[1]}]
set_property PACKAGE_PIN D11 [get_ports {pci_exp_rxp[2]}]
set_property PACKAGE_PIN C11 [get_ports {pci_exp_rxn[2]}]
set_property PACKAGE_PIN D9  [get_ports {pci_exp_rxp[3]}]
set_property PACKAGE_PIN C9  [get_ports {pci_exp_rxn[3]}]
set_property PACKAGE_PIN B6  [get_ports {pci_exp_txp[0]}]
set_property PACKAGE_PIN A6  [get_ports {pci_exp_txn[0]}]
set_property PACKAGE_PIN B4  [get_ports {pci_exp_txp[1]}]
set_property PACKAGE_PIN A4  [get_ports {pci_exp_txn[1]}]
set_property PACKAGE_PIN D5  [get_ports {pci_exp_txp[2]}]
set_property PACKAGE_PIN C5  [get_ports {pci_exp_txn[2]}]
set_property PACKAGE_PIN D7  [get_ports {pci_exp_txp[3]}]
set_property PACKAGE_PIN C7  [get_ports {pci_exp_txn[3]}]

# user LEDs (active low)
set_property PACKAGE_PIN G3 [get_ports {led_n[0]}]
set_property PACKAGE_PIN H3 [get_ports {led_n[1]}]
set_property PACKAGE_PIN G4 [get_ports {led_n[2]}]
set_property PACKAGE_PIN H4 [get_ports {led_n[3]}]
set_property IOSTANDARD LVCMOS33 [get_ports {led_n[*]}]
set_property DRIVE 8 [get_ports {led_n[*]}]
set_false_path -to [get_ports {led_n[*]}]

# the JTAG bridge's TCK domain (BSCANE2) and the user clock are asynchronous (ioe_sync between)
# (TCK at most 30 MHz: an FT2232H cable's limit)
create_clock -name jtag_tck -period 33.333 [get_pins -hierarchical -filter {NAME =~ *u_bscan/TCK}]
set_clock_groups -asynchronous -group jtag_tck -group [get_clocks -include_generated_clocks pcie_refclk]

# configuration: SPI x4 flash, fast start so the card is up before the host enumerates
set_property CFGBVS VCCO [current_design]
set_property CONFIG_VOLTAGE 3.3 [current_design]
set_property CONFIG_MODE SPIx4 [current_design]
set_property BITSTREAM.CONFIG.SPI_BUSWIDTH 4 [current_design]
set_property BITSTREAM.CONFIG.EXTMASTERCCLK_EN Div-1 [current_design]
set_property BITSTREAM.GENERAL.COMPRESS TRUE [current_design]
