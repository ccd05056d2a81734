"""A real HTTP server on 127.0.0.1 answering what a test tells it: images, pages,
redirects, endless or silent bodies. Nothing here reaches past this machine."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Body = b""
    content_length: bool = True
    """Send Content-Length (bytes bodies only); without it the body ends with the connection."""
    delay: float = 0.0
    """Seconds to wait before answering."""


def image(data: bytes, content_type: str) -> Answer:
    return Answer(headers={"Content-Type": content_type}, body=data)


def redirect(location: str, status: int = 302) -> Answer:
    return Answer(status=status, headers={"Location": location})


@dataclass
class Seen:
    path: str
    host: str | None
    headers: dict[str, str]
    """Names in lowercase."""


class ImageServer:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self.sent: dict[str, int] = {}
        """Body bytes written per path (an endless body stops when the client leaves)."""
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, answer: Answer) -> str:
        self.answers[path] = answer
        return self.url(path)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]


def _handler(server: ImageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.seen.append(Seen(self.path, headers.get("host"), headers))
            answer = server.answers.get(self.path, Answer(404, {"Content-Type": "text/plain"}))
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if isinstance(answer.body, bytes) and answer.content_length:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            pieces = [answer.body] if isinstance(answer.body, bytes) else answer.body()
            try:
                for piece in pieces:
                    self.wfile.write(piece)
                    self.wfile.flush()
                    server.sent[self.path] = server.sent.get(self.path, 0) + len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def running() -> Iterator[ImageServer]:
    server = ImageServer()
    thread = threading.Thread(target=server._http.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._http.shutdown()
        server._http.server_close()
        thread.join(10)


def endless(piece: bytes = b"\x00" * 65536) -> Callable[[], Iterator[bytes]]:
    """A body that never ends (until the client hangs up)."""

    def pieces() -> Iterator[bytes]:
        while True:
            yield piece

    return pieces


def grey_jpeg() -> bytes:
    """A real baseline JPEG, 8x8 mid-grey: quantisation and Huffman tables, one block
    whose DC difference is 0 and whose AC coefficients end at once (EOB)."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    def huffman(table: int) -> bytes:  # one code of length 1, for symbol 0
        return bytes([table, 1]) + bytes(15) + b"\x00"

    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
        + segment(0xC4, huffman(0x00))  # DC table 0
        + segment(0xC4, huffman(0x10))  # AC table 0
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # DC "0" (category 0), AC "0" (EOB), padded with ones
        + b"\xff\xd9"
    )
