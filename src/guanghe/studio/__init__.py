"""The creator studio (AIGC): keywords and hashtags, titles and captions, product / commentary / live scripts,
four-panel comic storyboards and one-click vlog editing, all offline; copywriting, scripts, comic panels and
images through one OpenAI-compatible provider when the operator configures one (``GUANGHE_STUDIO_PROVIDER``).

Each capability is one plain use-case function (the CLI and, later, the web creator center call them). The room
imports nothing of ours but ``guanghe.config``."""

from __future__ import annotations

from guanghe.studio.comic import render_comic, save_comic
from guanghe.studio.errors import ProviderError, StudioError
from guanghe.studio.imaging import photo_studio, text_to_image
from guanghe.studio.keywords import Keywords, extract_keywords
from guanghe.studio.narrate import save_narration
from guanghe.studio.provider import Provider, configured_provider, provider_from_url
from guanghe.studio.script import Script, Section
from guanghe.studio.timeline import EditRules, Plan
from guanghe.studio.titles import Titles, rank_titles, suggest_titles
from guanghe.studio.vlog import Encoding, VlogResult, edit_vlog
from guanghe.studio.writing import comic_panels, commentary, live_script, product_script, titles

__all__ = [
    "EditRules",
    "Encoding",
    "Keywords",
    "Plan",
    "Provider",
    "ProviderError",
    "Script",
    "Section",
    "StudioError",
    "Titles",
    "VlogResult",
    "comic_panels",
    "commentary",
    "configured_provider",
    "edit_vlog",
    "extract_keywords",
    "live_script",
    "photo_studio",
    "product_script",
    "provider_from_url",
    "rank_titles",
    "render_comic",
    "save_comic",
    "save_narration",
    "suggest_titles",
    "text_to_image",
    "titles",
]
