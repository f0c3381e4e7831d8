"""A stand-in HTTP service on a free local port, served from a daemon
thread: the base of the fakes that play another server over HTTP
(tests/fakes/fake_rasa.py, the workbench's fake model server).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Type


def send_json(handler: BaseHTTPRequestHandler, status: int, body: Any = None) -> None:
    """Answer ``status`` with ``body`` as JSON (no body for None)."""
    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class LocalHttpServer:
    """``serve(Handler)`` starts answering at ``url``; ``stop()`` ends it."""

    _server: Optional[ThreadingHTTPServer] = None

    def serve(self, handler_class: Type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"
