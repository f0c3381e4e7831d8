"""An installed package works: every file other than Python that the code
reads at run time is listed in pyproject.toml's package-data (setuptools
ships nothing else), and the configuration files read through
importlib.resources as an installed package would."""
from __future__ import annotations

import glob
import importlib.resources
import os
from pathlib import Path

import tomli
import yaml

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "channels", "console")
# Read from the checkout by `rasa train` (training data) and `rasa run`
# (trained models, never committed), not by the installed package.
NOT_PACKAGE_DATA = ("bot/data/", "bot/models/")


def shipped() -> set:
    config = tomli.loads((REPO / "pyproject.toml").read_text("utf-8"))
    found = set()
    for package, patterns in config["tool"]["setuptools"]["package-data"].items():
        base = REPO / package.replace(".", "/")
        for pattern in patterns:
            found.update(Path(p).relative_to(REPO).as_posix() for p in glob.glob(str(base / pattern)))
    return found


def data_files() -> set:
    out = set()
    for package in PACKAGES:
        for root, dirs, files in os.walk(REPO / package):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                rel = (Path(root) / name).relative_to(REPO).as_posix()
                if not name.endswith((".py", ".pyc")) and not rel.startswith(NOT_PACKAGE_DATA):
                    out.add(rel)
    return out


def test_every_data_file_in_the_packages_is_shipped():
    missing = sorted(data_files() - shipped())
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_the_files_named_in_the_issue_are_among_them():
    # The two configuration files an installed bot and console cannot start without.
    assert {"bot/assessment/treatments.yml", "console/canned_replies.yml"} <= shipped()


def test_configuration_reads_as_package_resources():
    table = yaml.safe_load(importlib.resources.files("bot.assessment").joinpath("treatments.yml").read_text("utf-8"))
    assert "willing_unable" in table
    canned = importlib.resources.files("console").joinpath("canned_replies.yml").read_text("utf-8")
    assert yaml.safe_load(canned)
