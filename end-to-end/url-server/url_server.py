#!/usr/bin/env python3
"""A local http and https server for the URL-input tests (the host CLI's and the virtual ESP32's).

    python3 end-to-end/url-server/url_server.py BITSTREAM DIR [--foreground]

Makes, in DIR, a test CA (ca.pem) and a server certificate it signed for localhost and 127.0.0.1,
with openssl; serves on 127.0.0.1 an http port and an https port (that certificate); prints
"HTTP_PORT HTTPS_PORT PID" and, unless --foreground, leaves the server running in the background
(it exits by itself after 300 s; SIGTERM to PID stops it earlier). Paths, the same on both ports:

  /blink.bit        the bitstream, with Content-Length      /blink.bit.gz    gzipped
  /redirect         302 to /blink.bit                       /to-https        302 to https://localhost/blink.bit
  /loop             302 to /loopN, for ever                 /to-ftp          302 to ftp://127.0.0.1/blink.bit
  /stall.bit        half the bitstream, then silence (the connection stays open)
  /excess.bit       Content-Length of the bitstream, then the bitstream and 256 KB more
  /short.bit        Content-Length of half the bitstream, then the whole bitstream
  /huge.bit         the bitstream followed by 0xFF up to 8 MB, with Content-Length
"""
import gzip
import http.server
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time


def make_certificates(directory):
    """A CA and a server certificate for localhost/127.0.0.1 signed by it (EC P-256, 2 days)."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=TapWalker test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")


def handler(data, ports):
    gz = gzip.compress(data)
    huge = data + b"\xff" * (8 * 1024 * 1024 - len(data))

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def head(self, status, length, extra=()):
            self.send_response(status)
            self.send_header("Content-Length", str(length))
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Connection", "close")
            self.end_headers()

        def plain(self, body, status=200, extra=()):
            self.head(status, len(body), extra)
            self.wfile.write(body)

        def do_GET(self):
            self.close_connection = True
            p = self.path
            try:
                if p == "/blink.bit":
                    self.plain(data)
                elif p == "/blink.bit.gz":
                    self.plain(gz)
                elif p == "/redirect":
                    self.plain(b"moved", 302, [("Location", "/blink.bit")])
                elif p == "/to-https":
                    self.plain(b"moved", 302, [("Location", "https://localhost:%d/blink.bit" % ports[1])])
                elif p.startswith("/loop"):
                    self.plain(b"again", 302, [("Location", "/loop%d" % len(p))])
                elif p == "/to-ftp":
                    self.plain(b"moved", 302, [("Location", "ftp://127.0.0.1/blink.bit")])
                elif p == "/stall.bit":
                    self.head(200, len(data))
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    time.sleep(200)
                elif p == "/excess.bit":
                    self.head(200, len(data))
                    self.wfile.write(data + b"\xa5" * 262144)
                elif p == "/short.bit":
                    self.head(200, len(data) // 2)
                    self.wfile.write(data)
                elif p == "/huge.bit":
                    self.plain(huge)
                else:
                    self.plain(b"no such thing", 404)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client stopped reading: what several of these paths are for

    return Handler


def main():
    # Tests run in parallel: this process may have inherited the write ends of other tests' pipes,
    # which would keep their readers waiting until this server exits. Close them first.
    os.closerange(3, 4096)
    # A test runner may start this with SIGTERM blocked (a thread's mask is inherited through
    # exec): unblock it, so that the caller's SIGTERM stops the server as the usage says.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    source, directory = sys.argv[1], sys.argv[2]
    foreground = "--foreground" in sys.argv[3:]
    with open(source, "rb") as f:
        data = f.read()
    cert, key = make_certificates(directory)
    ports = [0, 0]
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(data, ports))
    secure = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(data, ports))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    for s in (plain, secure):
        s.daemon_threads = True
    ports[0], ports[1] = plain.server_address[1], secure.server_address[1]
    if not foreground:
        # The parent prints "HTTP HTTPS PID" and exits at once; the child serves, detached from
        # the caller's pipes (a test reads them to their end).
        pid = os.fork()
        if pid:
            print(ports[0], ports[1], pid, flush=True)
            os._exit(0)
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    else:
        print(ports[0], ports[1], os.getpid(), flush=True)
    threading.Timer(300, lambda: os._exit(0)).start()
    threading.Thread(target=secure.serve_forever, daemon=True).start()
    plain.serve_forever()


if __name__ == "__main__":
    main()
