"""Figures as spoken Mandarin, and replies rendered for a phone call (bot/core/spoken.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.core import replies
from bot.core.spoken import (
    menu_prompt,
    plan_choices,
    speak_figures,
    spoken_amount,
    spoken_date,
    spoken_decimal,
    spoken_digits,
    spoken_integer,
    spoken_percent,
    voice_reply,
)


@pytest.mark.parametrize(
    "n, spoken",
    [
        (0, "零"), (1, "一"), (2, "二"), (7, "七"), (10, "十"), (11, "十一"), (12, "十二"), (15, "十五"),
        (20, "二十"), (22, "二十二"), (99, "九十九"), (100, "一百"), (101, "一百零一"), (102, "一百零二"),
        (110, "一百一十"), (200, "两百"), (202, "两百零二"), (220, "两百二十"), (999, "九百九十九"),
        (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"), (1200, "一千二百"), (2000, "两千"),
        (2002, "两千零二"), (2200, "两千二百"), (10000, "一万"), (10005, "一万零五"), (10010, "一万零一十"),
        (10200, "一万零两百"), (12000, "一万两千"), (15000, "一万五千"), (18650, "一万八千六百五十"),
        (20000, "两万"), (22000, "两万两千"), (100000, "十万"), (120000, "十二万"), (150000, "十五万"),
        (1000000, "一百万"), (2000000, "两百万"), (20000000, "两千万"), (1234567, "一百二十三万四千五百六十七"),
        (100000000, "一亿"), (200000000, "两亿"), (100000005, "一亿零五"), (100001000, "一亿零一千"),
        (100100000, "一亿零一十万"), (-5, "负五"),
    ],
)
def test_integers(n, spoken):
    assert spoken_integer(n) == spoken


@pytest.mark.parametrize("n, spoken", [(2, "两"), (12, "十二"), (3, "三"), (22, "二十二")])
def test_a_lone_two_before_a_measure_word_is_liang(n, spoken):
    assert spoken_integer(n, measure=True) == spoken


def test_integers_refuse_floats_and_bools():
    with pytest.raises(TypeError):
        spoken_integer(1.5)
    with pytest.raises(TypeError):
        spoken_integer(True)


@pytest.mark.parametrize(
    "amount, spoken",
    [
        ("18,650.40", "一万八千六百五十元四角"),
        (Decimal("18650.4"), "一万八千六百五十元四角"),
        ("0.05", "五分"),
        ("10005", "一万零五元"),
        (10005, "一万零五元"),
        ("2,000.00", "两千元"),
        ("2", "两元"),
        ("2.22", "两元二角二分"),
        ("0.20", "两角"),
        ("0.02", "两分"),
        ("0.62", "六角二分"),
        ("12.05", "十二元零五分"),
        ("10.02", "十元零二分"),
        ("12.30", "十二元三角"),
        ("100.00", "一百元"),
        ("1,694.09", "一千六百九十四元零九分"),
        ("20,329.04", "两万零三百二十九元零四分"),
        ("1234567.89", "一百二十三万四千五百六十七元八角九分"),
        ("0", "零元"),
        ("3,500.00元", "三千五百元"),
        ("-12.50", "负十二元五角"),
    ],
)
def test_amounts(amount, spoken):
    assert spoken_amount(amount) == spoken


def test_amounts_refuse_floats_and_garbage():
    with pytest.raises(TypeError):
        spoken_amount(18650.4)
    with pytest.raises(ValueError):
        spoken_amount("三千")


@pytest.mark.parametrize(
    "value, spoken",
    [
        (date(2026, 12, 11), "二零二六年十二月十一日"),
        ("2026年12月11日", "二零二六年十二月十一日"),
        ("2026-02-02", "二零二六年二月二日"),
        ("2027/1/20", "二零二七年一月二十日"),
        ("2030年10月1日", "二零三零年十月一日"),
    ],
)
def test_dates_are_read_year_digit_by_digit_and_never_with_liang(value, spoken):
    assert spoken_date(value) == spoken


def test_an_impossible_date_is_refused():
    with pytest.raises(ValueError):
        spoken_date("2026年2月30日")


def test_decimals_percents_and_digits():
    assert spoken_decimal("0.75") == "零点七五"
    assert spoken_decimal("1.50") == "一点五"
    assert spoken_percent("0.75") == "百分之零点七五"
    assert spoken_digits("400-800-9588", phone=True) == "四零零，八零零，九五八八"
    assert spoken_digits("8812") == "八八一二"


def test_figures_inside_text():
    assert speak_figures("到期还款日为2026年12月11日") == "到期还款日为二零二六年十二月十一日"
    assert speak_figures("请于12月15号前还款3,000.00元") == "请于十二月十五号前还款三千元"
    assert speak_figures("您尾号8812的信用卡") == "您尾号八八一二的信用卡"
    assert speak_figures("请拨打110或120") == "请拨打幺幺零或幺二零"
    assert speak_figures("分12期，延期2天，约15分钟") == "分十二期，延期两天，约十五分钟"
    assert speak_figures("例如“13800138000”") == "例如“幺三八零零幺三八零零零”"
    assert not any(ch.isdigit() for ch in speak_figures("逾期31天，欠款18,650.40元，费率0.75%，共3次"))


def test_plans_and_menus_are_keypad_choices():
    assert menu_prompt(["我要还款", "申请分期"]) == "按1，我要还款；按2，申请分期。"
    assert menu_prompt(["3期", "12期"]) == "按1，三期；按2，十二期。"
    assert plan_choices([(3, Decimal("6356.59"), Decimal("419.62")), (12, "1694.09", "1678.56")]) == (
        "按1，分三期，每期六千三百五十六元五角九分，总手续费四百一十九元六角二分；"
        "按2，分十二期，每期一千六百九十四元零九分，总手续费一千六百七十八元五角六分。"
    )
    assert menu_prompt([]) == ""


def test_the_facts_reply_spoken_with_its_buttons_as_keypad_choices():
    text = replies.FACTS.format(
        greeting="", card_last4="8812", balance="18,650.40元", minimum_due="1,865.04元",
        due_date="2026年12月11日", overdue=replies.OVERDUE_DAYS.format(days=15),
    ) + replies.FACTS_QUESTION
    reply = voice_reply(text, [{"title": t, "payload": p} for t, p in replies.FACTS_BUTTONS])
    assert "一万八千六百五十元四角" in reply.speech
    assert "二零二六年十二月十一日" in reply.speech
    assert "尾号八八一二" in reply.speech
    assert "按1，我要还款" in reply.speech and "按4，我有困难" in reply.speech
    assert not any(ch.isdigit() for ch in reply.speech.replace("按1", "").replace("按2", "")
                   .replace("按3", "").replace("按4", ""))
    assert reply.menu[1] == ("申请分期", "/request_installment")


def test_chat_instructions_become_call_instructions():
    reply = voice_reply("为保护您的信息安全，请回复您身份证号码的后四位（末位是X请回复X）。")
    assert "按键输入" in reply.speech and "星号" in reply.speech
    assert "回复" not in reply.speech
    confirm = voice_reply(replies.INSTALLMENT_CONFIRM.format(
        principal="18,650.40元", months=12, monthly="1,694.09元", last="", fee="1,678.56元", total="20,329.04元"))
    assert confirm.speech.endswith("确认办理请说“是”。")
    assert "分十二期" in confirm.speech and "两万零三百二十九元零四分" in confirm.speech


def test_id_digits_are_never_spoken():
    reply = voice_reply("您输入的身份证后四位是1234，号码110101199003071234已登记。")
    assert "1234" not in reply.speech
    assert "一二三四" not in reply.speech and "幺二三四" not in reply.speech
    assert "一千二百三十四" not in reply.speech


def test_installment_options_spoken_as_a_list_then_keypad_choices():
    text = (
        "您的欠款18,650.40元可申请以下分期（每月手续费率0.75%）：\n"
        "3期：每期6,356.59元，总手续费419.62元\n12期：每期1,694.09元，总手续费1,678.56元\n请问您想分几期？"
    )
    reply = voice_reply(text, [{"title": "3期", "payload": "/a"}, {"title": "12期", "payload": "/b"}])
    assert "百分之零点七五" in reply.speech
    assert reply.speech.endswith("按1，三期；按2，十二期。")
    assert "\n" not in reply.speech and "（" not in reply.speech


def test_custom_json_voice_text_wins_and_data_is_not_read():
    reply = voice_reply(None, None, {"voice": "请稍候", "account_id": "A-1001", "balance": "18650.40"})
    assert reply.speech == "请稍候。"
    reply = voice_reply(None, None, {"text": "还款3000元", "buttons": [{"title": "是", "payload": "/affirm"}]})
    assert reply.speech == "还款三千元。按1，是。"
    assert reply.menu == [("是", "/affirm")]


def test_a_masked_name_is_spoken_without_the_asterisk():
    reply = voice_reply(replies.ASK_RIGHT_PARTY.format(bank="星河银行", masked_name="李*华"))
    assert "李某华本人吗" in reply.speech and "*" not in reply.speech


def test_voice_phrases_carry_no_forbidden_wording():
    from bot.core import spoken
    from bot.core.compliance import find_forbidden

    phrases = [v for k, v in vars(spoken).items() if k.startswith("VOICE_") and isinstance(v, str)]
    assert len(phrases) >= 10
    for phrase in phrases:
        assert find_forbidden(phrase) == [], phrase
    machine = spoken.VOICE_MACHINE_MESSAGE
    for private in ("{name}", "欠款", "逾期", "还款", "信用卡"):
        assert private not in machine


@pytest.mark.parametrize("text, said", [
    ("09:00", "九点"),
    ("02:00", "两点"),
    ("21:30", "二十一点半"),
    ("08:05", "八点零五分"),
    ("10:10", "十点十分"),
    ("每天09:00-21:00", "每天九点到二十一点"),
])
def test_times_of_day_are_said_as_on_a_clock(text, said):
    from bot.core.spoken import speak_figures

    assert speak_figures(text) == said


def test_out_of_hours_the_caller_hears_the_staffed_hours_and_the_hotline():
    from bot.core import spoken
    from bot.core.staffing import HANDOFF_ETA_OUT_OF_HOURS

    eta = voice_reply(HANDOFF_ETA_OUT_OF_HOURS.format(start="09:00", end="21:00", when="明天09:00")).speech
    assert "人工服务时间为每天九点到二十一点" in eta and "明天九点上班后尽快联系您" in eta and "请保持电话畅通" in eta
    back = voice_reply(spoken.VOICE_CALL_BACK.format(hours="09:00到21:00", hotline="400-800-9588")).speech
    assert "每天九点到二十一点" in back and "四零零" in back and ":" not in back
