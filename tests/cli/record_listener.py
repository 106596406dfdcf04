#!/usr/bin/env python3
"""record_listener.py LOG [CERT KEY]: a loopback TCP listener that records every byte it
receives, for tests/cli/extract-secrets.sh (a proxy that must hear no secret).

Prints "listening on PORT" (flushed) once bound to 127.0.0.1 on a free port.
Each connection is read until the end of an HTTP request head (a blank line)
or for one second (a SOCKS greeting has no blank line), appended to LOG
(bytes as received, each connection preceded by a line "=== connection N"),
then answered "403 Forbidden" and closed: an HTTP proxy that refuses, so a
CONNECT tunnel fails at once. With CERT and KEY (PEM) it speaks TLS instead
(a server whose certificate the client cannot verify): it records nothing
then, it is there for the client's handshake. Runs until killed."""
import socket
import ssl
import sys
import threading
import time

log_path = sys.argv[1]
tls = None
if len(sys.argv) > 3:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[2], sys.argv[3])
lock = threading.Lock()
count = 0


def serve(conn, n):
    data = b""
    if tls:
        try:
            conn.settimeout(2)
            tls.wrap_socket(conn, server_side=True).close()
        except (OSError, ssl.SSLError):
            pass
        conn.close()
        return
    conn.settimeout(0.2)
    deadline = time.monotonic() + 1.0
    while b"\r\n\r\n" not in data and time.monotonic() < deadline and len(data) < 1 << 20:
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    with lock:
        with open(log_path, "ab") as f:
            f.write(b"=== connection %d\n" % n)
            f.write(data)
            f.write(b"\n")
    try:
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    conn.close()


def main():
    global count
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    open(log_path, "ab").close()
    print("listening on %d" % s.getsockname()[1], flush=True)
    while True:
        conn, _ = s.accept()
        count += 1
        threading.Thread(target=serve, args=(conn, count), daemon=True).start()


if __name__ == "__main__":
    main()
