// What the RV32 device check needs from C: the instruction counter and printing through
// picolibc's semihosting stdout.
static inline unsigned long rv32_instructions_retired(void) {
    unsigned long v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}
void check_print(const char *line);
void check_print_figure(const char *name, unsigned long value);
void exit(int status);
