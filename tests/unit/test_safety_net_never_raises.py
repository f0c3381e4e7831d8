"""The safety net answers every message, however it is spaced or written.

Blind round 27 found a message on which the opt-out check asked itself the
same question again and again until Python gave up (RecursionError): "差点把
你们拉黑了" is taken out before asking whether anything else asks to stop,
and when only the net's compact or simplified view had those words (spaced
out, or in traditional characters) the text never changed. Every path of the
SMS channel and the NLU pipeline runs the net first, so such a message would
have failed its turn. Checked here on every training text that blocks or
almost blocks someone, as written, spaced out and in traditional
characters; and on wordings of our own.
"""
from pathlib import Path

import pytest
import yaml
from opencc import OpenCC

from bot.core.safety import verdict

REPO = Path(__file__).resolve().parents[2]
_BLOCKING = ("拉黑", "屏蔽", "黑名单", "差点", "差一点", "本来想", "险些")


def _blocking_texts():
    texts = []
    for path in sorted((REPO / "bot" / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                text = line.strip()[2:]
                if any(word in text for word in _BLOCKING):
                    texts.append(text)
    return texts


def _variants(text, to_traditional):
    spaced = " ".join(text)
    return (text, spaced, to_traditional(text), to_traditional(spaced))


def test_every_blocking_text_of_the_training_data_gets_an_answer_in_every_writing():
    to_traditional = OpenCC("s2t").convert
    texts = _blocking_texts()
    assert len(texts) > 100  # the data still has them
    for text in texts:
        for variant in _variants(text, to_traditional):
            verdict(variant)  # raises if the net cannot answer


@pytest.mark.parametrize("text", ["我差点 拉黑你们", "差 点把你们拉黑了", "本來想把你們拉黑", "險些把你們屏蔽"])
def test_almost_blocking_us_spaced_or_traditional_is_no_opt_out(text):
    assert verdict(text) is None


@pytest.mark.parametrize("text", ["本來想把你們拉黑 以後別再發了", "差点 拉黑你们 别再发短信了"])
def test_almost_blocking_us_with_a_stop_is_still_an_opt_out(text):
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact"


def test_a_net_that_fails_leaves_the_classifiers_reading_and_the_turn(monkeypatch, caplog):
    """Should another such fault slip in, the message keeps its turn: the
    classifier's reading stands and the fault is logged without the text."""
    from bot.nlu import keyword_override
    from tests.unit.safety_support import overridden

    def broken(text):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(keyword_override, "verdict", broken)
    text = "下周五还三千"
    with caplog.at_level("ERROR", logger="bot.nlu.keyword_override"):
        message = overridden(text, [{"name": "promise_to_pay", "confidence": 0.9}])
    assert message.get("intent")["name"] == "promise_to_pay"
    assert "safety net failed" in caplog.text and text not in caplog.text
