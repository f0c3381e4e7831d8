"""A call simulator: plays Twilio's side of a phone call against the voice channel.

``collectbot call-sim +8613800000001`` posts signed webhook requests to
``/webhooks/voice/…`` exactly as Twilio would (form body,
``X-Twilio-Signature`` over the public URL and every parameter), reads the
TwiML answers as XML and follows them: ``<Say>`` is printed, ``<Gather>``
waits for the caller (a line of text is speech, ``#1234`` or ``按1234`` is
keypad digits, an empty line is silence), ``<Redirect>`` is followed,
``<Dial>``/``<Enqueue>`` is a transfer and ``<Hangup>`` ends the call;
then the ``completed`` status callback is sent with the call's duration.

Outbound calls (``--outbound``) arrive ``in-progress`` with ``AnsweredBy``
(``human``, ``machine_start`` …), as with answering-machine detection.

The same ``CallSim`` class drives the end-to-end tests
(tests/e2e/test_voice.py).
"""
from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, TextIO
from urllib.parse import urlencode

from bot import secrets
from bot.settings import voice_settings

DEFAULT_TWILIO_NUMBER = "+15005550006"
ACCOUNT_SID_FALLBACK = "AC" + "0" * 32


@dataclass
class Answer:
    status: int
    body: str


@dataclass
class Step:
    """One thing that happened on the call, in order."""

    kind: str  # say, caller, keys, silence, transfer, hangup, refused, status
    text: str = ""
    attrs: Dict[str, str] = field(default_factory=dict)


def sign(url: str, params: Mapping[str, str], auth_token: str) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, dict(params))


