"""Helpers for the browser tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; the path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def binance_btc_price(wallet: Any, quantity: Any, entry: Any) -> tuple[Any, int]:
    """By hand: a Binance BTCUSDT long's liquidation price under the shipped 2024-10 table, and its tier.

    ``LP = (WB + cum − Q·E) / (Q·MMR − Q)`` in the tier that holds the notional ``Q·LP`` (tried tier by
    tier, the self-consistent one kept), in ``Fraction``.
    """
    from fractions import Fraction

    from contractcalc.venues.tiers import load_tiers

    table = load_tiers("binance-usdm-BTCUSDT-2024-10")
    wallet, quantity, entry = Fraction(str(wallet)), Fraction(str(quantity)), Fraction(str(entry))
    for tier in table.tiers:
        rate, amount = Fraction(str(tier.maintenance_margin_rate)), Fraction(str(tier.maintenance_amount))
        price = (wallet + amount - quantity * entry) / (quantity * rate - quantity)
        if table.tier_for_notional(int(price * quantity)) == tier:
            return price, tier.tier
    raise AssertionError("no tier holds the liquidation price")
