#!/usr/bin/env python3
"""Captures raw DNS answers from a real BIND named for DNSWire's fixtures.

Starts `named -g` (foreground) on 127.0.0.1 on a free port with internal.zone, sends fixed
queries over UDP and TCP with plain sockets, writes each answer's exact bytes to
../<name>.bin, and stops named by its PID. Run: python3 capture.py (needs bind9: /usr/sbin/named).
"""
import os, shutil, socket, struct, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(qid, name, qtype, edns_size=None, rd=False):
    flags = 0x0100 if rd else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns_size else 0)
    for label in name.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\x00" + struct.pack("!HH", qtype, 1)
    if edns_size:
        msg += b"\x00" + struct.pack("!HHIH", 41, edns_size, 0, 0)
    return msg


def udp(port, msg):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(msg, ("127.0.0.1", port))
        return s.recvfrom(65535)[0]


def tcp(port, msg):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(struct.pack("!H", len(msg)) + msg)
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
            chunk = s.recv(65535)
            if not chunk:
                break
            data += chunk
        return data[2:]


def main():
    named = shutil.which("named") or "/usr/sbin/named"
    work = tempfile.mkdtemp(prefix="dnswire-named-")
    port = free_port()
    shutil.copy(os.path.join(HERE, "internal.zone"), work)
    with open(os.path.join(work, "named.conf"), "w") as f:
        f.write(f"""options {{
  directory "{work}"; pid-file "{work}/named.pid"; listen-on port {port} {{ 127.0.0.1; }};
  listen-on-v6 {{ none; }}; recursion no; dnssec-validation no; notify no;
}};
controls {{ }};
zone "internal" {{ type primary; file "internal.zone"; }};
""")
    proc = subprocess.Popen([named, "-g", "-c", os.path.join(work, "named.conf"), "-n", "1"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "named.log"), "w"))
    try:
        for _ in range(100):
            try:
                udp(port, query(1, "internal", 6))
                break
            except OSError:
                time.sleep(0.1)
        captures = {
            "bind-srv-hello-world-udp": udp(port, query(0x1a2b, "_hello-world-service.internal", 33, 1232)),
            "bind-srv-big-udp-1232": udp(port, query(0x2b3c, "_big-service.internal", 33, 1232)),
            "bind-srv-big-udp-no-edns": udp(port, query(0x3c4d, "_big-service.internal", 33)),
            "bind-srv-big-tcp": tcp(port, query(0x4d5e, "_big-service.internal", 33, 1232)),
            "bind-nxdomain": udp(port, query(0x5e6f, "_missing-service.internal", 33, 1232)),
        }
        for name, data in captures.items():
            with open(os.path.join(OUT, name + ".bin"), "wb") as f:
                f.write(data)
            print(name, len(data))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
