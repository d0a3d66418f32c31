/*
 * The input language of fuzz_guest (tests/fuzz/fuzz_guest.c), shared with the seed writer
 * (tests/fuzz/make_seeds.c). The guests are the API tests' (tests/its_util.h's its_open and
 * its_tables, tests/xive_util.h's xive_open), with their memory layouts; an input is a
 * sequence of FG_* actions, each a byte and its operands (little endian):
 *
 *   WRITE      vm:u8 area:u8 off:u16 len:u8 bytes   into a guest's memory: area indexes
 *                                                    fg_areas (ITS tables, queues, EQs)
 *   CMD_RAW    d0..d3:u64                            one ITS command, then CWRITER
 *   CMD        code dev ev icid lpi:u16 rd valid     a well-formed ITS command, then CWRITER
 *   REG        reg:u8 value:u64                      a GIC or ITS register (fg_regs)
 *   MSI        dev:u8 ev:u8                          KVM_SIGNAL_MSI
 *   ACK        vcpu:u8                               acknowledge and complete
 *   ITS_SAVE, ITS_RESTORE                            the ITS's table save and restore
 *   EQ_CONFIG  vcpu prio flags qshift qaddr:u32 toggle index:u16
 *   SOURCE     src level vcpu prio masked eisn:u16   KVM_DEV_XIVE_GRP_SOURCE(_CONFIG)
 *   ESB        src kind                              an ESB load or store
 *   TIMA       vcpu kind cppr                        the OS acknowledge, or a CPPR store
 *   XIVE_SYNC  src                                   KVM_DEV_XIVE_GRP_SOURCE_SYNC
 */
#ifndef IOE_FUZZ_GUEST_H
#define IOE_FUZZ_GUEST_H

enum {
    FG_WRITE,
    FG_CMD_RAW,
    FG_CMD,
    FG_REG,
    FG_MSI,
    FG_ACK,
    FG_ITS_SAVE,
    FG_ITS_RESTORE,
    FG_EQ_CONFIG,
    FG_SOURCE,
    FG_ESB,
    FG_TIMA,
    FG_XIVE_SYNC,
    FG_COUNT
};

#endif
