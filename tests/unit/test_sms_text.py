"""bot/core/sms.py: segment counting, splitting long replies, opt-in/opt-out keywords."""
from __future__ import annotations

import re

import pytest

from bot.core import sms
from bot.core.sms import (
    GSM7,
    UCS2,
    choice_number,
    encoding,
    is_opt_in,
    is_opt_out,
    segment_count,
    split_message,
    with_buttons,
)

FACTS = (
    "您尾号6688的信用卡当前应还总额12,000.00元，最低还款额1,200.00元，到期还款日为2026年10月10日，"
    "目前已逾期46天。请问您近期方便安排还款吗？如有困难，我们可以一起看看分期或延期方案。"
)
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})*\.\d{2}元")


# --------------------------------------------------------------------------
# Encoding and segments
# --------------------------------------------------------------------------


def test_plain_ascii_is_gsm7_and_one_chinese_character_makes_it_ucs2():
    assert encoding("Your balance is 12,000.00 CNY") == GSM7
    assert encoding("Your balance is 12,000.00元") == UCS2
    assert encoding("€ [ ] { } ^ ~ | \\") == GSM7  # extension table, still GSM-7


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),  # concatenated: 153 per segment
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("中" * 70, 1),
        ("中" * 71, 2),  # concatenated: 67 per segment
        ("中" * 134, 2),
        ("中" * 135, 3),
        ("a" * 69 + "中", 1),  # one Chinese character: the whole SMS is UCS-2
        ("a" * 70 + "中", 2),
    ],
)
def test_segment_count_gsm7_and_ucs2(text, segments):
    assert segment_count(text) == segments


def test_gsm7_extension_characters_count_twice():
    assert segment_count("€" * 80) == 1  # 160 septets
    assert segment_count("€" * 80 + "a") == 2
    # 153 septets per segment and an escape pair is never cut: 76 pairs fit
    # (152 septets), the 77th starts the next segment.
    assert segment_count("€" * 153) == 3


def test_characters_outside_the_bmp_take_two_ucs2_units():
    assert segment_count("😀" * 35) == 1  # 70 units
    assert segment_count("😀" * 35 + "中") == 2


# --------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------


def test_short_reply_is_one_sms_unchanged():
    assert split_message("  您好，请问是李*华本人吗？  ", 3) == ["您好，请问是李*华本人吗？"]
    assert split_message("", 3) == [] and split_message("   ", 3) == []


def test_long_chinese_reply_splits_at_sentence_ends_within_the_segment_limit():
    text = FACTS * 3  # 3 × 93 characters, far over 3 UCS-2 segments (201)
    parts = split_message(text, 3)
    assert len(parts) >= 2
    assert all(segment_count(p) <= 3 for p in parts)
    assert "".join(parts) == text
    # every cut is right after a sentence end
    assert all(p[-1] in "。！？；" for p in parts[:-1])


def test_one_segment_limit_splits_at_sentences_and_keeps_amounts_whole():
    parts = split_message(FACTS, 1)
    assert all(segment_count(p) == 1 for p in parts)
    assert "".join(parts) == FACTS
    for amount in ("12,000.00元", "1,200.00元"):
        assert sum(amount in p for p in parts) == 1
    assert any("2026年10月10日" in p for p in parts)


def test_a_single_too_long_sentence_is_cut_at_a_comma_not_inside_a_number():
    sentence = "，".join(f"第{i}期应还{1000 + i:,}.00元" for i in range(1, 13)) + "。"
    assert segment_count(sentence) > 1
    parts = split_message(sentence, 1)
    assert len(parts) > 1
    assert "".join(parts) == sentence
    assert all(segment_count(p) == 1 for p in parts)
    assert all(p.endswith("，") for p in parts[:-1])
    assert sorted(AMOUNT.findall("".join(parts))) == sorted(
        a for p in parts for a in AMOUNT.findall(p)
    )


