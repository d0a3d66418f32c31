// ioe_kc705_top: the card on the Xilinx KC705 (XC7K325T-2FFG900C, PCIe Gen2 x8 edge connector)
// with the `default` parameter set of rtl/regmap/ioe.toml. The Vivado-generated pcie_7x_0
// (build.tcl: Gen2 x8, 64-bit AXI4-Stream at 250 MHz, BAR0/2/4 as docs/pcie.md) feeds
// ioe_pcie_card_7x (JtagDebug); the debug bridge is reached through BSCANE2 at USER1 (ioe_jtag_bscane2,
// boards/kc705/openocd.cfg). GPIO LEDs 0-3 (active high): link up, PCIe activity, JTAG bridge
// selected, heartbeat (ioe_xc7_board).

module ioe_kc705_top #(
  // the management core's firmware ($readmemh image; build.tcl passes build/firmware/ioe_fw.hex)
  parameter MgmtInitFile = ""
) (
  input  logic       pcie_clk_p,
  input  logic       pcie_clk_n,
  input  logic       pcie_perst_n,
  output logic [7:0] pci_exp_txp,
  output logic [7:0] pci_exp_txn,
  input  logic [7:0] pci_exp_rxp,
  input  logic [7:0] pci_exp_rxn,
  output logic [3:0] led
);

  ioe_xc7_board #(
    .Lanes       (8),
    .MgmtInitFile(MgmtInitFile)
  ) u_board (
    .pcie_clk_p  (pcie_clk_p),
    .pcie_clk_n  (pcie_clk_n),
    .pcie_perst_n(pcie_perst_n),
    .pci_exp_txp (pci_exp_txp),
    .pci_exp_txn (pci_exp_txn),
    .pci_exp_rxp (pci_exp_rxp),
    .pci_exp_rxn (pci_exp_rxn),
    .led_o       (led)
  );

endmodule
