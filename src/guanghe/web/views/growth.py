"""The growth room's sections of the creator center (level, tasks, originality notices), read through small
adapters: "not available yet" (None) while the warehouse lacks the growth tables, the creator's rows when
the growth room has written them. The growth room declares its tables in ``data.growth_schema``; the
coordinator wires their dedicated views after merging."""

from __future__ import annotations

import importlib.util
from typing import Any

from guanghe.data.warehouse import Warehouse

LEVELS, TASKS, ORIGINALITY = "creator_levels", "task_completions", "work_originality"


def _declared(name: str):
    from guanghe.data import growth_schema

    return next((t for t in growth_schema.GROWTH_OUTPUTS if t.name == name), None)


def creator_rows(wh: Warehouse, name: str, creator_id: int, limit: int = 50) -> list[dict[str, Any]] | None:
    """The creator's rows of a growth table, or None when the table is not there (not available yet)."""
    decl = _declared(name)
    if decl is None or not wh.has(decl):
        return None
    t = wh.table(decl)
    if "creator_id" not in t.columns:
        return None
    return wh.fetch(t.filter(t.creator_id == creator_id).limit(limit)).to_pylist()


def level(wh: Warehouse, creator_id: int) -> list[dict[str, Any]] | None:
    return creator_rows(wh, LEVELS, creator_id)


def tasks(wh: Warehouse, creator_id: int) -> list[dict[str, Any]] | None:
    return creator_rows(wh, TASKS, creator_id)


def originality(wh: Warehouse, creator_id: int) -> list[dict[str, Any]] | None:
    return creator_rows(wh, ORIGINALITY, creator_id)


def studio_available() -> bool:
    """The creator studio's tools exist (the ``guanghe.studio`` room is installed)."""
    return importlib.util.find_spec("guanghe.studio") is not None
