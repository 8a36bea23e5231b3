#!/usr/bin/env python3
"""The page in a real browser (Debian's headless Chromium, driven by Selenium through chromium-driver)
against a running `tapwalker serve --http` on the simulated board: log in, drop a bitstream on the
drop zone for the FPGA, send it, and see the result and the board card say DONE; a bitstream for
another part is refused on the page before anything is sent. Then the rest of what a user does:
write the bitstream to flash at 0x200000 and see the sector summary, download a flash dump of it
and compare it byte for byte with the file, upload a file to the store, see it listed, download
and program it, delete it and see it gone, delete and download files whose names hold #, ? and %
and see each button act on its own file, and, while an FTP upload holds the board, see the page
name the FTP client as busy and recover once the upload ends. Writes screenshots of the page at
desktop and phone width. Prints "PAGE OK" when everything held.

usage: browser-test.py BASE_URL FTP_PORT USER PASSWORD BITSTREAM WRONG_PART_BITSTREAM SCREENSHOT_DIR DOWNLOAD_DIR
"""
import ftplib
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, ftp_port, user, password, bitstream, wrong, shots, downloads = sys.argv[1:9]
os.makedirs(shots, exist_ok=True)
os.makedirs(downloads, exist_ok=True)
image = open(bitstream, "rb").read()

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(arg)
options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                          "download.prompt_for_download": False,
                                          "download.directory_upgrade": True,
                                          "safebrowsing.enabled": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 60)


def text(element_id):
    return driver.find_element(By.ID, element_id).text


def drop(path):
    """Drops `path` on the drop zone as a user dragging a file would: the file goes into a
    scratch input, then a drop event carrying it is dispatched on #drop."""
    driver.execute_script(
        "let i=document.getElementById('scratch');if(!i){i=document.createElement('input');"
        "i.type='file';i.id='scratch';i.className='hidden';document.body.appendChild(i)}i.value='';")
    driver.find_element(By.ID, "scratch").send_keys(path)
    driver.execute_script(
        "const dt=new DataTransfer();dt.items.add(document.getElementById('scratch').files[0]);"
        "document.getElementById('drop').dispatchEvent(new DragEvent('drop',{dataTransfer:dt,bubbles:true,cancelable:true}));")


def fill(element_id, value):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


def choose(element_id, value):
    driver.execute_script(
        "const s=document.getElementById(arguments[0]);s.value=arguments[1];s.dispatchEvent(new Event('change'));",
        element_id, value)


def labelled(label):
    """The control whose accessible name is `label`."""
    return driver.find_element(By.CSS_SELECTOR, "[aria-label='%s']" % label)


def downloaded(name):
    """Waits for `name` to be complete in the download directory and returns its bytes."""
    path = os.path.join(downloads, name)
    wait.until(lambda d: os.path.exists(path) and not os.path.exists(path + ".crdownload"))
    return open(path, "rb").read()


