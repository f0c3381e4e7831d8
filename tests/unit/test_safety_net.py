"""The recall-first safety net (issue 18): every crisis and opt-out form the
blind testers found missing, and ordinary collection and banking messages
that must not trigger it."""
import pytest

from bot.core.safety import CERTAIN, POSSIBLE, assess_crisis, is_crisis, is_stop_request, keyword_intent, verdict

# Explicit intent, methods with intent, places, farewells with finality,
# belongings given away, "not worth living", English, traditional, pinyin,
# and crisis at the end of a long story about money.
CERTAIN_CRISIS = [
    # methods with intent
    "烧炭算了", "燒炭算了", "我已经买好炭了 门窗都封上了", "安眠药攒了一瓶", "我攒了一瓶安眠药", "安眠藥攢了一瓶",
    "药都攒好了，就这样吧", "我把药全吃了", "吞了一整瓶药", "农药我已经买了", "绳子已经挂好了", "准备好了绳子",
    "我买了刀片", "我要跳楼", "我现在就去卧轨", "我想从这跳下去", "我想跳江", "我喝药算了",
    # places
    "我站在天台上", "我站在天台上了", "我已經站在天台上了", "我现在在楼顶", "我爬上楼顶了", "我一个人站在江边",
    "我坐在桥上", "我站在窗台上",
    # farewells with finality
    "这是最后一次联系你们了", "這是最後一次聯繫你們了", "照顾好我妈", "照顧好我媽", "我走了，照顾好我妈",
    "帮我照顾好我女儿", "你们以后再也找不到我了", "永别了", "再见了这个世界", "我已经写好遗书了", "后事都安排好了",
    "等我不在了 你们就去找我爸要钱吧", "下辈子见吧", "对不起了爸妈 下辈子再报答你们",
    # giving things away
    "我的东西都送人了", "我把东西都分给朋友了", "存款都留给我儿子了", "把猫托付给邻居了",
    # explicit and not worth living
    "我不想活了", "不想活了", "活着没意思", "活著沒意思", "活着有什么意义", "活着还有什么意思", "我活着就是个累赘",
    "没有我大家都会更好", "我死了家里就轻松了", "想自杀", "我想死", "真的好想死啊", "一了百了吧", "死了算了",
    "还不上就自我了断", "我想zs", "不想再醒来了", "我不配活着", "我真係唔想活了",
    # English
    "I want to end it all", "i want to kill myself", "Kill myself", "I'm going to kill myself tonight",
    "I just want to die", "life is not worth living", "everyone is better off without me", "I don't want to live anymore",
    "thinking about suicide", "this is goodbye, you will never hear from me again",
    # at the end of a long story about money
    "我去年做生意亏了二十多万，信用卡欠了八万，网贷也有好几笔，老婆带孩子回娘家了，每天都有人打电话催，"
    "工资一个月才三千多，利息比本金涨得还快，我真的不知道怎么办了，安眠药我已经攒了一瓶",
    "我上个月失业了，房租交不起，三张卡都逾期了，你们一天打五个电话，我爸妈也知道了，我现在站在天台上",
    "本来说发了工资就还，结果公司拖欠工资，我也没办法，借了朋友的钱还了一部分，现在朋友也不理我了，"
    "这是最后一次联系你们了，照顾好我妈",
    # two ambiguous signs together
    "我真撑不下去了 想结束一切", "活着好累 撑不下去了", "再也不用还钱了 因为我要走了",
    # Cantonese, pinyin, mixed English, what an attempt looks like
    "我唔想再生存落去", "真係好想死", "wo bu xiang huo le", "我想die", "I'm done with life", "我想睡很久很久不醒",
    "明天的太阳我看不到了", "我把遗嘱写好了", "买了一瓶百草枯", "感觉活着没有任何意义", "你们逼我 我只能用命还了",
    "我要去见我爸了 他在天上等我", "药已经吃下去了", "手腕上都是血", "我在医院洗胃", "刚跳下去被人救了",
]

