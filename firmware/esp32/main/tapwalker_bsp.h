/*
 * TapWalker board support: the C API the Swift board-support adapter calls.
 *
 * Every function here is a thin wrapper over one ESP-IDF driver (one .c file per driver, named
 * bsp_<driver>.c). There is no application logic below this line: no JTAG state machine, no
 * configuration format, no retry or roaming policy. Those live in Swift.
 *
 * Conventions
 * - Functions return esp_err_t (ESP_OK on success, an IDF error code otherwise) unless the comment
 *   documents another return value.
 * - Bit streams are LSB first: bit i of a stream is bit (i % 8) of byte (i / 8). This is the order
 *   in which JTAG shifts a register out of TDI and the order the SPI master uses with
 *   SPI_DEVICE_TXBIT_LSBFIRST / SPI_DEVICE_RXBIT_LSBFIRST, so no bit reversal happens anywhere.
 * - Not thread-safe unless stated: the board service runs one job at a time from one task.
 *   On the dual-core ESP32-P4 the JTAG functions must be called from the task that called
 *   tapwalker_jtag_gpio_init (dedicated GPIO channels belong to one CPU core); pin that task.
 *
 * Facts behind the choices are in docs/firmware.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* The status LED's pin per chip (the development boards' LED). The JTAG pins are not here: they
 * come from tapwalker.conf ([jtag] preset or tck/tms/tdi/tdo; the presets are
 * Sources/TapWalkerDevice/Configuration/JTAGPinPreset.swift), and tapwalker_jtag_gpio_init takes
 * them at run time. */
#if CONFIG_IDF_TARGET_ESP32P4
#define TAPWALKER_DEFAULT_PIN_LED 7
#else /* ESP32-C3, ESP32-C6 */
#define TAPWALKER_DEFAULT_PIN_LED 8
#endif

/** The ECP5 accepts at most 25 MHz TCK (ECP5 family data sheet, JTAG port timing). */
#define TAPWALKER_JTAG_MAX_TCK_HZ 25000000

/* ------------------------------------------------------------------------------------------ */
/* JTAG pins on dedicated GPIO (bsp_jtag_gpio.c)                                               */

typedef struct {
    int tck;
    int tms;
    int tdi;
    int tdo;
} tapwalker_jtag_pins_t;

/** Claims the four pins: TCK, TMS and TDI as one dedicated-GPIO output bundle, TDO as an input
 *  bundle. Leaves TCK low, TMS high (Test-Logic-Reset is safe), TDI low. */
esp_err_t tapwalker_jtag_gpio_init(const tapwalker_jtag_pins_t *pins);

/** Releases the bundles; the pins become plain inputs. */
esp_err_t tapwalker_jtag_gpio_deinit(void);

/** Clocks `bits` TCK cycles. Before rising edge i, TMS = bit i of `tms` and TDI = bit i of `tdi`;
 *  TDO is read just after rising edge i into bit i of `tdo` (a JTAG target changes TDO only on
 *  falling edges, so this is the value it drove since the falling edge before). `tms` NULL holds
 *  TMS low, `tdi` NULL holds TDI low, `tdo` NULL discards TDO. Returns with TCK low and TMS/TDI
 *  at the last bit's values. Bits of `tdo` past `bits` in the last byte are cleared.
 *  Interrupts are masked while bits are clocked, in runs of at most TAPWALKER_JTAG_GPIO_RUN_BITS
 *  so that WiFi and the tick interrupt are never held off for long. TCK runs as fast as the CPU
 *  loop allows, but never faster than tapwalker_jtag_gpio_set_max_hz (each phase at least half
 *  a period, counted in CPU cycles). */
esp_err_t tapwalker_jtag_gpio_shift(const uint8_t *tms, const uint8_t *tdi, uint8_t *tdo, size_t bits);

/** Upper bound for TCK on the GPIO path, in Hz (clamped to TAPWALKER_JTAG_MAX_TCK_HZ, which
 *  tapwalker_jtag_gpio_init sets). Timed in CPU cycles at CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ, so it
 *  holds while power management leaves the CPU clock at that frequency (TapWalker does not
 *  enable dynamic frequency scaling). */
