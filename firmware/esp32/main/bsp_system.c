/*
 * System services: the hardware random number generator (ESP-IDF "Random Number Generation"),
 * restart and the heap left (ESP-IDF "Miscellaneous System APIs", "Heap Memory Allocation"), and
 * the tasks' stack high-water marks (FreeRTOS uxTaskGetSystemState, with the trace facility).
 */
#include <string.h>

#include "esp_heap_caps.h"
#include "esp_random.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "tapwalker_bsp.h"

void tapwalker_random_fill(void *buf, size_t size) { esp_fill_random(buf, size); }

void tapwalker_restart(void) { esp_restart(); }

void tapwalker_heap(tapwalker_heap_t *out)
{
    out->free_bytes = esp_get_free_heap_size();
    out->minimum_free_bytes = esp_get_minimum_free_heap_size();
    out->largest_block = heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
}

int tapwalker_task_stacks(tapwalker_task_stack_t *out, int capacity)
{
#if CONFIG_FREERTOS_USE_TRACE_FACILITY
    /* A fixed array on this task's stack: at most 24 tasks are reported. */
    TaskStatus_t status[24];
    UBaseType_t n = uxTaskGetSystemState(status, 24, NULL);
    int filled = 0;
    for (UBaseType_t i = 0; i < n && filled < capacity; i++) {
        strlcpy(out[filled].name, status[i].pcTaskName, sizeof(out[filled].name));
        /* IDF's FreeRTOS counts stack in bytes (configSTACK_DEPTH_TYPE is bytes on ESP-IDF). */
        out[filled].stack_left_bytes = status[i].usStackHighWaterMark;
        filled++;
    }
    return filled;
#else
    (void)out;
    (void)capacity;
    return 0;
#endif
}
