"""bench/report.py: given measurements (results.json), report.md has every
section and a row per variant, including our bot on stock Rasa code paths
(issue 15). The numbers are made up; nothing here measures or times."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import report  # noqa: E402
from bench_config import DEFAULT_VARIANTS, VARIANTS  # noqa: E402

SECTION_HEADINGS = [
    "# Benchmark: 催收助手 vs stock Rasa",
    "## Summary",
    "## Targets",
    "## NLU quality (development set and blind held-out sets)",
    "## Dialogue quality (tests/stories)",
    "## Speed (REST channel, scripted collection conversations)",
    "### Voice: one call turn",
    "## Cost",
    "## Where the time goes",
    "## Changes adopted, and what is left",
    "## How to reproduce",
]


def level(p50: float, p95: float, p99: float, msg_s: float, messages: int = 48) -> dict:
    return {"messages": messages, "latency_ms": {"p50": p50, "p95": p95, "p99": p99},
            "throughput_msg_s": msg_s, "errors": 0, "expectation_failures": 0}


def stack(msg_s_32: float, p95_1: float, rss: float = 650.0, *, switch=None) -> dict:
    data = {
        "levels": {"1": level(40, p95_1, p95_1 + 5, 25.0), "8": level(190, 330, 410, 34.0, 144),
                   "32": level(830, 1300, 1450, msg_s_32, 384)},
        "memory": {"rasa": {"peak_rss_mb_sum": rss, "processes": 1}, "actions": {"peak_rss_mb_sum": 130.0, "processes": 1}},
        "startup_s": 20.0, "actions_startup_s": 5.0, "lost_action_calls": 0,
    }
    if switch is not None:
        data["patches_switch"] = switch
    return data


def nlu(f1: float) -> dict:
    """One model scored on the development set (bench/measure_nlu.py's shape)."""
    ents = {e: {"precision": f1, "recall": f1, "f1": f1, "support": 10} for e in ("amount", "date", "duration", "months", "id_last4")}
    dev = {"set": "tests/nlu (development)", "kind": "development", "blind": False, "n": 312, "accuracy": 0.95,
           "macro_f1": 0.952, "crisis_recall": 1.0, "crisis_support": 12, "stop_contact_recall": 1.0,
           "stop_contact_support": 12, "false_crisis": 0.0, "non_crisis": 300, "entity_micro_f1": f1,
           "entity_precision": f1, "entity_recall": f1, "entity_support": 50, "entities": ents,
           "confused_pairs": [{"intent": "greet", "predicted": "affirm", "count": 1}]}
    return {"model": "m.tar.gz", "sets": [dev]}


def results(**speed_extra) -> dict:
    switch = {"set": "off", "read_by": ["bot/rasa_server/__init__.py"],
              "log_lines": ["Rasa patches off (COLLECTBOT_RASA_PATCHES=off): stock Rasa code paths"]}
    speed = {
        "ours": stack(40.0, 60.0),
        "baseline": stack(35.0, 37.0, rss=1400.0),
        "variants": {"stock-rasa-paths": stack(20.0, 120.0, rss=640.0, switch=switch),
                     "rasa-sql-tracker": stack(28.0, 80.0)},
    }
    speed.update(speed_extra)
    msg = {"kind": "promise", "step": 0, "text": "你好", "total_ms": 50.0, "as_scripted": True,
           "action_calls": ["action_session_start", "action_greet"],
           "parts_ms": {"nlu": 6.0, "action_server": 15.0, "action_response_check": 1.0,
                        "tracker_load": 2.0, "tracker_save": 2.0, "rest": 24.0}}
    return {
        "started": "2026-12-03T19:00:00+00:00", "argv": [], "duration_s": 1200.0,
        "machine": {"nproc": 2, "cpu": "AMD EPYC", "mem_gb": 24.0, "load_start": [0.5, 0.5, 0.5], "load_end": [0.6, 0.5, 0.5]},
        "git": {"commit": "abc1234", "dirty": False}, "model_ours": "bot/models/m.tar.gz", "model_stale": [],
        "conversations": {"1": 8, "8": 24, "32": 64}, "accounts": 160,
        "train": {"ours": {"seconds": 55.0, "peak_rss_mb": 900.0}, "baseline": {"seconds": 467.0, "peak_rss_mb": 1400.0,
                                                                              "misaligned_entity_warnings": 229}},
        "model_size_mb": {"ours": 0.9, "baseline": 93.4},
        "nlu": {"ours": nlu(1.0), "baseline": nlu(0.0)},
        "core": {"stories": 18, "failed": 0, "failed_stories": [], "passed_share": 1.0, "action_macro_f1": 1.0},
        "speed": speed,
        "profile": {"messages": [msg], "mean_total_ms": 50.0, "mean_parts_ms": dict(msg["parts_ms"]),
                    "action_calls_per_message": 2.0, "mean_action_request_kb": 14.6, "action_proxy_ms_mean": 7.5,
                    "action_direct_ms_mean": 6.0, "response_check_stock_ms_mean": 70.0,
                    "response_check_cached_ms_mean": 1.67, "jsonschema": "4.17.3",
                    "tracker_stores": {"sql": {"load_ms": 2.0, "save_ms": 2.1}, "rasa_sql": {"load_ms": 8.0, "save_ms": 8.9},
                                       "memory": {"load_ms": 1.0, "save_ms": 1.3}}},
    }


def write(res: dict, tmp_path: Path) -> str:
    return report.write_report(res, [], tmp_path)


def test_report_has_every_section_in_order(tmp_path):
    text = write(results(), tmp_path)
    positions = [text.find("\n" + h + "\n") if not h.startswith("# ") else text.find(h) for h in SECTION_HEADINGS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(SECTION_HEADINGS, positions) if p < 0]
    assert positions == sorted(positions)


def test_speed_table_has_a_row_per_level_for_each_stack_and_variant(tmp_path):
    text = write(results(), tmp_path)
    for name in ("ours", "baseline", "variant same bot on stock Rasa code paths", "variant rasa-sql-tracker"):
        for c in (1, 8, 32):
            assert re.search(rf"^\| {re.escape(name)} \| {c} \| ", text, re.M), (name, c)
    # Its row carries its own numbers: 20 msg/s and p95 120 ms at 1 conversation.
    assert "| variant same bot on stock Rasa code paths | 32 | 384 | 830 | 1300 | 1450 | 20.00 | 0 | 0 |" in text
    assert "| variant same bot on stock Rasa code paths | 1 | 48 | 40 | 120 | 125 | 25.00 | 0 | 0 |" in text


def test_report_says_what_the_patches_buy_on_our_own_bot(tmp_path):
    text = write(results(), tmp_path)
    speed = text[text.index("## Speed"):text.index("## Cost")]
    assert "**same bot on stock Rasa code paths** (`stock-rasa-paths`)" in speed
    para = next(line for line in speed.splitlines() if line.startswith("**What the patches buy on our own bot**"))
    ours, alone = para.split("ours (patches on, our tracker store): ")[1].split("`rasa-sql-tracker` (patches on")
    # ours 40 msg/s at 32 against 20 on stock code paths; p95 at 1: 120 → 60 ms.
    assert "@32: 2.00× the throughput" in ours
    assert "@1: 1.00× the throughput, p95 120 → 60 ms" in ours
    # The patches alone (both on Rasa's SQL store): 28 against 20 msg/s, p95 120 → 80 ms.
    assert "@32: 1.40× the throughput" in alone
    assert "p95 120 → 80 ms" in alone
    assert "COLLECTBOT_RASA_PATCHES=off" in para
    assert "Rasa patches off (COLLECTBOT_RASA_PATCHES=off)" in para  # the server's own word for it
    changes = text[text.index("## Changes adopted"):]
    assert "(ours / same bot on stock Rasa code paths): throughput @32 2.00×, p95 @1 0.50×" in changes


def test_report_warns_when_no_module_reads_the_patches_switch(tmp_path):
    res = results()
    res["speed"]["variants"]["stock-rasa-paths"]["patches_switch"] = {"set": "off", "read_by": [], "log_lines": []}
    text = write(res, tmp_path)
    assert "**Caution:** no module of bot/ mentions COLLECTBOT_RASA_PATCHES" in text


def test_voice_hook_prints_why_nothing_was_measured(tmp_path):
    text = write(results(voice={"reason": "channels/voice.py is not in this checkout"}), tmp_path)
    voice = text[text.index("### Voice: one call turn"):text.index("## Cost")]
    assert "Not measured: channels/voice.py is not in this checkout." in voice
    assert "bench/measure_voice.py" in voice


def test_voice_hook_prints_a_measured_turn(tmp_path):
    measured = {"levels": {"1": {"turns": 30, "latency_ms": {"p50": 210.0, "p95": 340.0, "p99": 400.0}, "errors": 0,
                               "off_script": 1}},
                "about": "Twilio voice webhook, one call at a time."}
    text = write(results(voice=measured), tmp_path)
    voice = text[text.index("### Voice: one call turn"):text.index("## Cost")]
    assert "- 1 call(s) at once: 30 turns, p50 210 ms, p95 340 ms, p99 400 ms, errors 0, off-script 1." in voice
    assert "Not measured" not in voice
    assert "voice turn p95 340 ms" in report.history_entry(results(voice=measured))


def test_report_carries_no_dated_narrative(tmp_path):
    """The dated account of past changes lives in bench/history.md, not in every report."""
    text = write(results(), tmp_path)
    dates = set(re.findall(r"20\d\d-\d\d-\d\d", text))
    assert dates == {"2026-12-03"}  # the run's own date only
    assert "session 3" not in text
    history = (BENCH / "history.md").read_text("utf-8")
    assert "## Changes adopted, and what was left (2026-11-29)" in history
    assert "stock-rasa-paths" in history


def test_history_entry_names_each_variant():
    entry = report.history_entry(results())
    assert entry.startswith("- 2026-12-03 19:00 — run.py (full) — 2 × AMD EPYC")
    assert "stock-rasa-paths: p95@1 120 ms, msg/s@32 20.00, lost 0" in entry
    assert "rasa-sql-tracker: p95@1 80 ms, msg/s@32 28.00" in entry


def test_the_stock_code_paths_variant_runs_by_default_with_the_switch_off_and_rasas_sql_store():
    assert "stock-rasa-paths" in DEFAULT_VARIANTS
    v = VARIANTS["stock-rasa-paths"]
    assert v["env"] == {"COLLECTBOT_RASA_PATCHES": "off"}
    assert v["tracker"] == "rasa-sql"


@pytest.mark.parametrize("tracker,expected", [("rasa-sql", "type: SQL\n"), ("sql", None)])
def test_variant_endpoints_name_rasas_sql_store_or_the_products(tmp_path, tracker, expected):
    import measure_speed
    from stack import product_endpoint_types

    text = measure_speed.endpoints_yaml("http://127.0.0.1:1/webhook", tracker, "x.Broker", None, tmp_path)
    if expected:
        assert expected in text
    else:
        assert f"type: {product_endpoint_types()['tracker_store']}\n" in text


def test_bench_env_points_action_server_url_at_the_stacks_own_server(monkeypatch):
    from stack import bench_env

    # A developer's shell must not leak into a measurement: neither another
    # stack's action server nor a switched-off patch set.
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("COLLECTBOT_RASA_PATCHES", "off")
    env = bench_env("sqlite:///x.db", action_url="http://127.0.0.1:17123/webhook")
    assert env["ACTION_SERVER_URL"] == "http://127.0.0.1:17123/webhook"
    assert "COLLECTBOT_RASA_PATCHES" not in env
    assert "ACTION_SERVER_URL" not in bench_env()
    assert bench_env(COLLECTBOT_RASA_PATCHES="off")["COLLECTBOT_RASA_PATCHES"] == "off"
