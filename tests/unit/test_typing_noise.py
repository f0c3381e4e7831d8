"""The classifier's view of how a message was typed or dictated
(bot/core/typing_noise.py, a step of bot.core.textnorm)."""
import pytest

from bot.core.textnorm import normalize, normalize_with_spans


@pytest.mark.parametrize("written, read", [
    # a voice assistant's wake word and command, its confirmation
    ("小爱同学 回复 6723", "6723"),
    ("嘿Siri 回复这个号码 晚上好", "晚上好"),
    ("小度小度 给银行回短信 说我月底还", "我月底还"),
    ("好的，已为你发送：“金额不对”", "金额不对"),
    ("好的，已为您回复：下周还", "下周还"),
    # characters typed one at a time
    ("不 用 分 期", "不用分期"),
    # a key held down
    ("谢谢谢谢谢谢", "谢谢"),
    ("哈哈哈哈哈哈 好的", "哈哈 好的"),
])
def test_typing_noise_is_taken_out_for_the_classifier(written, read):
    assert normalize(written) == read


@pytest.mark.parametrize("text", [
    # a wake word alone, an assistant's own action: nothing of the writer's to keep
    "小爱同学",
    "好的，已为你取消明天早上七点的闹钟",
    # two characters spaced, words spaced, digits repeated
    "我 是",
    "我 是 A 不",
    "3 3 3",
    "8888",
    # a doubled character is a word
    "谢谢 好好",
])
def test_ordinary_text_is_left_as_written(text):
    assert normalize(text) == text


def test_every_character_the_classifier_reads_keeps_its_place_in_what_was_written():
    written = "小爱同学 回复 不 用 分 期，谢谢谢谢"
    normalized = normalize_with_spans(written)
    assert normalized.text == "不用分期，谢谢"
    assert len(normalized.spans) == len(normalized.text)
    assert [written[a:b] for a, b in normalized.spans[:4]] == ["不", "用", "分", "期"]