esp_err_t tapwalker_jtag_gpio_set_max_hz(uint32_t hz);

/** Bits of the bundle for tapwalker_jtag_gpio_write. */
#define TAPWALKER_JTAG_BIT_TCK (1u << 0)
#define TAPWALKER_JTAG_BIT_TMS (1u << 1)
#define TAPWALKER_JTAG_BIT_TDI (1u << 2)

/** Sets the lines in `mask` (TAPWALKER_JTAG_BIT_*) to the levels in `value`, all in one CPU
 *  instruction pair, without any timing of its own (for callers that clock bit by bit). */
esp_err_t tapwalker_jtag_gpio_write(uint32_t mask, uint32_t value);

/** TDO's level: 0 or 1; -1 before tapwalker_jtag_gpio_init. */
int tapwalker_jtag_gpio_read_tdo(void);

/** Bits clocked per interrupt-masked run; a multiple of 8. */
#define TAPWALKER_JTAG_GPIO_RUN_BITS 1024

/* ------------------------------------------------------------------------------------------ */
/* Bulk Shift-DR through the SPI master (bsp_jtag_spi.c)                                       */

/** Bits one SPI transaction shifts at most (4096 bytes), and how many may be in flight. */
#define TAPWALKER_JTAG_SPI_SLOT_BYTES 4096
#define TAPWALKER_JTAG_SPI_SLOTS 2

/** Adds the JTAG device to the SPI bus (initialising the bus on the JTAG pins if nothing else
 *  did) and parks SPI2's clock: TCK/TDI stay on dedicated GPIO. The caller's buffers carry the
 *  bits (tapwalker_jtag_spi_queue_buffers); nothing is allocated here.
 *  Requires tapwalker_jtag_gpio_init first; call it while the TAP is in Test-Logic-Reset or
 *  Run-Test/Idle (setting up the pins may pulse TCK, which leaves those states unchanged). `tck_hz` is clamped to TAPWALKER_JTAG_MAX_TCK_HZ;
 *  `tdo_valid_ns` is the target's TCK-falling-to-TDO-valid time plus board delay (ECP5 data
 *  sheet: tens of ns), given to the driver as input_delay_ns. */
esp_err_t tapwalker_jtag_spi_init(uint32_t tck_hz, int tdo_valid_ns);

esp_err_t tapwalker_jtag_spi_deinit(void);

/** The TCK frequency the SPI clock divider actually gives, in Hz (0 before init). */
uint32_t tapwalker_jtag_spi_actual_hz(void);

/** Whether one SPI transaction can shift exactly `bits` bits. The ESP32-C3 and C6 cannot send a
 *  DMA transfer whose length is 8k+1 bits (ESP-IDF SPI master page, supported bit lengths); the
 *  caller then clocks one more bit through tapwalker_jtag_gpio_shift. Always true on the P4. */
bool tapwalker_jtag_spi_length_supported(size_t bits);

/** Starts shifting `bits` bits (1 ... TAPWALKER_JTAG_SPI_SLOT_BYTES * 8; see
 *  tapwalker_jtag_spi_length_supported, otherwise ESP_ERR_NOT_SUPPORTED) from the caller's `tdi`
 *  (and into `tdo` unless NULL) in full duplex, mode 0, LSB first, and returns as soon as the
 *  transaction is queued. The first queued transaction acquires the bus and hands TCK/TDI/TDO to
 *  SPI2; TMS keeps the level the dedicated GPIO gave it (low while in Shift-DR). *slot (may be
 *  NULL) says which of the two transactions carries it, for matching with tapwalker_jtag_spi_wait. The buffers must stay untouched until then. Buffers in
 *  DMA-capable internal RAM, 4-byte aligned, are used as they are; others are copied by the
 *  driver. ESP_ERR_INVALID_STATE when both slots are in flight. */
