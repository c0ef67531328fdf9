#!/usr/bin/env python3
"""Plays one side of a session against a real peer on loopback and saves
both byte streams, so the other side can be decoded by `trace`.

usage: capture.py HOST PORT CLIENT_OUT SERVER_OUT < SCRIPT

SCRIPT holds the client's bytes, one send per line (the line's own CRLF is
sent); a line `<wait>` waits until the server has answered everything sent
so far (it stops sending for 0.3 s of silence). The script ends with QUIT,
after which the server closes the connection. Everything is bounded in time.
"""
import socket
import sys
import time


def drain(sock, into, quiet=0.3, limit=10.0):
    """Reads until the peer is silent for `quiet` seconds or closes."""
    deadline = time.monotonic() + limit
    sock.settimeout(quiet)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return True
        if not data:
            return False
        into.extend(data)
    raise SystemExit("capture: peer kept talking for %ss" % limit)


def main():
    host, port, client_out, server_out = sys.argv[1:5]
    script = sys.stdin.buffer.read().split(b"\n")
    sent, received = bytearray(), bytearray()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        drain(sock, received)
        for line in script:
            line = line.rstrip(b"\r")
            if line == b"<wait>":
                drain(sock, received)
                continue
            if not line:
                continue
            data = line + b"\r\n"
            sock.sendall(data)
            sent.extend(data)
        open_ = drain(sock, received, quiet=2.0)
        if open_:
            raise SystemExit("capture: the server did not close after the script")
    with open(client_out, "wb") as f:
        f.write(sent)
    with open(server_out, "wb") as f:
        f.write(received)


if __name__ == "__main__":
    main()
