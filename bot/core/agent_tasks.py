"""Tasks for people (``agent_tasks``): their kinds and what agents read for
them, in the console's task list and in ``collectbot campaign tasks``.
Plain Python."""
from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Sequence

CAMPAIGN_CALL = "campaign_call"  # bot/campaign/runner.py: the third outreach step is a person's call
BROKEN_PROMISE = "broken_promise"  # bot/db/payments.py: a promise was not (fully) kept
VERIFICATION_HELP = "verification_help"  # bot/actions/verification.py: a cardholder could not pass verification
# bot/actions/escalation.py: a promise said beside an opt-out ("别烦我 月底就还"),
# kept for a person to check against the payments; never a reason to call.
PROMISE_BESIDE_OPT_OUT = "promise_beside_opt_out"

KIND_LABELS = {
    CAMPAIGN_CALL: "人工联系（逾期第三阶段）",
    BROKEN_PROMISE: "违约承诺跟进",
    VERIFICATION_HELP: "身份验证协助",
    PROMISE_BESIDE_OPT_OUT: "退订时的还款承诺（核对到账，勿主动联系）",
}
STATUS_LABELS = {"open": "待处理", "done": "已完成", "cancelled": "已取消"}


# What a promise task shows of the cardholder's words: enough to read the
# promise, not a whole rambling message.
QUOTE_LIMIT = 200


def promise_beside_opt_out(text: str, amounts: Sequence[str], dates: Sequence[str]) -> str:
    """What an agent reads for a promise said beside an opt-out."""
    quote = text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"
    heard = "；".join(part for part in (
        "金额：" + "、".join(amounts) if amounts else "",
        "时间：" + "、".join(dates) if dates else "",
    ) if part)
    check = "请按所说时间核对到账" if dates or _SAYS_WHEN.search(text) else "未说明时间，请留意后续到账"
    return (f"持卡人在退订时说会还款：「{quote}」" + (f"（{heard}）" if heard else "")
            + f"。{check}；持卡人已退订，请勿主动联系。")


# A time said in words the date extractor may not have marked (明天醒了, 月底).
_SAYS_WHEN = re.compile(r"今天|明天|今晚|后天|大后天|下午|晚上|中午|月底|月初|月中|下周|下个?月|周末|礼拜|星期|号|工资|发薪|马上|现在")


def message_key(kind: str, conversation_id: str, text: str, day: date) -> str:
    """One task per message said on a day, however often it is delivered."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{kind}:{conversation_id}:{day.isoformat()}:{digest}"
