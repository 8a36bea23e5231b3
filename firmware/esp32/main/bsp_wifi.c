/*
 * WiFi station, access point and scan over esp_wifi, esp_netif and the default event loop
 * (ESP-IDF "Wi-Fi Driver" and "ESP-NETIF" pages). The event handlers only record what happened
 * in a status struct; what to do about it (reconnect, roam to a stronger AP, fall back to the AP)
 * is decided in Swift, which polls tapwalker_wifi_get_status.
 *
 * On the ESP32-P4, which has no radio, esp_wifi_* calls are carried to a companion ESP32-C6 by
 * esp_wifi_remote (over esp_hosted); this file is the same for all three chips.
 */
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "nvs_flash.h"

#include "tapwalker_bsp.h"

static portMUX_TYPE s_lock = portMUX_INITIALIZER_UNLOCKED;
static tapwalker_wifi_status_t s_status;
static esp_netif_t *s_sta_netif;
static esp_netif_t *s_ap_netif;
static bool s_ready;
static bool s_connect_on_start;

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    switch (id) {
    case WIFI_EVENT_STA_START:
        if (s_connect_on_start) {
            s_connect_on_start = false;
            esp_wifi_connect();
        }
        break;
    case WIFI_EVENT_STA_CONNECTED: {
        const wifi_event_sta_connected_t *e = data;
        portENTER_CRITICAL(&s_lock);
        s_status.sta_connected = true;
        memcpy(s_status.sta_bssid, e->bssid, sizeof s_status.sta_bssid);
        s_status.sta_channel = e->channel;
        portEXIT_CRITICAL(&s_lock);
        break;
    }
    case WIFI_EVENT_STA_DISCONNECTED: {
        const wifi_event_sta_disconnected_t *e = data;
        portENTER_CRITICAL(&s_lock);
        s_status.sta_connected = false;
        s_status.sta_has_ip = false;
        s_status.sta_ip = s_status.sta_netmask = s_status.sta_gateway = 0;
        s_status.sta_rssi = 0;
        s_status.last_disconnect_reason = e->reason;
        s_status.sta_disconnects++;
        portEXIT_CRITICAL(&s_lock);
        break;
    }
    case WIFI_EVENT_AP_STACONNECTED:
        portENTER_CRITICAL(&s_lock);
        s_status.ap_clients++;
        portEXIT_CRITICAL(&s_lock);
        break;
    case WIFI_EVENT_AP_STADISCONNECTED:
        portENTER_CRITICAL(&s_lock);
        if (s_status.ap_clients > 0) {
            s_status.ap_clients--;
        }
        portEXIT_CRITICAL(&s_lock);
        break;
    case WIFI_EVENT_SCAN_DONE:
        portENTER_CRITICAL(&s_lock);
        s_status.scan_done = true;
        portEXIT_CRITICAL(&s_lock);
        break;
    default:
        break;
    }
}

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id == IP_EVENT_STA_GOT_IP) {
        const ip_event_got_ip_t *e = data;
        portENTER_CRITICAL(&s_lock);
        s_status.sta_has_ip = true;
        s_status.sta_ip = e->ip_info.ip.addr;
        s_status.sta_netmask = e->ip_info.netmask.addr;
        s_status.sta_gateway = e->ip_info.gw.addr;
        portEXIT_CRITICAL(&s_lock);
    } else if (id == IP_EVENT_STA_LOST_IP) {
        portENTER_CRITICAL(&s_lock);
        s_status.sta_has_ip = false;
        s_status.sta_ip = s_status.sta_netmask = s_status.sta_gateway = 0;
        portEXIT_CRITICAL(&s_lock);
    }
}

