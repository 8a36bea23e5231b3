/*
 * Firmware updates: the two OTA app slots and the boot choice between them, over ESP-IDF's app
 * update API (API reference, System, "Over The Air Updates (OTA)"), with app rollback on
 * (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE). The checks of the image itself are in Swift
 * (TapWalkerDevice's AppImageCheck) and run before tapwalker_ota_begin; esp_ota_end verifies the
 * written slot once more as the bootloader will. docs/firmware-update.md.
 */
#include <string.h>

#include "esp_app_desc.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"

#include "tapwalker_bsp.h"

/* One update at a time (the application holds the board's job lock throughout). */
static const esp_partition_t *s_update;
static esp_ota_handle_t s_handle;

static void copy_label(char out[17], const esp_partition_t *partition)
{
    strlcpy(out, partition ? partition->label : "", 17);
}

void tapwalker_ota_state(tapwalker_ota_state_t *out)
{
    memset(out, 0, sizeof(*out));
    const esp_partition_t *running = esp_ota_get_running_partition();
    copy_label(out->slot, running);
    const esp_app_desc_t *app = esp_app_get_description();
    strlcpy(out->version, app->version, sizeof(out->version));
    strlcpy(out->project, app->project_name, sizeof(out->project));
    esp_ota_img_states_t state;
    out->pending_verify = esp_ota_get_state_partition(running, &state) == ESP_OK && state == ESP_OTA_IMG_PENDING_VERIFY;
    const esp_partition_t *boot = esp_ota_get_boot_partition();
    if (boot && boot != running) copy_label(out->next_boot, boot);
    const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
    out->update_capacity = next ? next->size : 0;
    /* The bootloader marks a slot still PENDING_VERIFY at reset ABORTED and starts the other. */
    const esp_partition_t *given_up = esp_ota_get_last_invalid_partition();
    if (given_up && esp_ota_get_state_partition(given_up, &state) == ESP_OK && state == ESP_OTA_IMG_ABORTED)
        copy_label(out->rolled_back, given_up);
}

esp_err_t tapwalker_ota_begin(size_t image_bytes, char slot_out[17])
{
    if (s_update) return ESP_ERR_INVALID_STATE;
    const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
    if (!next) return ESP_ERR_NOT_FOUND;
    /* A known size erases that much now; an unknown one erases sector by sector as it is written,
     * so a client is never kept waiting for the erase of the whole slot. esp_ota_begin refuses
     * (ESP_ERR_OTA_ROLLBACK_INVALID_STATE) while the running app is still pending verification. */
    esp_err_t err = esp_ota_begin(next, image_bytes ? image_bytes : OTA_WITH_SEQUENTIAL_WRITES, &s_handle);
    if (err != ESP_OK) return err;
    s_update = next;
    copy_label(slot_out, next);
    return ESP_OK;
}

esp_err_t tapwalker_ota_write(const void *bytes, size_t size)
{
    return s_update ? esp_ota_write(s_handle, bytes, size) : ESP_ERR_INVALID_STATE;
}

esp_err_t tapwalker_ota_finish_and_select(void)
{
    if (!s_update) return ESP_ERR_INVALID_STATE;
    const esp_partition_t *written = s_update;
    s_update = NULL;
    /* esp_ota_end verifies the slot as an app image (header, segments, checksum, SHA-256). */
    esp_err_t err = esp_ota_end(s_handle);
    if (err != ESP_OK) return err;
    /* Marks it ESP_OTA_IMG_NEW: the bootloader starts it once as PENDING_VERIFY. */
    return esp_ota_set_boot_partition(written);
}

void tapwalker_ota_abandon(void)
{
    if (!s_update) return;
    s_update = NULL;
    esp_ota_abort(s_handle);
}

esp_err_t tapwalker_ota_mark_valid(bool *was_pending)
{
    esp_ota_img_states_t state;
    *was_pending = esp_ota_get_state_partition(esp_ota_get_running_partition(), &state) == ESP_OK
                   && state == ESP_OTA_IMG_PENDING_VERIFY;
    return *was_pending ? esp_ota_mark_app_valid_cancel_rollback() : ESP_OK;
}
