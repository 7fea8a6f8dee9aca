"""The studio room's boundaries: it imports nothing of ours but guanghe.config, and the package's other rooms do
not depend on it."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "guanghe"
IMPORT = re.compile(r"^\s*(?:from|import)\s+(guanghe(?:\.\w+)?)", re.MULTILINE)


def test_studio_imports_only_config_and_itself() -> None:
    used = {m for f in (SRC / "studio").rglob("*.py") for m in IMPORT.findall(f.read_text(encoding="utf-8"))}
    assert used <= {"guanghe.config", "guanghe.studio"}, used
    assert "guanghe.config" in used


def test_only_the_cli_and_the_web_import_the_studio() -> None:
    """The studio is a leaf for the core: only the command line and the web pages (above every room) call it."""
    users = {
        f.relative_to(SRC).parts[0]
        for f in SRC.rglob("*.py")
        if "guanghe.studio" in IMPORT.findall(f.read_text(encoding="utf-8"))
        and f.relative_to(SRC).parts[0] != "studio"
    }
    assert users <= {"cli", "web"}, users
