/*
 * Shared between the driver files only (not part of the Swift-facing API in tapwalker_bsp.h).
 */
#pragma once

#include <stdbool.h>
#include "esp_err.h"
#include "tapwalker_bsp.h"

/* bsp_jtag_gpio.c: the pins claimed by tapwalker_jtag_gpio_init (all -1 before). */
tapwalker_jtag_pins_t bsp_jtag_gpio_pins(void);

/* bsp_jtag_gpio.c: reconnects TCK and TDI to their dedicated-GPIO output channels in the GPIO
 * matrix (undoing bsp_jtag_spi.c's hand-over). Must run on the core that owns the bundle. */
esp_err_t bsp_jtag_gpio_reclaim_pins(void);

/* bsp_spi_bus.c: the host all TapWalker SPI devices share. */
#define BSP_SPI_HOST SPI2_HOST

/* Shared SPI bus (bsp_spi_bus.c). SPI2 is the only general-purpose SPI on the C3 and C6, so the
 * JTAG fast path and the SD card share it: the bus pins are the SD card's when there is one,
 * otherwise the JTAG pins. The JTAG device routes SPI2's clock and data to TCK/TDI only while it
 * owns the bus (bsp_jtag_spi.c). */

typedef struct {
    int sclk;
    int mosi;
    int miso;
} tapwalker_spi_bus_pins_t;

/** Initialises SPI2 as master with DMA and the GPIO matrix (never IO_MUX: the JTAG device
 *  re-routes signals at run time). Idempotent: a second call with the same pins returns ESP_OK,
 *  with other pins ESP_ERR_INVALID_STATE. */
esp_err_t tapwalker_spi_bus_init(const tapwalker_spi_bus_pins_t *pins);

/** The pins the bus was initialised with (all -1 before tapwalker_spi_bus_init). */
tapwalker_spi_bus_pins_t tapwalker_spi_bus_pins(void);

/* emu_deferred_switch.c, the emulation configuration on the ESP32-C3 only. */
void tapwalker_emu_restore_task_threshold(void);
/** Registers the idle hook that offers the emulated chip's pending interrupts (called by
 *  tapwalker_eth_init). */
esp_err_t tapwalker_emu_install(void);
