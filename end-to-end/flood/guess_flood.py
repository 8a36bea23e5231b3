"""Password guessing spread over 70 loopback addresses (127.0.1.1-70; all of 127.0.0.0/8 is
loopback on Linux) against `tapwalker serve --http`, for SECONDS, each address one guess at a time
and at most 200 guesses each. A user who logged in from 127.0.9.9 before the flood logs in again
every half second while it runs (retrying for up to 2 s when the server is busy). Prints how many guesses the server checked (401) and refused
unchecked (429), and the user's logins.

usage: guess_flood.py PORT SECONDS
"""
import http.client, sys, threading, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
USER = "127.0.9.9"
counts = {}
lock = threading.Lock()
def login(source, password):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    body = "user=ulx3s&password=" + password
    c.request("POST", "/api/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status
assert login(USER, "secret") == 200
stop = time.time() + seconds
def guess(address):
    for n in range(200):
        if time.time() >= stop: break
        try:
            status = login(address, "guess%d" % n)
        except OSError:
            status = "error"
        with lock: counts[status] = counts.get(status, 0) + 1
        time.sleep(0.1)
threads = [threading.Thread(target=guess, args=("127.0.1.%d" % i,), daemon=True) for i in range(1, 71)]
started = time.time()
for t in threads: t.start()
ok = tries = 0
seen = set()
while time.time() < stop - 2:
    # As a person would: a busy server (503, a dropped connection) is tried again at once, for
    # up to 2 s; a wrong-password answer (401) or "too many attempts" (429) would end the try.
    tries += 1
    give_up = time.time() + 2
    while time.time() < give_up:
        try:
            status = login(USER, "secret")
        except OSError as e:
            status = type(e).__name__
        seen.add(status)
        if status in (200, 401, 429): break
        time.sleep(0.05)
    if status == 200: ok += 1
    else: print("user's login:", status)
    time.sleep(0.5)
for t in threads: t.join()
print("GUESSES checked %d refused %d other %d in %.1f s" % (counts.get(401, 0), counts.get(429, 0),
      sum(v for k, v in counts.items() if k not in (401, 429)), time.time() - started))
print("USER %d of %d" % (ok, tries))
print("USER SAW", " ".join(sorted(str(x) for x in seen)))
