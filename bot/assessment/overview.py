"""What supervisors see of the assessment across the portfolio (issue 13):
the segment mix over time, kept rate by the segment an account was in when
it made a promise or plan (and that segment's configured treatment), and
how many accounts show each evasion signal now. Used by the console's
overview (console/assessment_view.py) and ``collectbot assessment mix``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Dict

from bot.core import assessment as core
from bot.core import evasion


def overview(s, today: date, days: int) -> Dict[str, Any]:
    """Segment mix at the end of each week of the period (oldest first),
    kept rate by the segment an account was in when it made a promise or
    plan, and how many accounts show each signal now."""
    from bot.assessment import treatments
    from bot.db import assessments

    step = 1 if days <= 14 else 7
    points = sorted({today - timedelta(days=d) for d in range(0, days + 1, step)})
    mix = assessments.segment_mix(s, points)
    kept = assessments.kept_by_segment(s)
    try:
        table = treatments.load()
    except treatments.TreatmentConfigError:
        table = {}
    return {
        "segments": [{"code": seg, "label": core.SEGMENT_LABELS[seg]} for seg in core.SEGMENTS],
        "mix": [{"day": day.isoformat(), "counts": mix[day]} for day in points],
        "kept_by_segment": [
            {"segment": seg, "label": core.SEGMENT_LABELS[seg], "kept": kept[seg][0], "resolved": kept[seg][1],
             "treatment": table[seg].summary() if seg in table else None}
            for seg in core.SEGMENTS
        ],
        "signals": [
            {"code": code, "label": evasion.SIGNAL_LABELS[code], "accounts": n}
            for code, n in assessments.signal_counts(s).items()
        ],
        "not_a_decision": evasion.NOT_A_DECISION,
    }
