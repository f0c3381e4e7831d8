"""Masking personal data for trainers (bot/core/masking.py)."""
from bot.core.masking import mask_entities, mask_phone, mask_text, personal_spans


def test_phone_numbers_are_masked_with_and_without_country_code():
    assert mask_text("我的手机是13812345678") == "我的手机是***********"
    # spaces stay (the length and the shape of the text are kept)
    assert mask_text("打+86 138-1234-5678找我") == "打*** *************找我"
    assert mask_text("座机 010-62345678") == "座机 ************"


def test_id_card_and_card_numbers_are_masked():
    assert mask_text("身份证11010519491231002X") == "身份证" + "*" * 18
    assert mask_text("卡号6222 0212 3456 7890") == "卡号**** **** **** ****"
    assert mask_text("账户 6222021234567890123 逾期") == "账户 " + "*" * 19 + " 逾期"


def test_short_digit_groups_after_a_cue_are_masked():
    assert mask_text("身份证后四位是3521") == "身份证后四位是****"
    assert mask_text("后4位 660X") == "后4位 ****"
    assert mask_text("卡号尾号6688的那张") == "卡号尾号****的那张"


def test_amounts_dates_and_months_stay():
    for text in ("我明天还三千五", "先还2000元", "分12期", "下个月10号还1.5万", "能不能还500"):
        assert mask_text(text) == text


def test_known_names_and_self_introductions_are_masked():
    assert mask_text("我是李明华本人", names=["李明华"]) == "我是***本人"
    assert mask_text("明华不在家", names=["李明华"]) == "**不在家"
    assert mask_text("我叫王小二，找我干嘛") == "我叫***，找我干嘛"
    # "本人" after 我叫/本人是 is not a name
    assert mask_text("本人是本人") == "本人是本人"


def test_masking_keeps_length_and_entity_offsets():
    text = "我是李明华，身份证后四位3521，明天还两千"
    entities = [{"entity": "id_last4", "start": 12, "end": 16, "value": "3521"},
                {"entity": "amount", "start": 20, "end": 22, "value": "2000"}]
    masked = mask_text(text, names=["李明华"], entities=entities)
    assert len(masked) == len(text)
    assert "3521" not in masked and "李明华" not in masked
    assert masked[20:22] == "两千"
    shown = mask_entities(entities, masked)
    assert shown[0]["value"] == "****" and shown[0]["text"] == "****"
    assert shown[1]["value"] == "2000" and shown[1]["text"] == "两千"


def test_personal_entity_spans_are_masked_without_a_cue():
    text = "3521"
    assert personal_spans(text, entities=[{"entity": "id_last4", "start": 0, "end": 4}]) == [(0, 4)]
    assert mask_text(text, entities=[{"entity": "id_last4", "start": 0, "end": 4}]) == "****"


def test_mask_phone_for_conversation_ids():
    assert mask_phone("+8613700000001") == "+86137****0001"
    assert mask_phone("") == ""
