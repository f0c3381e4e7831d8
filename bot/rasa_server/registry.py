"""What our code changed inside Rasa: one record per replaced attribute.

Every change of a Rasa class or module goes through ``patch()``, which keeps
the attribute as it was (the raw entry of the owner's ``__dict__``: a
``staticmethod`` stays one; absent when the owner had none) in ``PATCHES``.
Nothing is added to Rasa's classes besides the replaced attribute itself:
code that needs Rasa's own version (a test comparing results, a wrapper
calling through) asks ``original(owner, name)``.

``restore_all()`` puts every original back, so a test can compare stock Rasa
with the patched one and leave the process as it found it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

# Marks "the owner had no such attribute of its own" (e.g. Slot.__copy__).
ABSENT = object()


@dataclass(frozen=True)
class Patch:
    owner: Any  # a class or a module of Rasa
    name: str
    original: Any  # the owner's own __dict__ entry before the patch, or ABSENT
    replacement: Any
    plugin: str  # which module of bot.rasa_server made it

    @property
    def target(self) -> str:
        """``module.Class.attribute`` (or ``module.attribute``)."""
        owner = getattr(self.owner, "__qualname__", None)
        module = getattr(self.owner, "__module__", None) if owner else None
        prefix = f"{module}.{owner}" if owner else self.owner.__name__
        return f"{prefix}.{self.name}"


# (id(owner), name) -> Patch, in the order the patches were made.
PATCHES: Dict[Tuple[int, str], Patch] = {}


def patch(owner: Any, name: str, replacement: Any, plugin: str) -> Any:
    """Set ``owner.name`` to ``replacement`` and record what was there.

    Patching the same attribute twice is refused: a second install must not
    wrap the first wrapper."""
    key = (id(owner), name)
    if key in PATCHES:
        raise RuntimeError(f"{PATCHES[key].target} is patched already (by {PATCHES[key].plugin})")
    PATCHES[key] = Patch(owner, name, vars(owner).get(name, ABSENT), replacement, plugin)
    setattr(owner, name, replacement)
    return replacement


def original(owner: Any, name: str) -> Any:
    """Rasa's own ``owner.name`` (as attribute access on the owner gives it),
    whether or not it is patched now."""
    record = PATCHES.get((id(owner), name))
    if record is None:
        return getattr(owner, name)
    if record.original is ABSENT:
        # Inherited: what the owner would find without its own entry.
        for base in getattr(owner, "__mro__", ())[1:]:
            if name in vars(base):
                return getattr(base, name)
        raise AttributeError(name)
    if isinstance(record.original, (staticmethod, classmethod)) or hasattr(record.original, "__get__"):
        return record.original.__get__(None, owner) if isinstance(owner, type) else record.original
    return record.original


def patched() -> List[Patch]:
    """Every patch in force, in the order they were made."""
    return list(PATCHES.values())


def targets() -> List[str]:
    return [p.target for p in PATCHES.values()]


def restore_all() -> List[Patch]:
    """Put every original back (last patch first); what was undone."""
    undone = list(PATCHES.values())
    for record in reversed(undone):
        if record.original is ABSENT:
            if record.name in vars(record.owner):
                delattr(record.owner, record.name)
        else:
            setattr(record.owner, record.name, record.original)
    PATCHES.clear()
    return undone
