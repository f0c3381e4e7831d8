"""The supervisors' charts on /reports (console/reports_charts.py) against
the hand-counted fixture of report_charts_support.py, through the console
as a real process: the trend lines' points, the funnel's steps, the heat
map's cells and the reply-time buckets carry the hand-counted figures; the
page loads nothing from outside (no CDN) and runs no inline script."""
from __future__ import annotations

import re

import pytest

from tests.console import report_charts_support as fx
from tests.console import support
from tests.console.support import environ, make_users, running_console


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("report-charts")
    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=fx.NOW):
        fx.seed(db_url)
        make_users(db_url)
        with running_console(workdir, {"DATABASE_URL": db_url, "COLLECTBOT_NOW": fx.NOW,
                                       "RASA_URL": "http://127.0.0.1:9", "RASA_API_TOKEN": "x"}) as url:
            answer = support.signed_in(url, "boss").get(f"/reports?from={fx.START}&to={fx.END}")
            assert answer.status == 200
            yield answer.body


def svg(body: str, cls: str) -> str:
    match = re.search(r'<svg class="chart ' + cls + r'"[^>]*>.*?</svg>', body, re.S)
    assert match, f"no {cls} chart"
    return match.group(0)


def points(chart: str, series: str):
    line = re.search(r'data-series="' + series + r'" points="([^"]+)"', chart)
    return line.group(1).split() if line else []


def test_trend_lines_follow_the_days(page):
    contacts = svg(page, "trend contacts")
    assert len(points(contacts, "联系账户")) == 3
    # The y of each point is proportional to the day's contacts (2, 3, 2).
    ys = [float(p.split(",")[1]) for p in points(contacts, "联系账户")]
    assert ys[0] == ys[2] and ys[1] < ys[0]
    titles = re.findall(r"<title>([^<]+)</title>", contacts)
    assert "2026-11-24 联系账户 3" in titles
    rates = svg(page, "trend rates")
    assert len(points(rates, "本人接触率")) == 3
    assert len(points(rates, "承诺还款率")) == 2  # no right-party contact on 11-25: a gap, not 0 %
    assert len(points(rates, "履约率")) == 2
    titles = re.findall(r"<title>([^<]+)</title>", rates)
    for expected in ("2026-11-23 本人接触率 50.0%", "2026-11-24 本人接触率 66.7%", "2026-11-25 本人接触率 0.0%",
                     "2026-11-23 承诺还款率 100.0%", "2026-11-24 承诺还款率 50.0%",
                     "2026-11-23 履约率 100.0%", "2026-11-24 履约率 0.0%"):
        assert expected in titles, expected


def test_funnel_contacted_verified_promised_kept(page):
    funnel = svg(page, "funnel")
    assert [int(c) for c in re.findall(r'class="step" data-count="(\d+)"', funnel)] == fx.EXPECTED_FUNNEL
    assert "联系账户" in funnel and "本人接触" in funnel and "承诺还款" in funnel and "按时履约" in funnel
    assert "上一步的 75.0%" in funnel and "上一步的 50.0%" in funnel


def test_stage_by_outcome_heat_map(page):
    heat = svg(page, "heatmap")
    cells = {(stage, outcome): int(count) for stage, outcome, count in re.findall(
        r'class="cell" data-stage="([^"]+)" data-outcome="([^"]+)" data-count="(\d+)"', heat)}
    for key, count in fx.EXPECTED_CELLS.items():
        assert cells[key] == count, key
    assert cells[("M1", "退订")] == 0


def test_first_reply_time_distribution(page):
    replies = svg(page, "replies")
    buckets = dict(re.findall(r'class="bucket" data-bucket="([^"]+)" data-count="(\d+)"', replies))
    assert {k: int(v) for k, v in buckets.items()} == fx.EXPECTED_REPLIES
    assert "坐席首次回复时长分布（3 次转人工）" in page


def test_nothing_from_outside_and_no_inline_script(page):
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script>" not in page and " style=" not in page
