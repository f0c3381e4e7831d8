"""Scores and the candidate/current comparison of the workbench (plain Python)."""
import pytest

from console.training.evaluate import compare, score


def result(text, expected, predicted, expected_entities=(), predicted_entities=()):
    return {"text": text, "expected": expected, "predicted": predicted, "confidence": 0.5,
            "expected_entities": [list(e) for e in expected_entities],
            "predicted_entities": [list(e) for e in predicted_entities]}


CURRENT = [
    result("a1", "a", "a"), result("a2", "a", "b"), result("b1", "b", "b"), result("b2", "b", "b"),
    result("m", "promise", "promise", [(0, 2, "amount")], [(0, 2, "amount")]),
    result("n", "promise", "promise", [(3, 5, "date")], [(3, 6, "date")]),
]


def test_score_per_intent_macro_f1_entities_and_confusions():
    s = score(CURRENT)
    assert s["per_intent"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert s["per_intent"]["b"]["precision"] == pytest.approx(2 / 3) and s["per_intent"]["b"]["recall"] == 1.0
    assert s["intent_macro_f1"] == pytest.approx((2 / 3 + 0.8 + 1.0) / 3)
    assert s["confusions"] == [{"expected": "a", "predicted": "b", "count": 1}]
    assert s["errors"] == [{"text": "a2", "expected": "a", "predicted": "b", "confidence": 0.5}]
    # exact spans: one hit, one wrong span (a false positive and a miss)
    assert s["entity_f1"] == pytest.approx(0.5)
    assert s["per_entity"]["amount"]["f1"] == 1.0 and s["per_entity"]["date"]["f1"] == 0.0


def test_compare_reports_what_got_better_and_worse():
    candidate = [
        result("a1", "a", "a"), result("a2", "a", "a"), result("b1", "b", "a"), result("b2", "b", "b"),
        *CURRENT[4:],
    ]
    c = compare(score(CURRENT), score(candidate))
    assert c["worse_confusions"] == [{"expected": "b", "predicted": "a", "current": 0, "candidate": 1}]
    assert c["better_confusions"] == [{"expected": "a", "predicted": "b", "current": 1, "candidate": 0}]
    rows = {r["intent"]: r for r in c["per_intent"]}
    assert rows["a"]["delta_f1"] == pytest.approx(0.8 - 2 / 3)
    assert rows["promise"]["delta_f1"] == 0
    assert c["not_worse"] is True  # macro-F1 unchanged: 0.8, 0.8, 1.0 vs 2/3, 0.8, 1.0 → better


def test_a_lower_macro_f1_or_entity_f1_is_worse():
    worse = [result("a1", "a", "b"), *CURRENT[1:]]
    c = compare(score(CURRENT), score(worse))
    assert c["not_worse"] is False and c["worse_reasons"][0].startswith("意图宏平均F1下降")
    entity_worse = [*CURRENT[:4], result("m", "promise", "promise", [(0, 2, "amount")], []), CURRENT[5]]
    c = compare(score(CURRENT), score(entity_worse))
    assert c["not_worse"] is False and any(r.startswith("实体F1下降") for r in c["worse_reasons"])
    assert compare(score(CURRENT), score(CURRENT))["not_worse"] is True
