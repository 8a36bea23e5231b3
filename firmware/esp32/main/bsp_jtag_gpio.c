/*
 * JTAG on dedicated GPIO: TCK, TMS and TDI are one output bundle, TDO an input bundle, and the
 * shift loop reads and writes them with the CPU's user GPIO CSRs (0x805 out, 0x804 in) instead
 * of GPIO registers on the bus. A CSR access takes one CPU cycle, which is what makes bit-banged
 * TCK reach tens of MHz (ESP-IDF "Dedicated GPIO" page; its soft-SPI example does the same in
 * assembly). See docs/firmware.md.
 */
#include <string.h>

#include "driver/dedic_gpio.h"
#include "driver/gpio.h"
#include "esp_attr.h"
#include "esp_cpu.h"
#include "esp_rom_gpio.h"
#include "freertos/FreeRTOS.h"
#include "hal/dedic_gpio_cpu_ll.h"
#if __has_include("hal/dedic_gpio_periph.h")
#include "hal/dedic_gpio_periph.h" /* ESP-IDF 6 */
#else
#include "soc/dedic_gpio_periph.h" /* ESP-IDF 5 */
#endif

#include "bsp_internal.h"

/* Positions in the output bundle, in the order of gpio_array below. */
enum { OUT_TCK = 0, OUT_TMS = 1, OUT_TDI = 2, OUT_COUNT = 3 };

static struct {
    dedic_gpio_bundle_handle_t out;
    dedic_gpio_bundle_handle_t in;
    tapwalker_jtag_pins_t pins;
    uint32_t tck, tms, tdi; /* masks in the out CSR */
    uint32_t tdo_shift;     /* bit position of TDO in the in CSR */
    uint32_t out_offset;
    int core;
} s_jtag = {.pins = {-1, -1, -1, -1}};

/* Masks interrupts on this core (and takes the lock on the P4's two cores). */
static portMUX_TYPE s_lock = portMUX_INITIALIZER_UNLOCKED;

tapwalker_jtag_pins_t bsp_jtag_gpio_pins(void) { return s_jtag.pins; }

