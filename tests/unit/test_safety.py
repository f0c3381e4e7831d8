import pytest

from bot.core.safety import keyword_intent


@pytest.mark.parametrize(
    "text",
    ["我不想活了", "活着没意思 还不上就去死", "想自杀", "我要跳楼", "吃安眠药算了", "一了百了吧", "真的活不下去了😭",
     "药都攒好了，就这样吧", "我已经站在楼顶了", "还不上就自我了断", "<b>不想活了</b>"],
)
def test_crisis_wording_forces_crisis(text):
    assert keyword_intent(text) == "crisis"


@pytest.mark.parametrize("text", ["TD", "td", "退订", "STOP", "stop", " 取消 ", "别再给我发短信了", "不要再联系我",
                                  "以后别给我打电话", "请删除我的号码", "<i>退订</i>"])
def test_opt_out_wording_forces_stop_contact(text):
    assert keyword_intent(text) == "stop_contact"


@pytest.mark.parametrize(
    "text", ["我明天还三千", "能分期吗", "td是什么意思我想问一下账单", "取消分期怎么办理", "你好", "我失业了"]
)
def test_ordinary_messages_keep_the_model_prediction(text):
    assert keyword_intent(text) is None


def test_crisis_wins_over_opt_out():
    assert keyword_intent("别再给我发了 我不想活了") == "crisis"


@pytest.mark.parametrize(
    "text",
    ["<script>window.__pwned=1</script><b>x</b>", "<img src=x onerror=alert(1)>", "<div>hello</div>",
     "<script>alert('我要分期')</script>"],
)
def test_markup_without_chinese_outside_it_is_not_understood(text):
    # Whatever the classifier guesses for markup (once "complaint", which
    # paused the chat for an agent) must not drive the conversation.
    assert keyword_intent(text) == "nlu_fallback"


@pytest.mark.parametrize("text", ["<b>我想分期</b>", "a<b 我明天还", "1<2 我能还500", "ok"])
def test_chinese_outside_markup_keeps_the_model_prediction(text):
    assert keyword_intent(text) is None
