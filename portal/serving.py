"""What the portal asks of the server it runs under: a request body must keep arriving.

gunicorn's threaded workers (`make serve`) read a request body from a blocking socket with no time
limit, and `--timeout` watches the worker process, not its threads: a client that sends its
headers and then its body very slowly, or stops, holds a thread for as long as it likes, and a few
such clients hold them all. So under gunicorn the portal bounds the body itself. Each read waits
at most REQUEST_BODY_TIMEOUT seconds for data (a client that stops), and the whole body must have
arrived within REQUEST_BODY_TIMEOUT seconds plus its length at REQUEST_BODY_MIN_RATE_KB a second
(a client that trickles); past either, the connection stops being read and the request is answered
408. Nothing was written by then: the form is parsed, CSRF token first, before any route runs.

Other servers need nothing from here: waitress and a reverse proxy such as nginx read the whole
body themselves, with their own timeouts, before the portal sees it.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from werkzeug.exceptions import RequestTimeout


class BodyDeadline:
    """WSGI middleware: under gunicorn, a request body that stalls or trickles ends in 408."""

    def __init__(self, wsgi_app, timeout: float, min_rate: float, max_length: int):
        self.wsgi_app = wsgi_app
        self.timeout = timeout  # seconds; 0 turns the bound off
        self.min_rate = min_rate  # bytes a second; 0: only pauses are bounded
        self.max_length = max_length  # the most the portal reads of a body

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        length = _body_length(environ, self.max_length)
        if sock is None or not length or not self.timeout:
            return self.wsgi_app(environ, start_response)
        deadline = self.timeout + length / self.min_rate if self.min_rate > 0 else None
        body = _TimedBody(environ["wsgi.input"], sock, length, self.timeout, deadline)
        environ["wsgi.input"] = body
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            # The response is written by gunicorn after this, with its usual blocking socket.
            body.stop_clock()


def _body_length(environ, max_length: int) -> int:
    """The body's announced length (a chunked one counts as the longest allowed); 0: none."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return max_length
    try:
        return min(max(int(environ.get("CONTENT_LENGTH") or 0), 0), max_length)
    except ValueError:
        return 0


class _TimedBody:
    """wsgi.input with a pause limit (the socket's timeout) and an overall deadline (a timer that
    shuts the socket's reading side, which wakes a read that is waiting)."""

    def __init__(self, stream, sock: socket.socket, length: int, pause: float,
                 deadline: float | None):
        self.stream = stream
        self.sock = sock
        self.left = length
        self.expired = False
        self.stopped = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(deadline, self._expire) if deadline else None
        sock.settimeout(pause)
        if self.timer:
            self.timer.daemon = True
            self.timer.start()

    def _expire(self) -> None:
        with self.lock:
            if self.stopped:
                return
            self.expired = True
            with contextlib.suppress(OSError):  # the client may be gone already
                self.sock.shutdown(socket.SHUT_RD)

    def stop_clock(self) -> None:
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
            if self.timer:
                self.timer.cancel()
            with contextlib.suppress(OSError):
                self.sock.settimeout(None)

    def _read(self, method, *args) -> bytes:
        try:
            data = method(*args)
        except TimeoutError:
            raise RequestTimeout() from None
        if self.expired:
            raise RequestTimeout()
        self.left -= len(data)
        if not data or self.left <= 0:
            self.stop_clock()
        return data

    def read(self, *args) -> bytes:
        return self._read(self.stream.read, *args)

    def readline(self, *args) -> bytes:
        return self._read(self.stream.readline, *args)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(self)

    def __iter__(self):
        return iter(self.readline, b"")
