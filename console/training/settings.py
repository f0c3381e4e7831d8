"""Where the workbench reads and writes: ``WorkbenchSettings``, read from the
environment by bot/settings.py like every setting (documented in the README).

The workbench's modules import it from here; ``REPO`` is the repository root
the relative paths are resolved against, like endpoints.yml's.
"""
from __future__ import annotations

from bot.settings import REPO_ROOT as REPO, WorkbenchSettings

__all__ = ["REPO", "WorkbenchSettings"]
