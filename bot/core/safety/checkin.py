"""The answer to the gentle check-in ("您现在安全吗？"): safe, unsafe or unclear."""
from __future__ import annotations

import re
from typing import Optional

from bot.core.safety.verdict import is_crisis
from bot.core.safety.views import _views

SAFE = "safe"
UNSAFE = "unsafe"

_UNSAFE_ANSWER = re.compile(
    r"不安全|不太安全|不是很安全|不好|不太好|很不好|不行|救|帮帮我|害怕|怕自己|控制不住|忍不住|想不开"
    r"|人工|真人|专员|找人|陪我|需要人|需要帮助|要帮助|聊聊|说说话|有人"
)
# Words that say "I am safe" outright; the check-in also takes looser ones
# (ok, 挺好, 还行), which alone explain no crisis away ("ok 最後一次").
SAYS_SAFE = re.compile(
    r"(?<!不)安全|没事|放心|不会做傻事|不会想不开|不至于|开玩笑|说说而已|没(有)?(那么|这么|那样)(严重|夸张|糟)"
)
_SAFE_ANSWER = re.compile(
    SAYS_SAFE.pattern + r"|还好|挺好|还行|我很好|我好多了|好多了|不会的|随便说说"
    r"|只是累|就是累|只是说说|发发牢骚|吐槽|不用担心|别担心|ok|fine|imok|i'mok|safe"
)


# "不用找人" declines the offer; "不好意思" is politeness.
_DECLINED = re.compile(r"(不用|不需要|不要|没必要|别)(了)?(找人|人工|真人|专员|陪|聊|帮助|担心|麻烦)|不好意思"
                       r"|(热线|电话)(就)?(不用|不需要|不必|免)(了|打了)?")


def checkin_answer(text: str) -> Optional[str]:
    """SAFE, UNSAFE or None (unclear) for an answer to the check-in.

    Unsafe wins: "还好吧 其实不太好" is not safe, and any sign of crisis in
    the answer is "saying more".
    """
    views = tuple(_DECLINED.sub("", v) for v in _views(text))
    if is_crisis(text) or any(_UNSAFE_ANSWER.search(v) for v in views):
        return UNSAFE
    if any(_SAFE_ANSWER.search(v) for v in views):
        return SAFE
    return None
