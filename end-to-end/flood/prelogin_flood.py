"""A flood of connections that never log in, from four loopback addresses (127.0.0.2-5; all of
127.0.0.0/8 is loopback on Linux), each dropped one reopened at once, while a user from another
address (127.0.9.9) logs in every half second. Bounded: `seconds` long, at most 400 connections
per flooding thread. Prints one RESULT line.

usage: prelogin_flood.py ftp|http PORT SECONDS [CONNECTIONS_PER_ADDRESS]
"""
import socket, threading, time, sys, ftplib, http.client
kind, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
per_address = int(sys.argv[4]) if len(sys.argv) > 4 else 3
FLOOD = ["127.0.0.%d" % i for i in (2, 3, 4, 5)]
USER = "127.0.9.9"
stop = time.time() + seconds
opened = [0]
lock = threading.Lock()
def hold(address):
    # Connect, start something that never finishes, hold it; reconnect when dropped. At most
    # 400 connections per thread, and never faster than one each 20 ms.
    n = 0
    while time.time() < stop and n < 400:
        n += 1
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(address, 0))
            with lock: opened[0] += 1
            if kind == "http":
                s.sendall(b"GET /api/session HTTP/1.1\r\nHost: x\r\n")   # a head never finished
            s.settimeout(max(0.1, stop - time.time()))
            try:
                while s.recv(1024): pass
            except OSError: pass
            s.close()
        except OSError:
            pass
        time.sleep(0.02)
threads = [threading.Thread(target=hold, args=(a,), daemon=True) for a in FLOOD for _ in range(per_address)]
for t in threads: t.start()
time.sleep(2)
ok, tries, worst = 0, 0, 0.0
while time.time() < stop - 1:
    tries += 1
    t0 = time.time()
    try:
        if kind == "ftp":
            f = ftplib.FTP(timeout=5, source_address=(USER, 0))
            f.connect("127.0.0.1", port)
            f.login("ulx3s", "secret")
            f.pwd()
            f.quit()
        else:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(USER, 0))
            c.request("POST", "/api/login", body="user=ulx3s&password=secret", headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = c.getresponse()
            body = r.read()
            if r.status != 200: raise Exception("%d %s" % (r.status, body[:80]))
            c.close()
        ok += 1
        worst = max(worst, time.time() - t0)
    except Exception as e:
        print("login failed:", repr(e)[:120])
    time.sleep(0.5)
for t in threads: t.join()
print("RESULT %s logins %d of %d, slowest %.2f s, flood connections %d" % (kind, ok, tries, worst, opened[0]))
