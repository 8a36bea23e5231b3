/*
 * The serial console over standard input and output. IDF's VFS routes file descriptors 0-2 to
 * the console driver chosen in menuconfig (UART or USB-Serial/JTAG); both drivers' read returns
 * at once with EWOULDBLOCK when O_NONBLOCK is set and nothing has been typed, so the Swift side
 * can poll with a timeout and sleep between polls instead of blocking its task.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "tapwalker_bsp.h"

esp_err_t tapwalker_console_init(void)
{
    const int flags = fcntl(STDIN_FILENO, F_GETFL, 0);
    if (flags < 0 || fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK) < 0) {
        return ESP_FAIL;
    }
    return ESP_OK;
}

int tapwalker_console_read(void *buf, size_t size)
{
    const ssize_t n = read(STDIN_FILENO, buf, size);
    if (n >= 0) {
        return (int)n;
    }
    /* Nothing typed; the USB-Serial/JTAG driver also fails this way while no host has the port
     * open, which is the same as silence for a console. */
    return (errno == EWOULDBLOCK || errno == EAGAIN) ? 0 : -1;
}

void tapwalker_console_write(const void *bytes, size_t size)
{
    fwrite(bytes, 1, size, stdout);
    fflush(stdout);
}
