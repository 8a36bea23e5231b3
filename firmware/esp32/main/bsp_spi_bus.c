/*
 * The one SPI bus TapWalker uses: SPI2, the only general-purpose SPI host the ESP32-C3 and C6
 * have. The JTAG fast path and the SD card are two devices on it.
 *
 * The bus always goes through the GPIO matrix (SPICOMMON_BUSFLAG_GPIO_PINS), never IO_MUX:
 * bsp_jtag_spi.c moves SPI2's clock and data signals onto TCK/TDI and back at run time, which
 * only the matrix can do. ESP-IDF's SPI master page says that on chips other than the original
 * ESP32 the matrix costs nothing up to 40 MHz, and the ECP5 takes at most 25 MHz TCK.
 */
#include "driver/spi_common.h"

#include "bsp_internal.h"

static tapwalker_spi_bus_pins_t s_bus = {-1, -1, -1};
static bool s_bus_ready;

tapwalker_spi_bus_pins_t tapwalker_spi_bus_pins(void) { return s_bus; }

esp_err_t tapwalker_spi_bus_init(const tapwalker_spi_bus_pins_t *pins)
{
    if (pins == NULL || pins->sclk < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_bus_ready) {
        bool same = pins->sclk == s_bus.sclk && pins->mosi == s_bus.mosi && pins->miso == s_bus.miso;
        return same ? ESP_OK : ESP_ERR_INVALID_STATE;
    }
    const spi_bus_config_t config = {
        .sclk_io_num = pins->sclk,
        .mosi_io_num = pins->mosi,
        .miso_io_num = pins->miso,
        .quadwp_io_num = -1,
        .quadhd_io_num = -1,
        /* One JTAG slot per DMA transaction; an SD sector (512 bytes) fits as well. */
        .max_transfer_sz = TAPWALKER_JTAG_SPI_SLOT_BYTES,
        .flags = SPICOMMON_BUSFLAG_MASTER | SPICOMMON_BUSFLAG_GPIO_PINS,
    };
    esp_err_t err = spi_bus_initialize(BSP_SPI_HOST, &config, SPI_DMA_CH_AUTO);
    if (err == ESP_OK) {
        s_bus = *pins;
        s_bus_ready = true;
    }
    return err;
}
