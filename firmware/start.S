/* Start-up of the management core: stack, global pointer, .bss cleared, main(). The core
 * starts at 0 after the card's reset, CTRL.RUN 0 -> 1, or a watchdog restart. */
    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, __stack_top
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  call    main
    ebreak                      /* main never returns; if it does, stop with a trap */
