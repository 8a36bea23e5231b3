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

