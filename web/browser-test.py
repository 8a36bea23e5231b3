#!/usr/bin/env python3
"""The page in a real browser (Debian's headless Chromium, driven by Selenium through chromium-driver)
against a running `tapwalker serve --http` on the simulated board: log in, drop a bitstream on the
drop zone for the FPGA, send it, and see the result and the board card say DONE; a bitstream for
another part is refused on the page before anything is sent. Writes screenshots of the page at
desktop and phone width. Prints "PAGE OK" when everything held.

usage: browser-test.py BASE_URL USER PASSWORD BITSTREAM WRONG_PART_BITSTREAM SCREENSHOT_DIR
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, bitstream, wrong, shots = sys.argv[1:7]
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 60)


def text(element_id):
    return driver.find_element(By.ID, element_id).text


def drop(path):
    """Drops `path` on the drop zone as a user dragging a file would: the file goes into a
    scratch input, then a drop event carrying it is dispatched on #drop."""
    driver.execute_script(
        "let i=document.getElementById('scratch');if(!i){i=document.createElement('input');"
        "i.type='file';i.id='scratch';document.body.appendChild(i)}i.value='';")
    driver.find_element(By.ID, "scratch").send_keys(path)
    driver.execute_script(
        "const dt=new DataTransfer();dt.items.add(document.getElementById('scratch').files[0]);"
        "document.getElementById('drop').dispatchEvent(new DragEvent('drop',{dataTransfer:dt,bubbles:true,cancelable:true}));")


try:
    driver.get(base + "/")
    wait.until(EC.visibility_of_element_located((By.ID, "login")))
    driver.save_screenshot(os.path.join(shots, "login-desktop.png"))
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "app")))
    wait.until(lambda d: "LFE5U-85F" in text("board"))
    print("board card:", text("board").replace("\n", " | "))

    # A bitstream for another part: refused on the page, the Send button stays off.
    drop(wrong)
    wait.until(lambda d: "Not sent" in text("check"))
    assert not driver.find_element(By.ID, "send").is_enabled(), "send is enabled for a wrong-part bitstream"
    print("wrong part:", text("check"))

    # The right one: checked, sent, DONE in the result and on the board card.
    drop(bitstream)
    wait.until(lambda d: "matches the board" in text("check"))
    wait.until(EC.element_to_be_clickable((By.ID, "send"))).click()
    wait.until(lambda d: "DONE" in text("result"))
    wait.until(lambda d: "yes (configured)" in text("board"))
    print("result:", text("result").replace("\n", " | "))
    print("board card:", text("board").replace("\n", " | "))
    driver.save_screenshot(os.path.join(shots, "done-desktop.png"))
    driver.set_window_size(390, 1400)
    driver.save_screenshot(os.path.join(shots, "done-phone.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page is %d px wide at phone width" % width
    print("PAGE OK")
finally:
    driver.quit()
