#!/usr/bin/env python3
"""The page's "Or from URL" field in a real browser (Debian's headless Chromium through Selenium)
against a running `tapwalker serve --http` that trusts the test CA (--ca-file): log in, give an
https URL of a bitstream and see the FPGA DONE, then a redirect loop and see it refused with the
board left as it was; the field must fit at phone width. Prints "URL FIELD OK" when everything held.

usage: browser-url-test.py BASE_URL USER PASSWORD GOOD_URL LOOP_URL SCREENSHOT_DIR
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, good, loop, shots = sys.argv[1:7]
os.makedirs(shots, exist_ok=True)
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 60)


def text(element_id):
    return driver.find_element(By.ID, element_id).text


def from_url(url):
    """Types `url` into the field, clicks the button and waits for the answer (not the note that
    the board is downloading)."""
    field = driver.find_element(By.ID, "from-url")
    field.clear()
    field.send_keys(url)
    driver.execute_script("document.getElementById('result').innerHTML=''")
    driver.find_element(By.ID, "send-url").click()
    wait.until(lambda d: text("result") and not text("result").startswith("The board is downloading"))
    return text("result").replace("\n", " | ")


try:
    driver.get(base + "/")
    wait.until(EC.visibility_of_element_located((By.ID, "login")))
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "app")))
    wait.until(lambda d: "LFE5U" in text("board"))

    result = from_url(good)
    print("good:", result)
    assert "DONE" in result, result
    wait.until(lambda d: "yes (configured)" in text("board"))

    result = from_url(loop)
    print("loop:", result)
    assert "too many redirects" in result and "the board was left as it was" in result, result
    assert "yes (configured)" in text("board"), text("board")

    driver.set_window_size(390, 1000)
    field = driver.find_element(By.ID, "send-url")
    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", field)
    driver.save_screenshot(os.path.join(shots, "url-phone.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    right = driver.execute_script("return arguments[0].getBoundingClientRect().right", field)
    assert width <= 390 and right <= 390, "the URL field sticks out at phone width: %d, %d px" % (width, right)
    print("URL FIELD OK")
finally:
    driver.quit()
