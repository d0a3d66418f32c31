/*
 * The firmware image of the management core the build made (firmware/, NAME.c from
 * mkimage.py): what both simulated cards hold in the core's memory when they are opened, as a
 * configured FPGA holds the image its bitstream initialised ($readmemh of NAME.hex).
 */
#ifndef IOE_FW_IMAGE_H
#define IOE_FW_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const uint32_t ioe_fw_image[];
extern const size_t ioe_fw_image_words;

#ifdef __cplusplus
}
#endif

#endif
