#!/usr/bin/env python3
"""The page's WiFi cards in a real browser (Debian's headless Chromium, driven by Selenium through
chromium-driver) against a server that has WiFi settings: the virtual ESP32 started by
web/wifi-browser-test.sh with no wifiman.conf, so it is on its own access point.

The page must open on "Set up WiFi" with its heading focused and a scan already listed strongest
first; picking a network with the keyboard fills the SSID and moves to the password; a short
password is refused with the console's reason; the right one is saved (wifiman.conf in the
device's directory holds it) and the page says where to find the device next. Reopened once the
device has joined, the page shows the plain WiFi card at the end, connected, with the network
known in a new scan; removing it empties the list and the file, and the device, with no network
left, is back on its access point. Writes screenshots at desktop
and phone width. Prints "WIFI PAGE OK" when everything held.

usage: wifi-browser-test.py BASE_URL USER PASSWORD DEVICE_DIR SSID WIFI_PASSWORD SCREENSHOT_DIR
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, device_dir, ssid, wifi_password, shots = sys.argv[1:8]
os.makedirs(shots, exist_ok=True)
wifiman = os.path.join(device_dir, "wifiman.conf")

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)


def text(element_id):
    return driver.find_element(By.ID, element_id).text


def labelled(label):
    """The control whose accessible name is `label`."""
    return driver.find_element(By.CSS_SELECTOR, "[aria-label='%s']" % label)


def active_id():
    return driver.execute_script("return document.activeElement && document.activeElement.id")


def card_position():
    """Where the WiFi card sits among the page's cards: "first", "last" or "middle"."""
    return driver.execute_script(
        "const a=document.getElementById('app'),w=document.getElementById('wifi');"
        "return a.firstElementChild===w?'first':a.lastElementChild===w?'last':'middle'")


def heard_rows():
    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#wifi-heard tr")]


def shoot(name):
    driver.set_window_size(1280, 1000)
    driver.execute_script("document.getElementById('wifi').scrollIntoView()")
    driver.find_element(By.ID, "wifi").screenshot(os.path.join(shots, name + "-desktop.png"))
    driver.set_window_size(390, 844)
    driver.execute_script("document.getElementById('wifi').scrollIntoView()")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page is %d px wide at phone width" % width
    driver.find_element(By.ID, "wifi").screenshot(os.path.join(shots, name + "-phone.png"))
    driver.set_window_size(1280, 1000)


try:
    driver.get(base + "/")
    wait.until(EC.visibility_of_element_located((By.ID, "user"))).send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)

    # On the access point: the page opens on "Set up WiFi", first, its heading focused, scanning at once.
    wait.until(EC.text_to_be_present_in_element((By.ID, "wifi-h"), "Set up WiFi"))
    assert card_position() == "first", card_position()
    assert active_id() == "wifi-h", active_id()
    assert "tapwalker-" in text("wifi-setup"), text("wifi-setup")
    assert "Access point tapwalker-" in text("wifi-state"), text("wifi-state")
    assert "None yet." in text("wifi-nets"), text("wifi-nets")
    wait.until(lambda d: any(r.startswith(ssid + " ") for r in heard_rows()))
    rssis = [int(r.split(" dBm")[0].split()[-1]) for r in heard_rows()]
    assert rssis == sorted(rssis, reverse=True), heard_rows()
    shoot("wifi-setup")

    # Keyboard only: "Use SSID" fills the field and moves on to the password.
    use = labelled("Use " + ssid)
    use.send_keys(Keys.ENTER)
    assert driver.find_element(By.ID, "ssid").get_attribute("value") == ssid
    assert active_id() == "wpass", active_id()
    driver.switch_to.active_element.send_keys("short" + Keys.ENTER)
    wait.until(EC.text_to_be_present_in_element((By.ID, "wifi-msg"), "must be 8 to 63 characters"))
    assert not os.path.exists(wifiman) or ssid.encode() not in open(wifiman, "rb").read()
    field = driver.find_element(By.ID, "wpass")
    field.clear()
    field.send_keys(wifi_password + Keys.ENTER)
    wait.until(EC.text_to_be_present_in_element((By.ID, "wifi-msg"), "Saved. The device now joins " + ssid))
    assert "serial console" in text("wifi-msg") and "tapwalker-" in text("wifi-msg"), text("wifi-msg")
    assert open(wifiman, "rb").read() == (ssid + ":" + wifi_password + "\n").encode(), open(wifiman, "rb").read()
    labelled("Remove " + ssid)
    shoot("wifi-saved")

    # Reopened after the device joined: the plain WiFi card, last, connected.
    def joined(d):
        d.refresh()
        WebDriverWait(d, 10).until(EC.visibility_of_element_located((By.ID, "wifi")))
        return "Connected to " + ssid in text("wifi-state")
    wait.until(joined)
    assert text("wifi-h") == "WiFi" and card_position() == "last", (text("wifi-h"), card_position())
    assert "hidden" in driver.find_element(By.ID, "wifi-setup").get_attribute("class")
    driver.find_element(By.ID, "wifi-scan").click()
    wait.until(lambda d: d.find_element(By.ID, "wifi-scan").is_enabled())
    assert any(r.startswith(ssid + " (known)") for r in heard_rows()), heard_rows()
    shoot("wifi-connected")

    # Removing the network empties the list and the file.
    labelled("Remove " + ssid).click()
    driver.switch_to.alert.accept()
    wait.until(EC.text_to_be_present_in_element((By.ID, "wifi-msg"), "Removed " + ssid))
    assert "None yet." in text("wifi-nets"), text("wifi-nets")
    assert ssid.encode() not in open(wifiman, "rb").read()
    # No network left: the device is its own access point again, and the page says so.
    wait.until(EC.text_to_be_present_in_element((By.ID, "wifi-h"), "Set up WiFi"))
    assert card_position() == "first", card_position()
    print("WIFI PAGE OK")
finally:
    driver.quit()
