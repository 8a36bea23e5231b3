"""Work that once ran the virtual ESP32 out of memory, held for a while:

- prelogin: 3 HTTP and 8 FTP connections that never log in, from four loopback addresses
  (127.0.0.2-5), each one reopened at once when the device drops it (an HTTP one sends half a
  request head, an FTP one nothing);
- uploads: logged-in users running 2 FTP uploads and 3 HTTP uploads at once, each started again
  as soon as it ends, in turn into the file store (STOR, PUT /api/files/...) and onto the board
  (STOR fpga, PUT /api/fpga: one board job at a time, the others are told the board is busy);
- both: the two together.

Bounded: `seconds` long, at most 300 connections per thread, never faster than one each 20 ms.
Refusals are what the device may answer when it has no memory for more (FTP 421/451, HTTP 503),
and a board busy with another upload's job (FTP 450, HTTP 409); they are counted, not failures.
"failed" counts the rest, expected in small numbers: an uploader's connection pushed out while it
was still logging in (for memory, see docs/memory-admission.md) sees the connection end (EOFError),
and an HTTP upload answered 503 before its body was read may see the connection reset.
Prints one RESULT line:

  RESULT uploads ok N refused N busy N failed N flood connections N

usage: memory_flood.py prelogin|uploads|both FTP_PORT HTTP_PORT SECONDS
"""
import ftplib, http.client, io, os, socket, sys, threading, time
mode, ftp_port, http_port, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
USER, PASSWORD = "ulx3s", "secret"
FLOOD = ["127.0.0.%d" % i for i in (2, 3, 4, 5)]
UPLOADERS = ["127.0.1.%d" % i for i in (1, 2, 3, 4, 5)]
BODY = bytes((i * 7 + 3) & 0xFF for i in range(192 * 1024))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Examples", "blink-85f.bit"), "rb") as f:
    BITSTREAM = f.read()
stop = time.time() + seconds
lock = threading.Lock()
counts = {"ok": 0, "refused": 0, "busy": 0, "failed": 0, "flood": 0}
problems = []


def count(key, problem=None):
    with lock:
        counts[key] += 1
        if problem and len(problems) < 8:
            problems.append(problem)


def hold(kind, address):
    """Opens a connection that never logs in and holds it until the device drops it; again."""
    port = http_port if kind == "http" else ftp_port
    n = 0
    while time.time() < stop and n < 300:
        n += 1
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(address, 0))
            count("flood")
            if kind == "http":
                s.sendall(b"GET /api/session HTTP/1.1\r\nHost: x\r\n")  # a head never finished
            s.settimeout(max(0.1, stop - time.time()))
            try:
                while s.recv(1024):
                    pass
            except OSError:
                pass
            s.close()
        except OSError:
            pass
        time.sleep(0.02)


def refused_text(text):
    return text.startswith("421") or text.startswith("451") or "503" in text[:40]


def ftp_upload(address, index):
    n = 0
    while time.time() < stop and n < 300:
        n += 1
        try:
            f = ftplib.FTP(timeout=20, source_address=(address, 0))
            f.connect("127.0.0.1", ftp_port)
            f.login(USER, PASSWORD)
            if n % 2:
                f.storbinary("STOR flood-ftp-%d.bin" % index, io.BytesIO(BODY))
            else:
                f.storbinary("STOR fpga", io.BytesIO(BITSTREAM))
            f.quit()
            count("ok")
        except ftplib.all_errors as e:
            text = str(e)
            if refused_text(text):
                count("refused")
            elif text.startswith("450"):
                count("busy")
            else:
                count("failed", "ftp: " + repr(e)[:160])
        time.sleep(0.02)


def http_upload(address, index):
    n = 0
    while time.time() < stop and n < 300:
        n += 1
        try:
            c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=20, source_address=(address, 0))
            path, body = ("/api/files/flood-http-%d.bin" % index, BODY) if n % 2 else ("/api/fpga", BITSTREAM)
            c.request("PUT", path, body=body, headers={"Authorization": "Basic dWx4M3M6c2VjcmV0"})  # ulx3s:secret
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status in (200, 201):
                count("ok")
            elif r.status == 503 and r.getheader("Retry-After"):
                count("refused")
            elif r.status == 409:
                count("busy")
            else:
                count("failed", "http: %d %s" % (r.status, body[:120]))
        except (OSError, http.client.HTTPException) as e:
            # A connection the device refused before reading the body may be reset under it.
            count("failed", "http: " + repr(e)[:160])
        time.sleep(0.02)


threads = []
if mode in ("prelogin", "both"):
    # 3 HTTP and 8 FTP, spread over the four addresses.
    threads += [threading.Thread(target=hold, args=("http", FLOOD[i])) for i in range(3)]
    threads += [threading.Thread(target=hold, args=("ftp", FLOOD[i % 4])) for i in range(8)]
if mode in ("uploads", "both"):
    threads += [threading.Thread(target=ftp_upload, args=(UPLOADERS[i], i)) for i in range(2)]
    threads += [threading.Thread(target=http_upload, args=(UPLOADERS[2 + i], i)) for i in range(3)]
for t in threads:
    t.daemon = True
    t.start()
for t in threads:
    t.join()
for p in problems:
    print("problem:", p)
print("RESULT %s ok %d refused %d busy %d failed %d flood connections %d"
      % (mode, counts["ok"], counts["refused"], counts["busy"], counts["failed"], counts["flood"]))
