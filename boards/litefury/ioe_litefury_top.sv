// ioe_litefury_top: the card on the LiteFury (RHS Research; XC7A100T-L2FGG484E on an M.2 2280
// card, PCIe Gen2 x4) with the `mid` parameter set of rtl/regmap/ioe.toml
// (`regtool.py params mid`). The Vivado-generated pcie_7x_0 (build.tcl: Gen2 x4, 64-bit
// AXI4-Stream at 250 MHz, BAR0/2/4 as docs/pcie.md) feeds ioe_pcie_card_7x (JtagDebug); the debug
// bridge is reached through BSCANE2 at USER1 (ioe_jtag_bscane2, boards/litefury/openocd.cfg).
// LEDs (active low, as the board's LiteX platform drives them with pull-ups):
//   led_n[0] link up, led_n[1] PCIe activity (TLPs in or out, stretched), led_n[2] JTAG
//   bridge activity, led_n[3] the user clock's heartbeat (about 1 Hz).

module ioe_litefury_top #(
  // the management core's firmware ($readmemh image; build.tcl passes build/firmware/ioe_fw.hex)
  parameter MgmtInitFile = ""
) (
  input  logic       pcie_clk_p,
  input  logic       pcie_clk_n,
  input  logic       pcie_perst_n,
  output logic [3:0] pci_exp_txp,
  output logic [3:0] pci_exp_txn,
  input  logic [3:0] pci_exp_rxp,
  input  logic [3:0] pci_exp_rxn,
  output logic [3:0] led_n
);

  logic [3:0] led;

  ioe_xc7_board #(
    .Lanes          (4),
    .NrVms          (4),
    .NrVcpus        (4),
    .NrIrqs         (256),
    .NrWired        (32),
    .LpiBits        (14),
    .DevBits        (16),
    .EventBits      (16),
    .NrIts          (2),
    .ItsCacheEntries(64),
    .XiveSources    (256),
    .DmaTags        (8),
    .NrDmaSegs      (8),
    .Gicv2          (1),
    .MgmtMemWords   (2048),
    .MgmtInitFile   (MgmtInitFile)
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

  assign led_n = ~led;

endmodule
