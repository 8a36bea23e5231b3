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
#include "sdkconfig.h"
#include "hal/dedic_gpio_cpu_ll.h"
#if __has_include("hal/dedic_gpio_periph.h")
#include "hal/dedic_gpio_periph.h" /* ESP-IDF 6 */
#else
#include "soc/dedic_gpio_periph.h" /* ESP-IDF 5 */
#endif

#include "bsp_internal.h"

/* Positions in the output bundle, in the order of gpio_array below (and of TAPWALKER_JTAG_BIT_*). */
enum { OUT_TCK = 0, OUT_TMS = 1, OUT_TDI = 2, OUT_COUNT = 3 };
_Static_assert(TAPWALKER_JTAG_BIT_TCK == 1u << OUT_TCK && TAPWALKER_JTAG_BIT_TMS == 1u << OUT_TMS &&
                   TAPWALKER_JTAG_BIT_TDI == 1u << OUT_TDI,
               "tapwalker_jtag_gpio_write passes the bits through to the bundle");

static struct {
    dedic_gpio_bundle_handle_t out;
    dedic_gpio_bundle_handle_t in;
    tapwalker_jtag_pins_t pins;
    uint32_t tck, tms, tdi; /* masks in the out CSR */
    uint32_t tdo_shift;     /* bit position of TDO in the in CSR */
    uint32_t out_offset;
    uint32_t half_cycles;   /* minimum CPU cycles per TCK phase */
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
    return tapwalker_jtag_gpio_set_max_hz(TAPWALKER_JTAG_MAX_TCK_HZ);
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

esp_err_t tapwalker_jtag_gpio_write(uint32_t mask, uint32_t value)
{
    if (s_jtag.out == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    /* The bundle's channel order (OUT_TCK, OUT_TMS, OUT_TDI) is the order of the
     * TAPWALKER_JTAG_BIT_* bits, so the values pass straight through. */
    dedic_gpio_bundle_write(s_jtag.out, mask & 7u, value);
    return ESP_OK;
}

int tapwalker_jtag_gpio_read_tdo(void)
{
    if (s_jtag.in == NULL) {
        return -1;
    }
    return (int)(dedic_gpio_bundle_read_in(s_jtag.in) & 1u);
}

/* Busy-waits until `cycles` CPU cycles have passed since `since`. */
static IRAM_ATTR inline uint32_t wait_since(uint32_t since, uint32_t cycles)
{
    uint32_t now = esp_cpu_get_cycle_count();
    while (now - since < cycles) {
        now = esp_cpu_get_cycle_count();
    }
    return now;
}

/* Clocks `bits` bits starting at byte `first_byte` with interrupts masked. Kept in IRAM so that a
 * flash cache miss (or a flash write by another task) never stretches a TCK cycle.
 *
 * One bit: clear TCK and the data lines that must be 0 (one CSR write: TCK falls), set the data
 * lines that must be 1 (the second write; a line that stays 1 is never cleared, so it never
 * glitches), wait out the low phase, raise TCK, read TDO. TDO is read just after the rising edge:
 * a JTAG target changes TDO only on falling edges, so it has held this bit's value for the whole
 * low phase, whatever the target's output delay and the GPIO matrix's input delay. Both phases
 * last at least `half` CPU cycles (the clock limit set by tapwalker_jtag_gpio_set_max_hz). */
static IRAM_ATTR void shift_run(const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo,
                                size_t first_byte, size_t bits)
{
    const uint32_t tck = s_jtag.tck, tms_m = s_jtag.tms, tdi_m = s_jtag.tdi;
    const uint32_t lines = tck | tms_m | tdi_m;
    const uint32_t tdo_shift = s_jtag.tdo_shift;
    const uint32_t half = s_jtag.half_cycles;
    uint32_t edge = esp_cpu_get_cycle_count();
    for (size_t byte = first_byte; bits > 0; byte++) {
        const uint32_t m = tms != NULL ? tms[byte] : 0;
        const uint32_t d = tdi != NULL ? tdi[byte] : 0;
        const unsigned n = bits < 8 ? (unsigned)bits : 8;
        uint32_t in = 0;
        for (unsigned k = 0; k < n; k++) {
            const uint32_t v = (((m >> k) & 1) ? tms_m : 0) | (((d >> k) & 1) ? tdi_m : 0);
            wait_since(edge, half); /* high phase of the previous bit */
            RV_CLEAR_CSR(CSR_GPIO_OUT_USER, lines & ~v);
            RV_SET_CSR(CSR_GPIO_OUT_USER, v);
            wait_since(esp_cpu_get_cycle_count(), half); /* low phase */
            RV_SET_CSR(CSR_GPIO_OUT_USER, tck);
            edge = esp_cpu_get_cycle_count();
            in |= ((RV_READ_CSR(CSR_GPIO_IN_USER) >> tdo_shift) & 1u) << k;
        }
        if (tdo != NULL) {
            tdo[byte] = (uint8_t)in; /* bits past `n` are 0 */
        }
        bits -= n;
    }
    /* Leave TCK low, as JTAG idles between shifts, after a full high phase. */
    wait_since(edge, half);
    RV_CLEAR_CSR(CSR_GPIO_OUT_USER, tck);
}

esp_err_t tapwalker_jtag_gpio_shift(const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo, size_t bits)
{
    if (s_jtag.out == NULL || s_jtag.core != esp_cpu_get_core_id()) {
        return ESP_ERR_INVALID_STATE;
    }
    /* Runs are whole bytes (TAPWALKER_JTAG_GPIO_RUN_BITS is a multiple of 8). */
    for (size_t first = 0; first < bits; first += TAPWALKER_JTAG_GPIO_RUN_BITS) {
        size_t count = bits - first;
        if (count > TAPWALKER_JTAG_GPIO_RUN_BITS) {
            count = TAPWALKER_JTAG_GPIO_RUN_BITS;
        }
        portENTER_CRITICAL(&s_lock);
        shift_run(tms, tdi, tdo, first / 8, count);
        portEXIT_CRITICAL(&s_lock);
    }
    return ESP_OK;
}

esp_err_t tapwalker_jtag_gpio_set_max_hz(uint32_t hz)
{
    if (hz == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (hz > TAPWALKER_JTAG_MAX_TCK_HZ) {
        hz = TAPWALKER_JTAG_MAX_TCK_HZ;
    }
    /* Half a TCK period in CPU cycles, rounded up so TCK never runs faster than `hz`. */
    const uint64_t cpu_hz = (uint64_t)CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ * 1000000u;
    s_jtag.half_cycles = (uint32_t)((cpu_hz + 2ull * hz - 1) / (2ull * hz));
    return ESP_OK;
}
