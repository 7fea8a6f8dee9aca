"""The provider path against a real loopback HTTP server speaking the OpenAI protocol (chat/completions with SSE
streaming, images/generations), served by uvicorn on 127.0.0.1 inside the test; and the offline path opening no
socket at all."""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from PIL import Image
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.config import Settings
from guanghe.studio import (
    ProviderError,
    StudioError,
    comic_panels,
    configured_provider,
    extract_keywords,
    photo_studio,
    product_script,
    provider_from_url,
    save_comic,
    text_to_image,
    titles,
)
from guanghe.studio.provider import Provider, chat

EXAMPLES = Path(__file__).parents[2] / "examples" / "studio"
KEY = "sk-test-123"
TITLES = [
    "Three-minute braised pork belly",
    "Quiet commute: noise-cancelling earbuds tested",
    "Lakeside camping gear",
]


def answer_for(prompt: str) -> str:
    """What the stub model says: one line per requested section, or titles, or four panels."""
    if m := re.search(r"sections in order: (.+?)\.\n", prompt):
        labels = re.split(r"、|, ", m.group(1))
        return "\n".join(f"{label}: {label} written by the stub" for label in labels)
    if "video titles" in prompt:
        return "\n".join(f"{i}. {t}" for i, t in enumerate(TITLES, 1))
    if "four-panel comic" in prompt:
        return "起：小猫看见鱼缸\n承：小猫伸出爪子\n转：鱼缸里其实是一只螃蟹\n合：小猫从此只吃猫粮"
    return "I do not know."


