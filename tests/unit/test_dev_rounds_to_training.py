"""The training files generated from the blind-written development rounds
(scripts/dev_rounds_to_training.py) are what the script makes of the rounds
today, and the held-out round can never become training data."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import dev_rounds_to_training as gen  # noqa: E402
import nlu_blind_report as nbr  # noqa: E402


def test_the_held_out_round_is_refused():
    held_out = nbr.HELD_OUT.removeprefix("blind")
    with pytest.raises(SystemExit, match="held-out"):
        list(gen.round_files(True, [held_out]))


def test_the_default_blind_rounds_leave_out_the_held_out_round_and_the_blind_development_set():
    folders = {p.parent.name for p in gen.round_files(True, gen.BLIND_ROUNDS)}
    assert folders == {"nlu_blind", "nlu_blind2", "nlu_blind3", "nlu_blind4", "nlu_blind5",
                       *(f"nlu_blind{r}" for r in range(7, 24))}
    assert "nlu_blind6" not in folders  # the blind development set nothing trains on
    assert f"nlu_{nbr.HELD_OUT}" not in folders


@pytest.mark.parametrize("blind,name", [(False, "safety_rounds_blind.yml"), (True, "blind_rounds_dev.yml")])
def test_the_committed_file_is_what_the_rounds_generate(tmp_path, blind, name, capsys):
    out = tmp_path / name
    gen.main((["--blind"] if blind else []) + ["--out", str(out)])
    committed = (REPO / "bot" / "data" / "nlu" / name).read_text("utf-8")
    assert out.read_text("utf-8") == committed, f"regenerate it: scripts/dev_rounds_to_training.py {'--blind' if blind else ''}"
