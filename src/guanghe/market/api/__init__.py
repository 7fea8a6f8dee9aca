"""The marketplace's HTTP API (FastAPI): authentication by API key, one role table, problem+json errors."""

from guanghe.market.api.app import MarketApiError, MarketSettings, build_market_app
from guanghe.market.api.auth import ROUTE_ROLES

__all__ = ["ROUTE_ROLES", "MarketApiError", "MarketSettings", "build_market_app"]
