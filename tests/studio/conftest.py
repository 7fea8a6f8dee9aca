"""The studio tests' shared clip (helpers in ``studio_media``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from studio_media import make_clip


@pytest.fixture(scope="session")
def planted_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three 3-second shots (scene changes at 3 s and 6 s) and two planted silences: 1.0–2.5 s and 6.8–8.0 s."""
    path = tmp_path_factory.mktemp("media") / "planted.mp4"
    return make_clip(path, ["testsrc", "color=c=red", "testsrc2"], 3.0, [(1.0, 2.5), (6.8, 8.0)])
