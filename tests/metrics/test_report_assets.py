"""The vendored charting library: the exact npm file, with its licenses, shipped as package data, inlined."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import guanghe
from guanghe.metrics.report.assets import ECHARTS_SHA256, ECHARTS_VERSION, echarts_js, glue_js, inline_script

VENDOR = Path(guanghe.__file__).parent / "metrics" / "report" / "vendor" / "echarts"
ROOT = Path(__file__).resolve().parents[2]


def test_vendored_echarts_is_the_recorded_release_with_its_licenses():
    js = VENDOR / "echarts.common.min.js"
    assert hashlib.sha256(js.read_bytes()).hexdigest() == ECHARTS_SHA256
    assert f'version:"{ECHARTS_VERSION}"' in echarts_js()
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert "Apache ECharts" in (VENDOR / "NOTICE").read_text()
    assert "Mike Bostock" in (VENDOR / "LICENSE-d3").read_text()
    readme = (VENDOR / "README.md").read_text()
    assert ECHARTS_SHA256 in readme and f"echarts@{ECHARTS_VERSION}" in readme


def test_package_data_ships_the_scripts_and_licenses():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "guanghe"
    ]
    pkg = ROOT / "src" / "guanghe"
    shipped = {p for pattern in patterns for p in pkg.glob(pattern) if p.is_file()}
    for name in ("echarts.common.min.js", "LICENSE", "NOTICE", "LICENSE-d3"):
        assert VENDOR.relative_to(Path(guanghe.__file__).parent) / name in {
            p.relative_to(pkg) for p in shipped
        }
    assert pkg / "metrics" / "report" / "charts.js" in shipped


def test_inline_script_cannot_close_its_element_early():
    assert inline_script('a = "</script><b>"') == '<script>a = "<\\/script><b>"</script>'
    assert inline_script(echarts_js()).count("</script") == 1 and "</script" not in glue_js()
