"""The writing use cases: each returns template output offline, or asks the configured provider (and says so in
the result's ``source``). The CLI and the web creator center call these."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from guanghe.studio import templates
from guanghe.studio.comic import read_panels
from guanghe.studio.errors import ProviderError, StudioError
from guanghe.studio.files import read_text
from guanghe.studio.language import detect_language
from guanghe.studio.product import Product, load_product
from guanghe.studio.provider import Provider, chat
from guanghe.studio.script import Script, Section
from guanghe.studio.titles import Titles, suggest_titles

Tokens = Callable[[str], None] | None

SYSTEM = {
    "zh": "你是短视频平台的资深文案。只输出要求的内容，每段一行，行首写段落名和冒号。",
    "en": "You are a senior short-video copywriter. Output only what is asked: one section per line, "
    "each line starting with the section name and a colon.",
}
PRODUCT_SECTIONS = {
    "zh": ("开场钩子", "痛点", "卖点一", "卖点二", "卖点三", "证明", "行动号召"),
    "en": (
        "Hook",
        "Pain point",
        "Selling point 1",
        "Selling point 2",
        "Selling point 3",
        "Proof",
        "Call to action",
    ),
}
COMMENTARY_SECTIONS = {
    "zh": ("开场钩子", "起", "承", "转", "合", "点评", "结尾互动"),
    "en": ("Hook", "Setup", "Development", "Turn", "Resolution", "Comment", "Closing question"),
}
LIVE_SECTIONS = {
    "zh": ("开场", "痛点提问", "讲解", "信任背书", "福利", "互动", "逼单", "循环"),
    "en": ("Opening", "Pain questions", "Demo", "Trust", "Deal", "Engage", "Close", "Loop"),
}


def _facts(p: Product) -> str:
    rows = [f"name: {p.name}", f"selling points: {'; '.join(p.selling_points)}"]
    rows += [
        f"{k}: {v}" for k, v in (("category", p.category), ("audience", p.audience), ("offer", p.offer)) if v
    ]
    rows += [f"pain points: {'; '.join(p.pain_points)}"] if p.pain_points else []
    rows += [f"proof: {'; '.join(p.proof)}"] if p.proof else []
    rows += [f"price: {p.price:g}"] if p.price is not None else []
    return "\n".join(rows)


def parse_sections(answer: str) -> list[Section]:
    """``label: text`` lines of a model's answer; an answer without them is one section."""
    sections = []
    for line in answer.splitlines():
        m = re.match(r"^\s*[\[【#*]*\s*([^:：\]】]{1,20})\s*[\]】*]*\s*[:：]\s*(.+)$", line)
        if m:
            sections.append(Section(m.group(1).strip(), m.group(2).strip()))
        elif line.strip() and sections:
            last = sections[-1]
            sections[-1] = Section(last.label, f"{last.text} {line.strip()}")
    return sections or [Section("script", answer.strip())]


def _ask(provider: Provider, kind: str, title: str, language: str, task: str, on_token: Tokens) -> Script:
    answer = chat(provider, SYSTEM[language], task, on_token)
    return Script(kind, title, language, parse_sections(answer), provider.describe())


def product_script(path: Path, provider: Provider | None = None, on_token: Tokens = None) -> Script:
    """Hook → pain point → three selling points → proof → call to action, from a product file."""
    p = load_product(path)
    if provider is None:
        return templates.product_script(p)
    names = (
        "、".join(PRODUCT_SECTIONS[p.language]) if p.language == "zh" else ", ".join(PRODUCT_SECTIONS["en"])
    )
    task = (
        f"Write a 30-second product introduction script with these sections in order: {names}.\n{_facts(p)}"
    )
    title = f"{p.name} 产品介绍脚本" if p.language == "zh" else f"{p.name}: product introduction"
    return _ask(provider, "product", title, p.language, task, on_token)


def commentary(
    path: Path, title: str = "", provider: Provider | None = None, on_token: Tokens = None
) -> Script:
    """A film-commentary outline from a synopsis file."""
    synopsis = read_text(path, "synopsis")
    if provider is None:
        return templates.commentary_outline(synopsis, title)
    language = detect_language(synopsis, f"{path}")
    names = ", ".join(COMMENTARY_SECTIONS[language])
    task = f"Write a film-commentary script outline with these sections in order: {names}.\n"
    task += f"Film: {title or '(untitled)'}\nSynopsis: {synopsis.strip()}"
    heading = (
        f"《{title.strip('《》')}》 解说文案大纲"
        if language == "zh" and title
        else f"{title or 'Film'}: commentary outline"
    )
    return _ask(provider, "commentary", heading, language, task, on_token)


def live_script(path: Path, provider: Provider | None = None, on_token: Tokens = None) -> Script:
    """A live host's run sheet for a product (the digital-human host itself is out of reach offline)."""
    p = load_product(path)
    if provider is None:
        return templates.live_script(p)
    names = ", ".join(LIVE_SECTIONS[p.language])
    task = f"Write a live-stream host script selling this product, sections in order: {names}.\n{_facts(p)}"
    title = f"{p.name} 直播话术" if p.language == "zh" else f"{p.name}: live host script"
    return _ask(provider, "live", title, p.language, task, on_token)


def titles(text: str, top: int = 5, provider: Provider | None = None, on_token: Tokens = None) -> Titles:
    """Titles and captions: template hooks (offline) or the model's candidates, ranked by the embedding model."""
    if provider is None:
        return suggest_titles(text, top)
    language = detect_language(text, "the description")
    task = f"Write 8 short, catchy video titles for this work, one per line, no numbering:\n{text.strip()}"
    answer = chat(provider, SYSTEM[language], task, on_token)
    candidates = [re.sub(r"^\s*(\d+[.)、]|[-*•])\s*", "", line).strip() for line in answer.splitlines()]
    candidates = [c for c in candidates if c]
    if not candidates:
        raise ProviderError(f"{provider.describe()}: no titles in the answer")
    ranked = suggest_titles(text, top, candidates)
    return Titles(ranked.language, ranked.titles, ranked.captions, ranked.hashtags, provider.describe())


def comic_panels(path: Path | None = None, idea: str = "", provider: Provider | None = None,
                 on_token: Tokens = None) -> list[str]:  # fmt: skip
    """Four panel texts: from a file (one per line), or written by the provider from an ``idea``."""
    if path is not None:
        return read_panels(path)
    if not idea.strip():
        raise StudioError("give a panel file, or an idea for the provider to write the four panels from")
    if provider is None:
        raise ProviderError("writing panels from an idea needs a provider: set GUANGHE_STUDIO_PROVIDER")
    language = detect_language(idea, "the idea")
    task = ("Write a four-panel comic (起, 承, 转, 合) from this idea: four lines, one short caption each, "
            f"each line starting with its beat and a colon.\n{idea.strip()}")  # fmt: skip
    panels = [s.text for s in parse_sections(chat(provider, SYSTEM[language], task, on_token))]
    if len(panels) != 4:
        raise ProviderError(f"{provider.describe()}: expected 4 panels, got {len(panels)}")
    return panels
