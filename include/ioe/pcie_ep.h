/*
 * <ioe/pcie_ep.h> - the PCIe card's endpoint page (BAR2) and BAR numbers, as docs/pcie.md
 * section 1 gives them and rtl/src/ioe_pcie_ep_regs.sv implements them. One definition for
 * libioe's VFIO transport and the tests of the endpoint and the VFIO stand-in.
 */
#ifndef IOE_PCIE_EP_H
#define IOE_PCIE_EP_H

#define IOE_PCIE_BAR_CSR 0 /* ioe_top's CSR window, IOE_CSR_WINDOW_SIZE */
#define IOE_PCIE_BAR_EP 2  /* the endpoint page below, IOE_EP_PAGE_SIZE */
#define IOE_PCIE_BAR_DB 4  /* device doorbells, 4 KiB pages, one per ITS instance */
#define IOE_EP_PAGE_SIZE 0x10000u
#define IOE_PCIE_DB_PAGE_SIZE 0x1000u /* a device doorbell page of BAR4 */

#define IOE_EP_ID_VALUE 0x10E00C1Eu

/* BAR2 offsets */
#define IOE_EP_ID 0x0000u
#define IOE_EP_VERSION 0x0004u
#define IOE_EP_NRING_BASE_LO 0x0008u
#define IOE_EP_NRING_BASE_HI 0x000Cu
#define IOE_EP_NRING_LOG2 0x0010u
#define IOE_EP_NRING_HEAD 0x0014u
#define IOE_EP_NRING_TAIL 0x0018u
#define IOE_EP_NRING_CTRL 0x001Cu
#define IOE_EP_DB_ADDR_LO 0x0020u /* .. 0x2C: DB_ADDR_HI, DB_DEVID, DB_DATA */
#define IOE_EP_DB_ADDR_HI 0x0024u
#define IOE_EP_DB_DEVID 0x0028u
#define IOE_EP_DB_DATA 0x002Cu
#define IOE_EP_DB_PAGE 0x0030u           /* device doorbell page whose DB_BASE, DB_PAGE_VM show */
#define IOE_EP_DB_BASE_VM IOE_EP_DB_PAGE /* its earlier name (page p served VM p) */
#define IOE_EP_DB_BASE_LO 0x0034u
#define IOE_EP_DB_BASE_HI 0x0038u
#define IOE_EP_DB_PAGE_VM 0x003Cu /* VM context of the page (reset: the page's index) */
#define IOE_EP_CNT_POISONED 0x0040u
#define IOE_EP_CNT_UR 0x0044u
#define IOE_EP_CNT_MALFORMED 0x0048u
#define IOE_EP_CNT_CPL_TIMEOUT 0x004Cu
#define IOE_EP_CNT_CPL_ERROR 0x0050u
#define IOE_EP_CNT_DOORBELL 0x0054u
#define IOE_EP_CNT_MSIX 0x0058u
#define IOE_EP_CPL_TIMEOUT_US 0x005Cu
#define IOE_EP_NRING_FENCE 0x0060u /* reads NRING_HEAD once the notification stream is quiet */
#define IOE_EP_CNT_CPL_UNEXPECTED 0x0064u /* completions for no read in flight, dropped */
#define IOE_EP_MSIX_TABLE 0x8000u
#define IOE_EP_MSIX_PBA 0xC000u

#endif
