"""Money events as the platform's systems report them (ingested like the other tables), and what the money
room exports back: income (one row per creator-side ledger posting) and payouts.

Money is integer fen; rates are basis points (1 bp = 0.01%); times are UTC; `date` columns are platform days.
"""

from __future__ import annotations

from guanghe.data.tables import ACTIVITY, BOOL, DATE, I32, I64, PARTY_ID_MAX, STR, TS, Column, RowCheck, Table

CHANNELS = ("ad_share", "brand_deal", "affiliate", "local_life", "task", "incentive")
TOUCHPOINTS = (
    "live",
    "short_video",
    "storefront",
)  # where an e-commerce order was placed (橱窗 = storefront)
INCOME_LINES = ("earning", "fee", "clawback")
ENTITY_MAX = PARTY_ID_MAX  # the largest entity of a ledger account (money.chart)

_BPS = "Basis points (1/100 of a percent), 0..10000."


def _bps(name: str, what: str) -> Column:
    return Column(name, I32, f"{what} {_BPS}", minimum=0, maximum=10_000)


AD_REVENUE = Table(
    "ad_revenue",
    "Ads shown on a creator's work on one day (磁力万合): the gross ad revenue the creator's share is taken from.",
    (
        Column("work_id", I64, "Work the ads ran on.", references="works.work_id"),
        Column("date", DATE, "Platform day.", plausible=ACTIVITY),
        Column("ad_impressions", I64, "Ad impressions served on the work that day.", minimum=0),
        Column("gross_fen", I64, "Gross ad revenue in fen.", minimum=0),
    ),
    ("work_id", "date"),
    load_order=2,
)

ECOMMERCE_ORDERS = Table(
    "ecommerce_orders",
    "E-commerce orders attributed to a creator (商品分销), in their state as of the export: paid, delivered, "
    "refunded.",
    (
        Column("order_id", I64, "Order id.", minimum=1),
        Column("creator_id", I64, "Creator the sale is attributed to.", references="creators.creator_id"),
        Column(
            "merchant_id", I64, "Merchant (seller) that pays the commission.", minimum=1, maximum=PARTY_ID_MAX
        ),
        Column("product_id", I64, "Product.", minimum=1),
        Column("touchpoint", STR, "Where the order was placed.", enum=TOUCHPOINTS),
        Column("paid_at", TS, "When the buyer paid (UTC).", plausible=ACTIVITY),
        Column("amount_fen", I64, "Amount paid in fen.", minimum=1),
        _bps("commission_bps", "Commission the merchant pays on the amount."),
        Column(
            "delivered_at",
            TS,
            "When the goods were delivered (UTC); null until then.",
            required=False,
            plausible=ACTIVITY,
        ),
        Column(
            "refunded_at",
            TS,
            "When a refund was made (UTC); null without one.",
            required=False,
            plausible=ACTIVITY,
        ),
        Column("refund_fen", I64, "Amount refunded in fen (0 without a refund).", minimum=0),
    ),
    ("order_id",),
    load_order=1,
    checks=(
        RowCheck("refund_fen", "<=", "amount_fen", "a refund cannot exceed the order"),
        RowCheck("delivered_at", ">=", "paid_at", "delivery cannot come before payment"),
        RowCheck("refunded_at", ">=", "paid_at", "a refund cannot come before payment"),
    ),
)

LOCAL_LIFE_ORDERS = Table(
    "local_life_orders",
    "Local-life voucher orders attributed to a creator (本地生活): paid, redeemed at the store, refunded.",
    (
        Column("order_id", I64, "Voucher order id.", minimum=1),
        Column("creator_id", I64, "Creator the sale is attributed to.", references="creators.creator_id"),
        Column(
            "store_id",
            I64,
            "Store that sold the voucher and pays the commission.",
            minimum=1,
            maximum=PARTY_ID_MAX,
        ),
        Column("paid_at", TS, "When the buyer paid (UTC).", plausible=ACTIVITY),
        Column("amount_fen", I64, "Amount paid in fen.", minimum=1),
        _bps("commission_bps", "Commission the store pays on a redeemed voucher."),
        Column(
            "redeemed_at",
            TS,
            "When the voucher was redeemed (UTC); null until then.",
            required=False,
            plausible=ACTIVITY,
        ),
        Column(
            "refunded_at",
            TS,
            "When a refund was made (UTC); null without one.",
            required=False,
            plausible=ACTIVITY,
        ),
        Column("refund_fen", I64, "Amount refunded in fen (0 without a refund).", minimum=0),
    ),
    ("order_id",),
    load_order=1,
    checks=(
        RowCheck("refund_fen", "<=", "amount_fen", "a refund cannot exceed the order"),
        RowCheck("redeemed_at", ">=", "paid_at", "a voucher cannot be redeemed before it is bought"),
        RowCheck("refunded_at", ">=", "paid_at", "a refund cannot come before payment"),
    ),
)

