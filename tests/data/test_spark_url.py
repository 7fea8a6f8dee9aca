"""The spark:// URL: ``?master=`` parsed by the one URL parser in config; anything else is refused."""

from __future__ import annotations

import pytest

from guanghe.config import SettingError, parse_url, spark_master
from guanghe.data.warehouse import WarehouseError, open_warehouse


@pytest.mark.parametrize(
    ("url", "master"),
    [
        ("spark:///wh", None),
        ("spark:///wh?master=local[2]", "local[2]"),
        ("spark:///wh?master=local[*]", "local[*]"),
        ("spark:////srv/wh?master=spark://head:7077", "spark://head:7077"),
        ("spark:////srv/wh?master=spark://h1:7077,h2:7077", "spark://h1:7077,h2:7077"),
        ("spark:////srv/wh?master=yarn", "yarn"),
    ],
)
def test_master_is_read_from_the_url(url: str, master: str | None) -> None:
    parsed = parse_url(url, ("spark",))
    assert spark_master(parsed) == master and parsed.path in ("wh", "/srv/wh")


def test_a_bad_master_or_an_unknown_option_is_refused(tmp_path) -> None:
    with pytest.raises(SettingError, match="not local"):
        spark_master(parse_url("spark:///wh?master=mesos://x"))
    with pytest.raises(SettingError, match="unknown option"):
        spark_master(parse_url("spark:///wh?mastr=yarn"))
    for bad in ("?master=yarnn", "?partitions=8"):
        with pytest.raises(WarehouseError, match=r"warehouse 'spark:///.*(not local|unknown option)"):
            open_warehouse(f"spark:///{tmp_path}/wh{bad}", create=True)
    assert not (tmp_path / "wh").exists()  # refused before anything was created
