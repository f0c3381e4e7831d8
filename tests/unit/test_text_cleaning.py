"""bot.core.text: what every entry point does to client text (issue 16)."""
import json

import pytest

from bot.core.text import REPLACEMENT, clean_text, clean_value, is_clean


@pytest.mark.parametrize("text", ["你好", "我想分12期👌", "<script>alert(1)</script>", "a\tb\nc\r", ""])
def test_ordinary_text_is_untouched(text):
    assert is_clean(text)
    assert clean_text(text) is text


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("\ud800", REPLACEMENT),
        ("我\udfff欠", f"我{REPLACEMENT}欠"),
        ("\x00还款\x07\x1b", "还款"),
        ("\ufdd0\uffff\U0001fffe", REPLACEMENT * 3),
        ("\x85x\x9f", "x"),
    ],
)
def test_bad_code_points_are_repaired(raw, cleaned):
    assert clean_text(raw) == cleaned
    clean_text(raw).encode("utf-8")  # would raise on a lone surrogate


def test_a_surrogate_pair_from_a_json_escape_is_joined():
    raw = json.loads('"\\ud83d\\ude4f\\ud800"')
    assert clean_text(raw) == "🙏" + REPLACEMENT


def test_clean_value_walks_json():
    assert clean_value({"k\x00": ["\ud800", 1, None, {"x": "ok"}]}) == {"k": [REPLACEMENT, 1, None, {"x": "ok"}]}
