"""Every sentence the assistant can send is reviewed against the list of
threatening or humiliating wording, and the ones a stranger can receive
are checked for anything that discloses a debt."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core import replies
from bot.core.compliance import find_forbidden

REPO = Path(__file__).resolve().parents[2]


def domain_texts():
    domain = yaml.safe_load((REPO / "domain.yml").read_text("utf-8"))
    for name, variants in domain["responses"].items():
        for i, variant in enumerate(variants):
            yield f"domain:{name}[{i}]", variant["text"]
            for button in variant.get("buttons", []):
                yield f"domain:{name}[{i}]:button", button["title"]


def code_texts():
    for name in dir(replies):
        value = getattr(replies, name)
        if name.startswith("_"):
            continue
        if isinstance(value, str):
            yield f"replies.{name}", value
        elif isinstance(value, dict):
            for key, text in value.items():
                yield f"replies.{name}[{key}]", str(text)
        elif isinstance(value, tuple):
            for item in value:
                yield f"replies.{name}", " ".join(map(str, item)) if isinstance(item, tuple) else str(item)


ALL_TEXTS = list(domain_texts()) + list(code_texts())


def test_there_are_responses_to_review():
    assert len(ALL_TEXTS) > 60


@pytest.mark.parametrize("where,text", ALL_TEXTS, ids=[w for w, _ in ALL_TEXTS])
def test_no_forbidden_wording(where, text):
    assert find_forbidden(text) == [], f"{where}: {text}"


# Sent before verification, so a third party or an unknown number may read them.
PRE_VERIFICATION = [
    replies.ASK_RIGHT_PARTY, replies.UNKNOWN_NUMBER, replies.THIRD_PARTY, replies.WRONG_ID,
    replies.LOCKED, replies.CRISIS, replies.OPT_OUT, replies.INSULT_FIRST, replies.HOLDING,
    replies.ESCALATION["customer_request"], replies.ESCALATION["complaint"], replies.ESCALATION["abuse"],
    replies.ESCALATION["fallback"],
]
DISCLOSING = ("元", "逾期", "信用卡", "欠", "还款", "账单", "催收", "分期", "征信")


@pytest.mark.parametrize("text", PRE_VERIFICATION)
def test_pre_verification_replies_disclose_nothing(text):
    assert not [w for w in DISCLOSING if w in text], text


def test_forbidden_check_would_catch_a_threat():
    assert find_forbidden("再不还钱就让你坐牢") != []
