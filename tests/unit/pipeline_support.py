"""A small NLU pipeline trained on a handful of examples and loaded from its
archive, as the server loads a model: for tests of our Rasa components
(their weights go through persist and load)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

import yaml

REPO = Path(__file__).resolve().parents[2]
DICTIONARY = str(REPO / "bot" / "nlu" / "dictionary")


def trained_agent(folder: Path, pipeline: List[dict], nlu: str, assistant_id: str = "test-pipeline"):
    """``pipeline`` trained on the NLU YAML ``nlu`` in ``folder``; the loaded Agent."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    folder.mkdir(parents=True, exist_ok=True)
    config = {"recipe": "default.v1", "language": "zh", "assistant_id": assistant_id, "pipeline": pipeline}
    (folder / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (folder / "nlu.yml").write_text(nlu, encoding="utf-8")
    model = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), output=str(folder / "models"))
    assert model
    return Agent.load(model)


def parse(agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))
