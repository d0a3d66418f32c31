/*
 * The VFIO stand-in of the `sim:pcie` target (vfio_standin.c): a struct ioe_vfio_sys whose
 * calls are answered in user space the way Linux's VFIO (container, type1 IOMMU, vfio-pci)
 * answers them, with the device behind the PCIe root-complex model (ioe_pcie_rc.h).
 * docs/pcie.md, section 6.
 */
#ifndef IOE_VFIO_STANDIN_H
#define IOE_VFIO_STANDIN_H

#include "ioe_pcie_rc.h"
#include "vfio_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_vfio_standin_params {
    struct ioe_pcie_rc_params rc;
    unsigned group;           /* the IOMMU group: /dev/vfio/<group> */
    unsigned iova_bits;       /* the IOMMU's aperture [0, 2^bits); 0: 39 */
    int no_msi_hole;          /* nonzero: no reserved x86 MSI range 0xFEE00000-0xFEEFFFFF */
    uint32_t dma_entry_limit; /* mappings per container (type1's module parameter); 0: 65535 */
};

/* a table with its own model of the card in *out (out->ctx); 0 or -errno */
int ioe_vfio_standin_open(const struct ioe_vfio_standin_params *p, struct ioe_vfio_sys *out);
/* closes what the caller left open, the model, and the table */
void ioe_vfio_standin_close(struct ioe_vfio_sys *sys);
/* the root-complex model under the table (measurements and fault injection) */
struct ioe_pcie_rc *ioe_vfio_standin_rc(const struct ioe_vfio_sys *sys);
/* the root complex of the "sim:pcie" card opened last in this process and still open (NULL:
 * none); for tests that act as another device on the link (pcie_sim_target.c) */
struct ioe_pcie_rc *ioe_pcie_sim_last_rc(void);
/* the PCI address of the card, "0000:BB:DD.F" (the sysfs directory the table answers for) */
const char *ioe_vfio_standin_bdf(const struct ioe_vfio_sys *sys);

#ifdef __cplusplus
}
#endif

#endif
