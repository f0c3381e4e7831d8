"""Mojibake whose lost bytes became "�" (bot/core/lost_bytes.py, issue 18):
UTF-8 read as GBK or as Windows-1252 by a gateway. The texts are made here
the way such a gateway makes them, from Chinese of our own."""
import pytest

from bot.core.lost_bytes import lost_byte_edits
from bot.core.safety import verdict
from bot.core.textnorm import normalize


def as_gbk(text: str) -> str:
    return text.encode("utf-8").decode("gbk", "replace")


def as_cp1252(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", "replace")


@pytest.mark.parametrize("original", ["退订", "别再打电话了", "我不想活了", "不要再发短信了", "我要投诉你们", "我已经还了三千"])
def test_utf8_read_as_gbk_with_lost_bytes_is_read_back(original):
    damaged = as_gbk(original)
    assert "\ufffd" in damaged
    assert normalize(damaged) == normalize(original)


@pytest.mark.parametrize("original", ["不对", "别再打电话了", "能不能延期两周", "前机主欠的别找我"])
def test_utf8_read_as_windows_1252_with_lost_bytes_is_read_back(original):
    damaged = as_cp1252(original)
    assert "\ufffd" in damaged
    assert normalize(damaged) == normalize(original)


def test_gbk_mojibake_without_a_lost_byte_is_read_back():
    assert normalize(as_gbk("你好 在吗")) == "你好 在吗"


def test_the_safety_net_reads_an_opt_out_and_a_crisis_through_it():
    assert verdict(as_gbk("退订")).intent == "stop_contact"
    assert verdict("爸妈对不起 " + as_cp1252("我撑不下去了，想从阳台跳下去")).intent == "crisis"


@pytest.mark.parametrize("text", [
    "我想分期还款", "这个月工资没发", "明天还三千块", "好的�", "谢谢��", "abc\ufffd", "涓", "Ａ�Ｂ",
])
def test_ordinary_text_and_a_stray_replacement_character_are_left_alone(text):
    assert lost_byte_edits(text) == []
