"""Template scripts from product files and synopses, their errors, and offline narration."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.studio import StudioError, commentary, live_script, product_script, save_narration
from guanghe.studio.product import load_product
from system_tools import missing_commands, require

EXAMPLES = Path(__file__).parents[2] / "examples" / "studio"
runner = CliRunner()


def test_product_script_has_the_five_beats_from_the_fields() -> None:
    s = product_script(EXAMPLES / "product.toml")
    assert s.source == "template" and s.language == "zh"
    assert [x.label for x in s.sections] == [
        "开场钩子",
        "痛点",
        "卖点一",
        "卖点二",
        "卖点三",
        "证明",
        "行动号召",
    ]
    p = load_product(EXAMPLES / "product.toml")
    for point, section in zip(p.selling_points, s.sections[2:5], strict=True):
        assert point in section.text
    assert p.pain_points[0] in s.sections[1].text and p.proof[0] in s.sections[5].text
    assert "299" in s.sections[6].text and p.offer in s.sections[6].text
    assert "[模板生成]" in s.as_text().splitlines()[0]


def test_english_product_and_live_scripts() -> None:
    s = product_script(EXAMPLES / "product-en.toml")
    assert s.language == "en" and s.sections[0].label == "Hook" and "[template output]" in s.as_text()
    live = live_script(EXAMPLES / "product-en.toml")
    demos = [x for x in live.sections if x.label.startswith("Demo")]
    assert len(demos) == 3 and "40 dB active noise cancelling" in demos[0].text


def test_commentary_keeps_every_synopsis_sentence_in_order() -> None:
    synopsis = (EXAMPLES / "synopsis.txt").read_text(encoding="utf-8")
    s = commentary(EXAMPLES / "synopsis.txt", "霸王别姬")
    beats = {x.label: x.text for x in s.sections}
    assert list(beats)[1:5] == ["起", "承", "转", "合"]
    body = "".join(beats[b] for b in ("起", "承", "转", "合")).replace("然而故事在这里急转直下：", "")
    assert body == synopsis.strip()
    assert s.title.startswith("《霸王别姬》")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('name = "x"\nselling_points = ["a", "b"]\n', r"product\.toml:2: selling_points: expected at least 3"),
        ('selling_points = ["a", "b", "c"]\n', r"product\.toml: name: missing"),
        ('name = "耳机"\nprice = "cheap"\nselling_points = ["降噪", "续航", "轻"]\n', r"toml:2: price: expected a number"),
        ('name = "耳机"\nselling_points = ["降噪", 3, "轻"]\n', r"product\.toml:2: selling_points: expected a list"),
        ("name = [unclosed\n", "not valid TOML"),
        ('name = "Наушники"\nselling_points = ["тихо", "долго", "легко"]\n', "unsupported language"),
    ],
)  # fmt: skip
def test_product_file_errors_name_file_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "product.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StudioError, match=message):
        product_script(path)
    result = runner.invoke(app, ["studio", "script", str(path)])
    assert result.exit_code == 2 and "error:" in result.output


def test_short_synopsis_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("只有一句话。", encoding="utf-8")
    with pytest.raises(StudioError, match="at least 4"):
        commentary(path)


def test_live_script_narration_is_a_playable_wav(tmp_path: Path) -> None:
    require(missing_commands("espeak-ng", "ffprobe"), "the narration test")
    out = tmp_path / "live.wav"
    result = runner.invoke(
        app, ["studio", "live-script", str(EXAMPLES / "product.toml"), "--audio", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "直播话术" in result.output
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getnchannels() == 1 and w.getframerate() == 22050
    assert seconds > 10  # eight sections of Mandarin speech
    if shutil.which("ffprobe"):
        probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                 str(out)], capture_output=True, text=True, check=True)  # fmt: skip
        assert float(probed.stdout) == pytest.approx(seconds, abs=0.05)
    with pytest.raises(StudioError, match="folder"):
        save_narration(["你好"], "zh", tmp_path / "missing" / "x.wav")


def test_cli_text_commands_json() -> None:
    import json

    k = runner.invoke(app, ["studio", "keywords", "周末带孩子去湖边露营，帐篷和篝火都准备好了", "--json"])
    assert k.exit_code == 0, k.output
    assert json.loads(k.output)["language"] == "zh"
    s = runner.invoke(app, ["studio", "script", str(EXAMPLES / "product.toml"), "--json", "--offline"])
    assert json.loads(s.output)["source"] == "template"
    empty = runner.invoke(app, ["studio", "titles", " "])
    assert empty.exit_code == 2 and "empty" in empty.output
