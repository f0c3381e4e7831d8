"""The console, the CLI and the campaign runner start without loading Rasa,
rasa-sdk or the bot's actions (what tests/unit/test_layers.py checks import
by import, here for the whole chain of imports, in a fresh interpreter)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, sys
for name in ("console.app", "bot.cli", "bot.campaign.cli", "bot.campaign.runner", "console.rasa_api",
             "console.training.routes", "console.training.evaluate"):
    importlib.import_module(name)
loaded = sorted({m.split(".")[0] if not m.startswith("bot.actions") else "bot.actions"
                 for m in sys.modules if m in ("rasa", "rasa_sdk") or m.startswith(("rasa.", "rasa_sdk.", "bot.actions"))})
print(json.dumps(loaded))
"""


def test_console_cli_and_campaign_load_neither_rasa_nor_the_actions():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
