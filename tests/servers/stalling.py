"""A server on 127.0.0.1 that accepts a connection, reads the request's head, and then stalls:
it reads nothing more and never answers, until the client gives up or the test ends.

It stands for a gateway or a server that hangs mid-request: an upload to it stops moving once the
socket buffers are full (its receive buffer is made small, so a few MiB are enough), and a small
request waits forever for its answer. Whatever bounds the client has are all that end the wait.
"""

from __future__ import annotations

import socket
import threading


class StallingServer:
    """``with StallingServer() as server: ... server.url``; ``server.heads`` are the request heads it read."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by each accepted socket
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._head_read = threading.Condition(self._lock)
        self.heads: list[bytes] = []
        self._thread = threading.Thread(target=self._accept, name="StallingServer", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()
        return f"http://{host}:{port}"

    def __enter__(self) -> StallingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def wait_for_request(self, timeout: float) -> bytes:
        """The first request's head, once read (it has reached the server and been left hanging)."""
        with self._head_read:
            if not self._head_read.wait_for(lambda: self.heads, timeout):
                raise TimeoutError("no request reached the stalling server")
            return self.heads[0]

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed: the test is over
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._read_head, args=(connection,), daemon=True).start()

    def _read_head(self, connection: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(1)  # byte by byte: nothing past the head is taken off the socket
                if not chunk:
                    return
                head += chunk
        except OSError:
            return
        with self._head_read:
            self.heads.append(head)
            self._head_read.notify_all()
