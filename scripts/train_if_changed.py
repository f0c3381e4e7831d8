"""Train only when the training inputs changed since the newest model.

`rasa train` in Rasa 3.6 always packages a new model (restoring components
from its cache), and its fingerprints ignore the jieba user dictionary. This
script hashes everything that goes into a model (config, domain, training
data, the NLU components and their dictionary), compares the hash with the
one stored next to the newest model in bot/models, and only then runs the
training command it was given (with --force, so that a dictionary change is
not answered from the cache).

    python scripts/train_if_changed.py -- rasa train --data bot/data ... --out bot/models
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Optional

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "bot" / "models"
# bot/nlu holds the NLU components, the jieba dictionary and the homophone
# table; bot/core/textnorm.py is what the normaliser component runs.
INPUTS = ("config.yml", "domain.yml", "bot/data", "bot/nlu", "bot/core/textnorm.py")


def _files(paths: Iterable[str]) -> List[Path]:
    found: List[Path] = []
    for rel in paths:
        path = REPO / rel
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(found)


def inputs_hash(paths: Iterable[str] = INPUTS) -> str:
    digest = hashlib.sha256()
    for path in _files(paths):
        digest.update(str(path.relative_to(REPO)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def newest_model(folder: Optional[Path] = None) -> Optional[Path]:
    models = sorted((folder or MODELS).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def stamp_of(model: Path) -> Path:
    return model.with_name(model.name[: -len(".tar.gz")] + ".inputs")


def main(argv: List[str]) -> int:
    if "--" not in argv:
        print("usage: train_if_changed.py -- <training command>", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1:]
    wanted = inputs_hash()
    model = newest_model()
    if model and stamp_of(model).exists() and stamp_of(model).read_text().strip() == wanted:
        print(f"模型已是最新（{model.name}），无需重新训练。")
        return 0
    code = subprocess.call(command + ["--force"], cwd=REPO)
    if code != 0:
        return code
    model = newest_model()
    if model is None:
        print("训练结束但 bot/models 中没有模型", file=sys.stderr)
        return 1
    stamp_of(model).write_text(wanted + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
