"""Markup noise: a message of HTML or script with no Chinese words outside it."""
from __future__ import annotations

import re

# Markup (an HTML tag, a script) is not how a cardholder writes. When a
# message is nothing but markup and Latin noise, no intent the model guesses
# for it (it once guessed "complaint" and paused the chat for an agent) is
# worth acting on: it is treated as not understood.
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_markup_noise(text: str) -> bool:
    """A message made of HTML/script markup with no Chinese words outside it."""
    if not _TAG.search(text or ""):
        return False
    outside = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
    return not _CJK.search(outside)
