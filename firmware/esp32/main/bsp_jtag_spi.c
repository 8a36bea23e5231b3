/*
 * Bulk Shift-DR through the SPI master: TDI on MOSI, TDO on MISO, TCK on SCLK, full duplex,
 * SPI mode 0, LSB first, DMA.
 *
 * Why mode 0 fits JTAG: in mode 0 the master changes MOSI on the falling clock edge and samples
 * MISO on the rising edge; a JTAG target samples TDI on the rising edge of TCK and changes TDO on
 * the falling edge. LSB first (SPI_DEVICE_TXBIT_LSBFIRST | SPI_DEVICE_RXBIT_LSBFIRST) is JTAG's
 * shift order, so bitstream bytes go out as they are.
 *
 * TMS is not an SPI signal. It stays on dedicated GPIO at the level the caller left it: low in
 * Shift-DR, so every SPI clock shifts one bit. The caller clocks the last bit (TMS high, leaving
 * Shift-DR) with tapwalker_jtag_gpio_shift.
 *
 * Handing TCK between dedicated GPIO and SPI without a glitch
 * - Each pin's output comes from whatever signal the GPIO matrix selects for it. Switching TCK is
 *   one esp_rom_gpio_connect_out_signal call that selects SPI2's clock output instead of the
 *   dedicated-GPIO channel (and back).
 * - Both sources are low when the switch happens: tapwalker_jtag_gpio_shift always ends with TCK
 *   low, and in mode 0 the SPI clock idles low between transactions (every device on this bus
 *   is mode 0, so the idle level never changes). Selecting one low signal instead of another low
 *   signal makes no edge on the pin, so the target sees no extra TCK cycle.
 * - TDI is switched at the same time; it may change level, which is harmless while TCK is low
 *   (TDI only matters at a rising edge).
 * - The hand-over happens with the bus acquired (spi_device_acquire_bus), so no SD transaction
 *   runs while TDO feeds SPI2's MISO input or while SPI2's clock reaches TCK. When the bus is
 *   released, TCK/TDI go back to dedicated GPIO ("parked" SPI clock: it then reaches only the
 *   bus's own SCLK pin, the SD card's, whose chip select is high).
 * - The MISO input is re-pointed from TDO back to the bus's MISO pin at release.
 *
 * Clock limit: the frequency check that refuses fast full-duplex clocks (80 MHz divided by the
 * MISO delay in 12.5 ns steps) exists only for the original ESP32 in this driver; on the C3, C6
 * and P4 the SPI master page says the GPIO matrix behaves like IO_MUX up to 40 MHz, so any TCK up
 * to the ECP5's 25 MHz is granted, and input_delay_ns only tunes where MISO is sampled.
 * tapwalker_jtag_spi_actual_hz tells the divided clock actually in use. See docs/firmware.md.
 */
#include <string.h>

#include "driver/spi_master.h"
#include "esp_rom_gpio.h"
#include "freertos/FreeRTOS.h"
#include "sdkconfig.h"
#include "soc/spi_periph.h"

#include "bsp_internal.h"

static struct {
    spi_device_handle_t dev;
    spi_transaction_t trans[TAPWALKER_JTAG_SPI_SLOTS];
    unsigned in_flight;
    bool slot_busy[TAPWALKER_JTAG_SPI_SLOTS];
    uint32_t actual_hz;
} s_spi;

static void hand_to_spi(const tapwalker_jtag_pins_t *p)
{
    esp_rom_gpio_connect_out_signal(p->tck, spi_periph_signal[BSP_SPI_HOST].spiclk_out, false, false);
    esp_rom_gpio_connect_out_signal(p->tdi, spi_periph_signal[BSP_SPI_HOST].spid_out, false, false);
    esp_rom_gpio_connect_in_signal(p->tdo, spi_periph_signal[BSP_SPI_HOST].spiq_in, false);
}

static void hand_to_gpio(void)
{
    bsp_jtag_gpio_reclaim_pins();
    const tapwalker_spi_bus_pins_t bus = tapwalker_spi_bus_pins();
    if (bus.miso >= 0) {
        esp_rom_gpio_connect_in_signal(bus.miso, spi_periph_signal[BSP_SPI_HOST].spiq_in, false);
    }
}