def shoot(name, element_id):
    """Screenshots with `element_id` in view at desktop width, then at phone width, where nothing
    may stick out sideways."""
    driver.set_window_size(1280, 1000)
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", element)
    driver.save_screenshot(os.path.join(shots, name + "-desktop.png"))
    driver.set_window_size(390, 1000)
    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", element)
    driver.save_screenshot(os.path.join(shots, name + "-phone.png"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "%s: the page is %d px wide at phone width" % (name, width)
    right = driver.execute_script("return arguments[0].getBoundingClientRect().right", element)
    assert right <= 390, "%s: #%s ends at %d px at phone width" % (name, element_id, right)
    driver.set_window_size(1280, 1000)


def sent_and_answered(click):
    """Clears the result, clicks, and waits until the result is an answer rather than the
    "Sending…"/"Programming…" note."""
    driver.execute_script("document.getElementById('result').innerHTML=''")
    click()
    wait.until(lambda d: text("result") and not text("result").startswith(("Sending", "Programming")))
    return text("result")


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
    # The host has no WiFi settings (GET /api/wifi is 404), so the page shows no WiFi card.
    assert "hidden" in driver.find_element(By.ID, "wifi").get_attribute("class").split()

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
    driver.set_window_size(1280, 1000)

    # To flash at 0x200000: the result names the address and the sectors, verified.
    choose("dest", "flash")
    wait.until(EC.visibility_of_element_located((By.ID, "flash-addr")))
    fill("flash-addr", "0x200000")
    drop(bitstream)
    wait.until(lambda d: "matches the board" in text("check"))
    flash = sent_and_answered(lambda: driver.find_element(By.ID, "send").click())
    print("flash result:", flash.replace("\n", " | "))
    assert "flash@0x200000:" in flash and " sectors: " in flash and "verified" in flash \
        and "not verified" not in flash, "flash result: " + flash
    assert "bad" not in driver.find_element(By.CSS_SELECTOR, "#result .msg").get_attribute("class"), flash
    shoot("flash", "result")

    # The boot check next to the flash chip: nothing at 0 (the image went to 0x200000).
    boot = sent_and_answered(lambda: driver.find_element(By.ID, "bootcheck").click())
    wait.until(lambda d: "nothing: blank" in text("boot"))
    print("boot check:", text("boot").replace("\n", " | "))
    assert "would boot nothing" in boot, "boot check result: " + boot

    # A flash dump of what was written, downloaded by the browser: the same bytes as the file.
    fill("dump-addr", "0x200000")
    fill("dump-len", str(len(image)))
    driver.find_element(By.ID, "dump").click()
    dump = downloaded("flash-0x200000.bin")
    assert dump == image, "the flash dump (%d bytes) differs from the file (%d bytes)" % (len(dump), len(image))
    print("flash dump: %d bytes, the same as %s" % (len(dump), os.path.basename(bitstream)))

    # The file store: upload, listed, downloaded, programmed to the FPGA, deleted, gone.
    name = os.path.basename(bitstream)
    driver.find_element(By.ID, "store-file").send_keys(bitstream)
    driver.find_element(By.ID, "store-up").click()
    wait.until(lambda d: "Stored " + name in text("files-msg"))
    wait.until(lambda d: name in text("files"))
    print("stored:", text("files").replace("\n", " | "))
    labelled("Download " + name).click()
    assert downloaded(name) == image, "the stored file downloads with other bytes"
    print("stored file downloaded: %d bytes, the same" % len(image))
    choose("dest", "fpga")
    programmed = sent_and_answered(lambda: labelled("Program " + name).click())
    print("programmed from the store:", programmed.replace("\n", " | "))
    assert "DONE" in programmed, "programmed from the store: " + programmed
    labelled("Delete " + name).click()
    wait.until(EC.alert_is_present())
    driver.switch_to.alert.accept()
    wait.until(lambda d: name not in text("files") and "No files." in text("files"))
    print("deleted:", text("files"))

    # Names a URL would read otherwise (#, ?, %, spaces): each button acts on its own file. The
    # decoys a.bit and b.bit are what a path cut at # or ? would hit.
    awkward = {"a.bit": b"decoy a", "a.bit#frag": b"fragment", "b.bit": b"decoy b", "b.bit?op=x": b"query",
               "c 100%.bit": b"percent and space"}
    local = os.path.join(downloads, "awkward")
    os.makedirs(local, exist_ok=True)
    for n, content in awkward.items():
        with open(os.path.join(local, n), "wb") as f:
            f.write(content)
        driver.find_element(By.ID, "store-file").send_keys(os.path.join(local, n))
        driver.find_element(By.ID, "store-up").click()
        wait.until(lambda d: "Stored " + n in text("files-msg"))
    for n in ("a.bit#frag", "b.bit?op=x"):
        labelled("Delete " + n).click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.accept()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[aria-label='Delete %s']" % n))
    left = sorted(e.get_attribute("aria-label")[len("Delete "):] for e in driver.find_elements(By.CSS_SELECTOR, "[aria-label^='Delete ']"))
    print("awkward names left:", left)
    assert left == ["a.bit", "b.bit", "c 100%.bit"], left
    for n in ("a.bit", "c 100%.bit"):
        labelled("Download " + n).click()
        assert downloaded(n) == awkward[n], "Download %s gave other bytes" % n
    print("awkward names: each Delete and Download acted on its own file")
    for n in left:
        labelled("Delete " + n).click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.accept()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[aria-label='Delete %s']" % n))

    # An FTP upload to flash@0x300000 held open: the page names the FTP client as the holder.
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", int(ftp_port), timeout=120)
    ftp.login(user, password)
    ftp.voidcmd("TYPE I")
    data = ftp.transfercmd("STOR flash@0x300000")
    data.sendall(image[:300000])
    drop(bitstream)
    wait.until(lambda d: "matches the board" in text("check"))
    busy = sent_and_answered(lambda: driver.find_element(By.ID, "send").click())
    print("busy:", busy)
    assert busy.startswith("The board is busy: FTP client 127.0.0.1:") and "uploading to flash@0x300000" in busy, busy
    driver.find_element(By.ID, "refresh").click()
    wait.until(lambda d: "The board is busy: FTP client" in text("board"))
    print("board card while busy:", text("board").replace("\n", " | "))
    shoot("busy", "result")
    data.sendall(image[300000:])
    data.close()
    print("FTP", ftp.voidresp())
    ftp.quit()

    # Free again: the board card reads the board, and the same Send goes through.
    driver.find_element(By.ID, "refresh").click()
    wait.until(lambda d: "LFE5U-85F" in text("board"))
    again = sent_and_answered(lambda: driver.find_element(By.ID, "send").click())
    print("after the FTP job:", again.replace("\n", " | "))
    assert "DONE" in again, "after the FTP job: " + again
    print("PAGE OK")
finally:
    driver.quit()
