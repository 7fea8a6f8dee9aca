"""Ad share of a work flagged as a re-upload (work_originality) goes to the original creator, by hand."""

from __future__ import annotations

from datetime import date

from money_checks import at, check_conservation, day, income, run
from money_platform import Platform


def _flag(p: Platform, work: int, creator: int, original: int, original_creator: int, flagged: bool) -> None:
    p.add("work_originality", work_id=work, creator_id=creator, flagged=flagged, original_work_id=original,
          original_creator_id=original_creator, signal="frames", frame_share=1.0, bits=2, audio_match=None,
          title_similarity=0.0, decision=None if flagged else "not_duplicate", detected_on=date(2023, 6, 30),
          scan="platform")  # fmt: skip


def test_flagged_work_credits_the_original_creator(tmp_path, make_ledger):
    p = Platform()
    for c in (1, 2, 3):
        p.creator(c)
    p.work(11, 1, at("2023-04-01T10:00")).work(21, 2, at("2023-04-03T10:00")).work(
        31, 3, at("2023-04-04T10:00")
    )
    _flag(p, 21, 2, 11, 1, True)  # 21 re-uploads 11
    _flag(p, 31, 3, 11, 1, False)  # an operator decided 31 is not a duplicate: it keeps its share
    for work, gross in ((11, 1_000), (21, 10_001), (31, 300)):
        p.add("ad_revenue", work_id=work, date=day("2023-05-03"), ad_impressions=10, gross_fen=gross)
    wh, ledger = p.write(tmp_path / "wh.duckdb"), make_ledger()
    report = run(wh, ledger, day("2023-06-30"))
    assert report.channels["ad_share"].skipped == 0
    assert income(wh) == [
        (1, "ad_share", 500, day("2023-05-03"), "earning", None, "ad_revenue/11"),  # tail: 50 % of 1,000
        (1, "ad_share", 5_000, day("2023-05-03"), "earning", None, "ad_revenue/21"),  # 50 % of 10,001, to 1
        (3, "ad_share", 150, day("2023-05-03"), "earning", None, "ad_revenue/31"),
    ]
    check_conservation(ledger, wh)
