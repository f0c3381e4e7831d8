"""Campaign steps made by phone (issue 17).

``voice_steps`` in the campaign file (bot/campaign/config.py) names the
steps the daily run makes as an automated call instead of an SMS or an
agent's task, e.g. ``voice_steps: [agent_call]`` (stage 3, personal
contact). The runner (bot/campaign/runner.py) hands such a step to
`call_step`, which places the call through bot/voice/calls.py: the call
guard (quiet hours, the unanswered-attempt cap, opt-outs from calls or SMS,
dispute, wrong party) decides first.

- placed: the step is recorded as ``sent`` on channel ``voice`` with the
  CallSid; how it went (answered, machine, no answer, duration) arrives
  through the status callbacks into the contact log, on the account;
- refused for quiet hours: nothing recorded as done, so the next run (in
  allowed hours) calls; the refusal is in ``outbound_blocks``;
- refused for any other reason: recorded as dropped, like an SMS.

Calls are counted apart from SMS (``call_*`` keys of the run's outcomes,
never the SMS counts nor the SMS-per-step figures): `summary_line` is the
summary's line about them, and the refusals' reasons are in the run's
blocked counts with the SMS ones (labels: bot/core/campaign.BLOCK_REASON_LABELS).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from bot.core import guard
from bot.db.campaign import log_block
from bot.voice import calls

CALL_TEXT = "电话外呼"
# The run's outcome keys for calls.
CALLED = "call_placed"
CALL_QUEUED = "call_queued"  # refused for now (quiet hours): the next run calls
CALL_DROPPED = "call_dropped"  # refused: opt-out, cap, dispute, wrong party, not configured
CALL_FAILED = "call_failed"  # allowed, but Twilio refused or could not be reached
CALL_OUTCOMES = (CALLED, CALL_QUEUED, CALL_DROPPED, CALL_FAILED)


async def call_step(runner, c, step: str, now: datetime, dry_run: bool, summary) -> str:
    """Make campaign ``step`` for candidate ``c`` by phone; the outcome counted."""
    if dry_run:
        decision = calls.check(c.phone, account_id=c.account_id, now=now, db_url=runner.db_url,
                               guard_cfg=runner.settings.guard)
        return _count(summary, decision)
    result = await calls.place_call_async(
        c.phone, account_id=c.account_id, source="campaign", stage=step, now=now, db_url=runner.db_url,
        guard_cfg=runner.settings.guard, record_block=False,
    )
    if result.placed:
        runner.write(runner.upsert_send, c, step, status="sent", channel=calls.CHANNEL,
                     body=f"{CALL_TEXT} {result.call_sid}")
        return _count(summary, result.decision)
    decision = result.decision
    if decision.allowed:  # Twilio refused or was unreachable
        summary.outcomes[CALL_FAILED] += 1
        return CALL_FAILED
    outcome = _count(summary, decision)

    def unit(s) -> None:
        log_block(s, account_id=c.account_id, phone=c.phone, channel=calls.CHANNEL, source="campaign",
                  decision=decision, stage=step, text=CALL_TEXT)
        if outcome == CALL_DROPPED:
            runner.upsert_send(s, c, step, status="dropped", channel=calls.CHANNEL, body=CALL_TEXT,
                               reason=decision.reason, detail=decision.detail or None, retry_at=None)

    runner.write(unit)
    return outcome


def _count(summary, decision: guard.GuardDecision) -> str:
    if decision.allowed:
        outcome = CALLED
    else:
        summary.blocked[decision.reason] += 1
        outcome = CALL_QUEUED if decision.retry_at is not None else CALL_DROPPED
    summary.outcomes[outcome] += 1
    return outcome


def summary_line(summary) -> Optional[str]:
    """The run summary's line about calls; None when the run made no call step."""
    counts = summary.outcomes
    if not any(counts[k] for k in CALL_OUTCOMES):
        return None
    verb = "将" if summary.dry_run else "已"
    return (
        f"电话：{verb}外呼 {counts[CALLED]} 通；免打扰时段顺延 {counts[CALL_QUEUED]} 通；"
        f"拦截不呼 {counts[CALL_DROPPED]} 通；呼叫失败 {counts[CALL_FAILED]} 通。"
    )


def valid_voice_steps(steps) -> tuple:
    from bot.core.campaign import AGENT_CALL, NOTICE, REMINDER

    allowed = (REMINDER, NOTICE, AGENT_CALL)
    steps = tuple(steps or ())
    bad = [s for s in steps if s not in allowed]
    if bad:
        raise ValueError(f"voice_steps may name {', '.join(allowed)}, not {', '.join(map(str, bad))}")
    return steps
