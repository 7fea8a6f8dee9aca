"""One rule for every store URL (warehouse, ledger, counters), as SQLAlchemy writes file URLs.

``scheme://``            in memory (no file)
``scheme:///rel/path``   three slashes: a path relative to the working directory
``scheme:////abs/path``  four slashes: an absolute path
``scheme://user@host:port/db?k=v``  a server

>>> parse_url("duckdb:///data/wh.duckdb").path
'data/wh.duckdb'
>>> parse_url("duckdb:////srv/wh.duckdb").path
'/srv/wh.duckdb'
>>> parse_url("duckdb://").in_memory
True
>>> parse_url("redis://127.0.0.1:6379/0").host
'127.0.0.1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

RULE = "three slashes for a path relative to the working directory (duckdb:///wh.duckdb), four for an absolute one (duckdb:////srv/wh.duckdb)"


class SettingError(ValueError):
    """A setting (URL, time zone, level) that cannot be used as given."""


class StoreMissing(SettingError):
    """A read named a store that does not exist (reads never create one)."""


@dataclass(frozen=True)
class StoreURL:
    """A parsed store URL: a file path for embedded engines, host/port/database for servers."""

    raw: str
    scheme: str
    path: str | None = None  # file engines: filesystem path (None: in memory)
    host: str = ""
    port: int | None = None
    database: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @property
    def in_memory(self) -> bool:
        return self.path is None and not self.host

    def file(self) -> Path:
        if self.path is None:
            raise SettingError(f"{self.raw!r} names no file: {RULE}")
        return Path(self.path)

    def describe(self) -> str:
        """Where the store lives, for messages: the absolute path a file URL resolves to."""
        if self.path is None:
            return self.raw if self.host else f"{self.scheme}:// (in memory)"
        where = str(Path(self.path).resolve())
        if not Path(self.path).is_absolute():  # the one surprise of the rule: say it
            where += (
                f" ({self.scheme}:///… is relative to the working directory; {self.scheme}:////… is absolute)"
            )
        return where


def parse_url(url: str, schemes: tuple[str, ...] = (), setting: str = "URL") -> StoreURL:
    """Parse ``url``; with ``schemes`` given, refuse any other scheme naming the setting."""
    if "://" not in url:
        raise SettingError(
            f"{setting} {url!r}: expected scheme://…, e.g. {(schemes or ('duckdb',))[0]}:///file; {RULE}"
        )
    scheme, rest = url.split("://", 1)
    if schemes and scheme not in schemes:
        raise SettingError(
            f"{setting} {url!r}: unknown scheme {scheme!r}; expected one of {', '.join(s + '://' for s in schemes)}"
        )
    rest, _, query_text = rest.partition("?")
    query = dict(parse_qsl(query_text, keep_blank_values=True))
    if rest == "":
        return StoreURL(url, scheme, query=query)
    if rest.startswith("/"):  # no host: a file path
        path = rest[1:]
        if not path or path == "/":
            raise SettingError(f"{setting} {url!r}: empty path; {RULE}")
        return StoreURL(url, scheme, path=path, query=query)
    parts = urlsplit(f"{scheme}://{rest}")
    try:
        port = parts.port
    except ValueError as e:
        raise SettingError(f"{setting} {url!r}: bad port ({e})") from e
    return StoreURL(
        url, scheme, host=parts.hostname or "", port=port, database=parts.path.lstrip("/"), query=query
    )


def existing_file(url: StoreURL, what: str) -> Path:
    """The file a read opens; a missing file is an error (a read never creates a store)."""
    path = url.file()
    if not path.exists():
        raise StoreMissing(f"no {what} at {url.describe()}")
    return path


def creatable_file(url: StoreURL, what: str) -> Path:
    """The file a write may create; its folder must already exist (nothing creates nested folders silently)."""
    path = url.file()
    if not path.exists() and not path.parent.resolve().is_dir():
        raise StoreMissing(
            f"cannot create {what} at {url.describe()}: folder {path.parent.resolve()} does not exist"
        )
    return path


_MASTER = re.compile(
    r"local(\[(\d+|\*)(,\d+)?\])?|yarn|spark://[\w.-]+(:\d+)?(,[\w.-]+(:\d+)?)*|k8s://https?://[\w.-]+(:\d+)?"
)


def spark_master(url: StoreURL) -> str | None:
    """The ``?master=`` of a ``spark://`` URL (``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://…``), or
    None when the URL names none (the master ``spark-submit`` was given, else ``local[2]``). Any other query
    key is refused: a setting accepted must have its effect (the caller names the URL in the message).

    >>> spark_master(parse_url("spark:////srv/wh?master=spark://head:7077"))
    'spark://head:7077'
    >>> spark_master(parse_url("spark:///wh")) is None
    True
    """
    unknown = [k for k in url.query if k != "master"]
    if unknown:
        raise SettingError(f"unknown option(s) {', '.join(unknown)}; expected ?master=…")
    master = url.query.get("master")
    if master is not None and not _MASTER.fullmatch(master):
        raise SettingError(f"master {master!r} is not local[N], spark://host:port, yarn or k8s://…")
    return master
