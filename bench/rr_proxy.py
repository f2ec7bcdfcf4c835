"""A minimal round-robin TCP proxy on loopback (its own process): each incoming connection
goes to the next backend in turn. Stands in for a load balancer in front of two replicas.

Run: ``python -m bench.rr_proxy LISTEN_PORT BACKEND_PORT [BACKEND_PORT …]``.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import sys
import threading


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def serve(listen: int, backends: list[int]) -> None:
    """Accept forever, forwarding connection n to ``backends[n % len(backends)]``."""
    server = socket.create_server(("127.0.0.1", listen), backlog=512)
    turn = itertools.cycle(backends)
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", next(turn)), timeout=5)
        except OSError:
            client.close()
            continue
        upstream.settimeout(None)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), [int(p) for p in sys.argv[2:]])
