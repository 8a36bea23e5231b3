"""What every emulated USB device has: descriptors, string descriptors, standard control requests,
and counters of the URBs it saw. The device models (ftdi.py, cmsis_dap.py, dirtyjtag.py) add their
vendor requests and bulk endpoints."""

import struct
import time


class Stall(Exception):
    """The device answers the request with a STALL (the URB completes with -EPIPE)."""


def device_descriptor(vid, pid, bcd_device, max_packet0=64, bcd_usb=0x0200, cls=0, sub=0, proto=0):
    return struct.pack("<BBHBBBBHHHBBBB", 18, 1, bcd_usb, cls, sub, proto, max_packet0,
                       vid, pid, bcd_device, 1, 2, 3, 1)


def interface_descriptor(number, endpoints, cls=0xFF, sub=0xFF, proto=0xFF, string=2):
    """endpoints: (address, max_packet) bulk endpoints."""
    out = struct.pack("<BBBBBBBBB", 9, 4, number, 0, len(endpoints), cls, sub, proto, string)
    for address, max_packet in endpoints:
        out += struct.pack("<BBBBHB", 7, 5, address, 0x02, max_packet, 0)
    return out


def configuration_descriptor(interfaces, power_ma=100):
    body = b"".join(interfaces)
    return struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), len(interfaces), 1, 0, 0x80, power_ma // 2) + body


class UsbDevice:
    """Base of the device models. `strings` maps string index to text (1 manufacturer, 2 product,
    3 serial, others as a model's descriptors name them)."""

    kind = "usb"

    def __init__(self, vid, pid, bcd_device, configuration, strings, speed=480):
        self.vid, self.pid, self.bcd_device = vid, pid, bcd_device
        self.device = device_descriptor(vid, pid, bcd_device, bcd_usb=0x0200)
        self.configuration = configuration
        self.strings = strings
        self.speed = speed
        self.stats = {"bulk_out_urbs": 0, "bulk_in_urbs": 0, "control_out_urbs": 0, "control_in_urbs": 0,
                      "bytes_out": 0, "bytes_in": 0, "bulk_bytes_out": 0, "bulk_bytes_in": 0}

    @property
    def descriptors(self):
        return self.device + self.configuration

    # --- control ------------------------------------------------------------------------------

    def control(self, setup, data):
        """Answers a control transfer: returns the IN data (bytes) or b"" for OUT; raises Stall."""
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        if request_type & 0x60 == 0:
            return self.standard_request(request_type, request, value, index, length)
        return self.vendor_request(request_type, request, value, index, length, data)

    def standard_request(self, request_type, request, value, index, length):
        if request == 6 and request_type == 0x80:            # GET_DESCRIPTOR
            kind, number = value >> 8, value & 0xFF
            if kind == 1:
                return self.device[:length]
            if kind == 2 and number == 0:
                return self.configuration[:length]
            if kind == 3:
                if number == 0:
                    return bytes((4, 3, 0x09, 0x04))[:length]   # English (US)
                text = self.strings.get(number)
                if text is None:
                    raise Stall()
                encoded = text.encode("utf-16-le")
                return (bytes((2 + len(encoded), 3)) + encoded)[:length]
            raise Stall()
        if request == 8 and request_type == 0x80:            # GET_CONFIGURATION
            return b"\x01"[:length]
        if request == 0 and request_type & 0x80:             # GET_STATUS
            return b"\x00\x00"[:length]
        if request in (9, 11, 1, 3) and not request_type & 0x80:   # SET_CONFIGURATION/INTERFACE, features
            return b""
        raise Stall()

    def vendor_request(self, request_type, request, value, index, length, data):
        raise Stall()

    # --- bulk (models override) -----------------------------------------------------------------

    def bulk_out(self, endpoint, data):
        raise Stall()

    def bulk_in(self, endpoint, room, waited_ms):
        """Bytes for an IN URB of `room` bytes pending for waited_ms, or None while it must wait."""
        raise Stall()

    def claim(self, interface):
        pass

    def release(self, interface):
        pass

    def closed(self):
        """The client closed the device node (or exited)."""

    @staticmethod
    def now_ms():
        return time.monotonic() * 1000.0
