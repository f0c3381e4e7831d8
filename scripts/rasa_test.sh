#!/usr/bin/env bash
# Dialogue and NLU evaluation on the held-out sets under tests/ (never
# trained on). Fails on any test-story prediction error and when the NLU
# scores fall below the floors in scripts/check_nlu_report.py.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
OUT=${RASA_TEST_OUT:-results}
# endpoints.yml names the action server's token (bot/action_server.py).
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(.venv/bin/python -m bot.secrets ACTION_SERVER_TOKEN)}
rm -rf "$OUT"
# --stories is required: without it rasa test walks the whole working
# directory (the venv included) for test_*.yml files.
.venv/bin/rasa test core --model bot/models --stories tests/stories \
  --endpoints endpoints.yml --out "$OUT/core" --no-plot
# Rasa writes the failed stories (all of them, not just the first) here.
if grep -q -- "- story:" "$OUT/core/failed_test_stories.yml"; then
  echo "FAIL: dialogue test stories failed:" >&2
  cat "$OUT/core/failed_test_stories.yml" >&2
  exit 1
fi
.venv/bin/rasa test nlu --model bot/models --nlu tests/nlu \
  --out "$OUT/nlu" --no-plot
.venv/bin/python scripts/check_nlu_report.py "$OUT/nlu"
