"""Structured logs: one JSON object per line, personal data masked.

With ``LOG_FORMAT=json`` every process (Rasa server, action server, console)
writes each log record as

    {"time": "2026-11-25T10:00:00.123+08:00", "level": "INFO", "logger": "rasa.core.processor",
     "message": "…", "process": "rasa", "pid": 1234}

(plus ``exception`` with the traceback when there is one). The message and
the traceback pass ``bot.core.masking.mask_text`` first: phone numbers, ID
and card numbers, the digits after 身份证后四位 / 尾号 …, and names after
我叫 / 姓名 become ``*``. Names the text does not announce cannot be
recognised (the formatter does not know the cardholder), so code must not
log names; amounts stay.

``LOG_FORMAT`` unset or ``text`` keeps the usual human-readable lines.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, Dict, Mapping, Optional

from bot.core.masking import mask_text
from bot.settings import json_logs

# Extra fields worth keeping (Sanic's access log puts its data there).
_EXTRAS = ("host", "request", "status", "byte")


def wanted(env: Optional[Mapping[str, str]] = None) -> bool:
    """LOG_FORMAT=json (bot.settings.json_logs)."""
    return json_logs(env)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, personal data masked."""

    def __init__(self, process: str = "") -> None:
        super().__init__()
        self.process_name = process

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # a bad %-format must not lose the record
            message = f"{record.msg!r} (unformattable: {exc})"
        out: Dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(message),
            "process": self.process_name or record.processName,
            "pid": record.process,
        }
        for key in _EXTRAS:
            value = getattr(record, key, None)
            if value not in (None, ""):
                out[key] = mask_text(str(value))
        if record.exc_info:
            out["exception"] = mask_text(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exception"] = mask_text(record.exc_text)
        if record.stack_info:
            out["stack"] = mask_text(self.formatStack(record.stack_info))
        return json.dumps(out, ensure_ascii=False, default=str)


def install(process: str, env: Optional[Mapping[str, str]] = None) -> bool:
    """With LOG_FORMAT=json: every handler of the root logger formats as
    JSON (a root logger without one gets one on stderr); loggers that do not
    propagate keep their handlers, in JSON; text handlers of loggers that do
    propagate (Sanic's own) are removed, since their records reach the root's
    handler anyway: one line per record. Safe to call again (after Rasa or
    Sanic reconfigured logging). False when LOG_FORMAT is not json."""
    if not wanted(env):
        return False
    formatter = JsonFormatter(process)
    root = logging.getLogger()
    handlers = [h for h in root.handlers if _formats(h)]
    if not handlers:
        handler = logging.StreamHandler()
        root.addHandler(handler)
        handlers = [handler]
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        own = [h for h in logger.handlers if _formats(h)]
        if logger.propagate:
            for handler in own:
                logger.removeHandler(handler)
        else:
            handlers += own
    for handler in handlers:
        handler.setFormatter(formatter)
    return True


def _formats(handler: logging.Handler) -> bool:
    """Handlers that write text (streams and files; not the metrics error counter)."""
    return isinstance(handler, logging.StreamHandler)
