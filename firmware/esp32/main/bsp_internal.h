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
