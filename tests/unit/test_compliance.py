import pytest

from bot.core.compliance import FORBIDDEN_TERMS, find_forbidden, is_clean


def test_list_is_substantial_and_unique():
    assert len(FORBIDDEN_TERMS) >= 30
    assert len(set(FORBIDDEN_TERMS)) == len(FORBIDDEN_TERMS)
    assert all(term and term == term.strip() for term in FORBIDDEN_TERMS)


@pytest.mark.parametrize(
    "term",
    ["坐牢", "拘留", "判刑", "抓你", "警察上门", "上门催收", "通知你家人", "通知你单位",
     "联系你的家人", "联系你的单位", "通讯录", "曝光", "老赖", "骗子", "废物", "不要脸",
     "后果自负", "走着瞧"],
)
def test_required_terms_present(term):
    assert term in FORBIDDEN_TERMS


def test_death_threats_are_listed_as_threats():
    assert {"去死", "弄死你", "不得好死"} <= set(FORBIDDEN_TERMS)
    # The bare character would block factual wording about a deceased cardholder.
    assert "死" not in FORBIDDEN_TERMS
    assert is_clean("如持卡人已身故，请家属携带死亡证明到网点办理。")


@pytest.mark.parametrize("term", FORBIDDEN_TERMS)
def test_every_term_is_found_in_a_sentence(term):
    assert term in find_forbidden(f"我告诉你，{term}，明白吗")
    assert not is_clean(term)


@pytest.mark.parametrize(
    "text",
    [
        "再不还钱你就等着坐牢吧",
        "坐 牢",
        "坐　牢",  # full-width (ideographic) space
        "坐*牢",
        "坐＊牢",  # full-width asterisk
        "坐，牢",
        "坐、牢",
        "坐.牢",
        "坐\n牢",
        "坐\t 牢",
        "坐\u200b牢",  # zero-width space
        "坐…牢",
        "坐——牢",
        "坐🙂牢",
        "“坐”“牢”",
        "坐 - _ - 牢",
    ],
)
def test_spaced_or_punctuated_terms_are_caught(text):
    assert find_forbidden(text) == ["坐牢"]
    assert not is_clean(text)


def test_multiple_terms_reported_once_in_list_order():
    text = "老赖！再不还就通知你家人，曝光你，老赖，后果自负"
    found = find_forbidden(text)
    assert found == [t for t in FORBIDDEN_TERMS if t in {"老赖", "通知你家人", "曝光", "后果自负"}]
    assert len(found) == 4


def test_punctuated_multi_char_term():
    assert find_forbidden("我们会 通-知 你 家·人") == ["通知你家人"]


@pytest.mark.parametrize(
    "text",
    [
        "我们不会因此与您以外的任何人讨论您的账户",
        "如实告知您：逾期会按合同计收利息和违约金，逾期记录会按规定报送至人民银行征信系统，"
        "可能影响您今后申请贷款和信用卡。我们不会因此与您以外的任何人讨论您的账户。",
        "您好，请问您近期方便安排还款吗？如有困难，我们可以一起看看分期或延期方案。",
        "已为您办理延期，新的还款日为2026年2月9日，请在该日期前完成还款。",
        "理解您现在心情不好。我们希望好好沟通，一起找到适合您的解决办法。",
        "",
    ],
)
def test_clean_text_passes(text):
    assert find_forbidden(text) == []
    assert is_clean(text)


def test_none_is_treated_as_empty():
    assert is_clean(None)
