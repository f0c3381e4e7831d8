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
"""
from __future__ import annotations

from datetime import datetime

from bot.core import guard
from bot.voice import calls

CALL_TEXT = "电话外呼"


async def call_step(runner, c, step: str, now: datetime, dry_run: bool, summary) -> str:
    """Make campaign ``step`` for candidate ``c`` by phone; the outcome counted."""
    from bot.campaign.runner import log_block

    if dry_run:
        decision = calls.check(c.phone, account_id=c.account_id, now=now, db_url=runner.db_url,
                               guard_cfg=runner.settings.guard)
        outcome = "called" if decision.allowed else ("queued" if decision.retry_at else "dropped")
        if not decision.allowed:
            summary.blocked[decision.reason] += 1
        summary.outcomes[outcome] += 1
        return outcome
    result = await calls.place_call_async(
        c.phone, account_id=c.account_id, source="campaign", stage=step, now=now, db_url=runner.db_url,
        guard_cfg=runner.settings.guard, record_block=False,
    )
    if result.placed:
        summary.outcomes["called"] += 1
        summary.by_step[step] += 1
        runner._write(runner._upsert_send, c, step, status="sent", channel=calls.CHANNEL,
                      body=f"{CALL_TEXT} {result.call_sid}")
        return "called"
    decision = result.decision
    if decision.allowed:  # Twilio refused or was unreachable
        summary.outcomes["failed"] += 1
        return "failed"
    if decision.retry_at is not None:
        summary.blocked[decision.reason] += 1
        summary.outcomes["queued"] += 1
        runner._write(lambda s: log_block(s, account_id=c.account_id, phone=c.phone, channel=calls.CHANNEL,
                                          source="campaign", decision=decision, stage=step, text=CALL_TEXT))
        return "queued"
    runner._record_drop(c, step, calls.CHANNEL, CALL_TEXT, decision, False, summary)
    return "dropped"


def valid_voice_steps(steps) -> tuple:
    from bot.core.campaign import AGENT_CALL, NOTICE, REMINDER

    allowed = (REMINDER, NOTICE, AGENT_CALL)
    steps = tuple(steps or ())
    bad = [s for s in steps if s not in allowed]
    if bad:
        raise ValueError(f"voice_steps may name {', '.join(allowed)}, not {', '.join(map(str, bad))}")
    return steps


__all__ = ["call_step", "valid_voice_steps", "guard"]
