"""What the safety net reports: the crisis tiers, a crisis finding, the verdict
the NLU pipeline acts on, and the parse-data key where the override records it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

CERTAIN = "certain"
POSSIBLE = "possible"
# The parse-data key where the NLU override says what the net did.
SAFETY_KEY = "safety"


@dataclass(frozen=True)
class CrisisFinding:
    """What the crisis net saw: its tier and the patterns that matched."""

    tier: str  # CERTAIN or POSSIBLE
    rules: Tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """The intent the safety net forces, with why (for the trainers' eyes)."""

    intent: str
    tier: Optional[str] = None  # crisis only: CERTAIN or POSSIBLE
    rules: Tuple[str, ...] = ()


HYPERBOLE_ONLY = {"hyperbole"}
# The classifier said crisis and the net saw nothing: not certain either.
MODEL_ONLY = "model"
# The net heard an opt-out and a model a crisis in the same words ("别打了，
# 人不在了"): the crisis is handled, and the opt-out recorded with it.
OPT_OUT_TOO = "opt_out_too"
# "别打电话 发短信就行 周五还八百": no more calls, writing asked for. The NLU
# override marks the rest of the message with it (bot/nlu/keyword_override.py)
# and the actions record a voice opt-out (bot/actions/base.honour_calls_only).
CALLS_ONLY = "calls_only"
# "别打给我妈 有事找我": the family or the work not to be contacted, the
# cardholder asking to be: no opt-out; the NLU override marks the message and
# the classifier's reading stands (a complaint, which goes to a person, when
# it read nothing else).
THIRD_PARTY_ONLY = "third_party_only"
# "不用联系了，已经全部还清了", "不用打电话了 明天中午前还2000": no need to
# contact, because paid or about to pay. Every such message of the data and
# dev sets that is no crisis (9 of 9) was labelled the payment or the promise,
# none an opt-out: the classifier's reading stands (its next guess when it
# heard the opt-out words), and the claim or promise is handled as any other.
PAID_NO_NEED = "paid_no_need"
