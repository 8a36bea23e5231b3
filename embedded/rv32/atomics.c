// The __atomic_*_4 library calls Swift's reference counting makes on a RISC-V CPU without the A
// extension (rv32imc, the ESP32-C3): the compiler cannot inline atomic instructions there, so it
// calls these. The programs built here run on one hart with interrupts never enabled, so nothing
// can run between a load and the store that follows it: plain loads and stores are atomic enough.
// (Firmware gets these from ESP-IDF, which masks interrupts around them.)
#include <stdbool.h>
#include <stdint.h>

uint32_t __atomic_load_4(const volatile void *p, int order) {
    (void)order;
    return *(const volatile uint32_t *)p;
}

void __atomic_store_4(volatile void *p, uint32_t value, int order) {
    (void)order;
    *(volatile uint32_t *)p = value;
}

uint32_t __atomic_exchange_4(volatile void *p, uint32_t value, int order) {
    (void)order;
    uint32_t old = *(volatile uint32_t *)p;
    *(volatile uint32_t *)p = value;
    return old;
}

bool __atomic_compare_exchange_4(volatile void *p, void *expected, uint32_t desired, bool weak,
                                 int success, int failure) {
    (void)weak, (void)success, (void)failure;
    uint32_t current = *(volatile uint32_t *)p;
    if (current == *(uint32_t *)expected) {
        *(volatile uint32_t *)p = desired;
        return true;
    }
    *(uint32_t *)expected = current;
    return false;
}

#define FETCH_OP(name, op)                                                    \
    uint32_t __atomic_fetch_##name##_4(volatile void *p, uint32_t v, int o) { \
        (void)o;                                                              \
        uint32_t old = *(volatile uint32_t *)p;                               \
        *(volatile uint32_t *)p = old op v;                                   \
        return old;                                                           \
    }

FETCH_OP(add, +)
FETCH_OP(sub, -)
FETCH_OP(and, &)
FETCH_OP(or, |)
FETCH_OP(xor, ^)