MCN_CONTRACTS = Table(
    "mcn_contracts",
    "MCN agency contracts (炬光计划 agencies among them): the agency's share of a creator's earnings.",
    (
        Column("contract_id", I64, "Contract id.", minimum=1),
        Column("creator_id", I64, "Contracted creator.", references="creators.creator_id"),
        Column("mcn_id", I64, "MCN agency.", minimum=1, maximum=PARTY_ID_MAX),
        _bps("share_bps", "The agency's share of the creator's net income earned under the contract."),
        Column("start_date", DATE, "First platform day of the contract.", plausible=ACTIVITY),
        Column(
            "end_date",
            DATE,
            "Last platform day of the contract; null while open-ended.",
            required=False,
            plausible=ACTIVITY,
        ),
    ),
    ("contract_id",),
    load_order=1,
    checks=(RowCheck("end_date", ">=", "start_date", "a contract cannot end before it starts"),),
)

CASH_GRANTS = Table(
    "cash_grants",
    "Cash support granted to a creator by a program, as weekly installments paid if the creator posts that week "
    "(the allocator's cash plan adds its own installments).",
    (
        Column("grant_id", I64, "Installment id.", minimum=1),
        Column("creator_id", I64, "Creator.", references="creators.creator_id"),
        Column("program", STR, "Program whose cash budget pays it (program name)."),
        Column(
            "week_start",
            DATE,
            "Monday of the week the installment covers (platform days).",
            plausible=ACTIVITY,
        ),
        Column("amount_fen", I64, "Installment in fen.", minimum=1),
    ),
    ("grant_id",),
    load_order=1,
)

BRAND_ORDERS = Table(
    "brand_orders",
    "Completed brand deals (商单) from the brand marketplace (磁力聚星): the price the brand pays the creator.",
    (
        Column("order_id", I64, "Brand order id.", minimum=1),
        Column("brand_id", I64, "Brand (advertiser).", minimum=1, maximum=PARTY_ID_MAX),
        Column(
            "creator_id", I64, "Creator who delivered the sponsored work.", references="creators.creator_id"
        ),
        Column("price_fen", I64, "Agreed price in fen.", minimum=1),
        Column("completed_at", TS, "When the delivered work was approved (UTC).", plausible=ACTIVITY),
    ),
    ("order_id",),
    load_order=1,
)

TASK_REWARDS = Table(
    "task_rewards",
    "Task-center (任务中心) rewards earned by completing a task.",
    (
        Column("reward_id", I64, "Reward id.", minimum=1),
        Column("task_id", STR, "Task."),
        Column("creator_id", I64, "Creator.", references="creators.creator_id"),
        Column("completed_at", TS, "When the task was completed (UTC).", plausible=ACTIVITY),
        Column("reward_fen", I64, "Reward in fen.", minimum=1),
    ),
    ("reward_id",),
    load_order=1,
)

