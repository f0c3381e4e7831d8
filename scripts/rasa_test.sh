#!/usr/bin/env bash
# Dialogue and NLU evaluation on the held-out sets under tests/ (never
# trained on). Fails on any test-story prediction error and when the NLU
# scores fall below the floors in scripts/check_nlu_report.py.
#
# The test stories run twice: on Rasa's own code paths
# (COLLECTBOT_RASA_PATCHES=off) and with our patches (bot/rasa_server/): the
# patches must not change a single prediction. The NLU part runs once.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
OUT=${RASA_TEST_OUT:-results}
rm -rf "$OUT"
# No --endpoints: `rasa test core` never reads them (Rasa 3.6.21
# model_testing.test_core loads the model alone; actions are not called,
# their events come from the stories).
stories() {
  local patches=$1 out="$OUT/core-patches-$1"
  # --stories is required: without it rasa test walks the whole working
  # directory (the venv included) for test_*.yml files.
  COLLECTBOT_RASA_PATCHES=$patches .venv/bin/rasa test core --model bot/models --stories tests/stories \
    --out "$out" --no-plot 2>&1 | tee "$out.log"
  # bot/rasa_server logs what it did; make sure the run was the one asked for.
  if [ "$patches" = off ]; then
    grep -q "patches NOT made: COLLECTBOT_RASA_PATCHES=off" "$out.log" \
      || { echo "FAIL: the patches-off run did not report running stock Rasa" >&2; exit 1; }
  else
    grep -q "Rasa server patches: [0-9]* made" "$out.log" \
      || { echo "FAIL: the patches-on run did not report its patches" >&2; exit 1; }
  fi
  # Rasa writes the failed stories (all of them, not just the first) here.
  if grep -q -- "- story:" "$out/failed_test_stories.yml"; then
    echo "FAIL: dialogue test stories failed with COLLECTBOT_RASA_PATCHES=$patches:" >&2
    cat "$out/failed_test_stories.yml" >&2
    exit 1
  fi
}
mkdir -p "$OUT"
stories off
stories on
.venv/bin/rasa test nlu --model bot/models --nlu tests/nlu \
  --out "$OUT/nlu" --no-plot
.venv/bin/python scripts/check_nlu_report.py "$OUT/nlu"
