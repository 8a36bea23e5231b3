/*
 * Ethernet for the emulated ESP32-C3: the OpenCores Ethernet MAC that Espressif's QEMU models
 * (IDF's CONFIG_ETH_USE_OPENETH driver, with the PHY driver IDF builds beside it, below) on
 * QEMU's user network, whose DHCP server gives the address. Built instead of bsp_wifi.c in the
 * emulation configuration (sdkconfig.defaults.emulation): the emulator has no radio, and the WiFi
 * libraries are not linked there. As in bsp_wifi.c, the event handlers only record; the Swift
 * side (ESP32EthernetLink) polls the record.
 */
#include <string.h>

#include "esp_eth.h"
#include "esp_event.h"
#include "esp_idf_version.h"
#include "esp_netif.h"

#include "bsp_internal.h"
#include "tapwalker_bsp.h"

static esp_netif_t *s_netif;
static esp_eth_handle_t s_eth;
static volatile bool s_link_up;
static volatile bool s_has_ip;
static volatile uint32_t s_ip; /* network order, as lwIP keeps it */

static void on_eth(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    if (id == ETHERNET_EVENT_CONNECTED) {
        s_link_up = true;
    } else if (id == ETHERNET_EVENT_DISCONNECTED) {
        s_link_up = false;
        s_has_ip = false;
    }
}

static void on_ip(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    if (id == IP_EVENT_ETH_GOT_IP) {
        const ip_event_got_ip_t *e = data;
        s_ip = e->ip_info.ip.addr;
        s_has_ip = true;
    } else if (id == IP_EVENT_ETH_LOST_IP) {
        s_has_ip = false;
    }
}

esp_err_t tapwalker_eth_init(void)
{
    if (s_eth != NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t err;
#if CONFIG_IDF_TARGET_ESP32C3
    /* The emulated chip's interrupt matrix needs its pending interrupts offered while the CPU is
     * idle (emu_deferred_switch.c); the OpenCores MAC exists only in the emulator. */
    err = tapwalker_emu_install();
    if (err != ESP_OK) return err;
#endif
    err = esp_netif_init();
    if (err != ESP_OK) return err;
    err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) return err;
    esp_netif_config_t netif_config = ESP_NETIF_DEFAULT_ETH();
    s_netif = esp_netif_new(&netif_config);
    if (s_netif == NULL) return ESP_ERR_NO_MEM;

    eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
    eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
    phy_config.autonego_timeout_ms = 100; /* the emulated PHY answers at once */
    esp_eth_mac_t *mac = esp_eth_mac_new_openeth(&mac_config);
    /* The PHY driver IDF compiles with the OpenCores MAC: DP83848 in IDF 5 (v5.5.1's esp_eth
     * builds only that one with it), the generic IEEE 802.3 driver in IDF 6, which no longer has
     * the DP83848 driver (docs/firmware.md). The emulated PHY answers either. */
#if ESP_IDF_VERSION_MAJOR >= 6
    esp_eth_phy_t *phy = esp_eth_phy_new_generic(&phy_config);
#else
    esp_eth_phy_t *phy = esp_eth_phy_new_dp83848(&phy_config);
#endif
    if (mac == NULL || phy == NULL) return ESP_ERR_NO_MEM;
    esp_eth_config_t config = ETH_DEFAULT_CONFIG(mac, phy);
    err = esp_eth_driver_install(&config, &s_eth);
    if (err != ESP_OK) return err;
    err = esp_netif_attach(s_netif, esp_eth_new_netif_glue(s_eth));
    if (err != ESP_OK) return err;
    err = esp_event_handler_register(ETH_EVENT, ESP_EVENT_ANY_ID, on_eth, NULL);
    if (err != ESP_OK) return err;
    err = esp_event_handler_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip, NULL);
    if (err != ESP_OK) return err;
    return esp_eth_start(s_eth);
}

esp_err_t tapwalker_eth_get_status(tapwalker_eth_status_t *out)
{
    if (out == NULL) return ESP_ERR_INVALID_ARG;
    out->link_up = s_link_up;
    out->has_ip = s_has_ip;
    uint32_t ip = s_ip;
    memcpy(out->ip, &ip, 4); /* network order: first byte first */
    return ESP_OK;
}

esp_err_t tapwalker_eth_mac(uint8_t mac[6])
{
    if (s_eth == NULL) return ESP_ERR_INVALID_STATE;
    return esp_eth_ioctl(s_eth, ETH_CMD_G_MAC_ADDR, mac);
}
