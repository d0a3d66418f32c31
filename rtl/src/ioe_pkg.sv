// Shared types and constants of the ioe card.

package ioe_pkg;

  // Notification stream: which VM / vCPU has something to present, and which engine says so.
  typedef enum logic [3:0] {
    NotifySrcTest = 4'd0,  // NOTIFY_TEST register
    NotifySrcGic  = 4'd1,  // GICv3 CPU interface (later issue)
    NotifySrcXive = 4'd2,  // XIVE presenter (later issue)
    NotifySrcMgmt = 4'd3   // management core: the mailbox answered (ioe_mgmt)
  } notify_src_e;

  typedef struct packed {
    notify_src_e src;
    logic [7:0]  vm;
    logic [7:0]  vcpu;
  } notify_t;
  localparam int unsigned NOTIFY_WIDTH = 4 + 8 + 8;  // $bits(notify_t); Yosys 0.23 lacks $bits of a package type

  // DMA channel towards host memory: one 8-byte aligned beat per request. 10-bit tags (as
  // PCIe's 10-bit tag field): the client index in the top bits, 256 local tags per client,
  // enough to keep one 8-byte beat per cycle in flight over a 200-cycle memory latency.
  localparam int unsigned DMA_TAG_WIDTH = 10;

  typedef struct packed {
    logic [DMA_TAG_WIDTH-1:0] tag;
    logic                     write;
    logic [63:0]              addr;
    logic [63:0]              wdata;
    logic [7:0]               wstrb;
  } dma_req_t;

  typedef struct packed {
    logic [DMA_TAG_WIDTH-1:0] tag;
    logic                     err;
    logic [63:0]              rdata;
  } dma_rsp_t;

  localparam int unsigned DMA_REQ_WIDTH = DMA_TAG_WIDTH + 1 + 64 + 64 + 8;  // $bits(dma_req_t)
  // Clients of the DMA arbiter (the top bits of every tag)
  localparam int unsigned DMA_CLIENT_BITS = 2;
  localparam int unsigned DMA_LOCAL_TAG_WIDTH = DMA_TAG_WIDTH - DMA_CLIENT_BITS;

  // AXI4-Lite response codes
  localparam logic [1:0] AXI_RESP_OKAY   = 2'b00;
  localparam logic [1:0] AXI_RESP_SLVERR = 2'b10;

endpackage
