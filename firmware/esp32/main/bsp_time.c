/*
 * Time: esp_timer's 64-bit microsecond clock since boot (ESP-IDF "ESP Timer" page), a FreeRTOS
 * sleep that yields, and a busy-wait for delays shorter than a tick.
 */
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "bsp_internal.h"
#include "tapwalker_bsp.h"

int64_t tapwalker_time_us(void) { return esp_timer_get_time(); }

void tapwalker_sleep_ms(uint32_t ms)
{
    /* Round up so that the task sleeps at least `ms`. */
    TickType_t ticks = (TickType_t)((ms + portTICK_PERIOD_MS - 1) / portTICK_PERIOD_MS);
    vTaskDelay(ticks > 0 ? ticks : 1);
}

void tapwalker_delay_us(uint32_t us)
{
#if CONFIG_ETH_USE_OPENETH && CONFIG_IDF_TARGET_ESP32C3
    tapwalker_emu_restore_task_threshold();   /* the emulated chip only: emu_deferred_switch.c */
#endif
    esp_rom_delay_us(us);
}
