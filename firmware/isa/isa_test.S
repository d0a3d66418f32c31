/* ISA test of the management core (tests/test_fw.c): each RV32I instruction class on fixed
 * operands, and one trap per entry of isa_trap. Only caller-saved registers are used. The host
 * computes what each result must be (tests/test_fw.c, isa_expect). */
#define A 0x80000f05
#define B 0x00000023
#define C 0xfffffff9

    .text
/* void isa_run(uint32_t results[ISA_RESULTS], volatile uint32_t *scratch_reg,
 *              volatile const uint32_t *id_reg) */
    .globl isa_run
isa_run:
    li      a3, A
    li      a4, B
    li      a5, C
    /* OP */
    add     t0, a3, a4;   sw t0, 0(a0)
    sub     t0, a3, a4;   sw t0, 4(a0)
    and     t0, a3, a4;   sw t0, 8(a0)
    or      t0, a3, a4;   sw t0, 12(a0)
    xor     t0, a3, a4;   sw t0, 16(a0)
    sll     t0, a3, a4;   sw t0, 20(a0)
    srl     t0, a3, a4;   sw t0, 24(a0)
    sra     t0, a3, a4;   sw t0, 28(a0)
    slt     t0, a3, a4;   sw t0, 32(a0)
    sltu    t0, a3, a4;   sw t0, 36(a0)
    /* OP-IMM */
    addi    t0, a3, -2048; sw t0, 40(a0)
    andi    t0, a3, 0x7ff; sw t0, 44(a0)
    ori     t0, a3, -256;  sw t0, 48(a0)
    xori    t0, a3, 0x555; sw t0, 52(a0)
    slli    t0, a3, 31;    sw t0, 56(a0)
    srli    t0, a3, 1;     sw t0, 60(a0)
    srai    t0, a3, 4;     sw t0, 64(a0)
    slti    t0, a5, -6;    sw t0, 68(a0)
    sltiu   t0, a5, 5;     sw t0, 72(a0)
    /* LUI, AUIPC, JAL, JALR */
    lui     t0, 0xabcde;   sw t0, 76(a0)
1:  auipc   t0, 0x12345
    la      t1, 1b
    sub     t0, t0, t1;    sw t0, 80(a0)
2:  jal     t0, 3f
    j       .              /* never: jal jumps over it */
3:  la      t1, 2b
    sub     t0, t0, t1;    sw t0, 84(a0)
    la      t1, 5f + 1     /* JALR clears bit 0 of the target */
4:  jalr    t0, 0(t1)
    j       .
5:  la      t1, 4b
    sub     t0, t0, t1;    sw t0, 88(a0)
    /* BRANCH: bit n set when branch n is taken */
    li      t0, 0
    beq     a3, a3, 6f;  j 7f
6:  ori     t0, t0, 1 << 0
7:  beq     a3, a4, 8f;  j 9f
8:  ori     t0, t0, 1 << 1
9:  bne     a3, a4, 10f; j 11f
10: ori     t0, t0, 1 << 2
11: blt     a3, a4, 12f; j 13f
12: ori     t0, t0, 1 << 3
13: bge     a3, a4, 14f; j 15f
14: ori     t0, t0, 1 << 4
15: bltu    a3, a4, 16f; j 17f
16: ori     t0, t0, 1 << 5
17: bgeu    a3, a4, 18f; j 19f
18: ori     t0, t0, 1 << 6
19: blt     a4, a5, 20f; j 21f
20: ori     t0, t0, 1 << 7
21: bge     a5, a5, 22f; j 23f
22: ori     t0, t0, 1 << 8
23: sw      t0, 92(a0)
    /* LOAD */
    la      t1, data
    lb      t0, 3(t1);  sw t0, 96(a0)
    lbu     t0, 3(t1);  sw t0, 100(a0)
    lh      t0, 2(t1);  sw t0, 104(a0)
    lhu     t0, 2(t1);  sw t0, 108(a0)
    lw      t0, 0(t1);  sw t0, 112(a0)
    lb      t0, 1(t1);  sw t0, 116(a0)
    lh      t0, 0(t1);  sw t0, 120(a0)
    /* STORE */
    la      t1, scratch
    sw      zero, 0(t1)
    li      t2, 0x7711
    sb      t2, 1(t1)
    li      t2, 0x2233
    sh      t2, 2(t1)
    lw      t0, 0(t1);  sw t0, 124(a0)
    sw      a5, 4(t1)
    lw      t0, 4(t1);  sw t0, 128(a0)
    /* the register bus */
    sw      a3, 0(a1)
    lw      t0, 0(a1);  sw t0, 132(a0)
    lbu     t0, 1(a2);  sw t0, 136(a0)
    /* x0 stays zero; FENCE and FENCE.I do nothing */
    addi    x0, x0, 5
    add     t0, x0, x0; sw t0, 140(a0)
    fence
    .word   0x0000100f     /* fence.i */
    li      t0, 1;      sw t0, 144(a0)
    li      t0, 0x15a15a; sw t0, 148(a0)
    ret


/* void isa_trap(uint32_t n): raise trap n (never returns) */
    .globl isa_trap
isa_trap:
    slli    a0, a0, 4           /* 16 bytes per entry */
    la      t1, traps
    add     t1, t1, a0
    jr      t1
    .balign 16
traps:
    .balign 16                  /* 0: ECALL */
    ecall
    .balign 16                  /* 1: EBREAK */
    ebreak
    .balign 16                  /* 2: illegal (all zeros) */
    .word   0
    .balign 16                  /* 3: load misaligned */
    lw      t0, 2(sp)
    .balign 16                  /* 4: store misaligned */
    sh      t0, 1(sp)
    .balign 16                  /* 5: a load outside memory and the bus */
    li      t1, 0x40000000
    lw      t0, 0(t1)
    .balign 16                  /* 6: a store outside memory and the bus */
    li      t1, 0x40000000
    sw      t0, 0(t1)
    .balign 16                  /* 7: a load of a register hole: bus error */
    li      t1, 0x800ffffc
    lw      t0, 0(t1)
    .balign 16                  /* 8: a store to a register hole: bus error */
    li      t1, 0x800ffffc
    sw      t0, 0(t1)
    .balign 16                  /* 9: a jump to an address with bit 1 set */
    la      t1, traps + 2
    jr      t1
    .balign 16                  /* 10: a jump outside memory */
    li      t1, 0x10000
    jr      t1
    .balign 16                  /* 11: a CSR instruction (no Zicsr): illegal */
    .word   0x00001073

    .section .rodata
    .balign 4
data:
    .word 0x8a7b6c5d

    .section .bss
    .balign 4
scratch:
    .space 8