# Ambiguous: the bot checks in gently instead of carrying on.
POSSIBLE_CRISIS = [
    "活着好累", "活著好累", "活得好累啊", "撑不下去了", "真的撑不住了", "一切都结束吧", "让一切都结束吧",
    "安眠药", "家里有农药", "忙得不想活了", "累得想死", "还让不让人活了", "你们要逼死我吗", "我在江边",
    "我一个人在河边坐了一晚上", "生无可恋", "这日子走投无路了", "对不起我妈", "下辈子再还吧", "我就是家里的累赘",
    "我想消失", "🔪", "😭😭🔪", "I can't go on", "I can't take it anymore", "tired of living", "人间不值得", "活着就是受罪",
    "这是我最后一条消息", "我把银行卡密码写给我老婆了", "我把狗送人了", "以后不会再麻烦你们了", "有人能救救我吗",
]

STOP = [
    # every SMS convention and its variants
    "T", "t", "TD", "td", "Td", "tD", "T。", "td!", "ＴＤ", "Ｔ", "回T退订", "回TD退订", "回复TD退订", "回t退订", "TD退订",
    "T退订", "退订", "退訂", "退定", "退订退订", "退订谢谢", "我要退订", "取消订阅", "取消訂閱", "取消", "unsubscribe",
    "Unsubscribe", "STOP", "stop", "Stop!", "STOP STOP", "Stop please", "STOPALL", "td td",
    "收到，回T退订", "怎么退订",
    # do-not-disturb phrasing
    "别再骚扰我", "別再騷擾我了", "不要再骚扰我了", "勿扰", "请勿打扰", "免打扰", "别打扰我", "别烦我了",
    "别再发了", "不要再发短信了", "别给我打电话", "以后别联系我", "不要联系我家人", "不要再给我家人打电话了",
    "请删除我的号码", "把我从名单里删掉", "拉黑你们", "不想再收到你们的短信", "停止发送", "停发",
    "别催了", "别再催了 烦死了",
    # Cantonese
    "唔好再send啦", "唔好再搵我", "唔好再打嚟", "咪再打电话畀我", "唔好再發短信", "唔想再收到你哋啲短信",
    # complaints about being messaged every day
    "你们天天发短信烦不烦", "每天都打电话，有完没完", "一天打五六个电话谁受得了", "能不能别天天发了", "一直发个不停",
    "天天催天天催 烦死了", "短信轰炸",
    # English
    "stop texting me", "Please stop calling me", "don't text me again", "no more messages", "opt me out",
    "remove my number", "别再call我了", "不要再send了",
    # more of the same, found while writing the training examples
    "我拒绝接收", "停止服务", "我不需要这些短信", "短信太多了", "我要屏蔽你们", "别来烦我", "以后别打这个号码了",
    "停止对我的骚扰", "不接受短信", "我已经拉黑了 别换号打", "我要取消这个短信订阅", "别tm打了", "唔好再WhatsApp我",
    "唔該唔好再打俾我", "please don't contact me", "UNSUBSCRIBE ME", "TD TD TD", "退订！",
    # an angry opt-out with a figure of speech is still an opt-out
    "天天打电话逼死人了 别打了",
]

