"""The safety net, fourteenth round: kinds of crisis wording blind round 8
(tests/nlu_blind8/, a development set since 2026-12-05) showed the net had
not seen - the debt paid with a life, a cemetery given as the address,
pills counted against a dose, one's affairs put in order, going for good,
a stop by the water - and the look-alikes those patterns must leave alone,
each in phrasings of our own.
"""
from bot.core.safety import is_stop_request
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    # Where to find me: the cemetery, the funeral home.
    "cemetery_address": ["要债的话下个月去公墓找我", "以后别来家里了 去殡仪馆找我吧", "有本事去墓地搵我啦"],
    # The money cannot be repaid, the life can.
    "life_for_debt": ["债是还不上了 命可以抵给你们", "欠的钱还不起 命倒是还得起"],
    # Pills counted against a dose.
    "pills_and_dose": ["安眠药攒得够多了 我算过吃几片", "止痛片够数了 剂量我查过"],
    # One's own affairs arranged.
    "affairs_arranged": ["我的后事已经交代好了", "后事我自己都准备好了 不用你们操心"],
}

# Ambiguous alone: the bot checks in gently.
POSSIBLE_BY_KIND = {
    "if_i_went_down": ["要是我从天台下去了 这钱还找谁要", "如果我从窗户跳下去 你们满意了吧"],
    "gone_for_good": ["过了今晚我就永远消失", "明天就会消失掉了"],
    "all_said": ["该交代的事都交代好了", "要交代的也交代清楚了"],
    "by_the_water": ["天天路过那座桥 今天想在那停车", "开到江边了 打算下车"],
    "not_here_any_more": ["催也没用 人都不在了", "等你们起诉的时候人已经不在了"],
    # blind round 7's last miss read (2026-12-05), in our words
    "where_the_pills_are": ["药柜里的药我晓得在哪 够了"],
}

LOOK_ALIKES = [
    # a relative's funeral arranged, visiting a grave, the funeral home as a workplace
    "我爸的后事都安排好了 这个月晚几天还", "清明去墓地看我奶奶 回来再还", "我在殡仪馆上班 工资月底发",
    # the debt repaid on time, "my life is hard"
    "钱还不上我认 但是要钱没有要命一条", "命苦啊 这个月又加班",
    # medicine taken as prescribed, the dose asked of a doctor
    "医生开的药够吃一个月 剂量按说明书", "这个药的剂量是多少",
    # work handed over, the move, a parcel that disappeared
    "工作上该交接的都交接了 下周入职新公司", "快递今天消失了 物流查不到",
    # stopping the car to eat, to take photos, going downstairs
    "开车路过江边 想停下来拍几张照片", "我从楼上下去取个快递 等我五分钟",
    # a cold's medicine at hand
    "感冒药我知道放哪 够用了 谢谢",
    # someone else's absence
    "他人不在了 电话打不通", "老板人不在 明天再说",
]

# Messages that ask to stop contact and show a crisis: crisis wins, and the
# opt-out is carried for action_handle_crisis to record.
CRISIS_OVER_OPT_OUT = ["后事交代好了 你们别再打了", "别再发短信了 该交代的都交代了"]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_crisis_wins_over_an_opt_out) = round_tests(CRISIS_BY_KIND, POSSIBLE_BY_KIND, LOOK_ALIKES, CRISIS_OVER_OPT_OUT)


def test_a_wish_of_ones_own_to_stop_is_no_request_to_stop_messages():
    assert not is_stop_request("天天开车过这座桥 今天想停下来")
    assert is_stop_request("天天发短信 停下来吧")
    assert is_stop_request("每天都打 赶紧停掉")
