"""A small, deliberately naive model of the ledger for the property tests (dicts, deep copies for chains).

Covers the operations the property test generates; written independently of ``guanghe.ledger.engine``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

SEC = 1_000_000_000
FULL = 2**63 - 1  # a post of this amount posts the whole pending amount
# the order TigerBeetle compares a retry with the stored transfer
FIELDS = ("flags", "pending_id", "timeout", "debit_account_id", "credit_account_id", "amount", "user_data",
          "ledger", "code")  # fmt: skip


@dataclass
class Model:
    limits: dict[int, int]  # account id -> 0 none, 2 debits<=credits, 4 credits<=debits
    balances: dict[int, list[int]] = field(default_factory=dict)  # id -> [dp, dpo, cp, cpo]
    transfers: dict[int, dict] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)  # pending id -> pending/posted/voided/expired
    expires: dict[int, int] = field(default_factory=dict)
    last_ts: int = 0

    def __post_init__(self) -> None:
        self.balances = {a: [0, 0, 0, 0] for a in self.limits}

    def batch(self, now: int, events: list[dict]) -> list[str]:
        now = max(now, self.last_ts + 1)
        ts = now - 1
        for pid in sorted(
            (p for p, s in self.status.items() if s == "pending"), key=lambda p: (self.expires[p], p)
        ):
            if 0 < self.expires[pid] <= now:
                ts += 1
                self.status[pid] = "expired"
                p = self.transfers[pid]
                self.balances[p["debit_account_id"]][0] -= p["amount"]
                self.balances[p["credit_account_id"]][2] -= p["amount"]
        results, i = [], 0
        while i < len(events):
            j = i
            while events[j]["flags"] & 1 and j < len(events) - 1:
                j += 1
            chain = events[i : j + 1]
            saved = (
                copy.deepcopy(self.balances),
                dict(self.status),
                dict(self.expires),
                ts,
                len(self.transfers),
            )
            codes = []
            for k, e in enumerate(chain):
                if e["flags"] & 1 and i + k == len(events) - 1:
                    code = "linked_event_chain_open"
                else:
                    code, ts = self._one(e, ts)
                codes.append(code)
                if code not in ("ok", "exists"):
                    break
            if codes[-1] not in ("ok", "exists"):
                self.balances, self.status, self.expires, ts, n = saved
                while len(self.transfers) > n:  # dicts keep insertion order: drop the chain's new transfers
                    self.transfers.popitem()
                codes = ["linked_event_failed"] * (len(codes) - 1) + [codes[-1]]
                codes += ["linked_event_failed"] * (len(chain) - len(codes))
                if chain[-1]["flags"] & 1:  # a batch ending inside the chain: its last says so
                    codes[-1] = "linked_event_chain_open"
            results += codes
            i = j + 1
        if ts >= self.last_ts:
            self.last_ts = ts
        return results

    def _one(self, e: dict, ts: int) -> tuple[str, int]:
        if e["id"] in self.transfers:
            return self._compare(e, self.transfers[e["id"]]), ts
        if e["flags"] & (4 | 8):
            return self._resolve(e, ts)
        dr, cr, amount = e["debit_account_id"], e["credit_account_id"], e["amount"]
        if dr == cr:
            return "accounts_must_be_different", ts
        if dr not in self.balances:
            return "debit_account_not_found", ts
        if cr not in self.balances:
            return "credit_account_not_found", ts
        d, c = self.balances[dr], self.balances[cr]
        if self.limits[dr] == 2 and d[0] + d[1] + amount > d[3]:
            return "exceeds_credits", ts
        if self.limits[cr] == 4 and c[2] + c[3] + amount > c[1]:
            return "exceeds_debits", ts
        ts += 1
        self.transfers[e["id"]] = dict(e)
        if e["flags"] & 2:
            d[0] += amount
            c[2] += amount
            self.status[e["id"]] = "pending"
            self.expires[e["id"]] = ts + e["timeout"] * SEC if e["timeout"] else 0
        else:
            d[1] += amount
            c[3] += amount
        return "ok", ts

    def _resolve(self, e: dict, ts: int) -> tuple[str, int]:
        if e["pending_id"] == e["id"]:
            return "pending_id_must_be_different", ts
        p = self.transfers.get(e["pending_id"])
        if p is None:
            return "pending_transfer_not_found", ts
        if not p["flags"] & 2:
            return "pending_transfer_not_pending", ts
        amount = _amount(e, p)
        if amount > p["amount"]:
            return "exceeds_pending_transfer_amount", ts
        if e["flags"] & 8 and amount < p["amount"]:
            return "pending_transfer_has_different_amount", ts
        state = self.status[p["id"]]
        if state != "pending":
            return {
                "posted": "pending_transfer_already_posted",
                "voided": "pending_transfer_already_voided",
                "expired": "pending_transfer_expired",
            }[state], ts
        if 0 < self.expires[p["id"]] <= ts + 1:
            return "pending_transfer_expired", ts
        ts += 1
        self.transfers[e["id"]] = {
            **e,
            "debit_account_id": p["debit_account_id"],
            "credit_account_id": p["credit_account_id"],
            "amount": amount,
            "ledger": p["ledger"],
            "code": p["code"],
            "user_data": e["user_data"] or p["user_data"],
        }
        self.status[p["id"]] = "posted" if e["flags"] & 4 else "voided"
        d, c = self.balances[p["debit_account_id"]], self.balances[p["credit_account_id"]]
        d[0] -= p["amount"]
        c[2] -= p["amount"]
        if e["flags"] & 4:
            d[1] += amount
            c[3] += amount
        return "ok", ts

    def _compare(self, e: dict, old: dict) -> str:
        """A retry: the first field that differs. A post/void's zero debit/credit/ledger/code match anything
        (they came from the pending transfer), its amount and user_data are compared as resolved."""
        resolving = (
            e["flags"] & (4 | 8) and old["flags"] == e["flags"] and old["pending_id"] == e["pending_id"]
        )
        if resolving:
            p = self.transfers[e["pending_id"]]
            e = {**e, "amount": _amount(e, p), "user_data": e["user_data"] or p["user_data"]}
            e.update(
                {f: old[f] for f in ("debit_account_id", "credit_account_id", "ledger", "code") if not e[f]}
            )
        for f in FIELDS:
            if e[f] != old[f]:
                return f"exists_with_different_{f}"
        return "exists"


def _amount(e: dict, p: dict) -> int:
    if e["flags"] & 8:
        return e["amount"] or p["amount"]
    return p["amount"] if e["amount"] == FULL else e["amount"]