class Stub:
    """A raw ASGI app: enough of the OpenAI protocol for the studio, recording every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict]] = []
        self.pieces: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        data = json.loads(body) if body else {}
        self.requests.append((scope["path"], headers, data))
        if scope["path"] == "/v1/chat/completions":
            await self.chat(data, send)
        elif scope["path"] == "/v1/images/generations":
            await self.image(data, send, headers["host"])
        elif scope["path"] == "/files/picture.png":
            await self.respond(send, 200, png(16, 16), "image/png")
        else:
            await self.respond(send, 404, b'{"error": {"message": "no such route"}}')

    async def respond(self, send, status: int, body: bytes, kind: str = "application/json") -> None:
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", kind.encode())]}
        )
        await send({"type": "http.response.body", "body": body})

    async def chat(self, data: dict, send) -> None:
        if data.get("model") == "broken":
            await self.respond(send, 500, b'{"error": {"message": "the model is down"}}')
            return
        text = answer_for(data["messages"][-1]["content"])
        pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
        self.pieces = pieces
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})  # fmt: skip
        for piece in pieces:
            event = {
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": {"content": piece}}],
            }
            chunk = f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n"})

    async def image(self, data: dict, send, host: str) -> None:
        if data.get("model") == "url-model":  # an absolute URL to fetch, as hosted providers answer
            answer = {"data": [{"url": f"http://{host}/files/picture.png"}]}
            await self.respond(send, 200, json.dumps(answer).encode())
            return
        w, h = (int(x) for x in data["size"].split("x"))
        payload = {"created": 0, "data": [{"b64_json": base64.b64encode(png(w, h)).decode()}]}
        await self.respond(send, 200, json.dumps(payload).encode())


def png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (10, 200, 30)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[Stub, str]]:
    handler = Stub()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(handler, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield handler, f"openai://127.0.0.1:{port}/v1?model=stub-chat&image_model=stub-image"
    server.should_exit = True
    thread.join(5)
    sock.close()


def test_provider_url_rule() -> None:
    p = provider_from_url("openai+https://api.example.com/v1?model=m&image_model=i", "k")
    assert (p.base_url, p.model, p.image_model, p.api_key) == ("https://api.example.com/v1", "m", "i", "k")
    assert (
        provider_from_url("openai://127.0.0.1:8000/api/v3?model=m").base_url == "http://127.0.0.1:8000/api/v3"
    )
    for bad, message in [("http://x/v1?model=m", "unknown scheme"), ("openai://host/v1", r"\?model=NAME"),
                         ("openai:///file?model=m", "expected a server"), ("host:1/v1", "expected scheme")]:  # fmt: skip
        with pytest.raises(ProviderError, match=message):
            provider_from_url(bad)
    assert configured_provider(Settings.from_env({})) is None  # nothing configured by default
    env = {"GUANGHE_STUDIO_PROVIDER": "openai://h:1/v1?model=m", "GUANGHE_STUDIO_API_KEY": "s"}
    assert configured_provider(Settings.from_env(env)) == Provider("http://h:1/v1", "m", "", "s")


def test_script_streams_from_the_model(stub: tuple[Stub, str]) -> None:
    handler, url = stub
    provider = provider_from_url(url, KEY)
    streamed: list[str] = []
    s = product_script(EXAMPLES / "product.toml", provider, streamed.append)
    assert streamed == handler.pieces and len(streamed) > 3  # piece by piece, in order
    assert s.source == f"model stub-chat at {provider.base_url}"
    assert [x.label for x in s.sections] == [
        "开场钩子",
        "痛点",
        "卖点一",
        "卖点二",
        "卖点三",
        "证明",
        "行动号召",
    ]
    assert s.sections[2].text == "卖点一 written by the stub"
    assert "[模型生成: model stub-chat" in s.as_text()
    path, headers, body = handler.requests[-1]
    assert path == "/v1/chat/completions" and headers["authorization"] == f"Bearer {KEY}"
    assert body["stream"] is True and body["model"] == "stub-chat"
    assert "40dB 深度主动降噪" in body["messages"][-1]["content"]  # the product's facts are in the prompt


def test_model_titles_are_ranked_by_the_embedding_model(stub: tuple[Stub, str]) -> None:
    provider = provider_from_url(stub[1])
    t = titles("Noise-cancelling earbuds for a loud subway commute: 30-hour battery.", 3, provider)
    assert t.source.startswith("model stub-chat")
    assert t.titles[0].text == "Quiet commute: noise-cancelling earbuds tested"
    assert sorted(r.text for r in t.titles) == sorted(TITLES)


def test_comic_panels_from_an_idea(stub: tuple[Stub, str], tmp_path: Path) -> None:
    panels = comic_panels(idea="一只想吃鱼的小猫", provider=provider_from_url(stub[1]))
    assert panels == ["小猫看见鱼缸", "小猫伸出爪子", "鱼缸里其实是一只螃蟹", "小猫从此只吃猫粮"]
    assert save_comic(panels, tmp_path / "c.png").stat().st_size > 1000


def test_images_through_the_endpoint(stub: tuple[Stub, str], tmp_path: Path) -> None:
    handler, url = stub
    provider = provider_from_url(url)
    out = text_to_image("a cat on a skateboard", tmp_path / "cat.png", provider, size="64x48")
    assert Image.open(out).size == (64, 48)
    assert handler.requests[-1][2] == {"model": "stub-image", "prompt": "a cat on a skateboard", "n": 1,
                                       "size": "64x48", "response_format": "b64_json"}  # fmt: skip
    photo = photo_studio(EXAMPLES / "product.toml", tmp_path / "photo.png", provider, size="32x32")
    assert Image.open(photo).size == (32, 32)
    assert "轻羽降噪耳机" in handler.requests[-1][2]["prompt"]
    by_url = provider_from_url(url.replace("stub-image", "url-model"))
    assert Image.open(text_to_image("x", tmp_path / "u.png", by_url)).size == (16, 16)
    with pytest.raises(StudioError, match=r"name the output \*\.png"):
        text_to_image("x", tmp_path / "wrong.jpg", provider, size="8x8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png", "photo.png", "u.png"]


def test_provider_failures_are_clear(stub: tuple[Stub, str], tmp_path: Path) -> None:
    url = stub[1]
    with pytest.raises(ProviderError, match="HTTP 500: the model is down"):
        chat(provider_from_url(url.replace("stub-chat", "broken")), "s", "u")
    with pytest.raises(ProviderError, match="no image model"):
        text_to_image("x", tmp_path / "x.png", provider_from_url("openai://127.0.0.1:9/v1?model=m"))
    with pytest.raises(ProviderError, match="ConnectError"):
        chat(provider_from_url("openai://127.0.0.1:9/v1?model=m"), "s", "u")  # nothing listens on port 9
    with pytest.raises(ProviderError, match="no offline image model"):
        text_to_image("x", tmp_path / "x.png", None)


def test_cli_uses_the_configured_provider(stub: tuple[Stub, str]) -> None:
    runner = CliRunner()
    env = {"GUANGHE_STUDIO_PROVIDER": stub[1], "GUANGHE_STUDIO_API_KEY": KEY}
    result = runner.invoke(app, ["studio", "script", str(EXAMPLES / "product.toml"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["source"].startswith("model stub-chat")
    offline = runner.invoke(
        app, ["studio", "script", str(EXAMPLES / "product.toml"), "--json", "--offline"], env=env
    )
    assert json.loads(offline.output)["source"] == "template"
    bad = runner.invoke(app, ["studio", "script", str(EXAMPLES / "product.toml")],
                        env={"GUANGHE_STUDIO_PROVIDER": "openai://h/v1"})  # fmt: skip
    assert bad.exit_code == 2 and "?model=NAME" in bad.output


_WATCHING: list[int] = []  # thread ids whose socket events are recorded
_EVENTS: list[str] = []


def _audit(event: str, _args: tuple) -> None:
    if event.startswith("socket.") and threading.get_ident() in _WATCHING:
        _EVENTS.append(event)


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while a test watches its own thread


def test_the_offline_path_opens_no_socket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GUANGHE_STUDIO_PROVIDER", raising=False)
    provider = configured_provider()
    assert provider is None
    _WATCHING.append(threading.get_ident())
    try:
        extract_keywords("通勤路上太吵怎么办？这款降噪耳机续航三十小时。")
        titles("Noise-cancelling earbuds for a loud subway commute.", 3, provider)
        product_script(EXAMPLES / "product.toml", provider)
        save_comic(comic_panels(EXAMPLES / "panels.txt"), tmp_path / "c.png")
        socket.socket().close()  # the hook itself works: this one is recorded
    finally:
        _WATCHING.remove(threading.get_ident())
    assert _EVENTS == ["socket.__new__"]