esp_err_t tapwalker_jtag_spi_queue_buffers(const uint8_t *tdi, uint8_t *tdo, size_t bits, unsigned *slot);

/** Waits for the oldest queued transaction; stores its slot in *slot_done (may be NULL). When
 *  none is left in flight, hands TCK/TDI back to dedicated GPIO (TCK low) and releases the bus.
 *  ESP_ERR_INVALID_STATE if nothing is in flight. */
esp_err_t tapwalker_jtag_spi_wait(unsigned *slot_done);

/* ------------------------------------------------------------------------------------------ */
/* WiFi station, access point and scan (bsp_wifi.c). On the ESP32-P4 the same API reaches the
 * radio of a companion ESP32-C6 through esp_wifi_remote. */

#define TAPWALKER_WIFI_SSID_MAX 33      /* 32 bytes + NUL */
#define TAPWALKER_WIFI_PASSWORD_MAX 65  /* 64 bytes + NUL */

typedef struct {
    char ssid[TAPWALKER_WIFI_SSID_MAX];
    uint8_t bssid[6];
    int8_t rssi;
    uint8_t channel;
    uint8_t authmode; /* wifi_auth_mode_t */
} tapwalker_wifi_ap_record_t;

typedef struct {
    bool started;
    bool sta_connected;        /* associated with an AP */
    bool sta_has_ip;
    uint32_t sta_ip;           /* IPv4, network byte order; 0 without an address */
    uint32_t sta_netmask;
    uint32_t sta_gateway;
    uint8_t sta_bssid[6];
    uint8_t sta_channel;
    int8_t sta_rssi;           /* 0 when not connected */
    uint8_t last_disconnect_reason; /* wifi_err_reason_t of the last STA disconnect, 0 if none */
    uint32_t sta_disconnects;  /* STA disconnect events since tapwalker_wifi_init */
    uint8_t ap_clients;        /* stations associated with our AP */
    uint32_t ap_ip;            /* the AP interface's IPv4, network byte order */
    bool scan_done;            /* a scan finished since the last tapwalker_wifi_scan_start */
} tapwalker_wifi_status_t;

/** NVS, netif, default event loop, WiFi driver; registers the event handlers that keep the status.
 *  Idempotent. */
esp_err_t tapwalker_wifi_init(void);

/** The station never reconnects by itself: after a disconnect (sta_disconnects grows) the caller
 *  decides whether and where to connect again. */

/** Associates the station with `ssid`; `bssid` (6 bytes) and `channel` (non-zero) pin a specific
 *  AP, e.g. the strongest one a scan found. Returns when the request is issued; watch
 *  tapwalker_wifi_get_status for sta_has_ip. */
esp_err_t tapwalker_wifi_connect(const char *ssid, const char *password, const uint8_t *bssid, uint8_t channel);

esp_err_t tapwalker_wifi_disconnect(void);

esp_err_t tapwalker_wifi_get_status(tapwalker_wifi_status_t *out);

/** Starts an all-channel active scan without blocking; scan_done in the status turns true when
 *  results are ready. */
esp_err_t tapwalker_wifi_scan_start(void);

/** Copies up to *count records of the finished scan into `records`, in the driver's order;
 *  *count becomes the number copied. Frees the driver's list. */
esp_err_t tapwalker_wifi_scan_results(tapwalker_wifi_ap_record_t *records, uint16_t *count);

/** Runs the driver with the station on, joining nothing until tapwalker_wifi_connect (scans work
 *  in this state), plus the access point when `ap_ssid` is given (open when `ap_password` is NULL
 *  or empty, otherwise WPA2-PSK; `ap_channel` 0 = channel 1). NULL or empty `ap_ssid` turns the
 *  access point off. Starts the driver if it is not running; an association of the station
 *  survives the change. */
esp_err_t tapwalker_wifi_set_access_point(const char *ap_ssid, const char *ap_password, uint8_t ap_channel);

/** The station interface's MAC address (6 bytes); after tapwalker_wifi_init. On the ESP32-P4 it
 *  is the companion chip's, as esp_wifi_remote reports it. */
