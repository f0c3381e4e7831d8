"""The safety net by category (issue 18, second pass against the safety dev set).

Each category the net learned gets phrasings of our own (not the dev set's
sentences), and each new guard gets the look-alikes it protects: a benign
message read as crisis costs a person's time and the cardholder's trust.
"""
import pytest

from bot.core.safety import CERTAIN, assess_crisis, keyword_intent, verdict
from tests.unit.safety_support import round_tests

CRISIS_BY_CATEGORY = {
    "explicit_and_resolve": [
        "今晚就把自己了结掉", "我打算自行了断", "我这种人就该去死", "只有死才能让我解脱", "我恨不得自己去死",
        "我活不过今晚了", "我不该活着", "这人生没什么好留恋的了",
    ],
    "methods": [
        "我想投江", "干脆被车撞死算了",
        "安定片我已经备齐了", "药片一颗一颗都数过了", "每晚省下一片，已经攒起来够了", "刚吞了一大把的药",
        "车停在车库里，发动机一直没熄火", "我开车上了高架，不想再踩刹车了", "我想一头撞向桥墩",
        "又拿打火机烫自己了", "拿开水烫了自己", "车库里的车我一直没想熄火", "这几天一直盯着抽屉里的刀", "🔪🔪 手腕", "手腕上又划了两道",
        "我已经一个礼拜不吃饭了，以后也不准备再吃了",
    ],
    "places": [
        "我躺在铁轨上等着", "人已经躺在铁道上了", "人在立交桥上，往下看", "坐在河堤上，想就这么走下去", "我去湖里，不会再回来了",
        "查了一下全市最高的楼是哪栋", "站台上，等地铁来了我就跳", "我而家喺天台", "喺楼顶跳落去算",
    ],
    "farewells": [
        "我明天不会醒来了", "我要跟这个世界告别了", "我打算永远离开",
        "给我爸留了一封信", "写好了信，压在枕头底下", "再也不会有人来催我了，我马上就要消失了",
        "等你们看到这条的时候，我已经不在了", "过几天就没有我这个人了", "以后你们就再也联系不到我了",
        "我在写绝笔", "桌上有我留的最后一封信", "我跟每个亲人都告了别", "我走之后你们别去找我妈要钱", "事情交代好了我就走", "跟所有朋友都说了再见",
        "谢谢你们这么多年的关照，再见了", "我只盼着明天别醒来就好", "死的方式我已经想好了", "想去陪我过世的外婆",
        "这辈子就到此为止吧",
    ],
    "giving_away": [
        "我的车子钥匙和存款全都留给我妹妹了", "首饰都送人了，反正也戴不着了", "手机里的钱也都转给我哥了",
    ],
    "burden_and_worth": [
        "少了我，家里人日子能过得轻松些", "我没了也没有人会在乎", "不知道自己为什么还要活下去",
        "活着真的一点也不值得", "我对这世界毫无留恋", "我这个人的存在就是一个错误", "我不配活在这个世上",
    ],
    "debt_dies_with_me": [
        "这些债就跟我一起进棺材吧", "人死了债就一笔勾销了吧", "拿命来抵这笔钱", "the money will die with me",
    ],
    "emoji": ["💀", "🩸🩸", "🔫"],
    "pinyin_and_typos": [
        "真的好想si", "我想zisha", "wxs", "bu xiang yao huo le", "xiang si le", "我要tiao河", "子杀算了", "不想伙了", "真的活不下趣了",
    ],
    "english": [
        "I have been stockpiling my meds", "I'm gonna jump tonight", "I bought a rope", "no one will miss me",
        "I wish I were dead", "I took all the pills", "Sorry, this is my last message, goodbye", "bye everyone, thanks for everything",
    ],
    "cantonese": [
        "啲藥我食晒喇", "我走喇，唔会再返嚟", "死咗就唔使還錢", "而家生唔如死",
    ],
}

(test_crisis_is_caught,) = round_tests(CRISIS_BY_CATEGORY)


# The look-alikes the new guards protect, and a sample of the benign words
# near each new category.
BENIGN = [
    # someone else's death, in the news or the neighbourhood
    "新闻里说有个老板跳楼了，唉", "我同事的亲戚自杀了，大家都很难过", "电影里男主角最后跳河了",
    # chores up high, charcoal as a trade, a knife while cooking
    "我在天台晒被子，等下回你", "我在楼顶抽烟，信号差", "烧烤生意不好，木炭也涨价了", "正在切菜，刀在手上，一会回",
    # relief that the debt is over, a message that is only the day's last
    "终于解脱了，欠款全部还清了", "今天最后一条消息，明天再联系", "我要走了，车来了，改天聊",
    # ordinary goodbyes and handing over
    "我托朋友把钱转过去了", "周末去海边玩了两天", "这个月的账我想一次了结",
    # questions about the opt-out keyword are not opt-outs
    "我在桥上堵车了", "我在铁道部门上班", "我站在五楼的阳台上晒衣服", "车在车库里发动不起来",
    "我把钱都转给你们了", "旧衣服都捐了", "我跟大家说了再见，下班了", "我不在了，明天再说", "我应该死心了",
    "😂💀", "信用卡放在桌上了", "我最后一次说，我明天还", "我要开车去深圳，今晚就走",
    "回T退订是什么意思", "我被列入黑名单了吗", "征信黑名单怎么查", "还款日记得通知我", "前机主的事别找我", "退订以后还能收到账单吗", "取消短信提醒要收费吗", "我没拉黑你们的号码啊",
    "我退订的是营销短信，还款提醒照常发", "天天打电话，我要找你们经理",
]


def test_no_look_alike_triggers_the_net():
    triggered = {text: verdict(text) for text in BENIGN if verdict(text) is not None}
    assert triggered == {}


def test_about_others_still_counts_when_the_writer_wants_the_same():
    found = assess_crisis("新闻里有人跳楼了，我也想跳楼")
    assert found is not None and found.tier == CERTAIN


STOP_BY_CATEGORY = {
    "bare_keywords": ["N", "r", "回R", "烦死了，退订", "靠 TD"],
    "notifications": ["把全部的推送通知关闭", "取消我这个号的全部短信", "我选择退出通知服务", "以后我不想再收到了"],
    "dont_contact_whom": ["不要再给我爸打电话了", "别打我老婆电话", "别往这个号码发了", "不要反复发了", "别再找我了"],
    "blocklist_and_threats": ["把这个号加进黑名单", "再发我就投诉", "你们消停一下吧", "我不希望再接到你们的电话", "以后都别找我"],
    "traditional_and_english": ["不要再傳訊息了", "別再傳簡訊給我家人", "quit calling me"],
    "channels": ["把短信关掉", "别再通知我家人了", "公众号别推消息了", "請停止聯絡我的家人", "do not disturb me", "一直在打，停下来好不好"],
}
STOP = [(category, text) for category, texts in STOP_BY_CATEGORY.items() for text in texts]


@pytest.mark.parametrize("category,text", STOP)
def test_every_category_of_opt_out_is_caught(category, text):
    assert keyword_intent(text) == "stop_contact", (category, text, verdict(text))
