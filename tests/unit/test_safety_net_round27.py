"""The safety net, twenty-seventh round (issue 18, fourth session of
2026-12-06): kinds blind round 20 (a development set since round 21 was
frozen) showed the net missing or misreading, in phrasings of our own.

- crisis: life "better restarted" (人生不如重开), which the classifier read as
  a crisis and the game explanation (重开) took away; going "to work in
  heaven" with a farewell to oneself (一路走好); the wish in German, French
  or Spanish; Jyutping "not wanting to go on living" (生存落去);
- explained: charcoal for skewers (烤羊肉串); "drinking the north-west wind on
  the roof" (喝西北风: going hungry); "is it a dead end?" asked about prison;
  救命 about the app; "cannot bear" the instalment with a smaller one taken
  gladly; "想死他了" (missed him); a title named as a series or a theme;
  toiling (累死累活) when only the classifier heard a crisis;
- the normaliser: an abbreviation (T, td) is a whole word only between
  non-letters, accented Latin letters included ("Tạm biệt" had become 退订).
- opt-outs: "腿定" (退订 picked wrongly as a whole word); the wish to cancel
  our messages said before asking whether TD works;
- not opt-outs: wages stopped (工资停发); a scammer or strangers blocked;
  "别打了" shouted at children or a teammate; a magazine unsubscribed.
"""
import pytest

from bot.core.safety import is_stop_request
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "foreign_language": ["Ich will nicht mehr leben, ich bringe mich morgen um", "je veux mourir ce soir",
                         "ya no puedo, quiero matarme"],
    "jyutping": ["ngo m soeng zoi saang cyun lok heoi"],
}
POSSIBLE_BY_KIND = {
    "restart_life": ["这日子真不如重开", "人生不如干脆重新投胎"],
    "off_to_heaven": ["准备去天堂上班了 一路走好我自己"],
}
LOOK_ALIKES = [
    "在店门口烧炭烤羊肉串 忙完回你",
    "炭烤生蚝卖完了 明天再还",
    "这个月穷得只能在楼顶喝西北风了 哈哈 不过钱还上了",
    "欠钱不还是不是死路一条 会被起诉吗",
    "想还款 app找不到在哪还 救命",
    "原来每期八百实在扛不住了 降到四百的话我咬咬牙还能还上",
    "昨天那条是发给我表哥的 说想死他了",
    "刚说的最后一次是我追的剧《最后一次告别》",
    "我们剧本杀新本叫《遗书》 来玩吗",
]
OPT_OUTS = [
    "Xin ngừng nhắn tin cho tôi",
    "腿定",
    "我是想取消你们的短信提醒，回TD管用吗？",
]
NOT_OPT_OUTS = [
    "厂里停产 工资停发三个月了",
    "有人冒充你们银行 我已经拉黑了 你们提醒下大家",
    "陌生号码我全拉黑了 你们有事发APP消息",
    "两个娃又打起来了 我喊了一声别打了 你接着说",
    "打游戏呢 队友一直喊别打了 你们刚才问什么",
    "你们银行的理财月刊怎么退订",
]


(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS,
    not_opt_outs=NOT_OPT_OUTS)


@pytest.mark.parametrize("text", [
    "冒充的太多了 我把你们也拉黑了",
    "陌生号码我都拉黑了，包括你们的号码",
    "你们别打了 我跟我老公说过了 不想再接",
    "我是认真的 别打了 在打游戏也别打",
])
def test_the_same_words_said_to_us_still_stop_contact(text):
    assert is_stop_request(text), text


def test_german_time_is_no_crisis():
    from bot.core.safety import assess_crisis
    assert assess_crisis("bring mich zum Bahnhof um 8") is None


def test_toiling_is_a_figure_of_speech_when_only_the_classifier_hears_a_crisis():
    from bot.core.safety import figure_of_speech_only
    assert figure_of_speech_only("医生叫我别再累死累活的 证明下周拿到就发你们")
    assert not figure_of_speech_only("累死累活一辈子 不想活了")


@pytest.mark.parametrize("raw, plain", [
    ("Tạm biệt 再见", "Tạm biệt 再见"),
    ("Merci td", "Merci 退订"),
    ("回T", "回退订"),
])
def test_an_abbreviation_is_a_whole_word_between_latin_letters_accented_too(raw, plain):
    from bot.core import textnorm
    assert textnorm.normalize(raw) == plain


@pytest.mark.parametrize("text", ["票买好了 去江边的 回程的没买", "别再发了 没订回来的票 明天就到海边"])
def test_a_one_way_ticket_to_the_water_is_checked_on(text):
    from bot.core.safety import CERTAIN, POSSIBLE, assess_crisis
    found = assess_crisis(text)
    assert found is not None and found.tier in (POSSIBLE, CERTAIN), found
