"""A local stand-in for Twilio's Messages API, and helpers to act as Twilio.

``FakeTwilio`` is a small threaded HTTP server emulating
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` closely enough for
the real ``twilio`` client (basic auth, form body, JSON answer, Twilio's
error JSON). It records every request, and can be told to answer 500 (or
any status) or to hang for the next requests, or for all of them.

``signed_post`` sends a webhook the way Twilio does: a form body signed with
``RequestValidator(auth_token).compute_signature(url, params)``.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Deque, Dict, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, urlencode

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
TWILIO_NUMBER = "+15005550006"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Dict[str, str]
    form: Dict[str, str]
    auth: Optional[Tuple[str, str]]
    received_at: float  # time.monotonic()
    answer: int = 0  # the status we answered (0: hung until the client gave up)
    sid: Optional[str] = None


@dataclass
class _Behaviour:
    kind: str  # "ok", "error", "hang"
    status: int = 201
    seconds: float = 0.0
    code: Optional[int] = None


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: List[RecordedRequest] = []
        self._script: Deque[_Behaviour] = deque()
        self._default = _Behaviour("ok")
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- life cycle --------------------------------------------------------

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._send_json(self, 405, {"code": 20004, "message": "Method not allowed", "status": 405})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "FakeTwilio":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    @property
    def calls_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Calls.json"

    def call_requests(self) -> List[RecordedRequest]:
        """``calls.create`` requests (outbound calls), accepted or not."""
        with self._lock:
            return [r for r in self.requests if r.path == self.calls_path]

    # -- behaviour ----------------------------------------------------------

    def fail_next(self, times: int, status: int = 500, code: Optional[int] = None) -> None:
        """The next ``times`` requests get ``status`` with Twilio's error JSON
        (``code``: Twilio's error code, e.g. 21610 for an unsubscribed number)."""
        with self._lock:
            self._script.extend(_Behaviour("error", status, code=code) for _ in range(times))

    def hang_next(self, times: int, seconds: float = 30.0) -> None:
        """The next ``times`` requests get no answer for ``seconds``."""
        with self._lock:
            self._script.extend(_Behaviour("hang", seconds=seconds) for _ in range(times))

    def always_fail(self, status: int = 500, code: Optional[int] = None) -> None:
        with self._lock:
            self._default = _Behaviour("error", status, code=code)

    def always_hang(self, seconds: float = 30.0) -> None:
        with self._lock:
            self._default = _Behaviour("hang", seconds=seconds)

    def reset(self) -> None:
        """Answer 201 again and forget every recorded request."""
        with self._lock:
            self._script.clear()
            self._default = _Behaviour("ok")
            self.requests.clear()

    # -- what was received ------------------------------------------------------

    def message_requests(self) -> List[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == self.messages_path]

    def sent_to(self, phone: str) -> List[RecordedRequest]:
        """Requests that Twilio accepted (201) for ``phone``."""
        return [r for r in self.message_requests() if r.form.get("To") == phone and r.answer == 201]

    def wait_for(self, predicate, timeout: float = 10.0) -> List[RecordedRequest]:
        """Wait until ``predicate(requests)`` is true; return the requests."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                snapshot = list(self.requests)
                if predicate(snapshot):
                    return snapshot
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"fake Twilio: condition not met within {timeout}s; received "
                        + json.dumps([(r.answer, r.form) for r in snapshot], ensure_ascii=False)
                    )
                self._changed.wait(min(remaining, 0.2))

    def wait_for_count(self, count: int, timeout: float = 10.0, accepted_only: bool = True) -> List[RecordedRequest]:
        def enough(reqs: List[RecordedRequest]) -> bool:
            done = [r for r in reqs if r.path == self.messages_path and (r.answer == 201 or not accepted_only)]
            return len(done) >= count

        self.wait_for(enough, timeout)
        return [r for r in self.message_requests() if r.answer == 201 or not accepted_only]

    # -- the server side ------------------------------------------------------

    def _send_json(self, handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _auth(self, handler: BaseHTTPRequestHandler) -> Optional[Tuple[str, str]]:
        header = handler.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        return user, password

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode("utf-8") if length else ""
        record = RecordedRequest(
            method="POST",
            path=handler.path.split("?")[0],
            headers={k: v for k, v in handler.headers.items()},
            form=dict(parse_qsl(raw, keep_blank_values=True)),
            auth=self._auth(handler),
            received_at=time.monotonic(),
        )
        with self._changed:
            behaviour = self._script.popleft() if self._script else self._default
            self.requests.append(record)
            self._changed.notify_all()

        if record.path not in (self.messages_path, self.calls_path):
            status, payload = 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        elif record.auth != (self.account_sid, self.auth_token):
            status, payload = 401, {"code": 20003, "message": "Authenticate", "status": 401}
        elif record.path == self.calls_path and not (
            record.form.get("To") and record.form.get("From") and (record.form.get("Url") or record.form.get("Twiml"))
        ):
            status, payload = 400, {"code": 21205, "message": "Url, To and From are required.", "status": 400}
        elif not record.form.get("To") or not (record.form.get("From") or record.form.get("MessagingServiceSid")):
            status, payload = 400, {"code": 21604, "message": "A 'To' and 'From' phone number is required.", "status": 400}
        elif behaviour.kind == "hang":
            self._stopping.wait(behaviour.seconds)
            self._answered(record, 0)
            return  # no answer at all; the client times out
        elif behaviour.kind == "error":
            status = behaviour.status
            payload = {
                "code": behaviour.code or (20500 if status >= 500 else 21211),
                "message": "Internal Server Error" if status >= 500 else "Error",
                "more_info": "https://www.twilio.com/docs/errors",
                "status": status,
            }
        else:
            status, payload = 201, (self._call(record) if record.path == self.calls_path else self._message(record))
            record.sid = payload["sid"]
        # Recorded before the answer goes out: a client that has its 201 may
        # look at sent_to() at once, and must find the message there (under
        # load the other order lost the race: test_start_re_enables_sms).
        self._answered(record, status)
        self._send_json(handler, status, payload)

    def _answered(self, record: RecordedRequest, status: int) -> None:
        with self._changed:
            record.answer = status
            self._changed.notify_all()

    def _call(self, record: RecordedRequest) -> dict:
        form = record.form
        sid = "CA" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        return {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": "2010-04-01",
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "from": form.get("From"),
            "from_formatted": form.get("From"),
            "parent_call_sid": None,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {},
            "to": form.get("To"),
            "to_formatted": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }

    def _message(self, record: RecordedRequest) -> dict:
        form = record.form
        sid = "SM" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") and not form.get("From") else "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
            "to": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }


# --------------------------------------------------------------------------
# Acting as Twilio towards our server
# --------------------------------------------------------------------------


def inbound_params(
    from_: str,
    body: Optional[str],
    *,
    to: str = TWILIO_NUMBER,
    sid: Optional[str] = None,
    account_sid: str = ACCOUNT_SID,
    **extra: str,
) -> Dict[str, str]:
    """The parameters of Twilio's incoming-SMS webhook (blank ones included,
    as Twilio sends them). ``body=None`` leaves Body out."""
    params = {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": sid or "SM" + uuid.uuid4().hex,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": "",
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "FromCountry": "CN",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": "",
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }
    params["SmsSid"] = params["MessageSid"] = params["SmsMessageSid"]
    if body is not None:
        params["Body"] = body
    params.update(extra)
    return params


def status_params(sid: str, status: str, *, to: str = "+8613900000001", **extra: str) -> Dict[str, str]:
    params = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": to,
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": TWILIO_NUMBER,
        "ApiVersion": "2010-04-01",
    }
    params.update(extra)
    return params


def sign(url: str, params: Mapping[str, str], auth_token: str = AUTH_TOKEN) -> str:
    return RequestValidator(auth_token).compute_signature(url, dict(params))


@dataclass
class WebhookAnswer:
    status: int
    body: str
    headers: Dict[str, str] = field(default_factory=dict)  # lower-case names
    seconds: float = 0.0


def signed_post(
    url: str,
    params: Mapping[str, str],
    *,
    auth_token: str = AUTH_TOKEN,
    signed_url: Optional[str] = None,
    signature: Optional[str] = "compute",
    headers: Optional[Mapping[str, str]] = None,
    timeout: float = 15.0,
) -> WebhookAnswer:
    """POST ``params`` to ``url`` as Twilio would.

    ``signed_url`` is the URL the signature is computed over (Twilio signs
    the public URL, which differs from ``url`` behind a proxy);
    ``signature=None`` sends no signature header, any other string is sent
    as it is (a forged one).
    """
    data = urlencode(params).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    request.add_header("User-Agent", "TwilioProxy/1.1")
    if signature == "compute":
        signature = sign(signed_url or url, params, auth_token)
    if signature is not None:
        request.add_header("X-Twilio-Signature", signature)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return WebhookAnswer(r.status, r.read().decode("utf-8"), _lower(r.headers), time.monotonic() - started)
    except urllib.error.HTTPError as e:
        return WebhookAnswer(e.code, e.read().decode("utf-8"), _lower(e.headers), time.monotonic() - started)


def _lower(headers) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
