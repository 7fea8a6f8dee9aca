"""API keys on both databases: a key authenticates its principal, a wrong or revoked one does not, and only
its hash is stored."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from guanghe.appdb import (
    EXTERNAL_ID_MAX,
    ROLES,
    AppDbError,
    Principal,
    authenticate,
    create_key,
    list_keys,
    revoke_key,
)
from guanghe.appdb import keys as keys_module


def _rows(db) -> list[str]:
    """Every value of every row of the two tables, as text."""
    with db.engine.connect() as con:
        return [
            str(v)
            for table in ("principals", "api_keys")
            for row in con.execute(text(f"SELECT * FROM {table}"))
            for v in row
        ]


@pytest.mark.parametrize("role", ROLES)
def test_a_created_key_authenticates_its_principal(db, role: str) -> None:
    principal, key = create_key(db, role, f"the {role}", external_id=7)
    assert key.startswith(f"gh_{role}_") and len(key) == len(f"gh_{role}_") + 43
    assert principal == Principal(principal.id, role, f"the {role}", 7)
    assert authenticate(db, key) == principal


def test_wrong_unknown_and_malformed_keys_do_not_authenticate(db) -> None:
    _, key = create_key(db, "brand", "Acme", 42)
    other_role = key.replace("gh_brand_", "gh_creator_", 1)
    last = "A" if key[-1] != "A" else "B"
    for wrong in (
        key[:-1] + last,
        key + "x",
        key[:-1],
        other_role,
        "",
        "gh_",
        "gh_brand_",
        "nonsense",
        key.upper(),
    ):
        assert authenticate(db, wrong) is None, wrong


def test_revoked_key_no_longer_authenticates_and_others_still_do(db) -> None:
    p, first = create_key(db, "brand", "Acme", 42)
    same, second = create_key(db, "brand", "Acme rotation", 42)  # a second key of the same brand
    assert same == p
    [k1, _] = list_keys(db)
    revoked = revoke_key(db, k1.id)
    assert revoked is not None and revoked.revoked_at is not None and not revoked.active
    assert authenticate(db, first) is None
    assert authenticate(db, second) == p
    again = revoke_key(db, k1.id)
    assert again is not None and again.revoked_at == revoked.revoked_at  # the first time is kept
    assert revoke_key(db, 999_999) is None


def test_only_the_hash_is_stored(db) -> None:
    keys = [create_key(db, role, "n", None)[1] for role in ROLES]
    values = _rows(db)
    for key in keys:
        assert not any(key in v for v in values)
        assert not any(key[len("gh_brand_") + 8 :][:16] in v for v in values)  # no long piece of it either
        assert hashlib.sha256(key.encode()).hexdigest() in values


def test_prefixes_are_distinct_and_listings_show_no_secret(db) -> None:
    keys = [create_key(db, "creator", f"c{i}", i + 1)[1] for i in range(30)]
    listed = list_keys(db)
    assert len({k.prefix for k in listed}) == 30
    assert [k.prefix for k in listed] == [k[: len("gh_creator_") + 8] for k in keys]
    for k in listed:
        assert not hasattr(k, "hash") and all(key not in repr(k) for key in keys)


def test_hashes_are_compared_in_constant_time(db, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = keys_module.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys_module, "compare_digest", spy)
    _, key = create_key(db, "mcn", "Agency", 5)
    assert authenticate(db, key) is not None
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert calls == [(digest, digest)]
    assert real is hmac.compare_digest


def test_last_used_and_created_are_utc(db) -> None:
    start = datetime.now(UTC)
    _, key = create_key(db, "operator", "ops")
    [k] = list_keys(db)
    assert (
        k.last_used_at is None and k.created_at.tzinfo == UTC and k.created_at >= start.replace(microsecond=0)
    )
    authenticate(db, key)
    [k] = list_keys(db)
    assert k.last_used_at is not None and k.last_used_at.tzinfo == UTC and k.last_used_at >= k.created_at
    # within a minute a use writes nothing; a minute later it is written again
    first = k.last_used_at
    authenticate(db, key)
    assert list_keys(db)[0].last_used_at == first
    earlier = (first - keys_module.LAST_USED_EVERY).replace(tzinfo=None)
    with db.engine.begin() as con:
        con.execute(text("UPDATE api_keys SET last_used_at = :t"), {"t": earlier})
    authenticate(db, key)
    assert list_keys(db)[0].last_used_at >= first


def test_principals_are_reused_by_external_id_only(db) -> None:
    a, _ = create_key(db, "brand", "Acme", 42)
    b, _ = create_key(db, "creator", "Acme's creator", 42)  # same id, another kind: another principal
    c, _ = create_key(db, "operator", "ops")
    d, _ = create_key(db, "operator", "ops")  # no external id: always a new principal
    assert len({a.id, b.id, c.id, d.id}) == 4
    assert create_key(db, "brand", "Acme again", 42)[0] == a


def test_the_largest_external_id_fits(db) -> None:
    p, key = create_key(db, "brand", "Big", EXTERNAL_ID_MAX)
    assert authenticate(db, key) == p and p.external_id == 2**48 - 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("admin", "x", None), "role"),
        (("brand", "x", 0), "external id"),
        (("brand", "x", 2**48), "external id"),
        (("brand", "x", True), "external id"),
        (("brand", " ", None), "name"),
        (("brand", "x" * 201, None), "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(db, args: tuple, field: str) -> None:
    with pytest.raises(AppDbError, match=f"^{field} "):
        create_key(db, *args)
    assert list_keys(db) == []


def test_the_database_checks_the_kind(db) -> None:
    with pytest.raises(IntegrityError), db.engine.begin() as con:
        con.execute(
            text("INSERT INTO principals (kind, name, created_at) VALUES ('admin', 'x', :t)"),
            {"t": datetime.now(UTC)},
        )
