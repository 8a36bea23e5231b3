/*
 * Internal storage: a FAT file system with wear levelling on the "storage" data partition
 * (partitions.csv), mounted at /storage through the VFS, so Swift opens files with fopen
 * (ESP-IDF "FAT Filesystem Support" and "Wear Levelling" pages).
 */
/* Before esp_vfs_fat.h: the SD protocol header it pulls in uses bool without including it
 * (GCC rejects that; Clang happened to see stdbool.h through another path). */
#include <stdbool.h>

#include "esp_vfs_fat.h"
#include "wear_levelling.h"

#include "tapwalker_bsp.h"

static wl_handle_t s_wl = WL_INVALID_HANDLE;

esp_err_t tapwalker_storage_mount(void)
{
    if (s_wl != WL_INVALID_HANDLE) {
        return ESP_ERR_INVALID_STATE;
    }
    const esp_vfs_fat_mount_config_t config = {
        .format_if_mount_failed = true, /* a new board's partition is blank */
        .max_files = 8,
        .allocation_unit_size = CONFIG_WL_SECTOR_SIZE,
    };
    return esp_vfs_fat_spiflash_mount_rw_wl(TAPWALKER_STORAGE_MOUNT, TAPWALKER_STORAGE_PARTITION, &config, &s_wl);
}

esp_err_t tapwalker_storage_unmount(void)
{
    if (s_wl == WL_INVALID_HANDLE) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t err = esp_vfs_fat_spiflash_unmount_rw_wl(TAPWALKER_STORAGE_MOUNT, s_wl);
    if (err == ESP_OK) {
        s_wl = WL_INVALID_HANDLE;
    }
    return err;
}

esp_err_t tapwalker_storage_info(uint64_t *total_bytes, uint64_t *free_bytes)
{
    if (total_bytes == NULL || free_bytes == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    return esp_vfs_fat_info(TAPWALKER_STORAGE_MOUNT, total_bytes, free_bytes);
}
