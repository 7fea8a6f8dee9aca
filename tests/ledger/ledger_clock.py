"""A controllable ledger clock for the tests (a module, not conftest, so tests can import it by name)."""

from __future__ import annotations

SEC = 1_000_000_000
T0 = 1_700_000_000 * SEC


class FakeClock:
    """A controllable ledger clock (nanoseconds)."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * SEC)
