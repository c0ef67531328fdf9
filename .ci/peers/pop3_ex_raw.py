"""Raw-socket checks of the pop3-server example.

usage:
  pop3_ex_raw.py stls PORT USER PASS
      commands pipelined after STLS are never answered, in clear or
      through TLS; the handshake and a session over TLS work
  pop3_ex_raw.py idle PORT USER PASS SECONDS
      a silent session is closed after SECONDS without a response, and its
      DELE is not applied
"""
import socket
import ssl
import sys
import time


def line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise AssertionError("connection closed after %r" % data)
        data += chunk
    return data


def multi(sock):
    lines = []
    while True:
        text = line(sock)
        if text == b".\r\n":
            return lines
        lines.append(text)


def stls(port, user, password):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert line(sock).startswith(b"+OK")
    sock.sendall(b"CAPA\r\n")
    assert line(sock).startswith(b"+OK")
    assert b"STLS\r\n" in multi(sock)
    # An attacker's injection: a command after STLS in the same segment.
    sock.sendall(b"STLS\r\nUSER injected\r\n")
    assert line(sock).startswith(b"+OK"), "STLS refused"
    sock.settimeout(1.0)
    try:
        extra = sock.recv(100)
        raise AssertionError("the server answered after STLS: %r" % extra)
    except socket.timeout:
        pass
    sock.settimeout(10)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    tls = context.wrap_socket(sock, server_hostname="localhost")
    tls.sendall(b"CAPA\r\n")
    assert line(tls).startswith(b"+OK")
    caps = multi(tls)
    assert b"STLS\r\n" not in caps and b"USER\r\n" in caps, caps
    # USER injected was dropped: PASS without USER is refused, USER/PASS work.
    tls.sendall(b"PASS " + password.encode() + b"\r\n")
    assert line(tls).startswith(b"-ERR"), "the injected USER was processed"
    tls.sendall(b"USER %s\r\nPASS %s\r\nSTAT\r\nQUIT\r\n" % (user.encode(), password.encode()))
    replies = [line(tls) for _ in range(4)]
    assert all(r.startswith(b"+OK") for r in replies), replies
    print("  STLS: pipelined bytes dropped, TLS session works (%s)" % tls.version())


def idle(port, user, password, seconds):
    sock = socket.create_connection(("127.0.0.1", port), timeout=seconds + 10)
    assert line(sock).startswith(b"+OK")
    sock.sendall(b"USER %s\r\nPASS %s\r\nDELE 1\r\n" % (user.encode(), password.encode()))
    for _ in range(3):
        assert line(sock).startswith(b"+OK")
    start = time.monotonic()
    rest = sock.recv(100)
    waited = time.monotonic() - start
    assert rest == b"", rest
    assert seconds - 0.5 <= waited <= seconds + 5, waited
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    line(sock)
    sock.sendall(b"USER %s\r\nPASS %s\r\nSTAT\r\nQUIT\r\n" % (user.encode(), password.encode()))
    replies = [line(sock) for _ in range(4)]
    print("  idle session closed after %.1f s without a response; after it: %s" % (waited, replies[2].decode().strip()))
    return replies[2]


if __name__ == "__main__":
    what, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if what == "stls":
        stls(port, user, password)
    elif what == "idle":
        expect = sys.argv[6] if len(sys.argv) > 6 else None
        stat = idle(port, user, password, float(sys.argv[5]))
        if expect is not None:
            assert stat.split()[1] == expect.encode(), (stat, expect)
    else:
        sys.exit(__doc__)