# Ordinary collection and banking messages: none may trigger either net.
BENIGN = [
    "我明天还三千", "能分期吗", "td是什么意思我想问一下账单", "取消分期怎么办理", "你好", "我失业了",
    "我的卡丢了要挂失", "信用卡能提额吗", "我想销卡", "销卡之前要把欠款还清吗", "APP死机了还不了款", "手机卡死了转账没成功",
    "笑死，你们这利息", "笑死我了", "关闭账户需要什么手续", "我想结束分期提前还清", "分期结束了吗", "不想还了",
    "我就是不想还了，爱咋咋地", "死也不还", "你们爱怎么告就怎么告", "上班累死了，晚点再说", "最近忙死了", "气死我了，多扣了我利息",
    "我爸去世了，他的信用卡欠款谁来还", "持卡人去世了，欠款怎么处理", "我妈生病住院了，药费花了好几万", "这个月煤气费都交不起了",
    "最后还款日是哪天", "最后一期什么时候还", "这是最后一笔了，还完就结清了吧", "我会照顾好我妈的，钱我慢慢还",
    "为了照顾好孩子我辞职了", "我在江边开了个小店，生意不好", "跳楼价甩卖也卖不出去", "下个月发了工资就还",
    "账单金额不对，我要核实", "不是我本人消费的", "我要投诉你们的催收员", "转人工", "你是机器人吗", "逾期会影响征信吗",
    "怎么还款，支付宝可以吗", "我已经还了五千了", "能不能减免利息", "能宽限一个月吗", "我每个月能还一千",
    "我一直在还，只是还得慢", "每天都在想办法凑钱", "我天天打工还钱", "我每天都打了卡上班", "T+1到账吗", "转账显示T+1",
    "好的", "嗯嗯", "谢谢", "是我", "不是", "1234", "我下周五还", "钱转过去了，你查一下", "能不能少发点", "别催了 我会还的",
    "别催了，我明天就还", "发工资了就还", "别发愁，总有办法的", "不用联系客服吗", "我卡被冻结了怎么办", "额度用完了",
    "最低还款是多少", "我想问一下这张卡的年费", "账户安全吗", "早上好", "我老婆不知道这件事 能不能别告诉她",
    "我的结婚纪念日快到了，想先给老婆买个礼物", "帮我查一下还剩多少没还", "利息太高了 还不起", "做生意亏了 真的没钱",
    "公司倒闭了 工资也没发", "我下岗了 等找到工作再还", "孩子上学要交学费", "我去世的父亲留下的卡怎么注销",
    "生不生气的我都要还", "这钱我认，给我点时间", "麻烦你们发一下账单明细", "能发个还款账号给我吗", "再发一遍验证码",
    "怎么关闭短信提醒的收费", "这个号码是我新办的 不认识这个人 麻烦把号码删了", "我爸的遗嘱里没提这张卡",
    "转账截图要不要发给你", "这是我的棺材本", "周末去江边钓鱼了", "我已经跟家人说了 他们帮我还",
    # answers to a booking's "confirm?": cancelling the booking is no opt-out
    "取消吧", "那就取消了", "退款什么时候到", "退出",
]


@pytest.mark.parametrize("text", CERTAIN_CRISIS)
def test_certain_crisis(text):
    found = assess_crisis(text)
    assert found is not None and found.tier == CERTAIN, (text, found)
    assert keyword_intent(text) == "crisis"


@pytest.mark.parametrize("text", POSSIBLE_CRISIS)
def test_possible_crisis_is_crisis_that_asks_first(text):
    found = assess_crisis(text)
    assert found is not None and found.tier == POSSIBLE, (text, found)
    # Still the crisis intent: the crisis action asks before it hands over.
    assert verdict(text).intent == "crisis" and verdict(text).tier == POSSIBLE


@pytest.mark.parametrize("text", STOP)
def test_opt_out(text):
    assert keyword_intent(text) == "stop_contact", (text, verdict(text))


def test_the_benign_list_is_long_enough():
    assert len(BENIGN) >= 60


def test_no_benign_message_triggers_the_safety_net():
    triggered = {text: verdict(text) for text in BENIGN if verdict(text) is not None}
    assert triggered == {}


def test_crisis_wins_over_opt_out_and_the_sms_channel_leaves_it_to_the_crisis_flow():
    text = "别再给我发了 我真的撑不下去了"
    assert is_stop_request(text)
    assert is_crisis(text) and keyword_intent(text) == "crisis"
    from bot.core.sms import is_opt_out

    assert not is_opt_out(text)


def test_a_figure_of_speech_does_not_swallow_an_opt_out():
    text = "天天打电话逼死人了 别打了"
    assert verdict(text).intent == "stop_contact"
    assert verdict("你们要逼死我吗").intent == "crisis"


def test_the_verdict_names_the_patterns_for_the_trainers():
    found = verdict("安眠药攒了一瓶")
    assert found.tier == CERTAIN and "method" in found.rules
    assert verdict("TD").rules == ()
