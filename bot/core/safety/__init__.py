"""Safety nets that must not depend on a statistical model: crisis and opt-out.

A missed self-harm message is the worst thing this product can do and a
missed opt-out breaks the law, so these patterns override whatever the
intent classifier said (bot/nlu/keyword_override.py), and the SMS channel
honours an opt-out with them before Rasa sees the message (bot/core/sms.py).
They are recall-first: a false crisis costs a caring question and maybe a
person's time; a missed one can cost a life.

Crisis comes in two tiers:

- ``certain``: explicit intent to die or harm oneself, a method with intent
  (a bottle of pills saved up, standing on a roof), a farewell with
  finality, giving one's things away, "not worth living", in Chinese,
  traditional characters, pinyin or English. The bot gives the hotline and
  hands over to a person at top priority.
- ``possible``: ambiguous despair (活着好累, 撑不下去了, 一切都结束吧), a method
  or place word without intent, 不想活 as hyperbole (忙得不想活). The bot
  checks in gently (are you safe? the hotline, a person if they want one)
  instead of carrying on; two different ambiguous signs in one message
  count as certain.

Emoji speak too: a means or a place of dying drawn as emoji (💊 🔪 🌉) with a
goodbye (👋 😴, 再见) or with another of them is certain.

Every pattern is matched on the text as the classifier reads it
(bot.core.textnorm: traditional → simplified, full-width → half-width,
emoji to words), with spaces and punctuation removed, and on the raw text.

One module per job: ``views`` (the text as the rules read it), ``crisis_rules``
(the crisis tables), ``emoji``, ``explain`` (what explains a sign away),
``crisis`` (the assessment), ``classifier_crisis`` (a crisis only the
classifier saw), ``optout``, ``quoted`` (a bank SMS pasted back, which the
opt-out checks leave out), ``markup``, ``verdict`` (what the pipeline acts
on), ``checkin`` (the answer to the check-in) and ``findings`` (the tiers and
results they share). This module re-exports what the rest of the code uses.
"""
from __future__ import annotations

from bot.core.safety.checkin import SAFE, UNSAFE, checkin_answer
from bot.core.safety.classifier_crisis import (
    english_opt_out_only,
    everyday_context_only,
    figure_of_speech_only,
    safe_answer_only,
)
from bot.core.safety.crisis import assess_crisis
from bot.core.safety.crisis_rules import (
    CRISIS_CERTAIN,
    CRISIS_ENGLISH_CERTAIN,
    CRISIS_ENGLISH_POSSIBLE,
    CRISIS_POSSIBLE,
    CRISIS_SPACED_CERTAIN,
)
from bot.core.safety.findings import (
    CALLS_ONLY,
    CERTAIN,
    HYPERBOLE_ONLY,
    MODEL_ONLY,
    OPT_OUT_TOO,
    PAID_NO_NEED,
    POSSIBLE,
    SAFETY_KEY,
    THIRD_PARTY_ONLY,
    CrisisFinding,
    Verdict,
)
from bot.core.safety.markup import is_markup_noise
from bot.core.safety.optout import (
    STOP_ENGLISH,
    STOP_PATTERNS,
    STOP_POSSIBLE,
    STOP_WHOLE_MESSAGE,
    calls_only_request,
    is_stop_request,
    not_an_opt_out,
    paid_no_need,
    paid_or_promised,
    possible_stop_request,
    says_promise,
    third_party_only_request,
)
from bot.core.safety.verdict import is_crisis, keyword_intent, verdict
from bot.core.safety.views import compact_text, normalize

__all__ = [
    "CALLS_ONLY", "CERTAIN", "CRISIS_CERTAIN", "CRISIS_ENGLISH_CERTAIN", "CRISIS_ENGLISH_POSSIBLE", "CRISIS_POSSIBLE",
    "CRISIS_SPACED_CERTAIN", "CrisisFinding", "HYPERBOLE_ONLY", "MODEL_ONLY", "OPT_OUT_TOO", "PAID_NO_NEED", "POSSIBLE", "SAFE", "SAFETY_KEY",
    "STOP_ENGLISH", "STOP_PATTERNS", "STOP_POSSIBLE", "STOP_WHOLE_MESSAGE", "THIRD_PARTY_ONLY", "UNSAFE", "Verdict", "assess_crisis",
    "checkin_answer", "compact_text", "english_opt_out_only", "everyday_context_only", "figure_of_speech_only", "is_crisis", "safe_answer_only",
    "calls_only_request", "is_markup_noise", "is_stop_request", "keyword_intent", "normalize", "not_an_opt_out", "paid_no_need",
    "paid_or_promised", "possible_stop_request", "says_promise",
    "third_party_only_request", "verdict",
]
