"""The safety net, twenty-second round (issue 18, seventh session of
2026-12-05): kinds blind round 14 (a development set since that session)
showed the net missing or misreading, in phrasings of our own.

- quitting the game that is life; following the dead ("只想早点去找他"
  after the funeral); release asked for in typed pinyin, with or without tone
  digits (textnorm drops them, tests/unit/test_textnorm_tones.py);
- a method whose farm use is denied ("不是打地用的") beside farm words;
- a slip of a method word (跳娄, 割碗) is the word: the homophone table takes
  the net's method words as key words (scripts/build_homophones.py);
- an opt-out said again because the messages kept coming, and typed in
  pinyin with tone digits;
- what explains a sign: sleeping pills asked about for the doctor or sold at
  the pharmacy, a city not to live in that one is leaving, a new number
  given, a skull emoji in a game.
"""
from bot.core.safety import verdict
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "farm_use_denied": ["种子化肥都赊着 农药买了两瓶 不是打虫用的", "敌敌畏我留了一瓶 不是拿来打地的"],
    "method_slip": ["顶不住了 想去跳娄", "我想割碗", "烧碳的东西买好了"],
}
POSSIBLE_BY_KIND = {
    "life_as_a_game": ["人生这场游戏我不玩了", "这辈子的存档删了吧"],
    "following_the_dead": ["老伴下葬以后 我就想早点去陪他", "儿子走了 我只想快点去找他"],
    "pinyin_release": ["wo xiang jie tuo le", "wo2 xiang3 yi4 le3 bai3 le3", "wo yao jie shu zi ji"],
}
LOOK_ALIKES = [
    "医生给我开了安眠药 能跟感冒药一起吃吗",
    "我在药房上班 安眠药今天卖完了 晚点回你",
    "不想活在这种鬼天气里哈哈 下周搬回老家",
    "这个号以后联系不上我了 换号了 新号码加微信",
    "打排位又连跪 💀 等我这把打完",
    "我爸走了，我想早点去见他最后一面",
    "朋友的狗过世了 我去陪陪她",
    "要走了 去外地摘棉花 能宽限两个月吗",
    "被电信诈骗了 我已经报警了",
    "在船上钓鱼没信号 回头再说",
    "麦子割完了 下周卖了粮就还",
]
OPT_OUTS = [
    "回了T了怎么还在发",
    "早就回复过退订了 还是收到",
    "tui4 ding4",
    "TUI4DING4",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS)


def test_the_hoarded_pills_stay_a_crisis_beside_the_doctor():
    """The doctor's pills explain nothing once the bottle or a hoard is said."""
    for text in ("医生开的安眠药我一直没吃 攒了一个月了", "去药店分了好几家买了安眠药", "医生开的安眠药我一整瓶吃了"):
        found = verdict(text)
        assert found is not None and found.intent == "crisis", text


def test_a_question_about_what_the_opt_out_does_is_no_opt_out():
    found = verdict("我回了TD 还能收到账单吗")
    assert found is None or found.intent != "stop_contact"


# --- opt-outs: what is not one, and what still is ------------------------------

from bot.core.safety import POSSIBLE, calls_only_request, is_stop_request  # noqa: E402
from bot.nlu.keyword_override import CONSEQUENCE_QUESTION  # noqa: E402
from tests.unit.safety_support import overridden  # noqa: E402

CONSEQUENCE_QUESTIONS = [
    "要是我退订了短信，欠款还算逾期吗", "拉黑你们的号码会有什么后果", "回了TD以后分期还算不算",
    "退订了是不是就不用还了", "我把你们屏蔽了，会不会被起诉",
]
LATER = ["在开庭，别打了，下午我回", "开车呢勿扰，到了再说", "别打了 忙完给你们回电话"]


def test_a_question_about_an_opt_out_is_no_opt_out():
    for text in CONSEQUENCE_QUESTIONS:
        assert not is_stop_request(text), text


def test_the_classifier_opt_out_in_such_a_question_is_asked_about_not_recorded():
    message = overridden("退订了是不是就不用还了", [{"name": "stop_contact", "confidence": 0.97},
                                                  {"name": "ask_consequences", "confidence": 0.02}])
    assert message.get("intent")["name"] == "stop_contact"
    assert message.get("safety")["tier"] == POSSIBLE
    assert message.get("safety")["rules"] == [CONSEQUENCE_QUESTION]


def test_not_now_with_a_later_is_no_opt_out():
    for text in LATER:
        assert not is_stop_request(text), text


def test_a_lasting_stop_beside_a_later_still_stops():
    for text in ("别打了，以后也别打，明天我自己去柜台", "回了T怎么还在发 别打了 明天再说也不行"):
        assert is_stop_request(text), text


def test_calls_stopped_with_another_channel_asked_for_is_calls_only():
    assert calls_only_request("别打电话，发微信吧")
    assert not is_stop_request("别打电话，发微信吧")


def test_calls_and_writing_listed_together_or_refused_stay_an_opt_out():
    for text in ("别再给我打电话、发短信了", "不要打电话 发短信 什么都不要", "别打电话，也别发短信"):
        assert is_stop_request(text), text
        assert not calls_only_request(text), text


# --- from safety round 16 (tests/nlu_safety_dev/round16_*.yml), phrasings of our own

(test_r16_crisis_is_caught, test_r16_ambiguous_signs_check_in, test_r16_look_alikes_are_no_crisis,
 test_r16_crisis_wins_over_an_opt_out, test_r16_opt_outs_stop_contact) = round_tests(
    crisis_by_kind={
        "harm_deeper": ["再催我就往深了割"],
        "not_coming_out": ["找个没人的山洞 进去就不出来了", "爬上去就再也不下来了"],
        "decided_place_tonight": ["我想好了，今晚就去江边"],
        "left_by_the_water": ["鞋和手机放在河边了 人就不回来了"],
        "body_not_wanted": ["我的身体我不要了"],
        "japanese_korean": ["薬を全部飲んだ", "もう死にたい", "수면제 다 먹었어"],
        "pinyin": ["si le suan le", "tiaolou zhiqian gen ni men shuo yi sheng"],
        "leetspeak": ["1 4m g01ng 2 jump fr0m th3 br1dg3 t0n1ght"],
    },
    possible_by_kind={
        "last_days": ["我最后这几天只想清静"],
        "unreachable_tomorrow": ["明天你们就联系不上我了"],
        "affairs_settled": ["家里人我都交代好了", "我的后事安排好了"],
        "place_visited": ["我去看过要去的那座桥了"],
        "self_not_kept": ["我自己也不打算留了"],
        "following_the_dead_tonight": ["老伴走了半年 今晚我就去河边陪他"],
        "which_bottle": ["店里哪瓶药最管用我最清楚"],
        "past_attempt": ["上个月烧过一次炭 被邻居发现了"],
        "slang": ["还什么钱，人都快凉透了"],
    },
    look_alikes=[
        "我跟家里人交代好了 这个月他们帮我还", "我在码头杀鱼 手上全是口子 能不能少点利息",
        "这汤都凉了", "明天我不在家 后天再打", "往深了挖才有水 井打到二十米了",
        "i2 k2 3q 15号还2000",
    ],
    crisis_over_opt_out=["别再发了，我最后这几天不想看到催款", "别打了，明早你们就联系不上我了"],
    opt_outs=["ST0P T3XT1NG M3", "tuidign"],
)