def test_last_resort_cut_is_never_inside_a_number():
    # No sentence end, no comma, no space: only character cuts remain.
    text = "应还" + "总额12,000.00元" * 30
    parts = split_message(text, 1)
    assert len(parts) > 2
    assert "".join(parts) == text
    for part in parts:
        assert segment_count(part) == 1
        # each part starts and ends outside an amount
        assert not re.match(r"^[\d,.]", part[0]) or part.startswith("12,000.00元")
        assert not part[-1].isdigit() and part[-1] not in ",."
    assert sum(len(AMOUNT.findall(p)) for p in parts) == 30


@pytest.mark.parametrize("max_segments", [1, 2, 3])
def test_amounts_survive_every_split(max_segments):
    text = "".join(
        f"您选择分{n}期，每期还款{1000 + n * 37:,}.50元，总手续费{n * 72:,}.00元，合计{12000 + n * 72:,}.00元。"
        for n in (3, 6, 12, 24)
    ) * 2
    parts = split_message(text, max_segments)
    assert all(segment_count(p) <= max_segments for p in parts)
    assert "".join(parts) == text
    assert sum(len(AMOUNT.findall(p)) for p in parts) == len(AMOUNT.findall(text))


def test_english_text_splits_at_spaces():
    text = " ".join(["payment"] * 60)  # 479 characters of GSM-7
    parts = split_message(text, 1)
    assert all(segment_count(p) == 1 for p in parts)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    assert " ".join(parts) == text


def test_split_rejects_a_zero_limit():
    with pytest.raises(ValueError):
        split_message("你好", 0)


# --------------------------------------------------------------------------
# Buttons
# --------------------------------------------------------------------------


def test_buttons_become_a_numbered_list():
    text = with_buttons("请问您近期方便安排还款吗？", ["我要还款", "申请分期", "申请延期", "我有困难"])
    assert text == (
        "请问您近期方便安排还款吗？\n回复序号即可选择：\n1. 我要还款\n2. 申请分期\n3. 申请延期\n4. 我有困难"
    )
    assert with_buttons("你好", []) == "你好"


@pytest.mark.parametrize("reply, number", [("1", 1), (" 2 ", 2), ("3.", 3), ("4。", 4), ("12", None), ("3521", None), ("一", None)])
def test_menu_choice_numbers(reply, number):
    assert choice_number(reply) == number


# --------------------------------------------------------------------------
# Keywords
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop!", "TD", "td", "退订", "取消", " 取消 ", "退订。", "取消订阅", "别再给我发短信了", "unsubscribe"])
def test_opt_out_keywords(text):
    assert is_opt_out(text)
    assert not is_opt_in(text)


def test_crisis_wording_is_not_treated_as_an_opt_out():
    # as in bot.core.safety.keyword_intent: crisis wins, the hotline reply must go out
    assert not is_opt_out("别再给我发了 我不想活了")


@pytest.mark.parametrize("text", ["START", "start", " Start ", "订阅", "恢复", "开通", "订阅！", "恢复订阅", "UNSTOP"])
def test_opt_in_keywords_are_the_whole_message(text):
    assert is_opt_in(text)
    assert not is_opt_out(text)


@pytest.mark.parametrize("text", ["我想订阅账单提醒可以吗", "恢复额度要多久", "开通分期", "start paying tomorrow", "3521", "你好"])
def test_opt_in_words_inside_a_sentence_do_not_count(text):
    assert not is_opt_in(text)


@pytest.mark.parametrize("text", ["我明天还三千", "取消分期怎么办理", "td是什么意思我想问一下账单", "3521"])
def test_ordinary_messages_are_no_keywords(text):
    assert not is_opt_out(text)
    assert not is_opt_in(text)


def test_confirmations_are_simplified_chinese_single_segment_sms():
    for text in (sms.OPT_OUT_CONFIRMATION, sms.OPT_IN_CONFIRMATION):
        assert encoding(text) == UCS2
        assert segment_count(text) == 1
    assert "退订" in sms.OPT_OUT_CONFIRMATION and "短信" in sms.OPT_OUT_CONFIRMATION
    assert "恢复" in sms.OPT_IN_CONFIRMATION
