/*
 * Status LED on one GPIO (ESP-IDF "GPIO & RTC GPIO" page). Boards whose only LED is an
 * addressable RGB LED need the led_strip component instead; see docs/firmware.md.
 */
#include "driver/gpio.h"

#include "tapwalker_bsp.h"

static int s_pin = -1;
static bool s_active_high = true;

esp_err_t tapwalker_led_init(int pin, bool active_high)
{
    if (pin < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    const gpio_config_t config = {
        .pin_bit_mask = 1ULL << pin,
        .mode = GPIO_MODE_OUTPUT,
        .pull_up_en = GPIO_PULLUP_DISABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    esp_err_t err = gpio_config(&config);
    if (err != ESP_OK) {
        return err;
    }
    s_pin = pin;
    s_active_high = active_high;
    return gpio_set_level(pin, active_high ? 0 : 1); /* off */
}

esp_err_t tapwalker_led_set(bool on)
{
    if (s_pin < 0) {
        return ESP_ERR_INVALID_STATE;
    }
    return gpio_set_level(s_pin, on == s_active_high ? 1 : 0);
}
