/// Restarts the chip (esp_restart, bsp_system.c): the console's `reboot`. Never returns.
func restartChip() {
    tapwalker_restart()
}
