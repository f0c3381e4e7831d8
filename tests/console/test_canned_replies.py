"""Canned replies (console/canned.py): the configured list passes its own
rules, and a reply a cardholder could misread is refused when it loads."""
from __future__ import annotations

import pytest

from console import canned


def test_the_configured_list_is_complete_polite_chinese():
    replies = canned.load()
    assert len(replies) >= 5
    for r in replies:
        assert canned.problems(r["text"]) == [], r
        assert r["text"][-1] in "。！？"
        assert "退订" not in r["text"]  # the server adds 回T退订 to agent SMS itself


@pytest.mark.parametrize(
    "text, problem",
    [
        ("您好{name}，请尽快还款。", "占位符"),
        ("您的还款金额为XX元。", "占位符"),
        ("好的，请稍候……", "占位符"),
        ("感谢您的配合，回T退订", "退订"),
        ("好的，我马上为您处理", "结尾"),
        ("再不还钱就让你坐牢。", "禁止"),
        ("", "为空"),
    ],
)
def test_a_reply_that_could_be_misread_is_refused(text, problem):
    assert any(problem in p for p in canned.problems(text)), canned.problems(text)


def test_a_bad_file_stops_the_load(tmp_path):
    path = tmp_path / "canned.yml"
    path.write_text("- key: a\n  title: 问候\n  text: 您好，{name}。\n", encoding="utf-8")
    with pytest.raises(canned.CannedReplyError, match="占位符"):
        canned.load(path)
    path.write_text("- key: a\n  title: 问候\n  text: 您好。\n- key: a\n  title: 又是\n  text: 您好。\n", encoding="utf-8")
    with pytest.raises(canned.CannedReplyError, match="不可重复"):
        canned.load(path)
