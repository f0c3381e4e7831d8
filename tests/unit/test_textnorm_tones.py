"""Pinyin typed with tone digits (issue 18, seventh session of 2026-12-05,
from blind round 14: "tui4 ding4", "wo3 xiang3 jie3 tuo1 le"): the digits go
for the classifiers and the net, and are never read as an amount or the ID."""
import pytest

from bot.core.normalize import find_entities
from bot.core.textnorm import normalize, normalize_with_spans, toneless_pinyin


@pytest.mark.parametrize("text,expected", [
    ("tui4 ding4", "tui ding"),
    ("wo3 xiang3 fen1 qi1", "wo xiang fen qi"),
    ("ni3hao3", "nihao"),
    ("Wo3 yi3jing1 huan2 le", "Wo yijing huan le"),
])
def test_tone_digits_go(text, expected):
    assert normalize(text) == expected
    assert toneless_pinyin(text) == expected


@pytest.mark.parametrize("text", ["k2", "a1座3楼", "iphone15 pro2", "还1500", "A1B2", "5号还2000"])
def test_digits_that_are_no_tones_stay(text):
    assert toneless_pinyin(text) == text


def test_the_spans_map_back_onto_what_was_written():
    text = "wo3 ming2tian1 huan2 3000"
    norm = normalize_with_spans(text)
    start = norm.text.index("3000")
    assert text[slice(*norm.original_span(start, start + 4))] == "3000"


def test_no_tone_digit_is_read_as_the_id_or_an_amount():
    found = find_entities(normalize("shen1 fen4 zheng4 hou4 si4 wei4 ming2 tian1 huan2"))
    assert not [e for e in found if e.entity in ("id_last4", "amount")]
