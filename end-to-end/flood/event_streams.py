"""Event streams against `tapwalker serve --http`: one login (or, with `anonymous`, anonymous
readers) opens three streams, the way three browser tabs do; then two strangers ask for the
session state, a user logs in, and one tab closes and another opens at once. Prints one line per
step.

usage: event_streams.py PORT login|anonymous
"""
import socket, sys, time
port, anonymous = int(sys.argv[1]), sys.argv[2] == "anonymous"
def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s
def request(s, head):
    s.sendall(head.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        b = s.recv(4096)
        if not b: break
        data += b
    return data.decode(errors="replace")
def status(text): return text.split(" ")[1] if text.startswith("HTTP/") else "none"
def login():
    s = connect()
    r = request(s, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 26\r\n\r\nuser=ulx3s&password=secret")
    s.close()
    return r
cookie = ""
if not anonymous:
    r = login()
    cookie = "Cookie: " + r.split("Set-Cookie: ")[1].split(";")[0] + "\r\n"
def stream():
    s = connect()
    r = request(s, "GET /api/events HTTP/1.1\r\nHost: x\r\n" + cookie + "\r\n")
    return s, status(r)
tabs = [stream() for _ in range(3)]
print("STREAMS", *[st for _, st in tabs])
# Pre-login places are free: two strangers at once (the most one address may have) each get the session state.
strangers = [connect() for _ in range(2)]
print("STRANGERS", *[status(request(s, "GET /api/session HTTP/1.1\r\nHost: x\r\n\r\n")) for s in strangers])
for s in strangers: s.close()
print("LOGIN", status(login()))
# A tab closes: its place is free at once for a new one.
tabs[0][0].close()
t0 = time.time()
while True:
    s, st = stream()
    if st == "200" or time.time() - t0 > 10: break
    s.close()
    time.sleep(0.1)
print("REOPENED %s after %.1f s" % (st, time.time() - t0))
