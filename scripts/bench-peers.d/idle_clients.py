#!/usr/bin/env python3
"""Opens N keep-alive client connections to a proxy on 127.0.0.1 and holds them idle.

Each connection (after the TLS handshake with --tls) sends one GET and reads the whole
response, so the proxy has seen a real keep-alive request and now holds an idle client
connection, the state a browser or load balancer leaves behind. Prints "ready N" on stdout
once every connection is idle, then holds them until stdin closes (or --hold seconds pass).
"""
import argparse, socket, ssl, sys, time
sys.dont_write_bytecode = True

def one_request(sock):
    sock.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed inside the response body")
        body += chunk

def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--hold", type=float, default=120.0)
    p.add_argument("--no-request", action="store_true",
                   help="only connect (and handshake): separates per-connection setup from what a request leaves behind")
    a = p.parse_args()
    ctx = None
    if a.tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    held = []
    for _ in range(a.count):
        s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        if ctx is not None:
            s = ctx.wrap_socket(s, server_hostname="localhost")
        if not a.no_request:
            one_request(s)
        held.append(s)
    print(f"ready {len(held)}", flush=True)
    deadline = time.monotonic() + a.hold
    # Hold until the parent closes our stdin (it has read the RSS) or the deadline passes.
    import select
    while time.monotonic() < deadline:
        r, _, _ = select.select([sys.stdin], [], [], 0.5)
        if r and not sys.stdin.readline():
            break
    for s in held:
        s.close()

if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, let the caller mark the row as failed
        print(f"error {e}", flush=True)
        sys.exit(1)