INCOME = Table(
    "income",
    "Money a creator earned: one row per creator-side ledger posting (written by `guanghe money accrue`), by "
    "channel. Earnings are positive; platform fees and clawbacks (refunds after the money was the creator's) "
    "are negative rows of their own.",
    (
        Column("income_id", STR, "Ledger transfer id (32 hex digits), or a source system's id."),
        Column("creator_id", I64, "Creator credited.", references="creators.creator_id"),
        Column("channel", STR, "Monetization channel.", enum=CHANNELS),
        Column("amount_fen", I64, "Amount in fen; negative for fees and clawbacks."),
        Column(
            "occurred_at",
            TS,
            "Start of the business day the money became the creator's (UTC).",
            plausible=ACTIVITY,
        ),
        Column(
            "source_ref",
            STR,
            "The event behind it: `<table>/<key>` (order, work-day, grant ...).",
            required=False,
        ),
        Column(
            "program",
            STR,
            "Support program involved (bonus, installment, fee discount), if any.",
            required=False,
        ),
        Column("line", STR, "earning, fee or clawback.", enum=INCOME_LINES),
    ),
    ("income_id",),
    load_order=1,
)

PAYOUTS = Table(
    "payouts",
    "Payouts of settled balances to creators and MCN agencies: one row per payout and status it reached "
    "(in_payout when settled, then paid or failed when the bank's result is confirmed); written by "
    "`guanghe money settle` and `guanghe money confirm`.",
    (
        Column("payout_id", STR, "Ledger transfer id of the payout (32 hex digits)."),
        Column("payee_kind", STR, "creator or mcn.", enum=("creator", "mcn")),
        Column("payee_id", I64, "Creator or agency id.", minimum=1),
        Column("month", STR, "Settlement month YYYY-MM."),
        Column("amount_fen", I64, "Amount paid out in fen.", minimum=1),
        Column("withholding_fen", I64, "Tax withheld in the month's statement.", minimum=0),
        Column("status", STR, "in_payout, paid or failed.", enum=("in_payout", "paid", "failed")),
        Column(
            "updated_at",
            TS,
            "When the payout reached this status (UTC): the settlement's marker for "
            "in_payout, the ledger's post or void for paid and failed.",
            plausible=ACTIVITY,
        ),
        Column(
            "bank_ref",
            STR,
            "The bank's reference (paid and failed rows, from the bank's result file).",
            required=False,
        ),
        Column("reason", STR, "Why the bank failed the payout (failed rows).", required=False),
    ),
    ("payout_id", "status"),
    load_order=1,
)

PAYEE_KINDS = ("creator", "mcn")
STATEMENT_LINES_KINDS = ("earning", "fee", "clawback", "other", "mcn_share", "withholding", "mcn_income")

STATEMENTS = Table(
    "money_statements",
    "Monthly statements of creators and MCN agencies (written by `guanghe money settle`, derived from the "
    "ledger and reproducible: a rerun writes the same rows). available = carried_forward + net_income - "
    "mcn_share - withholding + mcn_income; carried_to_next = available - payout.",
    (
        Column("month", STR, "Settlement month YYYY-MM."),
        Column("payee_kind", STR, "creator or mcn.", enum=PAYEE_KINDS),
        Column("payee_id", I64, "Creator or agency id.", minimum=1),
        Column("carried_forward_fen", I64, "Available balance before the month (negative: to be recovered)."),
        Column("earnings_fen", I64, "Earning lines: money that became the creator's."),
        Column("fees_fen", I64, "Platform fee lines (negative; fee refunds positive)."),
        Column("clawbacks_fen", I64, "Clawbacks of refunded earnings (negative)."),
        Column("other_fen", I64, "Postings of other codes on the payable."),
        Column("net_income_fen", I64, "earnings + fees + clawbacks + other."),
        Column(
            "mcn_share_fen", I64, "The agencies' shares taken from the creator (positive amount).", minimum=0
        ),
        Column("mcn_income_fen", I64, "An agency's shares received from its creators.", minimum=0),
        Column("withholding_fen", I64, "Tax withheld on net income after the MCN share.", minimum=0),
        Column("available_fen", I64, "Settled balance after the month's lines."),
        Column("payout_fen", I64, "Sent to the bank (0 below the threshold).", minimum=0),
        Column("payout_id", STR, "Ledger id of the payout (32 hex digits), if any.", required=False),
        Column("carried_to_next_fen", I64, "available - payout: what the next month starts from."),
        Column("held_fen", I64, "Posted by the cutoff for days after the month: in a later statement."),
        Column("postings", I64, "Ledger postings in the statement.", minimum=0),
        Column("cutoff", I64, "Ledger timestamp (ns) up to which the settlement read the ledger.", minimum=0),
        Column("settled_at", TS, "When the month's settlement marker was written (UTC).", plausible=ACTIVITY),
    ),
    ("month", "payee_kind", "payee_id"),
    load_order=1,
)

