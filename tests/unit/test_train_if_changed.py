"""make train trains only when what goes into a model changed."""
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("train_if_changed", REPO / "scripts" / "train_if_changed.py")
tic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tic)

# A stand-in for `rasa train`: writes a new model and records that it ran.
FAKE_TRAIN = (
    "import pathlib, sys, time; out = pathlib.Path(sys.argv[1]); "
    "(out / f'm{time.time_ns()}.tar.gz').write_text('model'); "
    "(out / 'runs.log').open('a').write(' '.join(sys.argv[2:]) + '\\n')"
)


def _project(tmp_path, monkeypatch):
    for rel, text in {"config.yml": "pipeline: []", "domain.yml": "intents: [greet]",
                      "bot/data/nlu/core.yml": "nlu: []", "bot/nlu/dictionary/collections.txt": "逾期 10 n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    models = tmp_path / "bot" / "models"
    models.mkdir(parents=True)
    monkeypatch.setattr(tic, "REPO", tmp_path)
    monkeypatch.setattr(tic, "MODELS", models)
    return models


def _train(models):
    return tic.main(["--", sys.executable, "-c", FAKE_TRAIN, str(models)])


def runs(models):
    log = models / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def test_trains_once_then_only_after_a_change(tmp_path, monkeypatch, capsys):
    models = _project(tmp_path, monkeypatch)
    assert _train(models) == 0 and runs(models) == ["--force"]
    assert len(list(models.glob("*.inputs"))) == 1  # the stamp sits next to this project's model
    assert _train(models) == 0 and len(runs(models)) == 1
    assert "无需重新训练" in capsys.readouterr().out
    # Rasa's own fingerprints miss the jieba dictionary; this does not.
    (tmp_path / "bot/nlu/dictionary/collections.txt").write_text("逾期 10 n\n停息挂账 10 n", encoding="utf-8")
    assert _train(models) == 0 and len(runs(models)) == 2
    (tmp_path / "domain.yml").write_text("intents: [greet, goodbye]", encoding="utf-8")
    assert _train(models) == 0 and len(runs(models)) == 3
    assert _train(models) == 0 and len(runs(models)) == 3


def test_a_failed_training_leaves_no_stamp(tmp_path, monkeypatch):
    models = _project(tmp_path, monkeypatch)
    assert tic.main(["--", sys.executable, "-c", "import sys; sys.exit(3)"]) == 3
    assert list(models.glob("*.inputs")) == []
