"""A mail server on 127.0.0.1 for the outbox's tests: it speaks enough SMTP for Django's
SMTP backend, counts every message whose data it received, and can misbehave the ways real
ones do (say nothing at all, or take a message and keep its answer)."""

import socket
import threading
from email import message_from_bytes, policy


class MailServer:
    """`silent`: accepts connections and never answers. `hold` cleared: takes a message's data,
    then waits for it to be set before saying the message is accepted."""

    def __init__(self, *, port: int = 0, silent: bool = False):
        self.silent = silent
        self.received = []  # the messages whose data arrived, in that order
        self.connected = threading.Event()
        self.data_arrived = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._socket = socket.create_server(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def recipients(self) -> list[str]:
        """To whom each received message was written, in the order the messages arrived."""
        with self._lock:
            return [str(message["To"]) for message in self.received]

    def subjects(self) -> list[str]:
        with self._lock:
            return [" ".join(str(message["Subject"]).split()) for message in self.received]

    def close(self):
        self._closing.set()
        self.hold.set()
        self._socket.close()

    def _accept(self):
        while not self._closing.is_set():
            try:
                connection, _address = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        self.connected.set()
        with connection:
            if self.silent:
                self._closing.wait()
                return
            try:
                self._converse(connection)
            except OSError:  # the client went away (killed, or gave up)
                return

    def _converse(self, connection):
        lines = connection.makefile("rb")
        connection.sendall(b"220 localhost ESMTP\r\n")
        while line := lines.readline():
            command = line[:4].upper()
            if command == b"QUIT":
                connection.sendall(b"221 Bye\r\n")
                return
            if command != b"DATA":
                connection.sendall(b"250 OK\r\n")
                continue
            connection.sendall(b"354 Go ahead\r\n")
            data = b""
            while (part := lines.readline()) not in (b".\r\n", b""):
                data += part[1:] if part.startswith(b"..") else part
            with self._lock:
                self.received.append(message_from_bytes(data, policy=policy.default))
            self.data_arrived.set()
            self.hold.wait()
            connection.sendall(b"250 Queued\r\n")


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]
