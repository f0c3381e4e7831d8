"""Chinese descriptions of the intents and entities, for the workbench's
label choices: one file (``intent_descriptions.yml`` next to this module),
read once per change of the file.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Tuple

import yaml

FILE = Path(__file__).with_name("intent_descriptions.yml")


@lru_cache(maxsize=2)
def _load(mtime: float) -> Tuple[Dict[str, str], Dict[str, str]]:
    data = yaml.safe_load(FILE.read_text(encoding="utf-8")) or {}
    intents = {str(k): str(v) for k, v in (data.get("intents") or {}).items()}
    entities = {str(k): str(v) for k, v in (data.get("entities") or {}).items()}
    return intents, entities


def intent_descriptions() -> Dict[str, str]:
    return dict(_load(FILE.stat().st_mtime)[0])


def entity_descriptions() -> Dict[str, str]:
    return dict(_load(FILE.stat().st_mtime)[1])
