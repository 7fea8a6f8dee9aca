"""Form bodies (``application/x-www-form-urlencoded``, what the pages' forms and htmx send), parsed without
a multipart dependency; fields are checked by the page with ``FormError`` naming the field."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request


class FormError(ValueError):
    """A form field is missing or malformed: the page shows the message (status 422)."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: expected {expected}")
        self.field = field


class Form:
    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values

    def text(self, name: str, default: str | None = None, max_len: int = 2000) -> str:
        v = self.values.get(name, [default])[0]
        if v is None:
            raise FormError(name, "a value")
        if len(v) > max_len:
            raise FormError(name, f"at most {max_len} characters")
        return v

    def optional(self, name: str) -> str | None:
        v = self.values.get(name, [""])[0].strip()
        return v or None

    def integer(self, name: str, low: int = 1, high: int = 2**62) -> int:
        v = self.values.get(name, [""])[0].strip().replace(",", "")
        try:
            n = int(v)
        except ValueError:
            raise FormError(name, f"an integer {low}..{high}") from None
        if not low <= n <= high:
            raise FormError(name, f"an integer {low}..{high}")
        return n

    def yuan(self, name: str) -> int:
        """An amount typed in yuan (up to 2 decimals) as integer fen."""
        v = self.values.get(name, [""])[0].strip().replace(",", "")
        whole, _, cents = v.partition(".")
        if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
            raise FormError(name, "an amount in yuan, e.g. 1200 or 1200.50")
        fen = int(whole) * 100 + int((cents or "0").ljust(2, "0"))
        if not 0 < fen < 2**62:
            raise FormError(name, "a positive amount")
        return fen

    def all(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, []) if v]


async def read_form(request: Request) -> Form:
    body = await request.body()
    ctype = request.headers.get("content-type", "")
    if body and not ctype.startswith("application/x-www-form-urlencoded"):
        raise FormError("content-type", "application/x-www-form-urlencoded")
    return Form(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
