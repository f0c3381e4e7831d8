"""Pinyin typed on a Russian or Korean keyboard layout is read back as the
keys spell it (bot/core/keyboard_layout.py), by the normaliser and by the
safety net; real Russian and Korean stay as written."""
import pytest

from bot.core.keyboard_layout import layout_edits, relaid
from bot.core.safety import verdict
from bot.core.textnorm import normalize


@pytest.mark.parametrize("typed, pinyin", [
    ("иг нфщ яфш аф вгфт чшт ду", "bu yao zai fa duan xin le"),
    ("вф сгщ ду", "da cuo le"),
    ("егшвштп", "tuiding"),
    # a space typed inside a syllable: the run read as one word
    ("я фш ошфт ду", "zaijianle"),
    # Hangul composed by the Korean IME from the same keys
    ("ㅋ먀 ㅡㅁ", "zai ma"),
    ("ㅠㅑㄷ ㅇㅁ ㅣㄷ", "bie da le"),
    ("ㄹ두 뱌", "fen qi"),
])
def test_keys_are_read_back_as_pinyin(typed, pinyin):
    assert relaid(typed) == pinyin
    assert normalize(typed) == pinyin


@pytest.mark.parametrize("text", ["спасибо", "Привет как дела", "연락하지마", "엄마한테 전화하지 마세요", "감사합니다",
                                  "ㅋㅋㅋ 웃겨", "ду"])
def test_real_russian_and_korean_and_too_little_stay(text):
    assert layout_edits(text) == []


def test_the_cyrillic_look_alike_capital_is_still_a_latin_letter():
    # the layout step runs before the letter forms and leaves "ТD" to them
    assert normalize("ТD") == "退订"


def test_an_opt_out_and_a_crisis_typed_on_the_wrong_layout_reach_the_net():
    stop = verdict("иг нфщ яфш аф вгфт чшт ду")
    assert stop is not None and stop.intent == "stop_contact"
    crisis = verdict("账单我管不了了 재 탸뭏 샤매 ㅗㄷ 河边见")
    assert crisis is not None and crisis.intent == "crisis"
