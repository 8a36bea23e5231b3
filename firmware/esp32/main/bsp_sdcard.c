/*
 * SD card in SPI mode on the shared SPI2 bus (ESP-IDF "SD SPI Host Driver" and "SDMMC Protocol"
 * pages): the card is a device with its own chip select beside the JTAG device. Only the card is
 * initialised here, no file system: the firmware reads the card's FAT itself over the raw
 * sectors (TapWalkerFAT, docs/fat.md), so a card without one can still be written raw.
 */
#include "driver/sdspi_host.h"
#include "sdmmc_cmd.h"

#include "bsp_internal.h"

static sdmmc_card_t s_card_info;
static sdmmc_card_t *s_card;

esp_err_t tapwalker_sdcard_init(const tapwalker_sdcard_pins_t *pins)
{
    if (pins == NULL || pins->cs < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_card != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    const tapwalker_spi_bus_pins_t bus = {.sclk = pins->sclk, .mosi = pins->mosi, .miso = pins->miso};
    esp_err_t err = tapwalker_spi_bus_init(&bus);
    if (err != ESP_OK) {
        return err;
    }
    err = sdspi_host_init(); /* the driver's own state; the bus is bsp_spi_bus.c's */
    if (err != ESP_OK) {
        return err;
    }
    sdspi_device_config_t slot = SDSPI_DEVICE_CONFIG_DEFAULT();
    slot.host_id = BSP_SPI_HOST;
    slot.gpio_cs = pins->cs;
    sdspi_dev_handle_t handle;
    err = sdspi_host_init_device(&slot, &handle);
    if (err != ESP_OK) {
        return err;
    }
    sdmmc_host_t host = SDSPI_HOST_DEFAULT();
    host.slot = handle;
    if (pins->max_khz != 0) {
        host.max_freq_khz = (int)pins->max_khz;
    }
    /* Reset, SPI mode, voltage and capacity (CMD0, CMD8, ACMD41, CMD58, CSD). An empty slot
     * answers nothing, so CMD0 times out: ESP_ERR_TIMEOUT is "no card". The device stays on
     * the bus either way, its chip select held high, so the JTAG device's traffic never
     * reaches a card put in later. */
    err = sdmmc_card_init(&host, &s_card_info);
    if (err != ESP_OK) {
        return err;
    }
    s_card = &s_card_info;
    return ESP_OK;
}

uint64_t tapwalker_sdcard_sectors(void)
{
    if (s_card == NULL) {
        return 0;
    }
    /* csd.capacity counts sectors of csd.sector_size bytes (512 for every SDHC/SDXC card). */
    return (uint64_t)s_card->csd.capacity * (uint64_t)s_card->csd.sector_size / 512u;
}

esp_err_t tapwalker_sdcard_read(uint32_t first_sector, uint32_t count, void *dst)
{
    if (s_card == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    return sdmmc_read_sectors(s_card, dst, first_sector, count);
}

esp_err_t tapwalker_sdcard_write(uint32_t first_sector, uint32_t count, const void *src)
{
    if (s_card == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    return sdmmc_write_sectors(s_card, src, first_sector, count);
}

bool tapwalker_sdcard_slot(tapwalker_sdcard_pins_t *pins)
{
#if CONFIG_TAPWALKER_SDCARD
    *pins = (tapwalker_sdcard_pins_t){
        .sclk = CONFIG_TAPWALKER_SD_CLK,
        .mosi = CONFIG_TAPWALKER_SD_MOSI,
        .miso = CONFIG_TAPWALKER_SD_MISO,
        .cs = CONFIG_TAPWALKER_SD_CS,
        .max_khz = 0,
    };
    return true;
#else
    (void)pins;
    return false;
#endif
}
