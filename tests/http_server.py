"""A real HTTP (or HTTPS) server on 127.0.0.1 for tests: scripted replies per path, recorded requests.

Reusable by any test that needs live feeds (fetch tests, watch tests)::

    with LocalHTTPServer() as server:
        server.route("/flaky", Reply(status=500), Reply(body=b"ok"))   # 500 first, then 200 forever
        server.document("/feed.xml", FEED_V1, content_type="application/rss+xml", etag='"v1"')
        fetch(server.url("/feed.xml"), settings)                         # 200
        fetch(server.url("/feed.xml"), settings, etag='"v1"')            # 304
        server.document("/feed.xml", FEED_V2, etag='"v2"')               # the feed changes between polls

Replies given to ``route`` are served in order and the last one repeats; a reply may also be a function
of the recorded request.  Every request is recorded (path, headers) with the number of body bytes the
server managed to send before the client went away, so tests can check that a client stopped reading.
``Reply(drip_seconds=1)`` is a slow peer that writes its body a byte a second (``drip_headers``: its
status line and headers too); teardown ends a drip at once.

With ``tls=`` a server-side ``ssl.SSLContext`` (e.g. from ``trustme``) the server speaks HTTPS and
``url()`` names it ``https://localhost:PORT``, so a client checks the certificate's name.  Every
accepted connection is counted in ``connections``, including those whose TLS handshake failed and
so never became a recorded request (how tests see that a refused certificate was not retried).
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Union


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to provoke read timeouts)
    filler_bytes: int = 0  # stream this many filler bytes as the body instead of ``body`` (huge responses)
    declare_length: bool = True  # send Content-Length; without it the body ends when the connection closes
    # A slow peer: send the body one byte at a time, this many seconds apart (each read of the client
    # gets a byte well within its timeout); with ``drip_headers`` the status line and headers too.
    drip_seconds: float = 0.0
    drip_headers: bool = False


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    bytes_sent: int = 0
    done: threading.Event = field(default_factory=threading.Event)

    def header(self, name: str) -> Optional[str]:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)


Responder = Union[Reply, Callable[[RecordedRequest], Reply]]


class _IPv6HTTPServer(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class LocalHTTPServer:
    """A ThreadingHTTPServer on an ephemeral port of 127.0.0.1 (or another loopback address, ``host``:
    127.0.0.2, ::1), run in a daemon thread; HTTPS with ``tls``."""

    def __init__(self, *, tls: Optional[ssl.SSLContext] = None, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, list[Responder]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self.connections = 0  # accepted connections, TLS handshake failures included
        self.tls = tls
        self.host = host
        server_class = _IPv6HTTPServer if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        if tls is not None:
            # accept() then returns TLS sockets; the handshake is left to the handler thread (Handler.handle),
            # so a client refusing the certificate neither blocks nor fails the serve_forever thread
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        # a short poll interval makes shutdown (and so every test's teardown) quick
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-http", daemon=True
        )

    def __enter__(self) -> "LocalHTTPServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # wakes handlers that are sleeping to provoke a timeout
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        # HTTPS by name, as real feeds are addressed, so that the client checks the certificate's host name
        if self.tls is not None:
            return f"https://localhost:{self.port}{path}"
        return f"http://[{self.host}]:{self.port}{path}" if ":" in self.host else f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, *replies: Responder) -> None:
        """Serve ``replies`` to successive requests for ``path``; the last one repeats."""
        if not replies:
            raise ValueError("route needs at least one reply")
        with self._lock:
            self._routes[path] = list(replies)

    def document(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/xml",
        etag: Optional[str] = None,
        last_modified: Optional[str] = None,
    ) -> None:
        """Serve ``body`` with validators, answering 304 to a request whose validators match (as real servers do)."""
        headers = {"Content-Type": content_type}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified

        def respond(request: RecordedRequest) -> Reply:
            etag_matches = etag is not None and request.header("If-None-Match") == etag
            date_matches = (
                last_modified is not None
                and request.header("If-None-Match") is None
                and request.header("If-Modified-Since") == last_modified
            )
            if etag_matches or date_matches:
                return Reply(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
            return Reply(body=body, headers=headers)

        self.route(path, respond)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            replies = self._routes.get(request.path)
            if not replies:
                return Reply(status=404, body=b"not found")
            responder = replies.pop(0) if len(replies) > 1 else replies[0]
        return responder(request) if callable(responder) else responder


def _handler_for(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, and a body without Content-Length ends at close
        protocol_version = "HTTP/1.0"

        def setup(self) -> None:
            with server._lock:
                server.connections += 1
            super().setup()

        def handle(self) -> None:
            if isinstance(self.request, ssl.SSLSocket):
                try:
                    self.request.do_handshake()
                except OSError:  # ssl.SSLError included
                    return  # the client refused the certificate (or went away): nothing to serve, nothing to log
            super().handle()

        def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
            request = RecordedRequest(path=self.path, headers=dict(self.headers.items()))
            try:
                reply = server._next_reply(request)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                self._send(reply, request)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what the size-limit tests want to see
            finally:
                request.done.set()

        def _send(self, reply: Reply, request: RecordedRequest) -> None:
            if reply.drip_headers:
                # written by hand: http.server would send the status line and headers in one piece
                head = f"HTTP/1.0 {reply.status} {self.responses.get(reply.status, ('',))[0]}\r\n"
                fields = {"Content-Length": str(len(reply.body)), **reply.headers}
                head += "".join(f"{name}: {value}\r\n" for name, value in fields.items()) + "\r\n"
                if self._drip(head.encode("latin-1"), reply.drip_seconds):
                    self._drip(reply.body, reply.drip_seconds, request)
                return
            self.send_response(reply.status)
            length = reply.filler_bytes or len(reply.body)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.declare_length and reply.status != 304 and "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            if reply.status == 304:
                return
            if reply.drip_seconds:
                self._drip(reply.body, reply.drip_seconds, request)
                return
            if not reply.filler_bytes:
                self.wfile.write(reply.body)
                request.bytes_sent = len(reply.body)
                return
            chunk = b"x" * 65536
            while request.bytes_sent < reply.filler_bytes:
                piece = chunk[: reply.filler_bytes - request.bytes_sent]
                self.wfile.write(piece)
                request.bytes_sent += len(piece)

        def _drip(self, data: bytes, seconds: float, request: Optional[RecordedRequest] = None) -> bool:
            """Write ``data`` a byte every ``seconds``; False when the server is stopping."""
            for index in range(len(data)):
                if server._stopping.wait(seconds):
                    return False
                self.wfile.write(data[index : index + 1])
                if request is not None:
                    request.bytes_sent += 1
            return True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

    return Handler


def wait_done(request: RecordedRequest, *, timeout: float = 10.0) -> None:
    """Wait until the server has finished (or abandoned) answering ``request``."""
    if not request.done.wait(timeout):
        raise TimeoutError(f"request for {request.path} still being served after {timeout} s")


__all__ = ["LocalHTTPServer", "RecordedRequest", "Reply", "wait_done"]