esp_err_t tapwalker_jtag_gpio_init(const tapwalker_jtag_pins_t *pins)
{
    if (pins == NULL || pins->tck < 0 || pins->tms < 0 || pins->tdi < 0 || pins->tdo < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_jtag.out != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    int out_array[OUT_COUNT] = {pins->tck, pins->tms, pins->tdi};
    dedic_gpio_bundle_config_t out_config = {
        .gpio_array = out_array,
        .array_size = OUT_COUNT,
        .flags = {.out_en = 1},
    };
    int in_array[1] = {pins->tdo};
    dedic_gpio_bundle_config_t in_config = {
        .gpio_array = in_array,
        .array_size = 1,
        .flags = {.in_en = 1},
    };
    esp_err_t err = dedic_gpio_new_bundle(&out_config, &s_jtag.out);
    if (err != ESP_OK) {
        return err;
    }
    err = dedic_gpio_new_bundle(&in_config, &s_jtag.in);
    if (err != ESP_OK) {
        dedic_gpio_del_bundle(s_jtag.out);
        s_jtag.out = NULL;
        return err;
    }
    uint32_t out_offset = 0, in_offset = 0;
    dedic_gpio_get_out_offset(s_jtag.out, &out_offset);
    dedic_gpio_get_in_offset(s_jtag.in, &in_offset);
    s_jtag.out_offset = out_offset;
    s_jtag.tck = 1u << (out_offset + OUT_TCK);
    s_jtag.tms = 1u << (out_offset + OUT_TMS);
    s_jtag.tdi = 1u << (out_offset + OUT_TDI);
    s_jtag.tdo_shift = in_offset;
    s_jtag.core = esp_cpu_get_core_id();
    s_jtag.pins = *pins;
    dedic_gpio_bundle_write(s_jtag.out, (1u << OUT_COUNT) - 1, 1u << OUT_TMS);
    return ESP_OK;
}

esp_err_t tapwalker_jtag_gpio_deinit(void)
{
    if (s_jtag.out == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    dedic_gpio_del_bundle(s_jtag.out);
    dedic_gpio_del_bundle(s_jtag.in);
    s_jtag.out = NULL;
    s_jtag.in = NULL;
    const int pins[] = {s_jtag.pins.tck, s_jtag.pins.tms, s_jtag.pins.tdi, s_jtag.pins.tdo};
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        gpio_reset_pin(pins[i]);
    }
    s_jtag.pins = (tapwalker_jtag_pins_t){-1, -1, -1, -1};
    return ESP_OK;
}

esp_err_t bsp_jtag_gpio_reclaim_pins(void)
{
    if (s_jtag.out == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    /* The same connection dedic_gpio_new_bundle made: pin <- this core's channel output. */
    const int *sig = dedic_gpio_periph_signals.cores[s_jtag.core].out_sig_per_channel;
    esp_rom_gpio_connect_out_signal(s_jtag.pins.tck, sig[s_jtag.out_offset + OUT_TCK], false, false);
    esp_rom_gpio_connect_out_signal(s_jtag.pins.tdi, sig[s_jtag.out_offset + OUT_TDI], false, false);
    return ESP_OK;
}

esp_err_t tapwalker_jtag_gpio_set(bool tms, bool tdi)
{
    if (s_jtag.out == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    dedic_gpio_bundle_write(s_jtag.out, (1u << OUT_TMS) | (1u << OUT_TDI),
                            (tms ? 1u << OUT_TMS : 0) | (tdi ? 1u << OUT_TDI : 0));
    return ESP_OK;
}

/* Clocks bits [first, first + count) of one run with interrupts masked. Kept in IRAM so that a
 * flash cache miss (or a flash write by another task) never stretches a TCK cycle. */
static IRAM_ATTR void shift_run(const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo,
                                size_t first, size_t count)
{
    const uint32_t tck = s_jtag.tck, tms_m = s_jtag.tms, tdi_m = s_jtag.tdi;
    const uint32_t data = tms_m | tdi_m | tck;
    const uint32_t tdo_shift = s_jtag.tdo_shift;
    for (size_t i = first; i < first + count; i++) {
        const size_t byte = i >> 3;
        const unsigned bit = i & 7;
        uint32_t v = 0;
        if (tms != NULL && ((tms[byte] >> bit) & 1)) {
            v |= tms_m;
        }
        if (tdi != NULL && ((tdi[byte] >> bit) & 1)) {
            v |= tdi_m;
        }
        /* Falling edge (or TCK staying low) with the new TMS/TDI in the same cycle: clear what must
         * be 0, then set what must be 1. TCK is in the clear mask, so it goes low first. */
        RV_CLEAR_CSR(CSR_GPIO_OUT_USER, data & ~v);
        RV_SET_CSR(CSR_GPIO_OUT_USER, v);
        /* TDO as driven since the previous falling edge, read just before the rising edge. */
        const uint32_t in = RV_READ_CSR(CSR_GPIO_IN_USER);
        RV_SET_CSR(CSR_GPIO_OUT_USER, tck);
        if (tdo != NULL) {
            const uint8_t mask = (uint8_t)(1u << bit);
            if ((in >> tdo_shift) & 1) {
                tdo[byte] |= mask;
            } else {
                tdo[byte] &= (uint8_t)~mask;
            }
        }
    }
    /* Leave TCK low, as JTAG idles between shifts. */
    RV_CLEAR_CSR(CSR_GPIO_OUT_USER, tck);
}

esp_err_t tapwalker_jtag_gpio_shift(const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo, size_t bits)
{
    if (s_jtag.out == NULL || s_jtag.core != esp_cpu_get_core_id()) {
        return ESP_ERR_INVALID_STATE;
    }
    if (bits == 0) {
        return ESP_OK;
    }
    for (size_t first = 0; first < bits; first += TAPWALKER_JTAG_GPIO_RUN_BITS) {
        size_t count = bits - first;
        if (count > TAPWALKER_JTAG_GPIO_RUN_BITS) {
            count = TAPWALKER_JTAG_GPIO_RUN_BITS;
        }
        portENTER_CRITICAL(&s_lock);
        shift_run(tms, tdi, tdo, first, count);
        portEXIT_CRITICAL(&s_lock);
    }
    if (tdo != NULL && (bits & 7) != 0) {
        tdo[bits >> 3] &= (uint8_t)((1u << (bits & 7)) - 1);
    }
    return ESP_OK;
}