STATEMENT_LINES = Table(
    "money_statement_lines",
    "Lines of the monthly statements: postings summed per (line, channel, program, month earned), late "
    "postings of earlier months as lines of their own month, MCN shares per contract, withholding. The lines "
    "of a statement sum to available - carried_forward.",
    (
        Column("month", STR, "Settlement month YYYY-MM."),
        Column("payee_kind", STR, "creator or mcn.", enum=PAYEE_KINDS),
        Column("payee_id", I64, "Creator or agency id.", minimum=1),
        Column(
            "line_id",
            STR,
            "The line within the statement: line/channel/program/earned month or mcn_share/contract.",
        ),
        Column("line", STR, "What the line is.", enum=STATEMENT_LINES_KINDS),
        Column(
            "channel",
            STR,
            "Monetization channel (earning, fee, clawback lines).",
            required=False,
            enum=CHANNELS,
        ),
        Column(
            "program",
            STR,
            "Support program of the postings (bonus, installment, fee discount).",
            required=False,
        ),
        Column("earned_month", STR, "Month of the postings' business days (YYYY-MM)."),
        Column("late", BOOL, "Earned in a month settled before: a late posting."),
        Column("contract_id", I64, "MCN lines: the contract.", required=False),
        Column(
            "counterparty_id",
            I64,
            "MCN lines: the agency (creator's line) or creator (agency's line).",
            required=False,
        ),
        Column("amount_fen", I64, "Signed for the payee: + credited, - debited."),
        Column("postings", I64, "Ledger transfers behind the line.", minimum=1),
        Column("first_day", DATE, "First business day of its postings.", plausible=ACTIVITY),
        Column("last_day", DATE, "Last business day of its postings.", plausible=ACTIVITY),
    ),
    ("month", "payee_kind", "payee_id", "line_id"),
    load_order=1,
)

MONEY_MONTHS = Table(
    "money_months",
    "One row per settled month (written by `guanghe money settle`, reproducible): the month's statement totals, "
    "payouts, and the commissions still held in their return windows at the cutoff.",
    (
        Column("month", STR, "Settlement month YYYY-MM."),
        Column("cutoff", I64, "Ledger timestamp (ns) up to which the settlement read the ledger.", minimum=0),
        Column("settled_at", TS, "When the month's settlement marker was written (UTC).", plausible=ACTIVITY),
        Column("statements", I64, "Statements (creators and agencies).", minimum=0),
        Column("earnings_fen", I64, "Earning lines of all statements."),
        Column("fees_fen", I64, "Platform fee lines (negative)."),
        Column("clawbacks_fen", I64, "Clawback lines (negative)."),
        Column("net_income_fen", I64, "earnings + fees + clawbacks + other."),
        Column("mcn_share_fen", I64, "Agencies' shares taken from creators.", minimum=0),
        Column("withholding_fen", I64, "Tax withheld.", minimum=0),
        Column("payouts", I64, "Payouts sent to the bank.", minimum=0),
        Column("payout_fen", I64, "Amount of those payouts.", minimum=0),
        Column("carried_negative", I64, "Payees starting the next month below zero.", minimum=0),
        Column("carried_fen", I64, "What all payees carry into the next month."),
        Column(
            "pending_fen",
            I64,
            "Commissions held in their return windows at the cutoff (pending transfers to creators: "
            "their money only once posted).",
            minimum=0,
        ),
        Column("pending_creators", I64, "Creators with commissions held at the cutoff.", minimum=0),
    ),
    ("month",),
    load_order=1,
)

EVENT_TABLES = (AD_REVENUE, ECOMMERCE_ORDERS, LOCAL_LIFE_ORDERS, MCN_CONTRACTS, CASH_GRANTS, BRAND_ORDERS,
                TASK_REWARDS)  # fmt: skip
EXPORT_TABLES = (INCOME, PAYOUTS, STATEMENTS, STATEMENT_LINES, MONEY_MONTHS)
