"""One interface to a generative model: any OpenAI-compatible server (chat completions with SSE streaming,
images/generations). Nothing is configured by default, and nothing here runs unless a provider is."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from guanghe.config import SettingError, Settings, parse_url
from guanghe.studio.errors import ProviderError

SCHEMES = {"openai": "http", "openai+https": "https"}
SETTING = "GUANGHE_STUDIO_PROVIDER"
TIMEOUT = 120.0


@dataclass(frozen=True)
class Provider:
    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model: str
    image_model: str = ""
    api_key: str = ""

    def describe(self) -> str:
        return f"model {self.model} at {self.base_url}"


def provider_from_url(url: str, api_key: str = "") -> Provider:
    """``openai://host:port/v1?model=NAME[&image_model=NAME]`` (plain HTTP, e.g. a local server) or
    ``openai+https://host/v1?model=NAME``; the key comes from ``GUANGHE_STUDIO_API_KEY``, never the URL."""
    try:
        parsed = parse_url(url, tuple(SCHEMES), SETTING)
    except SettingError as e:
        raise ProviderError(str(e)) from e
    if not parsed.host:
        raise ProviderError(
            f"{SETTING} {url!r}: expected a server, e.g. openai://127.0.0.1:8000/v1?model=NAME"
        )
    model = parsed.query.get("model", "")
    if not model:
        raise ProviderError(f"{SETTING} {url!r}: expected ?model=NAME (the chat model to ask)")
    port = f":{parsed.port}" if parsed.port else ""
    path = f"/{parsed.database}" if parsed.database else ""
    base = f"{SCHEMES[parsed.scheme]}://{parsed.host}{port}{path}"
    return Provider(base, model, parsed.query.get("image_model", ""), api_key)


def configured_provider(settings: Settings | None = None) -> Provider | None:
    """The operator's provider, or None (offline) when ``GUANGHE_STUDIO_PROVIDER`` is unset."""
    settings = settings or Settings.from_env()
    if not settings.studio_provider:
        return None
    return provider_from_url(settings.studio_provider, settings.studio_api_key)


def _client(p: Provider) -> httpx.Client:
    headers = {"Authorization": f"Bearer {p.api_key}"} if p.api_key else {}
    return httpx.Client(base_url=p.base_url, headers=headers, timeout=TIMEOUT, trust_env=False)


def _error(p: Provider, response: httpx.Response) -> ProviderError:
    response.read()
    try:
        detail = response.json().get("error", {}).get("message") or response.text
    except (ValueError, AttributeError):
        detail = response.text
    return ProviderError(f"{p.describe()}: HTTP {response.status_code}: {detail[:200]}")


def _events(response: httpx.Response) -> Iterator[dict]:
    """The JSON events of a server-sent event stream, up to ``data: [DONE]``."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            yield json.loads(data)
        except json.JSONDecodeError as e:
            raise ProviderError(f"the provider streamed something that is not JSON: {data[:80]!r}") from e


def chat(p: Provider, system: str, user: str, on_token: Callable[[str], None] | None = None) -> str:
    """Ask the chat model, streaming (``on_token`` gets each piece as it arrives); returns the whole answer."""
    body = {
        "model": p.model,
        "stream": True,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
    }
    pieces: list[str] = []
    try:
        with _client(p) as client, client.stream("POST", "/chat/completions", json=body) as response:
            if response.status_code != 200:
                raise _error(p, response)
            for event in _events(response):
                for choice in event.get("choices", []):
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        pieces.append(piece)
                        if on_token:
                            on_token(piece)
    except httpx.HTTPError as e:
        raise ProviderError(f"{p.describe()}: {type(e).__name__}: {e}") from e
    answer = "".join(pieces).strip()
    if not answer:
        raise ProviderError(f"{p.describe()}: the model answered nothing")
    return answer


def generate_image(p: Provider, prompt: str, size: str = "1024x1024") -> bytes:
    """One image from ``images/generations`` (base64 in the answer, or a URL fetched from the same server)."""
    if not p.image_model:
        raise ProviderError(
            f"{SETTING}: no image model configured: add &image_model=NAME to the provider URL"
        )
    body = {"model": p.image_model, "prompt": prompt, "n": 1, "size": size, "response_format": "b64_json"}
    try:
        with _client(p) as client:
            response = client.post("/images/generations", json=body)
            if response.status_code != 200:
                raise _error(p, response)
            item = (response.json().get("data") or [{}])[0]
            if item.get("b64_json"):
                return base64.b64decode(item["b64_json"])
            if item.get("url"):
                fetched = client.get(item["url"])
                fetched.raise_for_status()
                return fetched.content
    except httpx.HTTPError as e:
        raise ProviderError(f"{p.describe()}: {type(e).__name__}: {e}") from e
    except ValueError as e:
        raise ProviderError(f"{p.describe()}: the image answer is not valid ({e})") from e
    raise ProviderError(f"{p.describe()}: the image answer has neither b64_json nor url")
