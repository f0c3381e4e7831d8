"""The layer rules, read from the source with ``ast`` (nothing is imported):

1. ``bot/core`` imports only the standard library, other ``bot.core``
   modules and the normalisation libraries (opencc, pypinyin, ftfy, and
   jieba's word frequencies for bytes lost to mojibake).
2. The console, the campaign runner and the CLI (``console/``,
   ``bot/campaign/``, ``bot/cli.py``) never import ``bot.actions``,
   ``rasa_sdk`` or ``rasa`` - the training worker, which runs Rasa, aside.
3. Nothing outside ``tests/`` reads ``tests/`` at run time.
4. Only ``bot/db`` and the console's own read models issue queries.
5. Only ``bot/settings.py`` reads the environment (``os.environ``,
   ``os.getenv``, ``from os import environ``). Functions that hand the
   environment on to code we do not own - a child process, or Rasa and
   rasa-sdk reading their own variables later in the same process - may copy
   it (``{**os.environ, ...}``) or write to it, and only that; they are
   named, with why, in ``ENVIRONMENT_HANDOVERS``.

A violation in a file whose owner has not fixed it yet is listed in
``ALLOWED_FOR_NOW`` with why; an entry that no longer matches a violation
fails too, so the list can only shrink. Each rule is also run against a
synthetic bad module (the self-tests at the end), so a rule that stopped
seeing anything would fail.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Iterable, Iterator, List, Set, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("bot", "console", "channels")

# -- rule 1 --------------------------------------------------------------------
CORE = "bot/core/"
CORE_THIRD_PARTY = {"opencc", "pypinyin", "ftfy", "jieba"}

# -- rule 2 --------------------------------------------------------------------
NO_RASA_ZONES = ("console/", "bot/campaign/", "bot/cli.py")
FORBIDDEN_IN_NO_RASA_ZONES = ("bot.actions", "rasa_sdk", "rasa")
RASA_WORKERS = {"console/training/worker.py"}  # python -m console.training.worker: trains and evaluates with Rasa

# -- rule 3 --------------------------------------------------------------------
# Data, not test code, that a run-time module may read from tests/ because
# that is where the data is defined to live: the workbench evaluates
# candidate models on the held-out set, which is tests/nlu by definition
# (never trained on), and exports test stories next to tests/stories. Both
# are settings (WORKBENCH_TEST_NLU, WORKBENCH_STORIES_DIR); these are only
# their defaults.
HELD_OUT_SET_DEFAULTS = {("bot/settings.py", "tests/nlu"), ("bot/settings.py", "tests/stories")}

# -- rule 4 --------------------------------------------------------------------
QUERY_OWNERS = (
    "bot/db/",
    "console/store.py",  # the console's read model (queue, claims, audit)
    "console/training/tracker.py",  # reads Rasa's SQL tracker store
    "console/models.py",  # tables; text() only in server defaults
    "console/training/models.py",  # tables
    "bot/rasa_server/tracker_store.py",  # Rasa's own tracker table (a Rasa server plug-in)
)
SQL_BUILDERS = {"select", "update", "delete", "insert", "text"}

# -- rule 5 --------------------------------------------------------------------
SETTINGS_MODULE = "bot/settings.py"
OS_ENVIRONMENT = {"environ", "environb", "getenv", "getenvb"}
# (file, function): where the environment is handed on, never read for our
# own settings. A read (``.get``, ``[name]``) there is still a violation.
ENVIRONMENT_HANDOVERS = {
    # Rasa reads endpoints.yml's ${ACTION_SERVER_TOKEN} and ${ACTION_SERVER_URL}
    # from the environment once it starts, in this process.
    ("bot/serve.py", "main"): "writes the action server's token and URL for endpoints.yml",
    # rasa-sdk's endpoint.run reads SANIC_HOST after the plug-in hook ran.
    ("bot/action_server.py", "install"): "writes SANIC_HOST (our default host) for rasa-sdk",
    # The workbench's training run and its worker start Rasa as a child
    # process with the console's environment plus telemetry off.
    ("console/training/runs.py", "start_run"): "the worker process's environment",
    ("console/training/worker.py", "train"): "rasa train's environment",
}

# (rule, file, what): violations waiting for their owner, each with why and
# where the fix goes. Remove the line with the fix; a line that no longer
# matches fails the test. Empty: every rule holds in the whole tree.
ALLOWED_FOR_NOW: Set[Tuple[str, str, str]] = set()


# ------------------------------------------------------------------------------
# Reading the source
# ------------------------------------------------------------------------------


def runtime_files() -> Iterator[Tuple[str, ast.Module]]:
    for package in RUNTIME_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if "/migrations/" in rel:
                continue
            yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def imported_modules(tree: ast.Module, rel: str) -> Iterator[str]:
    """Every module a file imports, at any depth (function-level too);
    relative imports resolved against ``rel``."""
    package = rel[:-3].replace("/", ".").rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            for alias in node.names:  # "from bot import http_limits" imports bot.http_limits
                yield f"{module}.{alias.name}"


def is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def docstring_nodes(tree: ast.Module) -> Set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


# ------------------------------------------------------------------------------
# The rules: each yields (rule, file, what) for every violation in one file
# ------------------------------------------------------------------------------


def core_violations(rel: str, tree: ast.Module) -> Iterator[Tuple[str, str, str]]:
    if not rel.startswith(CORE):
        return
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for module in imported_modules(tree, rel):
        top = module.split(".")[0]
        if top in stdlib or top in CORE_THIRD_PARTY or is_under(module, "bot.core"):
            continue
        if module == "bot":  # "from bot.core import x" also yields "bot.core" only; "from bot import x" is checked by x
            continue
        yield ("core", rel, module)


def no_rasa_violations(rel: str, tree: ast.Module) -> Iterator[Tuple[str, str, str]]:
    if not rel.startswith(NO_RASA_ZONES) or rel in RASA_WORKERS:
        return
    for module in imported_modules(tree, rel):
        for forbidden in FORBIDDEN_IN_NO_RASA_ZONES:
            if is_under(module, forbidden):
                # bot.actions.<module>; rasa and rasa_sdk as a whole.
                yield ("no-rasa", rel, ".".join(module.split(".")[:3]) if forbidden == "bot.actions" else forbidden)


def _path_like(value: str) -> bool:
    text = value.strip()
    return text == "tests" or text.startswith(("tests/", "./tests/", "tests\\"))


def under_tests_violations(rel: str, tree: ast.Module) -> Iterator[Tuple[str, str, str]]:
    """A string that names a path under tests/ (``"tests/fixtures/x.csv"``,
    ``ROOT / "tests" / …``), outside docstrings. Prose that mentions a test
    file inside a sentence is not a path."""
    skip = docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if _path_like(node.value) and (rel, node.value.strip()) not in HELD_OUT_SET_DEFAULTS:
                yield ("tests-read", rel, node.value.strip())


def query_violations(rel: str, tree: ast.Module) -> Iterator[Tuple[str, str, str]]:
    """SQL built or run outside the query owners: select/update/delete/
    insert/text from SQLAlchemy (imported by name or called as ``sa.x``),
    and ``session.query(…)``."""
    if rel.startswith(QUERY_OWNERS):
        return
    found = set()
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in SQL_BUILDERS:
                    found.add(alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr in SQL_BUILDERS and isinstance(owner, ast.Name) and owner.id in aliases:
                found.add(node.func.attr)
            if node.func.attr == "query" and node.args:
                found.add("query")
    for what in sorted(found):
        yield ("queries", rel, what)


def _enclosing_functions(tree: ast.Module) -> dict:
    """id(node) -> name of the innermost function around it ("" at module level)."""
    owner = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else name
            owner[id(child)] = inner
            visit(child, inner)

    visit(tree, "")
    return owner


def environment_violations(rel: str, tree: ast.Module) -> Iterator[Tuple[str, str, str]]:
    """``os.environ`` / ``os.getenv`` (any alias of ``os``), or ``environ`` /
    ``getenv`` imported from ``os``, outside bot/settings.py. In a function of
    ENVIRONMENT_HANDOVERS, writing (``os.environ[k] = v``) and copying for a
    child (``{**os.environ, ...}``) are allowed; reading is not."""
    if rel == SETTINGS_MODULE:
        return
    os_names, imported = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "os":
                    os_names.add(alias.asname or "os")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in OS_ENVIRONMENT:
                    imported[alias.asname or alias.name] = f"os.{alias.name}"
                    yield ("env", rel, f"os.{alias.name}")  # imported to be read
    handed_on = set()  # the environment nodes that are written or copied, not read
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            handed_on.add(id(node.value))
        elif isinstance(node, ast.Dict):
            handed_on.update(id(v) for k, v in zip(node.keys, node.values) if k is None)
    functions = _enclosing_functions(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in OS_ENVIRONMENT and \
                isinstance(node.value, ast.Name) and node.value.id in os_names:
            what = f"os.{node.attr}"
        elif isinstance(node, ast.Name) and node.id in imported:
            what = imported[node.id]
        else:
            continue
        if id(node) in handed_on and (rel, functions.get(id(node), "")) in ENVIRONMENT_HANDOVERS:
            continue
        yield ("env", rel, what)


RULES = (core_violations, no_rasa_violations, under_tests_violations, query_violations, environment_violations)


def violations(files: Iterable[Tuple[str, ast.Module]]) -> List[Tuple[str, str, str]]:
    out = []
    for rel, tree in files:
        for rule in RULES:
            out.extend(rule(rel, tree))
    return sorted(set(out))


@pytest.fixture(scope="module")
def found() -> List[Tuple[str, str, str]]:
    return violations(runtime_files())


# ------------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["core", "no-rasa", "tests-read", "queries", "env"])
def test_no_layer_violation_beyond_the_allowed_list(found, rule):
    new = [v for v in found if v[0] == rule and v not in ALLOWED_FOR_NOW]
    assert not new, f"layer rule {rule!r} broken (file, import/what): " + "; ".join(f"{f}: {w}" for _, f, w in new)


def test_the_allowed_list_holds_only_violations_that_still_exist(found):
    fixed = sorted(ALLOWED_FOR_NOW - set(found))
    assert not fixed, f"fixed: remove from ALLOWED_FOR_NOW: {fixed}"


def test_the_runtime_packages_were_read():
    files = dict(runtime_files())
    for rel in ("bot/core/policy.py", "console/store.py", "bot/campaign/runner.py", "bot/cli.py", "channels/webchat.py"):
        assert rel in files


# ------------------------------------------------------------------------------
# Self-tests: each rule sees a synthetic bad module
# ------------------------------------------------------------------------------


def synthetic(rel: str, source: str) -> List[Tuple[str, str, str]]:
    return violations([(rel, ast.parse(source))])


def test_core_may_not_import_the_database_rasa_or_the_web():
    bad = synthetic("bot/core/bad.py", "import os\nfrom sqlalchemy import select\nfrom bot.db import repository\n"
                                       "def f():\n    import rasa.core\n")
    assert ("core", "bot/core/bad.py", "sqlalchemy") in bad
    assert ("core", "bot/core/bad.py", "bot.db") in bad
    assert ("core", "bot/core/bad.py", "rasa.core") in bad
    good = synthetic("bot/core/good.py", "import re\nfrom opencc import OpenCC\nfrom bot.core import money\n"
                                         "from bot.core.phone import is_e164\nfrom . import text\n")
    assert [v for v in good if v[0] == "core"] == []


def test_console_campaign_and_cli_may_not_import_the_bots_actions_or_rasa():
    source = "from bot.actions.handoff import REASON_LABELS\nimport rasa_sdk\n" \
             "def later():\n    from rasa.core.agent import Agent\n"
    for rel in ("console/bad.py", "bot/campaign/bad.py", "bot/cli.py"):
        bad = {v[2] for v in synthetic(rel, source) if v[0] == "no-rasa"}
        assert bad == {"bot.actions.handoff", "rasa_sdk", "rasa"}, rel
    assert [v for v in synthetic("console/training/worker.py", source) if v[0] == "no-rasa"] == []
    assert [v for v in synthetic("bot/actions/x.py", source) if v[0] == "no-rasa"] == []
    # "from bot import actions" is an import of bot.actions too.
    assert ("no-rasa", "console/x.py", "bot.actions") in synthetic("console/x.py", "from bot import actions\n")


def test_runtime_code_may_not_read_tests():
    bad = synthetic("channels/bad.py", '"""Reads tests/fixtures/a.csv (a docstring: fine)."""\n'
                                       'from pathlib import Path\n'
                                       'A = Path(__file__).parent / "tests" / "fixtures" / "a.csv"\n'
                                       'B = open("tests/fixtures/b.csv")\n'
                                       'C = "see tests/unit/test_x.py for why"\n')
    assert [v for v in bad if v[0] == "tests-read"] == [
        ("tests-read", "channels/bad.py", "tests"), ("tests-read", "channels/bad.py", "tests/fixtures/b.csv"),
    ]


def test_queries_only_in_their_owners():
    source = "import sqlalchemy as sa\nfrom sqlalchemy import select, func\n" \
             "def f(s):\n    s.execute(select(1))\n    s.execute(sa.text('SELECT 1'))\n    s.query(X).all()\n"
    bad = [v for v in synthetic("console/bad.py", source) if v[0] == "queries"]
    assert bad == [("queries", "console/bad.py", w) for w in ("query", "select", "text")]
    for owner in ("bot/db/anything.py", "console/store.py", "console/training/tracker.py"):
        assert [v for v in synthetic(owner, source) if v[0] == "queries"] == []


def test_the_environment_is_read_only_by_the_settings_module():
    source = "import os\nimport os as system\nfrom os import getenv, environ as E\n" \
             "A = os.environ.get('A')\nB = system.getenv('B')\nC = E['C']\n" \
             "def main():\n    os.environ['X'] = '1'\n    return {**os.environ, 'Y': '2'}\n" \
             "def run(environ):\n    return environ.get('HTTP_HOST')\n"  # a WSGI environ, not the process's
    bad = sorted({v for v in synthetic("channels/bad.py", source) if v[0] == "env"})
    assert bad == [("env", "channels/bad.py", w) for w in ("os.environ", "os.getenv")]
    assert [v for v in synthetic(SETTINGS_MODULE, source) if v[0] == "env"] == []
    # A hand-over function may write and copy the environment, not read it.
    handover = "import os\ndef main():\n    os.environ['X'] = '1'\n    child = {**os.environ}\n"
    assert [v for v in synthetic("bot/serve.py", handover) if v[0] == "env"] == []
    assert [v for v in synthetic("bot/other.py", handover) if v[0] == "env"] == [("env", "bot/other.py", "os.environ")]
    reads = handover + "    return os.environ.get('Z')\n"
    assert [v for v in synthetic("bot/serve.py", reads) if v[0] == "env"] == [("env", "bot/serve.py", "os.environ")]
    # "from os import environ" alone (no use) is a violation: it is imported to be read.
    assert ("env", "console/x.py", "os.environ") in synthetic("console/x.py", "from os import environ\n")


def test_every_environment_handover_names_a_function_that_exists():
    files = dict(runtime_files())
    for rel, function in ENVIRONMENT_HANDOVERS:
        names = {n.name for n in ast.walk(files[rel]) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert function in names, f"ENVIRONMENT_HANDOVERS: {rel} has no function {function}: remove the entry"


def test_an_allowed_violation_that_is_fixed_must_leave_the_list():
    # The same check as test_the_allowed_list_holds_only_violations_that_still_exist, on a synthetic tree.
    allowed = {("queries", "console/x.py", "select")}
    assert allowed - set(synthetic("console/x.py", "x = 1\n")) == allowed