class CallSim:
    def __init__(
        self,
        base_url: str,
        phone: str,
        *,
        auth_token: str,
        public_url: Optional[str] = None,
        twilio_number: str = DEFAULT_TWILIO_NUMBER,
        account_sid: str = ACCOUNT_SID_FALLBACK,
        outbound: bool = False,
        call_sid: Optional[str] = None,
        answered_by: Optional[str] = None,
        printer: Optional[Callable[[str], None]] = None,
        timeout: float = 30.0,
        forge: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self.phone = phone
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.account_sid = account_sid
        self.outbound = outbound
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.answered_by = answered_by
        self.printer = printer
        self.timeout = timeout
        self.forge = forge
        self.steps: List[Step] = []
        self.answers: List[Answer] = []
        self.gather_action: Optional[str] = None
        self.no_input_url: Optional[str] = None
        self.ended = False
        self.started_at = time.monotonic()

    # -- what Twilio sends ---------------------------------------------------------

    def params(self, **extra: str) -> Dict[str, str]:
        p = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Direction": "outbound-api" if self.outbound else "inbound",
            "From": self.twilio_number if self.outbound else self.phone,
            "To": self.phone if self.outbound else self.twilio_number,
            "Caller": self.twilio_number if self.outbound else self.phone,
            "Called": self.phone if self.outbound else self.twilio_number,
        }
        p.update({k: v for k, v in extra.items() if v is not None})
        return p

    def post(self, path: str, params: Mapping[str, str]) -> Answer:
        path = path if path.startswith("/") else "/" + path
        url = self.base_url + path
        data = urlencode(params).encode("utf-8")
        req = urllib.request.Request(url, data=data, method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        req.add_header("User-Agent", "TwilioProxy/1.1")
        signature = sign(self.public_url + path, params, self.auth_token)
        if self.forge:
            signature = signature[::-1]
        req.add_header("X-Twilio-Signature", signature)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                answer = Answer(r.status, r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            answer = Answer(e.code, e.read().decode("utf-8", errors="replace"))
        self.answers.append(answer)
        return answer

    def _note(self, step: Step) -> None:
        self.steps.append(step)
        if self.printer is None:
            return
        label = {
            "say": "助手", "caller": "来电者", "keys": "按键", "silence": "（沉默）", "transfer": "转接",
            "hangup": "挂断", "refused": "被拒绝", "status": "状态回调",
        }.get(step.kind, step.kind)
        self.printer(f"[{label}] {step.text}".rstrip())

    # -- following TwiML -------------------------------------------------------------

    def _follow(self, answer: Answer, depth: int = 0) -> None:
        if answer.status != 200:
            self._note(Step("refused", f"HTTP {answer.status} {answer.body[:80]}"))
            self.ended = True
            return
        if not answer.body.strip():
            return
        root = ET.fromstring(answer.body)
        self.gather_action = None
        self.no_input_url = None
        for node in root:
            if node.tag == "Say":
                self._note(Step("say", node.text or "", dict(node.attrib)))
            elif node.tag == "Gather":
                for child in node:
                    if child.tag == "Say":
                        self._note(Step("say", child.text or "", dict(child.attrib)))
                self.gather_action = node.attrib.get("action")
            elif node.tag == "Redirect":
                if self.gather_action is not None:
                    self.no_input_url = (node.text or "").strip()
                    return  # Twilio follows it only when the caller says nothing
                if depth > 20:
                    raise RuntimeError("too many redirects")
                self._follow(self.post((node.text or "").strip(), self.params()), depth + 1)
                return
            elif node.tag in ("Dial", "Enqueue"):
                self._note(Step("transfer", (node.text or "").strip(), dict(node.attrib)))
            elif node.tag == "Hangup":
                self._note(Step("hangup"))
                self.ended = True
                return
            elif node.tag == "Pause":
                continue
        if self.gather_action is None and not self.ended:
            # TwiML ran out: Twilio ends the call.
            self._note(Step("hangup"))
            self.ended = True

    # -- the caller's side -------------------------------------------------------------

    def start(self) -> "CallSim":
        status = "in-progress" if self.outbound else "ringing"
        self._follow(self.post("/webhooks/voice/call", self.params(CallStatus=status, AnsweredBy=self.answered_by)))
        return self

    def _gather(self, **values: str) -> None:
        if self.ended or not self.gather_action:
            raise AssertionError("the call is not waiting for the caller: " + self.transcript())
        self._follow(self.post(self.gather_action, self.params(**values)))

    def say(self, text: str, confidence: str = "0.92") -> "CallSim":
        self._note(Step("caller", text))
        self._gather(SpeechResult=text, Confidence=confidence)
        return self

    def press(self, digits: str) -> "CallSim":
        self._note(Step("keys", digits))
        self._gather(Digits=digits)
        return self

    def silence(self) -> "CallSim":
        if self.ended or not self.no_input_url:
            raise AssertionError("the call is not waiting for the caller: " + self.transcript())
        self._note(Step("silence"))
        self._follow(self.post(self.no_input_url, self.params()))
        return self

    def status(self, status: str, duration: Optional[int] = None) -> Answer:
        extra = {"CallStatus": status}
        if duration is not None:
            extra["CallDuration"] = str(duration)
        if self.answered_by:
            extra["AnsweredBy"] = self.answered_by
        self._note(Step("status", status + (f" {duration}s" if duration is not None else "")))
        return self.post("/webhooks/voice/status", self.params(**extra))

    def hang_up(self) -> Answer:
        self.ended = True
        return self.status("completed", max(1, int(time.monotonic() - self.started_at)))

    # -- reading the call ---------------------------------------------------------------

    def said(self) -> List[str]:
        return [s.text for s in self.steps if s.kind == "say"]

    def last_said(self) -> str:
        said = self.said()
        return said[-1] if said else ""

    def transfers(self) -> List[str]:
        return [s.text for s in self.steps if s.kind == "transfer"]

    def transcript(self) -> str:
        return "\n".join(f"{s.kind}: {s.text}" for s in self.steps)


# --------------------------------------------------------------------------
# Command line: collectbot call-sim
# --------------------------------------------------------------------------


def add_commands(sub) -> None:
    p = sub.add_parser(
        "call-sim",
        help="电话模拟器：扮演 Twilio 给语音渠道打一通电话（在终端里说话、按键）",
        description="模拟一通电话：输入文字即“说话”，#1234 或 按1234 为按键，空行为沉默，/挂断 结束通话。",
    )
    p.add_argument("phone", metavar="手机号", help="来电者（或外呼对象）的 E.164 号码，例如 +8613800000001")
    settings = voice_settings()
    p.add_argument("--url", default=settings.simulator_rasa_url,
                   help="Rasa 服务器地址（默认 COLLECTBOT_RASA_URL，否则 http://127.0.0.1:5005）")
    p.add_argument("--public-url", default=None, help="签名用的公网地址（默认取 TWILIO_PUBLIC_URL，否则同 --url）")
    p.add_argument("--outbound", action="store_true", help="外呼：电话以 in-progress 接通")
    p.add_argument("--answered-by", default=None,
                   help="外呼接听方（human、machine_start、machine_end_beep、fax）")
    p.add_argument("--twilio-number", default=settings.from_number or DEFAULT_TWILIO_NUMBER)
    p.add_argument("--call-sid", default=None, help="CallSid（默认随机）")
    p.add_argument("--script", action="append", default=None,
                   help="不交互，按顺序执行（可重复）：文字、#数字、空字符串为沉默")


def run(args, stdin: Optional[TextIO] = None, out: Optional[TextIO] = None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    token = secrets.configured("TWILIO_AUTH_TOKEN")
    if not token:
        print("需要环境变量 TWILIO_AUTH_TOKEN（与语音渠道相同）来签名请求", file=sys.stderr)
        return 2
    settings = voice_settings()
    public = args.public_url or settings.public_url or args.url
    sim = CallSim(
        args.url, args.phone, auth_token=token, public_url=public, twilio_number=args.twilio_number,
        account_sid=settings.account_sid or ACCOUNT_SID_FALLBACK, outbound=args.outbound,
        call_sid=args.call_sid, answered_by=args.answered_by,
        printer=lambda line: print(line, file=out, flush=True),
    )
    sim.start()
    lines = iter(args.script) if args.script is not None else None
    while not sim.ended:
        if lines is not None:
            line = next(lines, None)
            if line is None:
                break
        else:
            print("> ", end="", file=out, flush=True)
            line = stdin.readline()
            if not line:
                break
            line = line.rstrip("\r\n")
        if line.strip() in ("/挂断", "/hangup"):
            break
        stripped = line.strip()
        if not stripped:
            sim.silence()
        elif stripped.startswith("#") or stripped.startswith("按"):
            sim.press(stripped.lstrip("#按").strip())
        else:
            sim.say(stripped)
    answer = sim.hang_up()
    return 0 if answer.status < 400 and not any(s.kind == "refused" for s in sim.steps) else 1


def dispatch(url, args) -> int:
    if args.command == "call-sim":
        return run(args)
    raise AssertionError(args.command)