esp_err_t tapwalker_jtag_spi_init(uint32_t tck_hz, int tdo_valid_ns)
{
    const tapwalker_jtag_pins_t pins = bsp_jtag_gpio_pins();
    if (pins.tck < 0) {
        return ESP_ERR_INVALID_STATE; /* tapwalker_jtag_gpio_init first */
    }
    if (s_spi.dev != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    if (tck_hz == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (tck_hz > TAPWALKER_JTAG_MAX_TCK_HZ) {
        tck_hz = TAPWALKER_JTAG_MAX_TCK_HZ;
    }
    /* With no SD card the bus lives on the JTAG pins themselves. */
    const tapwalker_spi_bus_pins_t own = {.sclk = pins.tck, .mosi = pins.tdi, .miso = pins.tdo};
    esp_err_t err = tapwalker_spi_bus_pins().sclk < 0 ? tapwalker_spi_bus_init(&own) : ESP_OK;
    if (err != ESP_OK) {
        return err;
    }
    const spi_device_interface_config_t config = {
        .mode = 0,
        .clock_speed_hz = (int)tck_hz,
        .input_delay_ns = tdo_valid_ns,
        .spics_io_num = -1, /* JTAG has no chip select */
        .flags = SPI_DEVICE_TXBIT_LSBFIRST | SPI_DEVICE_RXBIT_LSBFIRST,
        .queue_size = TAPWALKER_JTAG_SPI_SLOTS,
    };
    err = spi_bus_add_device(BSP_SPI_HOST, &config, &s_spi.dev);
    if (err != ESP_OK) {
        return err;
    }
    int khz = 0;
    if (spi_device_get_actual_freq(s_spi.dev, &khz) == ESP_OK) {
        s_spi.actual_hz = (uint32_t)khz * 1000u;
    }
    /* If the bus was just initialised on the JTAG pins, SPI2's clock now drives TCK: park it.
     * Whatever the driver did to the pins while setting them up happened with TMS steady, which
     * leaves a TAP in Test-Logic-Reset (TMS high) or Run-Test/Idle (TMS low) where it was. */
    hand_to_gpio();
    return ESP_OK;
}

esp_err_t tapwalker_jtag_spi_deinit(void)
{
    if (s_spi.dev == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    while (s_spi.in_flight > 0) {
        tapwalker_jtag_spi_wait(NULL);
    }
    spi_bus_remove_device(s_spi.dev);
    memset(&s_spi, 0, sizeof s_spi);
    return ESP_OK;
}

uint32_t tapwalker_jtag_spi_actual_hz(void) { return s_spi.actual_hz; }

bool tapwalker_jtag_spi_length_supported(size_t bits)
{
#if CONFIG_IDF_TARGET_ESP32C3 || CONFIG_IDF_TARGET_ESP32C6
    return bits % 8 != 1;
#else
    (void)bits;
    return true;
#endif
}

/* Queues one transaction in slot `slot` (its spi_transaction_t) with the given buffers. */
static esp_err_t queue_in_slot(unsigned slot, size_t bits, const uint8_t *tx, uint8_t *rx)
{
    if (s_spi.dev == NULL || slot >= TAPWALKER_JTAG_SPI_SLOTS || s_spi.slot_busy[slot]) {
        return ESP_ERR_INVALID_STATE;
    }
    if (bits == 0 || bits > (size_t)TAPWALKER_JTAG_SPI_SLOT_BYTES * 8 || tx == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!tapwalker_jtag_spi_length_supported(bits)) {
        return ESP_ERR_NOT_SUPPORTED;
    }
    if (s_spi.in_flight == 0) {
        esp_err_t err = spi_device_acquire_bus(s_spi.dev, portMAX_DELAY);
        if (err != ESP_OK) {
            return err;
        }
        const tapwalker_jtag_pins_t pins = bsp_jtag_gpio_pins();
        hand_to_spi(&pins);
    }
    spi_transaction_t *t = &s_spi.trans[slot];
    memset(t, 0, sizeof *t);
    t->length = bits;
    t->rxlength = rx != NULL ? bits : 0;
    t->tx_buffer = tx;
    t->rx_buffer = rx;
    t->user = (void *)(uintptr_t)slot;
    esp_err_t err = spi_device_queue_trans(s_spi.dev, t, portMAX_DELAY);
    if (err != ESP_OK) {
        if (s_spi.in_flight == 0) {
            hand_to_gpio();
            spi_device_release_bus(s_spi.dev);
        }
        return err;
    }
    s_spi.slot_busy[slot] = true;
    s_spi.in_flight++;
    return ESP_OK;
}

esp_err_t tapwalker_jtag_spi_queue_buffers(const uint8_t *tdi, uint8_t *tdo, size_t bits, unsigned *slot)
{
    for (unsigned i = 0; i < TAPWALKER_JTAG_SPI_SLOTS; i++) {
        if (s_spi.dev != NULL && !s_spi.slot_busy[i]) {
            esp_err_t err = queue_in_slot(i, bits, tdi, tdo);
            if (err == ESP_OK && slot != NULL) {
                *slot = i;
            }
            return err;
        }
    }
    return ESP_ERR_INVALID_STATE; /* both slots in flight: wait for one first */
}

esp_err_t tapwalker_jtag_spi_wait(unsigned *slot_done)
{
    if (s_spi.dev == NULL || s_spi.in_flight == 0) {
        return ESP_ERR_INVALID_STATE;
    }
    spi_transaction_t *t = NULL;
    esp_err_t err = spi_device_get_trans_result(s_spi.dev, &t, portMAX_DELAY);
    if (err != ESP_OK) {
        return err;
    }
    const unsigned slot = (unsigned)(uintptr_t)t->user;
    s_spi.slot_busy[slot] = false;
    s_spi.in_flight--;
    if (s_spi.in_flight == 0) {
        hand_to_gpio();
        spi_device_release_bus(s_spi.dev);
    }
    if (slot_done != NULL) {
        *slot_done = slot;
    }
    return ESP_OK;
}
