"""Tasks for people (``agent_tasks``): their kinds and what agents read for
them, in the console's task list and in ``collectbot campaign tasks``.
Plain Python."""
from __future__ import annotations

CAMPAIGN_CALL = "campaign_call"  # bot/campaign/runner.py: the third outreach step is a person's call
BROKEN_PROMISE = "broken_promise"  # bot/db/payments.py: a promise was not (fully) kept
VERIFICATION_HELP = "verification_help"  # bot/actions/verification.py: a cardholder could not pass verification

KIND_LABELS = {
    CAMPAIGN_CALL: "人工联系（逾期第三阶段）",
    BROKEN_PROMISE: "违约承诺跟进",
    VERIFICATION_HELP: "身份验证协助",
}
STATUS_LABELS = {"open": "待处理", "done": "已完成", "cancelled": "已取消"}
