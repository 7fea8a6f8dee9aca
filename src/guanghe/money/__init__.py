"""Money flows: monetization channels accrued on the ledger, monthly settlement, payouts, income export.

Imports the ledger (accounts, transfers), the warehouse (events in, income out), programs (membership) and
allocate's declared plan tables (the cash plan). The ledger imports nothing of ours.
"""
