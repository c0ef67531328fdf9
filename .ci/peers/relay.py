#!/usr/bin/env python3
"""A recording TCP relay for one connection: listens on LISTEN_PORT
(creating CLIENT_OUT.ready once it does), connects the first client to
127.0.0.1:TARGET_PORT, writes what each side sends to CLIENT_OUT and
SERVER_OUT, and exits when both sides have closed (or after 30 s of
silence).

usage: relay.py LISTEN_PORT TARGET_PORT CLIENT_OUT SERVER_OUT
"""
import selectors
import socket
import sys


def serve_one(client, target_port, client_out, server_out):
    upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, (upstream, client_out))
    sel.register(upstream, selectors.EVENT_READ, (client, server_out))
    open_ends = 2
    while open_ends:
        events = sel.select(timeout=30)
        if not events:
            break
        for key, _ in events:
            peer, log = key.data
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                open_ends -= 1
                try:
                    peer.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            log.write(data)
            log.flush()
            try:
                peer.sendall(data)
            except OSError:
                pass
    client.close()
    upstream.close()


def main():
    listen_port, target_port, client_path, server_path = sys.argv[1:5]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(listen_port)))
    listener.listen(1)
    listener.settimeout(30)
    open(client_path + ".ready", "w").close()
    client, _ = listener.accept()
    listener.close()
    with open(client_path, "wb") as client_out, open(server_path, "wb") as server_out:
        serve_one(client, int(target_port), client_out, server_out)


if __name__ == "__main__":
    main()
