"""Outputs appear whole or not at all: written to a temporary file in the target's folder, then renamed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from guanghe.studio.errors import StudioError


def output_folder(path: Path) -> Path:
    """The folder an output goes to; it must exist (nothing creates folders silently)."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise StudioError(f"{path}: folder {folder} does not exist")
    return folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix, for tools that read it); renamed onto ``path`` on success,
    removed on any failure."""
    folder = output_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 is for the temporary file, not the result
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> Path:
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return path


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file, or one clear error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise StudioError(f"{path}: no such {what}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise StudioError(f"{path}: cannot read the {what} as UTF-8 text ({e})") from e
