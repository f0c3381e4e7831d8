"""A bank SMS pasted back into a reply: its own "回T退订" is the bank's
convention, not the cardholder's opt-out.

"【XX银行】您尾号8812信用卡已逾期45天……回T退订 —— 好的 明天还" (blind round
15, read in the eighth session of 2026-12-05) was recorded as an opt-out
because the pasted message ends with the bank's unsubscribe line. The opt-out
checks read only what the cardholder wrote around it: "…回T退订 —— T" is
still an opt-out ("T"), "…回T退订 —— 好的 明天还" is a promise. An advert
pasted whole, a link and its sender's unsubscribe line, is left out the same
way (blind round 17).
"""
from __future__ import annotations

import re

# The closing unsubscribe line of a bulk SMS (回T退订, 回复TD退订, 退订回T, 拒收请回复R).
_UNSUBSCRIBE_LINE = r"回复?\s*(?:td|t)\s*退订|退订回复?\s*(?:td|t)|拒收请?回复?\s*r"
# The bank's signature first ("【XX银行】", a split SMS's "(1/2)" before it),
# then the message up to the closing unsubscribe line, which only the bank
# writes this way (回T退订, 回复TD退订, 退订回T, 拒收请回复R).
_QUOTED_BANK_SMS = re.compile(
    r"[（(]?\d\s*/\s*\d[)）]?\s*(?=【)|"
    # WeChat's quote ("引用：“…”") and quotation marks around the paste
    r"(?:(?:引用|回复|转发)\s*[:：]?\s*)?[“\"「『']?"
    r"【[^】\n]{1,20}】[^【]{0,400}?"
    r"(?:" + _UNSUBSCRIBE_LINE + r"|回复?\s*td(?![a-z]))[。.!！]?[”\"」』']?",
    re.IGNORECASE,
)
# An advert pasted whole (blind round 17: "跳楼价 全场清仓 点击 t.cn/xxxx 抢购
# 退订回T"): a link nobody types in a reply, then the sender's unsubscribe line.
_QUOTED_ADVERT = re.compile(
    r"[^【\n]{0,200}?(?:https?://|t\.cn/|www\.|\.com\b|\.cn/)[^【\n]{0,200}?"
    r"(?:" + _UNSUBSCRIBE_LINE + r")[。.!！]?",
    re.IGNORECASE,
)
# What joins the paste and the reply: "——", "--", "->", "回复：".
_JOIN = re.compile(r"^[\s—\-–~～:：>|/、，,。]+|[\s—\-–~～:：>|/、，,]+$")


def own_words(text: str) -> str:
    """The message without a bank SMS pasted into it (the whole text when
    nothing was pasted)."""
    if not text:
        return text
    reply = _QUOTED_ADVERT.sub(" ", text)
    if "】" in reply:
        reply = _QUOTED_BANK_SMS.sub(" ", reply)
    if reply == text:
        return text
    return _JOIN.sub("", reply.strip())
