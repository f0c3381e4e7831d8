import pytest

from bot.core.safety import keyword_intent


@pytest.mark.parametrize(
    "text",
    ["我不想活了", "活着没意思 还不上就去死", "想自杀", "我要跳楼", "吃安眠药算了", "一了百了吧", "真的活不下去了😭"],
)
def test_crisis_wording_forces_crisis(text):
    assert keyword_intent(text) == "crisis"


@pytest.mark.parametrize("text", ["TD", "td", "退订", "STOP", "stop", " 取消 ", "别再给我发短信了", "不要再联系我"])
def test_opt_out_wording_forces_stop_contact(text):
    assert keyword_intent(text) == "stop_contact"


@pytest.mark.parametrize(
    "text", ["我明天还三千", "能分期吗", "td是什么意思我想问一下账单", "取消分期怎么办理", "你好", "我失业了"]
)
def test_ordinary_messages_keep_the_model_prediction(text):
    assert keyword_intent(text) is None


def test_crisis_wins_over_opt_out():
    assert keyword_intent("别再给我发了 我不想活了") == "crisis"