esp_err_t tapwalker_wifi_init(void)
{
    if (s_ready) {
        return ESP_OK;
    }
    /* The WiFi driver keeps PHY calibration and its own settings in NVS. A full or outdated NVS
     * partition is erased once, as every IDF WiFi example does. */
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        err = nvs_flash_erase();
        if (err == ESP_OK) {
            err = nvs_flash_init();
        }
    }
    if (err != ESP_OK) {
        return err;
    }
    err = esp_netif_init();
    if (err != ESP_OK) {
        return err;
    }
    err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) { /* INVALID_STATE: it already exists */
        return err;
    }
    s_sta_netif = esp_netif_create_default_wifi_sta();
    s_ap_netif = esp_netif_create_default_wifi_ap();
    if (s_sta_netif == NULL || s_ap_netif == NULL) {
        return ESP_FAIL;
    }
    const wifi_init_config_t config = WIFI_INIT_CONFIG_DEFAULT();
    err = esp_wifi_init(&config);
    if (err != ESP_OK) {
        return err;
    }
    /* TapWalker keeps its own configuration; the driver's NVS copy would only go stale. */
    err = esp_wifi_set_storage(WIFI_STORAGE_RAM);
    if (err != ESP_OK) {
        return err;
    }
    err = esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL, NULL);
    if (err != ESP_OK) {
        return err;
    }
    err = esp_event_handler_instance_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip_event, NULL, NULL);
    if (err != ESP_OK) {
        return err;
    }
    s_ready = true;
    return ESP_OK;
}

static bool present(const char *s) { return s != NULL && s[0] != '\0'; }

/* Copies a C string into a fixed driver field; ESP_ERR_INVALID_SIZE if it does not fit. The
 * driver's ssid (32) and password (64) fields need no NUL when full. */
static esp_err_t copy_field(uint8_t *dst, size_t capacity, const char *src)
{
    const size_t n = src != NULL ? strlen(src) : 0;
    if (n > capacity) {
        return ESP_ERR_INVALID_SIZE;
    }
    memset(dst, 0, capacity);
    memcpy(dst, src != NULL ? src : "", n);
    return ESP_OK;
}

static esp_err_t sta_config(const char *ssid, const char *password, const uint8_t *bssid, uint8_t channel)
{
    wifi_config_t config = {0};
    esp_err_t err = copy_field(config.sta.ssid, sizeof config.sta.ssid, ssid);
    if (err == ESP_OK) {
        err = copy_field(config.sta.password, sizeof config.sta.password, password);
    }
    if (err != ESP_OK) {
        return err;
    }
    config.sta.threshold.authmode = present(password) ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    config.sta.pmf_cfg.capable = true;
    config.sta.scan_method = WIFI_ALL_CHANNEL_SCAN;
    config.sta.sort_method = WIFI_CONNECT_AP_BY_SIGNAL;
    if (bssid != NULL) {
        config.sta.bssid_set = true;
        memcpy(config.sta.bssid, bssid, sizeof config.sta.bssid);
    }
    config.sta.channel = channel;
    return esp_wifi_set_config(WIFI_IF_STA, &config);
}

static esp_err_t ap_config(const char *ssid, const char *password, uint8_t channel)
{
    wifi_config_t config = {0};
    esp_err_t err = copy_field(config.ap.ssid, sizeof config.ap.ssid, ssid);
    if (err == ESP_OK) {
        err = copy_field(config.ap.password, sizeof config.ap.password, password);
    }
    if (err != ESP_OK) {
        return err;
    }
    config.ap.ssid_len = (uint8_t)strlen(ssid);
    config.ap.channel = channel != 0 ? channel : 1;
    config.ap.max_connection = 4;
    config.ap.authmode = present(password) ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    config.ap.pmf_cfg.required = false;
    return esp_wifi_set_config(WIFI_IF_AP, &config);
}

/* Starts the driver (joining at once when `connect` says so) and records that it runs. */
static esp_err_t start_driver(bool connect)
{
    s_connect_on_start = connect;
    esp_err_t err = esp_wifi_start();
    if (err == ESP_OK) {
        portENTER_CRITICAL(&s_lock);
        s_status.started = true;
        portEXIT_CRITICAL(&s_lock);
    }
    return err;
}

