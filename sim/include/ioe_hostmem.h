/*
 * Host-memory model: the memory a card reaches over its DMA port.
 *
 * Regions of the card's DMA address space (IOVA) are mapped onto buffers of the host
 * process. The functional interface reads and writes at once (the C model uses it);
 * the timed port serves the RTL's DMA channel: a request is accepted while fewer than
 * `max_outstanding` are in flight, performs its access when accepted, and its response
 * becomes due `latency` cycles later (in order, one per cycle at most).
 */
#ifndef IOE_HOSTMEM_H
#define IOE_HOSTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ioe/card.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_hostmem;

/* One beat of the card's DMA channel: 8 bytes at an 8-byte aligned address. */
struct ioe_dma_req {
    uint16_t tag; /* 10 bits used (ioe_pkg::DMA_TAG_WIDTH) */
    bool write;
    uint64_t addr;
    uint64_t wdata; /* little endian: byte i of memory is bits [8i+7:8i] */
    uint8_t wstrb;
};

struct ioe_dma_rsp {
    uint16_t tag;
    bool err; /* address not mapped */
    uint64_t rdata;
};

struct ioe_hostmem_stats {
    uint64_t reads, writes, errors;
    uint64_t faulted; /* accesses an injected fault changed (ioe_hostmem_add_fault) */
};

struct ioe_hostmem *ioe_hostmem_create(unsigned latency, unsigned max_outstanding);
void ioe_hostmem_destroy(struct ioe_hostmem *hm);

/* -EINVAL outside the aperture (below), -EEXIST over another region */
int ioe_hostmem_map(struct ioe_hostmem *hm, uint64_t iova, void *hva, uint64_t size);
int ioe_hostmem_unmap(struct ioe_hostmem *hm, uint64_t iova, uint64_t size);

/* Functional access; -EFAULT if any byte is not mapped (nothing is written then). */
int ioe_hostmem_read(struct ioe_hostmem *hm, uint64_t iova, void *buf, size_t len);
int ioe_hostmem_write(struct ioe_hostmem *hm, uint64_t iova, const void *buf, size_t len);
/* Perform one DMA beat at once; returns the response. */
struct ioe_dma_rsp ioe_hostmem_beat(struct ioe_hostmem *hm, const struct ioe_dma_req *req);

/* Timed port. `now` is the card cycle. */
bool ioe_hostmem_can_accept(const struct ioe_hostmem *hm);
void ioe_hostmem_submit(struct ioe_hostmem *hm, const struct ioe_dma_req *req, uint64_t now);
/* Pop the response due at or before `now`, if any: 1 when *rsp was filled, else 0. */
int ioe_hostmem_poll(struct ioe_hostmem *hm, uint64_t now, struct ioe_dma_rsp *rsp);
/* Drop every request in flight (card reset). */
void ioe_hostmem_flush(struct ioe_hostmem *hm);

/* Serve every access through `beat` instead of the mapped regions (ioe-simd --dma wire:
 * the host answers each 8-byte access over the link). beat performs one access at an
 * 8-byte aligned address: a read fills *data, a write stores the bytes of strb; 0 or
 * -EFAULT. Functional accesses are split into such beats (a write that fails part-way has
 * written the beats before). NULL goes back to the regions. */
typedef int (*ioe_hostmem_remote_fn)(void *ctx, bool write, uint64_t addr, uint64_t *data,
                                     uint8_t strb);
void ioe_hostmem_set_remote(struct ioe_hostmem *hm, ioe_hostmem_remote_fn beat, void *ctx);

/* The host IOMMU's aperture: regions may be mapped only below 2^bits (64: anywhere) and
 * outside the n holes (inclusive, any order), as VFIO refuses a mapping outside its usable
 * IOVA ranges. -EINVAL for bits outside 12..64, more than IOE_CARD_MAX_IOVA_HOLES holes or a
 * hole with start > last. Mapped regions are not checked again. */
int ioe_hostmem_set_aperture(struct ioe_hostmem *hm, unsigned bits,
                             const struct ioe_iova_range *holes, size_t n);
/* The usable ranges in ascending order: up to max into out; the number written. */
size_t ioe_hostmem_ranges(const struct ioe_hostmem *hm, struct ioe_iova_range *out, size_t max);

/* Faults of the host bus, injected on command (docs/reliability.md): an access that touches
 * [start, last] in one of the directions of `dirs` is changed as `kind` says, on the timed
 * port (the Verilator model) and the functional one (the C model) alike where the model can
 * tell: the C model has no time, so a late or reordered access is a normal one to it and one
 * that never completes fails as the card's completion timeout would make it fail. */
enum ioe_hostmem_fault_kind {
    IOE_HOSTMEM_FAULT_ERROR,   /* an error response; nothing is read or written */
    IOE_HOSTMEM_FAULT_TIMEOUT, /* no response ever (its slot stays in flight until a flush) */
    IOE_HOSTMEM_FAULT_LATE,    /* the response comes `delay` cycles late; later ones wait */
    IOE_HOSTMEM_FAULT_REORDER, /* the response comes `delay` cycles late; later ones pass it */
};
#define IOE_HOSTMEM_READS 1u
#define IOE_HOSTMEM_WRITES 2u
#define IOE_HOSTMEM_MAX_FAULTS 8
struct ioe_hostmem_fault {
    uint64_t start, last; /* inclusive */
    enum ioe_hostmem_fault_kind kind;
    unsigned dirs; /* IOE_HOSTMEM_READS | IOE_HOSTMEM_WRITES */
    unsigned delay;
};
/* -EINVAL for start > last, no direction or an unknown kind; -ENOSPC beyond
 * IOE_HOSTMEM_MAX_FAULTS */
int ioe_hostmem_add_fault(struct ioe_hostmem *hm, const struct ioe_hostmem_fault *f);
void ioe_hostmem_clear_faults(struct ioe_hostmem *hm);
/* The IOVA at which host address hva is mapped: 0, or -ENOENT outside every region */
int ioe_hostmem_iova_of(const struct ioe_hostmem *hm, const void *hva, uint64_t *iova);
/* The most recently created host-memory model still alive (NULL: none): a test reaches the
 * one behind the card it has just opened through libioe. */
struct ioe_hostmem *ioe_hostmem_newest(void);

unsigned ioe_hostmem_latency(const struct ioe_hostmem *hm);
void ioe_hostmem_get_stats(const struct ioe_hostmem *hm, struct ioe_hostmem_stats *st);

#ifdef __cplusplus
}
#endif

#endif
