"""``collectbot call-sim`` (the call simulator) and ``collectbot call`` (one
guarded outbound call)."""
from __future__ import annotations

import json
import sys

from bot.voice import sim


def add_commands(sub) -> None:
    sim.add_commands(sub)
    p = sub.add_parser(
        "call",
        help="给一个号码外呼一通电话（先经合规检查：免打扰时段、未接通次数上限、退订、异议、错号）",
    )
    p.add_argument("phone", metavar="手机号", help="E.164 号码，例如 +8613800000001")
    p.add_argument("--account", metavar="账户号", default=None, help="账户号（默认按号码查找）")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def _cmd_call(url, args) -> int:
    from bot.voice.calls import place_call

    result = place_call(args.phone, account_id=args.account, source="agent", db_url=url)
    if args.json:
        print(json.dumps({
            "placed": result.placed, "call_sid": result.call_sid, "reason": result.decision.reason,
            "detail": result.decision.detail, "error": result.error,
            "retry_at": result.decision.retry_at.isoformat() if result.decision.retry_at else None,
        }, ensure_ascii=False))
    elif result.placed:
        print(f"已外呼：{result.call_sid}")
    else:
        print(f"未外呼：{result.decision.reason or '呼叫失败'} {result.decision.detail or result.error}".rstrip())
    return 0 if result.placed else 1


def dispatch(url, args) -> int:
    if args.command == "call-sim":
        return sim.run(args)
    if args.command == "call":
        return _cmd_call(url, args)
    raise AssertionError(args.command)