esp_err_t tapwalker_wifi_connect(const char *ssid, const char *password, const uint8_t *bssid, uint8_t channel)
{
    if (!s_ready || !present(ssid)) {
        return s_ready ? ESP_ERR_INVALID_ARG : ESP_ERR_INVALID_STATE;
    }
    esp_err_t err = sta_config(ssid, password, bssid, channel);
    return err == ESP_OK ? esp_wifi_connect() : err;
}

esp_err_t tapwalker_wifi_disconnect(void) { return esp_wifi_disconnect(); }

esp_err_t tapwalker_wifi_get_status(tapwalker_wifi_status_t *out)
{
    if (out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    portENTER_CRITICAL(&s_lock);
    *out = s_status;
    portEXIT_CRITICAL(&s_lock);
    if (out->sta_connected) {
        wifi_ap_record_t ap;
        if (esp_wifi_sta_get_ap_info(&ap) == ESP_OK) {
            out->sta_rssi = ap.rssi;
        }
    }
    esp_netif_ip_info_t ip;
    if (s_ap_netif != NULL && esp_netif_get_ip_info(s_ap_netif, &ip) == ESP_OK) {
        out->ap_ip = ip.ip.addr;
    }
    return ESP_OK;
}

esp_err_t tapwalker_wifi_scan_start(void)
{
    if (!s_ready) {
        return ESP_ERR_INVALID_STATE;
    }
    portENTER_CRITICAL(&s_lock);
    s_status.scan_done = false;
    portEXIT_CRITICAL(&s_lock);
    const wifi_scan_config_t config = {.show_hidden = false, .scan_type = WIFI_SCAN_TYPE_ACTIVE};
    return esp_wifi_scan_start(&config, false);
}

esp_err_t tapwalker_wifi_scan_results(tapwalker_wifi_ap_record_t *records, uint16_t *count)
{
    if (records == NULL || count == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    uint16_t copied = 0;
    wifi_ap_record_t ap;
    /* One record at a time: no list of up to a few dozen 80-byte records on the heap. */
    while (copied < *count && esp_wifi_scan_get_ap_record(&ap) == ESP_OK) {
        tapwalker_wifi_ap_record_t *r = &records[copied++];
        memset(r, 0, sizeof *r);
        memcpy(r->ssid, ap.ssid, sizeof r->ssid - 1);
        memcpy(r->bssid, ap.bssid, sizeof r->bssid);
        r->rssi = ap.rssi;
        r->channel = ap.primary;
        r->authmode = (uint8_t)ap.authmode;
    }
    *count = copied;
    return esp_wifi_clear_ap_list();
}

esp_err_t tapwalker_wifi_set_access_point(const char *ap_ssid, const char *ap_password, uint8_t ap_channel)
{
    if (!s_ready) {
        return ESP_ERR_INVALID_STATE;
    }
    const bool ap = present(ap_ssid);
    /* The mode may change while the driver runs (ESP-IDF "Wi-Fi Driver": esp_wifi_set_mode). */
    esp_err_t err = esp_wifi_set_mode(ap ? WIFI_MODE_APSTA : WIFI_MODE_STA);
    if (err == ESP_OK && ap) {
        err = ap_config(ap_ssid, ap_password, ap_channel);
    }
    if (err != ESP_OK) {
        return err;
    }
    portENTER_CRITICAL(&s_lock);
    const bool started = s_status.started;
    if (!ap) {
        s_status.ap_clients = 0;
    }
    portEXIT_CRITICAL(&s_lock);
    if (started) {
        return ESP_OK;
    }
    return start_driver(false);
}

esp_err_t tapwalker_wifi_mac(uint8_t mac[6])
{
    if (!s_ready || mac == NULL) {
        return s_ready ? ESP_ERR_INVALID_ARG : ESP_ERR_INVALID_STATE;
    }
    return esp_wifi_get_mac(WIFI_IF_STA, mac);
}
