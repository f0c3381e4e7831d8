"""Crisis and opt-out phrases typed in a romanisation or in disguised letters
(bot.core.safety.romanised; issue 18, safety round 22, a development set):
pinyin spaced, dotted or run together, Cantonese Jyutping, Hokkien POJ, Wu;
small capitals, flag letters, Braille, negative squared and script letters,
leetspeak codes and upside-down text. Phrasings of our own."""
import pytest

from bot.core import textnorm
from bot.core.safety import verdict
from bot.core.safety.romanised import letters, romanised_crisis, romanised_stop
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "pinyin": ["wo zhen de bu xiang huo le", "qian huan bu shang, na wo jiu yong ming huan", "woxiangtiaohe",
               "想t-i-a-o-l-o-u", "an mian yao quan chi le", "wo xiang jie tuo"],
    "jyutping": ["ngo seung sei", "ngo soeng tiu lau", "sik saai di on min joek"],
    "hokkien_wu": ["goa bo siunn beh uah ah", "beh khi thiau hai", "ngu veh shian weh leh"],
    "braille_and_circled": ["⠃⠥ ⠭⠊⠁⠝⠛ ⠓⠥⠕ ⠇⠑", "ⓣⓘⓐⓞⓛⓞⓤ"],
    "upside_down": ["ǝɟıl ʎɯ puǝ oʇ ʇuɐʍ ᴉ"],
    "english_means_beside_chinese": ["pesticide 已经买好了"],
}
LOOK_ALIKES = [
    "tiao lou jia da shuai mai",
    "huan le gu de tiao lou ji tai ci ji le",
    "xiao si wo le ha ha",
    "zhe liang ge fang an hen xiang si",
    "siu sei ngo",
    "zui hou yi qi huan wan le, zhong yu jie tuo le",
]
OPT_OUTS = [
    "bie zai gei wo fa duan xin le",
    "qing bu yao zai da dian hua",
    "qu xiao ding yue",
    "m hou zoi send ngo",
    "teoi deng",
    "mai koh kha tian ue lai",
    "fiau tse tang leh",
    "🇹🇩",
    "⠞⠙",
    "🆃🅳",
    "ᴛᴅ",
    "𝓈𝓉ℴ𝓅",
    "5T0P",
    "pʇ",
]
NOT_OPT_OUTS = [
    "bu yao zai fa xi le, jian mian yi dian ba",
    "wu rao mo shi zen me guan",
    "teoi deng gaan zau dim",
    "🇨🇳",
]

(test_crisis_is_caught, test_look_alikes_are_no_crisis, test_opt_outs_stop_contact,
 test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS, not_opt_outs=NOT_OPT_OUTS)


def test_chinese_characters_take_no_part_in_the_romanised_reading():
    assert letters("我不想活了") == ""
    assert romanised_crisis("跳楼价") == (False, False)
    assert not romanised_stop("退订机票")


def test_a_word_is_not_rewritten_before_its_letters_are_read():
    # textnorm reads a lone t as 退订; the romanised reading keeps the letter
    assert letters("想t.i.a.o.l.o.u了") == "tiaolou"


@pytest.mark.parametrize("raw, plain", [
    ("ᴛᴅ", "退订"),
    ("ꜱᴛᴏᴘ", "stop"),
    ("𝓈𝓉ℴ𝓅", "stop"),
    ("doʇs", "stop"),
    ("ǝɯ ƃuᴉʇxǝʇ doʇs", "stop texting me"),
])
def test_disguised_letters_are_read_as_plain_ones(raw, plain):
    assert textnorm.normalize(raw) == plain


@pytest.mark.parametrize("text", ["25℃ 好热", "№3 窗口", "hello"])
def test_symbols_stay(text):
    assert textnorm.normalize(text) == text


def test_a_flag_is_no_pair_of_letters_to_the_classifier():
    assert "cn" not in textnorm.normalize("🇨🇳 加油").lower()


def test_the_turned_letters_read_a_crisis():
    found = verdict("ʍou ɟooɹ ǝɥʇ uo ɯ,ᴉ")
    assert found is not None and found.intent == "crisis"


def test_an_unsure_classifier_crisis_yields_to_a_pinyin_opt_out_with_no_sign_of_one():
    from bot.nlu.keyword_override import KeywordIntentOverride  # noqa: F401  (the component under test)
    from tests.unit.safety_support import overridden

    ranking = [{"name": "crisis", "confidence": 0.55}, {"name": "stop_contact", "confidence": 0.3}]
    data = overridden("nimen bie zai lianxi wo le", ranking, risk={"crisis": 0.8, "stop_contact": 0.1}).as_dict(
        only_output_properties=True)
    assert data["intent"]["name"] == "stop_contact"
    # a farewell in the same pinyin stays a crisis
    farewell = overridden("bie lianxi wo le, wo xiang jie tuo", ranking, risk={"crisis": 0.8, "stop_contact": 0.1})
    assert farewell.as_dict(only_output_properties=True)["intent"]["name"] == "crisis"
    # so does a sure classifier crisis
    sure = [{"name": "crisis", "confidence": 0.95}, {"name": "stop_contact", "confidence": 0.03}]
    assert overridden("bie lianxi wo le", sure, risk={"crisis": 0.8, "stop_contact": 0.1}).as_dict(
        only_output_properties=True)["intent"]["name"] == "crisis"
