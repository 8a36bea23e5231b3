// Emulation configuration only (CONFIG_ETH_USE_OPENETH, sdkconfig.defaults.emulation): where the
// emulated ESP32-C3's interrupt matrix differs from the chip's, made to behave as the chip does
// (docs/firmware.md, "Interrupts masked by a critical section"). Two differences, each remedied
// below: a task switch the emulator would make from inside a critical section is deferred to the
// section's end (this first part), and interrupts left pending at another interrupt's exit are
// offered wherever a task waits (offer_pending and its callers, further down).
//
// Why: ESP-IDF's critical sections mask ordinary interrupts by raising the interrupt controller's
// threshold to RVHAL_EXCM_LEVEL with MIE cleared around the write. On the chip a raised threshold
// withdraws any interrupt of a lower priority. Espressif's QEMU (esp32c3 machine) leaves an
// interrupt it signalled before the write pending at the CPU, which takes it as soon as MIE is set
// again, that is, at the first instruction of the critical section. The handler's own work is
// harmless there (nothing the section protects has been touched yet), but a context switch at its
// exit is not: the interrupt vector restores the section's threshold before rtos_int_exit switches,
// so the next task runs with ordinary interrupts masked while its critical nesting is 0, and it
// spins in vPortYield waiting for a yield interrupt that can never be taken until a watchdog
// resets the chip. The task that was left keeps running its section, later, with interrupts
// unmasked. Both wrongs come from one switch the chip could never make.
//
// The fix, linked with `--wrap=vTaskSwitchContext` (main/CMakeLists.txt): rtos_int_exit calls
// this instead of FreeRTOS's vTaskSwitchContext. When the interrupted task's threshold (restored
// by the vector just before) masks ordinary interrupts, the switch is not made now; a yield is
// requested through the cross-core interrupt instead, which the controller offers once the section
// lowers the threshold again, and the switch happens then, as on the chip. Otherwise the real
// function runs unchanged. On a chip the first branch is never taken.

#include "sdkconfig.h"

#if CONFIG_ETH_USE_OPENETH && CONFIG_IDF_TARGET_ESP32C3

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "riscv/rv_utils.h"
#include "esp_private/crosscore_int.h"
#include "soc/interrupt_reg.h"
#include "soc/soc.h"
#include "esp_attr.h"
#include "esp_err.h"
#include "esp_freertos_hooks.h"
#include "hal/crosscore_int_ll.h"
#include "riscv/csr.h"

void __real_vTaskSwitchContext(void);
void __wrap_vTaskSwitchContext(void);

/// How many switches were deferred since boot; the console's status does not show it, a debugger
/// or a panic dump can.
volatile uint32_t tapwalker_emu_deferred_switches;

/* In IRAM: it runs in every interrupt's exit, also while a flash write has the cache off. */
IRAM_ATTR void __wrap_vTaskSwitchContext(void)
{
    if (REG_READ(INTERRUPT_CURRENT_CORE_INT_THRESH_REG) > RVHAL_INTR_ENABLE_THRESH) {
        tapwalker_emu_deferred_switches++;
        esp_crosscore_int_send_yield(xPortGetCoreID());
        return;
    }
    __real_vTaskSwitchContext();
}

/// Threshold left raised in a task outside any critical section, found and lowered again (see
/// tapwalker_emu_restore_task_threshold).
volatile uint32_t tapwalker_emu_restored_thresholds;

extern volatile UBaseType_t port_uxCriticalNesting[portNUM_PROCESSORS];
extern volatile UBaseType_t port_xSchedulerRunning[portNUM_PROCESSORS];

// The emulated interrupt matrix offers a pending interrupt to the CPU only when the threshold is
// written with another value, when a CSR write sets MIE, or when a source's level changes. An
// interrupt's exit offers nothing: the vector restores the interrupted threshold with MIE clear,
// and mret sets MIE again without a CSR write. So a source that became pending while another
// interrupt was handled (the tick during the Ethernet's) waits for the next threshold change;
// a task that waits without one (the idle task's WFI, vPortYield's loop below) waits forever,
// and the interrupt watchdog fires. Clearing MIE and setting it again by CSR writes makes the
// matrix offer what is pending; on a chip, where a pending interrupt is taken as soon as the
// threshold allows, it changes nothing.
static inline IRAM_ATTR void offer_pending(void)
{
    unsigned long was = RV_CLEAR_CSR(mstatus, MSTATUS_MIE);
    if (was & MSTATUS_MIE) RV_SET_CSR(mstatus, MSTATUS_MIE);
}

// A raised threshold in a task that holds no critical section is a state the chip never reaches
// (every raise belongs to a section and is undone at its end), yet the emulated chip still
// reaches it now and then by a path not traced yet, and a task that then waits keeps the tick
// masked until the interrupt watchdog fires. Every way a task waits lowers it first and offers
// what is pending: the busy-wait (tapwalker_delay_us, the flash status polls of a flash write),
// every yield (vPortYield, below: blocking on a queue, a semaphore or a delay) and the idle
// task before its WFI (the idle hook, tapwalker_emu_install). On a chip a yield at a raised
// threshold would spin forever, so lowering it there cannot change what a correct program does.
IRAM_ATTR void tapwalker_emu_restore_task_threshold(void)
{
    if (xPortInIsrContext() || port_uxCriticalNesting[xPortGetCoreID()] != 0) return;
    if (REG_READ(INTERRUPT_CURRENT_CORE_INT_THRESH_REG) > RVHAL_INTR_ENABLE_THRESH) {
        tapwalker_emu_restored_thresholds++;
        REG_WRITE(INTERRUPT_CURRENT_CORE_INT_THRESH_REG, RVHAL_INTR_ENABLE_THRESH);
    }
    offer_pending();
}

void __real_vPortYield(void);
void __wrap_vPortYield(void);

// FreeRTOS's vPortYield (port.c) for a task, with the pending interrupts offered while it waits:
// it requests the yield interrupt and spins until it is taken. If the CPU was busy taking another
// interrupt when the request was raised, the emulated matrix keeps it pending and, with no
// threshold change in the loop, never offers it. In IRAM, as vPortYield is: FreeRTOS yields also
// while the cache is off.
IRAM_ATTR void __wrap_vPortYield(void)
{
    if (xPortInIsrContext()) {
        __real_vPortYield();   /* vPortYieldFromISR: the switch happens at the interrupt's exit */
        return;
    }
    BaseType_t core = xPortGetCoreID();
    tapwalker_emu_restore_task_threshold();
    esp_crosscore_int_send_yield(core);
    while (port_xSchedulerRunning[core] && port_uxCriticalNesting[core] == 0 && crosscore_int_ll_get_state(core) != 0) {
        offer_pending();
    }
}

static bool offer_pending_when_idle(void)
{
    tapwalker_emu_restore_task_threshold();
    return true;   /* the idle task may still wait for an interrupt */
}

esp_err_t tapwalker_emu_install(void)
{
    return esp_register_freertos_idle_hook(offer_pending_when_idle);
}

#endif
