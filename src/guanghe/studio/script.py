"""A written script: labelled sections, and where it came from (a template or a named model)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

TEMPLATE = "template"


@dataclass(frozen=True)
class Section:
    label: str
    text: str


@dataclass(frozen=True)
class Script:
    kind: str  # product | commentary | live
    title: str
    language: str
    sections: list[Section] = field(default_factory=list)
    source: str = TEMPLATE  # "template", or "model NAME at URL" for provider output

    def as_text(self) -> str:
        note = "模板生成" if self.language == "zh" else "template output"
        if self.source != TEMPLATE:
            note = f"{'模型生成' if self.language == 'zh' else 'model output'}: {self.source}"
        lines = [f"{self.title}  [{note}]", ""]
        for s in self.sections:
            lines += [f"【{s.label}】" if self.language == "zh" else f"[{s.label}]", s.text, ""]
        return "\n".join(lines).rstrip() + "\n"

    def spoken(self) -> list[str]:
        """The lines a narrator reads (section texts, without labels)."""
        return [s.text for s in self.sections]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