esp_err_t tapwalker_wifi_mac(uint8_t mac[6]);

/* ------------------------------------------------------------------------------------------ */
/* Ethernet through the OpenCores MAC of Espressif's QEMU (bsp_eth.c), built instead of bsp_wifi.c
 * when CONFIG_ETH_USE_OPENETH is set (sdkconfig.defaults.emulation): the emulator has no radio. */

typedef struct {
    bool link_up;       /* the MAC reports the link up */
    bool has_ip;        /* DHCP gave an address */
    uint8_t ip[4];      /* valid when has_ip */
} tapwalker_eth_status_t;

/** Brings up the network interface, the default event loop and the Ethernet driver, and starts
 *  it (DHCP runs by itself); events are only recorded, for tapwalker_eth_get_status. */
esp_err_t tapwalker_eth_init(void);
esp_err_t tapwalker_eth_get_status(tapwalker_eth_status_t *out);
/** The interface's MAC address (6 bytes); after tapwalker_eth_init. */
esp_err_t tapwalker_eth_mac(uint8_t mac[6]);

/* ------------------------------------------------------------------------------------------ */
/* Memory (bsp_system.c)                                                                      */

typedef struct {
    uint32_t free_bytes;        /* esp_get_free_heap_size */
    uint32_t minimum_free_bytes;/* esp_get_minimum_free_heap_size: the lowest since boot */
    uint32_t largest_block;     /* heap_caps_get_largest_free_block(MALLOC_CAP_8BIT) */
} tapwalker_heap_t;

void tapwalker_heap(tapwalker_heap_t *out);

/** Up to `capacity` tasks: name (NUL-terminated, at most 15 bytes) and stack high-water mark in
 *  bytes (the least stack left since the task started). Returns how many were filled. Needs
 *  CONFIG_FREERTOS_USE_TRACE_FACILITY; returns 0 without it. */
typedef struct {
    char name[16];
    uint32_t stack_left_bytes;
} tapwalker_task_stack_t;

int tapwalker_task_stacks(tapwalker_task_stack_t *out, int capacity);

/* ------------------------------------------------------------------------------------------ */
/* Internal storage: FAT with wear levelling on the "storage" partition (bsp_storage.c)        */

#define TAPWALKER_STORAGE_MOUNT "/storage"
#define TAPWALKER_STORAGE_PARTITION "storage"

/** Mounts the storage partition at /storage, formatting it if it holds no FAT file system. */
esp_err_t tapwalker_storage_mount(void);

/* ------------------------------------------------------------------------------------------ */
/* SD card over SPI (bsp_sdcard.c)                                                            */

typedef struct {
    int sclk;
    int mosi;
    int miso;
    int cs;
    uint32_t max_khz;  /* 0 = SDMMC_FREQ_DEFAULT (20 MHz) */
} tapwalker_sdcard_pins_t;

/** Initialises the shared SPI bus on the card's pins (if not yet initialised), adds the card
 *  and initialises it for raw sector access. No file system is mounted: the firmware reads the
 *  card's FAT itself over the sectors (docs/fat.md), so a card without one can be written raw.
 *  ESP_ERR_TIMEOUT: nothing answered, most likely no card in the slot; any other error: a card
 *  answered but could not be initialised.
 *  Call it before tapwalker_jtag_spi_init: the card enters SPI mode when initialised, and until
 *  then it may answer any traffic on the bus (ESP-IDF "Sharing the SPI Bus Among SD Cards and
 *  Other SPI Devices"); JTAG transactions also clock the bus's SCLK pin. */
esp_err_t tapwalker_sdcard_init(const tapwalker_sdcard_pins_t *pins);
/** The board's SD card slot as menuconfig sets it ("TapWalker", main/Kconfig.projbuild):
 *  fills *pins and returns true, or returns false when the board has none. */
