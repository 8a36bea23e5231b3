// libusb-1.0 for the host-only USB cables (Debian: libusb-1.0-0-dev).
#include <libusb.h>
