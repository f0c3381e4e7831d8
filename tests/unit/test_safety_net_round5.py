"""The safety net, fifth round (issue 18): kinds of crisis wording the round-5
development set (tests/nlu_safety_dev/round5_*.yml, written blind) showed the
net had not seen, each in phrasings of our own (none is a dev-set sentence nor
a line of bot/data/nlu/safety_round5.yml), and the look-alikes each kind must
leave alone, including the single ambiguous signs the rest of a message
explains (a complaint's 逼死人, prescribed sleeping pills, a game and "just
kidding"), which also keep a crisis only the classifier saw off.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import everyday_context_only, is_stop_request, verdict
from tests.unit.safety_support import overridden, round_tests

CRISIS_BY_KIND = {
    "final_acts": ["我离开之前会把手头的钱都还了", "后面这张卡的事情找我姐", "该说的都装在信封里了",
                   "抽屉里放了一封信，他们会看到的", "给我爸的信已经设好定时了",
                   "抖音微信都注销了", "我能做的最后一件事就是不再拖累他们", "我想干干净净地离开",
                   "把后面的事情都安排好了就走", "以后不用再催了，保重了各位"],
    "means_quantity": ["八十片安眠药够不够", "布洛芬攒了六十多片够了吧", "到底要吃几颗才会醒不过来"],
    "insurance_self": ["保险公司会赔吗，如果是自己跳下去的", "寿险的话自杀两年后赔不赔",
                       "到时候就让保险替我还这笔钱", "理赔款下来你们就有钱了，意外险受益人是我老婆"],
    "life_given_up": ["我的命都不要了还怕你们告", "这条命给你们算了"],
    "after_tonight": ["过了今晚我就不在了", "过了今天就没人欠你们的了"],
    "no_time_left": ["我没有几个月了，分期没意义", "二十四期我活不到那天", "人就快没了"],
    "looking_down": ["常常在窗边往下看，想着跳下去会怎样", "我在三十楼的天台，没在干嘛",
                     "十八楼的窗台上，风好大，挺高的"],
    "place_chosen": ["地方都找好了，周围没有人", "我选好了一个地方，很安静"],
    "debt_goes_with_me": ["人走债清，你们也别找了", "就当我从来没来过这世界"],
    "cantonese": ["药我储埋咗好耐，今晚够数", "我唔喺度之后啲数点算"],
    "english": ["how many tylenol is enough to not wake up", "i've made my peace with it all",
                "i'm going somewhere i won't need money", "i hope i do not wake up tomorrow"],
}

# Each kind's look-alikes: the same words, no crisis.
LOOK_ALIKES = [
    # final acts
    "我出国之前会把钱还清", "卡的事情找我老婆也行，她管钱", "合同装在信封里寄给你们了",
    "微信换了个号，旧的注销了", "谢谢，以后不用再打了，已经还清了，再见了各位",
    # means + quantity
    "医生开了二十片消炎药", "一百片维生素多少钱", "这药一天吃几片",
    # insurance
    "车险理赔下来我就还", "保险公司说赔付要等两周",
    # life, tonight, time
    "今晚加班，过了今天就好了", "分期要多少个月", "人马上就到，稍等",
    # heights and places
    "我在二十八楼的天台上晾被子", "从阳台往下看夜景很美", "这房子二十六楼挺高的，视野好",
    "吃饭的地方找好了", "地方已经定好了，就在公司楼下",
    # the single signs the rest explains
    "天天打电话是要逼死人吗，我要投诉", "逼上绝路了你们满意了吧，我去银保监举报",
    "气到想撞墙，你们这什么服务", "笑到想死，这个视频", "打游戏输了，好想死，哈哈开玩笑",
    "医生给我开了安眠药调理睡眠，现在没收入", "真的走投无路了，不是我不想还",
    "人生完了，但我还年轻，可以从头再来", "作业明天交，救命啊",
    "人要是死了卡里的欠款谁还？我爸那边有张卡", "你们死了都不放过欠债的",
    "谢谢你们帮我延期，救了我一命", "这次真是救命之恩",
]


test_crisis_is_caught, test_look_alikes_are_no_crisis = round_tests(CRISIS_BY_KIND, look_alikes=LOOK_ALIKES)


@pytest.mark.parametrize("text", ["天天打电话是要逼死人吗，我要投诉", "医生给我开了安眠药调理睡眠，现在没收入",
                                  "打游戏输了，好想死，哈哈开玩笑", "我爸中风住院了，家里没收入"])
def test_a_sign_the_net_explains_also_demotes_the_classifiers_crisis(text):
    assert everyday_context_only(text)
    message = overridden(text, [{"name": "crisis", "confidence": 0.6}, {"name": "complain", "confidence": 0.3}])
    assert message.get(INTENT)["name"] == "complain"


def test_an_explained_sign_with_a_wish_of_ones_own_stays_a_crisis():
    # "逼死人" in a complaint is explained; "我想死" is not.
    assert verdict("天天打电话逼死人了，我要投诉，我真的想死").intent == "crisis"
    assert not everyday_context_only("医生开的安眠药，我想全吃了")


def test_pinyin_with_spaces_is_an_opt_out():
    assert is_stop_request("bu yao zai da dian hua le")
    assert is_stop_request("bie zai fa duan xin")
    assert not is_stop_request("bu yao zai shuo le")