bool tapwalker_sdcard_slot(tapwalker_sdcard_pins_t *pins);
/** Card capacity in 512-byte sectors; 0 when no card was initialised. */
uint64_t tapwalker_sdcard_sectors(void);
/** Raw block access (whole 512-byte sectors). */
esp_err_t tapwalker_sdcard_read(uint32_t first_sector, uint32_t count, void *dst);
esp_err_t tapwalker_sdcard_write(uint32_t first_sector, uint32_t count, const void *src);

/* ------------------------------------------------------------------------------------------ */
/* Time (bsp_time.c)                                                                          */

/** Microseconds since boot (esp_timer), monotonic, 64-bit. */
int64_t tapwalker_time_us(void);
/** Blocks the calling task for at least `ms` milliseconds (yields to other tasks). */
void tapwalker_sleep_ms(uint32_t ms);
/** Busy-waits `us` microseconds without yielding (for JTAG run-test delays shorter than a tick). */
void tapwalker_delay_us(uint32_t us);

/* ------------------------------------------------------------------------------------------ */
/* Console (bsp_console.c): standard input and output, which IDF's VFS connects to the console
 * chosen in menuconfig (UART0 by default, or the USB-Serial/JTAG port).                       */

/** Makes reading standard input non-blocking (fcntl O_NONBLOCK, which the UART and
 *  USB-Serial/JTAG VFS drivers both honour). */
esp_err_t tapwalker_console_init(void);
/** Up to `size` bytes typed so far: their count, 0 when none are waiting, -1 on a read error. */
int tapwalker_console_read(void *buf, size_t size);
/** Writes `size` bytes to standard output and flushes it (prompts end without a newline). */
void tapwalker_console_write(const void *bytes, size_t size);

/* ------------------------------------------------------------------------------------------ */
/* System (bsp_system.c)                                                                      */

/** Fills `buf` from the hardware random number generator (esp_fill_random; true random while
 *  the radio runs, see ESP-IDF "Random Number Generation"). */
void tapwalker_random_fill(void *buf, size_t size);
/** Restarts the chip; does not return. */
void tapwalker_restart(void) __attribute__((noreturn));

/* ------------------------------------------------------------------------------------------ */
/* Firmware updates (bsp_ota.c): the two OTA app slots, app rollback on.                        */

typedef struct {
    char slot[17];           /* the running partition's label ("ota_0") */
    char version[32];        /* the running app's esp_app_desc_t */
    char project[32];
    bool pending_verify;     /* started once and not yet confirmed: a reset now rolls back */
    char next_boot[17];      /* the partition the next boot starts, "" when it is the running one */
    size_t update_capacity;  /* the size of the slot an update goes to; 0: there is none */
    char rolled_back[17];    /* the slot the bootloader gave up because it never confirmed itself
                                (ESP_OTA_IMG_ABORTED) until an update writes it again; "" when none */
} tapwalker_ota_state_t;

void tapwalker_ota_state(tapwalker_ota_state_t *out);
/** Opens the slot that is not running for an image of `image_bytes` (0: not known), and names it
 *  in `slot_out`. ESP_ERR_OTA_ROLLBACK_INVALID_STATE while the running app is unconfirmed. */
esp_err_t tapwalker_ota_begin(size_t image_bytes, char slot_out[17]);
esp_err_t tapwalker_ota_write(const void *bytes, size_t size);
/** Verifies the written slot (esp_ota_end) and makes it the one the next boot starts. */
esp_err_t tapwalker_ota_finish_and_select(void);
/** Gives the update up; the boot choice is untouched. */
void tapwalker_ota_abandon(void);
/** Confirms the running app (esp_ota_mark_app_valid_cancel_rollback) when it was pending. */
esp_err_t tapwalker_ota_mark_valid(bool *was_pending);

/* ------------------------------------------------------------------------------------------ */
/* Status LED (bsp_led.c): one GPIO, on = `active_high` level.                                */

esp_err_t tapwalker_led_init(int pin, bool active_high);
esp_err_t tapwalker_led_set(bool on);

#ifdef __cplusplus
}
#endif
