"""Writer processes for the concurrency and crash tests:
``ledger_worker.py bank URL SEED BATCHES START_AT`` and ``ledger_worker.py crash URL SEED BATCHES``."""

from __future__ import annotations

import json
import random
import sys
import time

from guanghe.ledger import CNY, Transfer, open_ledger

BANK_ACCOUNTS = range(1, 21)  # flagged debits <= credits; account 100 is the mint that funded them
CRASH_SOURCE, CRASH_TARGETS = 1, range(2, 12)


def bank_batch(rng: random.Random, next_id: int, size: int) -> list[Transfer]:
    out: list[Transfer] = []
    while len(out) < size:
        a, b = rng.sample(BANK_ACCOUNTS, 2)
        amount = rng.randint(1, 400)
        r = rng.random()
        if r < 0.15:  # a pending transfer posted for less in the same batch
            out.append(Transfer(next_id, a, b, amount, ledger=CNY, code=1, flags=2))
            out.append(Transfer(next_id + 1, pending_id=next_id, amount=rng.randint(1, amount), flags=4))
            next_id += 2
        elif r < 0.3:  # a linked split; sometimes its second leg fails and the first must roll back
            c = rng.choice([x for x in BANK_ACCOUNTS if x not in (a, b)])
            out.append(Transfer(next_id, a, b, amount, ledger=CNY, code=1, flags=1))
            out.append(Transfer(next_id + 1, a, c, rng.randint(1, 2_000), ledger=CNY, code=1))
            next_id += 2
        else:
            out.append(Transfer(next_id, a, b, amount, ledger=CNY, code=1))
            next_id += 1
    return out


def crash_batches(seed: int, n: int, size: int) -> list[list[Transfer]]:
    """Deterministic batches that all succeed: plain, linked pairs, pending then posted next batch."""
    rng = random.Random(seed)
    batches, held, next_id = [], [], 1
    for _ in range(n):
        out = [
            Transfer(next_id + k, pending_id=p, amount=rng.randint(1, 10), flags=4)
            for k, p in enumerate(held)
        ]
        next_id += len(held)
        held = []
        while len(out) < size:
            t = rng.choice(CRASH_TARGETS)
            r = rng.random()
            flags = 2 if r < 0.1 else 1 if r < 0.3 else 0
            out.append(
                Transfer(next_id, CRASH_SOURCE, t, rng.randint(10, 99), ledger=CNY, code=1, flags=flags)
            )
            if flags == 2:
                held.append(next_id)
            next_id += 1
        if out[-1].flags & 1:
            out[-1] = Transfer(out[-1].id, CRASH_SOURCE, out[-1].credit_account_id, 5, ledger=CNY, code=1)
        batches.append(out)
    return batches


def main() -> None:
    mode, url, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = open_ledger(url)
    if mode == "bank":
        time.sleep(max(0.0, float(sys.argv[5]) - time.time()))  # start together with the other writers
        rng, ok, next_id = random.Random(seed), 0, seed * 10**9
        for _ in range(n):
            batch = bank_batch(rng, next_id, 40)
            next_id += len(batch) + 2
            ok += store.create_transfers(batch).count("ok")
        print(json.dumps({"ok": ok}), flush=True)
    else:
        for i, batch in enumerate(crash_batches(seed, n, 1_500)):
            results = store.create_transfers(batch)
            assert set(results) <= {"ok", "exists"}, set(results)
            print(i, flush=True)
    store.close()


if __name__ == "__main__":
    main()
