"""Delivery: the boost-and-pacing service the feed ranker calls (``guanghe serve``), and its replay."""
