"""Where the workbench reads and writes (environment, documented in the README).

Relative paths are relative to the repository root, like endpoints.yml.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TRACKER_STORE_URL = "sqlite:///var/tracker.db"


def _path(value: Optional[str], default: str) -> Path:
    path = Path(value or default)
    return path if path.is_absolute() else REPO / path


def resolve_sqlite_url(url: str) -> str:
    """``sqlite:///var/tracker.db`` (relative, as in endpoints.yml) → absolute
    from the repository root, whatever the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(REPO / url[len(prefix):])
    return url


@dataclass(frozen=True)
class WorkbenchSettings:
    tracker_store_url: str  # TRACKER_STORE_URL
    data_dir: Path  # WORKBENCH_DATA_DIR: training data (export goes to <data_dir>/nlu/annotated.yml)
    domain: Path  # WORKBENCH_DOMAIN
    config: Path  # WORKBENCH_CONFIG
    test_nlu: Path  # WORKBENCH_TEST_NLU: held-out NLU test set
    stories_dir: Path  # WORKBENCH_STORIES_DIR: generated test stories
    models_dir: Path  # WORKBENCH_MODELS_DIR: the current model (newest .tar.gz) unless one was activated
    candidates_dir: Path  # WORKBENCH_CANDIDATES_DIR: var/candidates/<run id>/

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WorkbenchSettings":
        env = os.environ if env is None else env
        return cls(
            tracker_store_url=resolve_sqlite_url(env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL),
            data_dir=_path(env.get("WORKBENCH_DATA_DIR"), "bot/data"),
            domain=_path(env.get("WORKBENCH_DOMAIN"), "domain.yml"),
            config=_path(env.get("WORKBENCH_CONFIG"), "config.yml"),
            test_nlu=_path(env.get("WORKBENCH_TEST_NLU"), "tests/nlu"),
            stories_dir=_path(env.get("WORKBENCH_STORIES_DIR"), "tests/stories"),
            models_dir=_path(env.get("WORKBENCH_MODELS_DIR"), "bot/models"),
            candidates_dir=_path(env.get("WORKBENCH_CANDIDATES_DIR"), "var/candidates"),
        )

    @property
    def export_file(self) -> Path:
        return self.data_dir / "nlu" / "annotated.yml"
