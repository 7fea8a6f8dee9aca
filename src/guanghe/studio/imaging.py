"""Text-to-image and the AI photo studio: through the provider's images endpoint only (no offline model)."""

from __future__ import annotations

from pathlib import Path

from guanghe.studio.errors import ProviderError, StudioError
from guanghe.studio.files import output_folder, write_atomic
from guanghe.studio.product import load_product
from guanghe.studio.provider import Provider, generate_image

MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"RIFF": ".webp"}
STUDIO_SCENE = "clean seamless studio background, soft key light, product centred, e-commerce hero shot"


def _need(provider: Provider | None) -> Provider:
    if provider is None:
        raise ProviderError(
            "image generation needs a provider (there is no offline image model): set GUANGHE_STUDIO_PROVIDER "
            "to openai://host:port/v1?model=NAME&image_model=NAME"
        )
    return provider


def _save(data: bytes, out: Path) -> Path:
    kind = next((ext for magic, ext in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise ProviderError("the provider's image is not PNG, JPEG or WebP")
    if out.suffix.lower() not in (kind, ".jpeg" if kind == ".jpg" else kind):
        raise StudioError(f"{out}: the provider returned a {kind} image; name the output *{kind}")
    return write_atomic(out, data)


def text_to_image(prompt: str, out: Path, provider: Provider | None, size: str = "1024x1024") -> Path:
    if not prompt.strip():
        raise StudioError("the prompt is empty: describe the image")
    output_folder(out)
    return _save(generate_image(_need(provider), prompt.strip(), size), out)


def photo_studio(
    product: Path, out: Path, provider: Provider | None, scene: str = "", size: str = "1024x1024"
) -> Path:
    """A product photo staged from the product file's fields (and an optional scene)."""
    p = load_product(product)
    output_folder(out)
    prompt = f"Professional product photograph of {p.name}"
    prompt += f" ({p.category})" if p.category else ""
    prompt += f", showing: {'; '.join(p.selling_points)}. {scene.strip() or STUDIO_SCENE}."
    return _save(generate_image(_need(provider), prompt, size), out)
