/*
 * System services: the hardware random number generator (ESP-IDF "Random Number Generation") and
 * restart (ESP-IDF "Miscellaneous System APIs").
 */
#include "esp_random.h"
#include "esp_system.h"

#include "tapwalker_bsp.h"

void tapwalker_random_fill(void *buf, size_t size) { esp_fill_random(buf, size); }

void tapwalker_restart(void) { esp_restart(); }
