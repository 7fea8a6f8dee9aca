"""The operator's CLI on the market (SQLite and PostgreSQL, a real ledger): campaigns, orders, disputes, and
resolving a dispute through the use case (idempotent); bad input exits 2 with one line."""

from __future__ import annotations

import json

from order_world import CREATOR, PRICE, World
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.ledger.reconcile import reconcile
from guanghe.market.offers import get_order
from guanghe.money.chart import creator_payable

runner = CliRunner()


def cli(world: World, *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["market", *args, "--db", world.m.db.url])
    return r.exit_code, r.output


def test_the_operator_lists_and_resolves(world: World) -> None:
    done = world.drive("accept", "fund", "deliver", "accept")
    disputed = world.drive("accept", "fund", "deliver", "dispute")
    code, out = cli(world, "campaigns", "--json")
    assert code == 0 and [c["id"] for c in json.loads(out)] == [world.campaign]
    code, out = cli(world, "orders", "--state", "completed", "--json")
    assert code == 0 and [o["id"] for o in json.loads(out)] == [done]
    code, out = cli(world, "disputes", "--json")
    assert code == 0 and [o["id"] for o in json.loads(out)] == [disputed]
    code, out = cli(world, "disputes")
    assert code == 0 and "disputed orders (1)" in out
    ledger = ["--ledger", world.m.ledger.url]
    for run in range(2):  # twice: the second is the first's answer, no money moves again
        code, out = cli(world, "resolve", str(disputed), "--creator-share-bps", "6000", *ledger, "--json")
        assert code == 0, out
        got = json.loads(out)
        assert got["to_state"] == "resolved" and got["replayed"] == (run == 1)
    assert get_order(world.m.db, disputed).creator_fen == 60_000
    # the creator: the completed order's price and 60 % of the disputed one, less 5 % fees on each
    [payable] = world.m.ledger.lookup_accounts([creator_payable(CREATOR)])
    assert payable.credits_posted - payable.debits_posted == (PRICE - 5_000) + (60_000 - 3_000)
    assert reconcile(world.m.ledger).ok


def test_bad_input_exits_2_with_one_line(world: World) -> None:
    ledger = ["--ledger", world.m.ledger.url]
    for args in (["orders", "--state", "lost"], ["resolve", "1", "--creator-share-bps", "10001", *ledger]):
        code, out = cli(world, *args)
        assert code == 2 and len(out.strip().splitlines()) == 1, out
    code, out = cli(world, "resolve", "999", "--creator-share-bps", "5000", *ledger)
    assert code == 1 and "no order 999" in out
    order = world.drive("accept")
    code, out = cli(world, "resolve", str(order), "--creator-share-bps", "5000", *ledger)
    assert code == 1 and "cannot resolve" in out


def test_the_sweep_auto_accepts_and_expires_what_is_due(world: World) -> None:
    """Delivered on 06-01 (accept_by 7 days later) and funded but undelivered past the campaign deadline
    (2023-06-20): a sweep on 06-05 does nothing; on 06-20 (given with a +08:00 offset) it completes the first
    (the creator paid, less the 5 % fee); on 06-21 it expires the second (the brand's hold voided); a later
    sweep finds nothing."""
    delivered, funded = world.drive("accept", "fund", "deliver"), world.drive("accept", "fund")
    ledger = ["--ledger", world.m.ledger.url]
    code, out = cli(world, "sweep", "--now", "2023-06-05T00:00:00", *ledger, "--json")
    assert code == 0 and json.loads(out) == {"auto_accepted": [], "expired": []}, out
    # 06-20 18:00 UTC: the acceptance window is over, the campaign's deadline day (UTC platform) is not
    code, out = cli(world, "sweep", "--now", "2023-06-21T02:00:00+08:00", *ledger, "--json")
    assert code == 0 and json.loads(out) == {"auto_accepted": [delivered], "expired": []}, out
    code, out = cli(world, "sweep", "--now", "2023-06-21T12:00:00", *ledger, "--json")
    assert code == 0 and json.loads(out) == {"auto_accepted": [], "expired": [funded]}, out
    assert (get_order(world.m.db, delivered).state, get_order(world.m.db, funded).state) == (
        "completed",
        "expired",
    )
    [payable] = world.m.ledger.lookup_accounts([creator_payable(CREATOR)])
    assert payable.credits_posted - payable.debits_posted == PRICE - 5_000
    code, out = cli(world, "sweep", "--now", "2023-06-22T00:00:00", *ledger, "--json")
    assert json.loads(out) == {"auto_accepted": [], "expired": []}
    assert cli(world, "sweep", "--now", "tomorrow", *ledger)[0] == 2
    assert reconcile(world.m.ledger).ok
