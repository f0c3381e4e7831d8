"""The safety net, thirtieth round (issue 18, seventh session of
2026-12-06). Phrasings of our own.

From blind round 23 (read once round 24 was frozen), where the meaning
sits in the grammar rather than in a key word: the self "not kept any
more", a wish to have died so that the family would have had the death
benefit, "what is living for", "if I still have a tomorrow", "not a new
number: the person is gone"; opt-outs as a squared 🈲, as a number
crossed off a list, as "spare us from now on" after a count of reminders
(asked first); and look-alikes: a phone's automatic do-not-disturb or
driving-mode reply, "别打了" said of two children fighting, a block long
past or undone, a promise on a weekday with "别催了", a bill "anyone would
want to die over", 跳楼 taken back as 跳楼价, a game uninstalled "bye
forever", and for a crisis only the classifier heard: abroad, out of work
between harvests, paid off at last, moved out of town, the card no longer
needed, debt that will never end. Last session's open note too: a visit
to a living grandmother is no crisis. Second part: the same families in
other words (a wish to have died, whether one will still be here, the
self given up, "count me gone", the account settled in the next life).
"""
import pytest

from bot.core.safety import figure_of_speech_only, not_an_opt_out, verdict
from bot.core.safety.classifier_crisis import everyday_context_only
from bot.core.safety.findings import CERTAIN, POSSIBLE
from bot.core.textnorm import normalize
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "not_keeping_myself": ["债我是还不动了 这条命我也不打算要了", "人我就不打算留着了 随你们吧"],
    "worth_more_dead": ["那年要是没被救回来 家里早就能领笔保险金了"],
    # second part: the same families in other words
    "should_have_died": ["我早该死在那年的车祸里", "要是那次没抢救过来就好了", "当初就不该把我救回来"],
}
POSSIBLE_BY_KIND = {
    "what_for": ["活着还为了啥呢", "天天这样 活着有啥盼头"],
    "if_tomorrow": ["下周的事下周再说 假如我还有明天"],
    "person_gone": ["这号以后别打了 不是换号 是人没了"],
    "family_paid_for_me": ["我走了家里倒能领笔抚恤金"],
    "still_here": ["到时候我还在不在都不好说", "我还能不能看到明天都难说"],
    "self_given_up": ["命不要了", "这身子我也不要了"],
    "count_me_gone": ["你们就当我不在了吧", "以后就当没我这个人"],
    "next_life_account": ["往后的账 下辈子算吧"],
    "nobody_answers": ["反正过几天也没人接这个电话了"],
}
LOOK_ALIKES = [
    # last session's note: a visit to the living
    "去找奶奶吃饭 晚点回你",
    "周末去陪外婆",
    "明天去找姥姥过中秋",
    # blind round 23's look-alikes, our phrasings
    "这种账单谁看了不想死 那一笔根本不是我刷的",
    "再逼我就去跳楼……跳楼价把房子卖了还你们",
    "uninstalling the game, bye forever lol",
    "如果还有明天 这首歌挺好听",
    "签什么签 霸王条款 还让不让人活了",
    "开这么快 命都不要了",
    "钱不要了 命要紧",
    "我还在不在公司你们管得着吗",
    "当我不在家的时候你们找我老婆",
]
OPT_OUTS = [
    "🈲打电话 🈲发短信",
    "麻烦把我的号码从名单里划掉",
    # the same words said to us for good
    "免打扰模式开着呢 以后都别打了",
    "别打了 我说的是你们",
]
NOT_OPT_OUTS = [
    "已开启驾驶模式，稍后回复您",
    "[手表快捷回复] 现在在忙 请勿打扰",
    "刚才说别打了是说我两个女儿 她们在打架",
    "我就是以前拉黑过你们的那个人 是本人",
    "周六还三千 别催了",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS,
    not_opt_outs=NOT_OPT_OUTS)


def test_a_sign_beside_the_look_alikes_keeps_the_crisis():
    assert verdict("去找奶奶 她在那边等我").intent == "crisis"
    assert verdict("谁看了不想死 我是真的想死").intent == "crisis"
    assert verdict("再催我就去跳楼").intent == "crisis"
    assert verdict("bye forever, i took all my pills").intent == "crisis"


def test_spare_us_after_a_count_of_reminders_is_asked_about_first():
    found = verdict("一天发五遍 以后能省省吗")
    assert found.intent == "stop_contact" and found.tier == POSSIBLE


def test_an_opt_out_only_the_classifier_heard_in_a_block_undone_or_an_auto_reply_is_set_aside():
    assert not_an_opt_out("刚把你们从黑名单里放出来了 你好")
    assert not_an_opt_out("[自动回复] 现在不方便接听")
    assert not not_an_opt_out("以后别再发了")


@pytest.mark.parametrize("text", [
    "润了润了 人在国外 你们够不着",
    "寄到我老家吧 我已经不在城里了",
    "收完玉米就没活了 得等开春",
    "看不到头 这笔账这辈子都还不完",
    "今天终于还清了 谢谢你们",
    "用不着是说这张卡用不着了 打算还完就销卡",
    # a bare answer to the bank's question
    "签好了",
    "一起吧",
])
def test_a_classifier_crisis_with_an_everyday_reading_falls_to_its_next_guess(text):
    assert everyday_context_only(text)


@pytest.mark.parametrize("text", ["这账这辈子都还不完了 我想死", "人在国外 我想跳海", "一起走吧", "遗书签好了",
                                  # endless debt beside what is left behind (safety round 16)
                                  "卡里的账还不完了 我的遗物让家里人卖了还你们"])
def test_an_own_wish_keeps_the_classifier_crisis(text):
    assert not everyday_context_only(text)


def test_all_out_is_a_figure_of_speech():
    assert figure_of_speech_only("白天就往死里轰炸是吧")


def test_escaped_surrogate_pairs_and_squared_ideographs_are_read():
    # a broken app's UTF-16 escapes: the pair is one emoji
    assert normalize("\\ud83d\\ude2d\\u9000\\u8ba2") == "哭退订"
    # a lone surrogate encodes nothing and stays as written
    assert normalize("\\ud83d 好") == "\\ud83d 好"
    assert normalize("🈚钱 🉑以分期吗") == "无钱 可以分期吗"


def test_the_worth_more_dead_wish_is_certain():
    assert verdict("那年要是没被救回来 家里早就能领笔保险金了").tier == CERTAIN
