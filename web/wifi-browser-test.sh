#!/usr/bin/env bash
# Runs web/wifi-browser-test.py against the virtual ESP32 (scripts/virtual-device.sh): a device
# directory with a tapwalker.conf that turns on the web page with a login, networks "in the air"
# in virtual-wifi.conf, and no wifiman.conf, so the device starts on its access point.
#   bash web/wifi-browser-test.sh [SCREENSHOT_DIR]
# Exits 77 (skipped) when this tree has no virtual ESP32.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f scripts/virtual-device.sh ]; then
    echo "no scripts/virtual-device.sh in this tree: the WiFi page test needs the virtual ESP32" >&2
    exit 77
fi
shots=${1:-.build/wifi-browser-shots}
bash scripts/virtual-device.sh --build-only
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cat > "$dir/tapwalker.conf" <<CONF
[services]
http = $port

[login]
user = admin
password = setup-secret
CONF
# ssid:password:rssi, as the virtual radio reads them (docs/virtual-device.md).
printf 'cafe::-80\nlab:labpass12:-48\nneighbour:theirpass1:-67\n' > "$dir/virtual-wifi.conf"
# Its own process group, so that stopping it stops the device binary the script runs too.
setsid bash scripts/virtual-device.sh "$dir" < /dev/null > "$dir/device.log" 2>&1 &
device=$!
# SIGTERM first (the device saves its flash image); a device still there after 10 s is killed, so
# that a hung shutdown cannot keep this script's caller waiting on its output.
stop() {
    kill -TERM -- "-$device" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$device" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$device" 2>/dev/null || true
    wait "$device" 2>/dev/null || true
    rm -rf "$dir"
}
trap stop EXIT
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.2
done
python3 web/wifi-browser-test.py "http://127.0.0.1:$port" admin setup-secret "$dir" lab labpass12 "$shots" || {
    echo "--- device log" >&2; cat "$dir/device.log" >&2; exit 1; }
