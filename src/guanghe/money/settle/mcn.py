"""MCN shares: for each contract, ``share_bps`` of the creator's net income in the month's statement that was
earned (business day) inside the contract's dates, rounded down; nothing when that income is not positive."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from guanghe.money.ids import day_number
from guanghe.money.settle.keys import MCN_BIT
from guanghe.money.settle.scan import Entries

COLUMNS = ("contract_id", "creator_id", "mcn_id", "share_bps", "base_fen", "share_fen")
OPEN_END = day_number(date(9999, 12, 31))


def mcn_shares(current: Entries, contracts: pa.Table) -> pd.DataFrame:
    """One row per contract with a positive share this month, in contract order (``COLUMNS``)."""
    creators = current.payee < MCN_BIT
    if not creators.any() or not contracts.num_rows:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in COLUMNS})
    income = pd.DataFrame(
        {
            "creator_id": current.payee[creators].astype(np.int64),
            "day": current.day[creators],
            "amount": current.amount[creators],
        }
    )
    income = income.groupby(["creator_id", "day"], sort=False, as_index=False)["amount"].sum()
    c = contracts.select(["contract_id", "creator_id", "mcn_id", "share_bps", "start_date", "end_date"])
    c = c.to_pandas(date_as_object=False)
    c = c[c["creator_id"].isin(income["creator_id"].unique())]
    if c.empty:
        return pd.DataFrame({col: pd.Series(dtype="int64") for col in COLUMNS})
    epoch = np.datetime64("1970-01-01", "D")
    c["start"] = (c["start_date"].to_numpy("datetime64[D]") - epoch).astype(np.int64)
    end = c["end_date"].to_numpy("datetime64[D]")
    c["end"] = np.where(np.isnat(end), OPEN_END, (end - epoch).astype(np.int64))
    joined = c.merge(income, on="creator_id")
    joined = joined[(joined["day"] >= joined["start"]) & (joined["day"] <= joined["end"])]
    base = joined.groupby("contract_id", sort=True)["amount"].sum()
    out = c.set_index("contract_id").loc[base.index, ["creator_id", "mcn_id", "share_bps"]].reset_index()
    out["base_fen"] = base.to_numpy(np.int64)
    out["share_fen"] = (
        np.maximum(out["base_fen"].to_numpy(np.int64), 0) * out["share_bps"].to_numpy(np.int64) // 10_000
    )
    out = out[out["share_fen"] > 0].astype({col: "int64" for col in COLUMNS})
    return out[list(COLUMNS)].reset_index(drop=True)
