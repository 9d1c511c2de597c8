"""Checks every shipped tier table must pass, shared by the test files of each source."""

from __future__ import annotations

import itertools

from contractcalc.venues.tiers import TierTable


def assert_continuous_and_ordered(table: TierTable, name: str) -> None:
    """Tier 1 starts at 0 with no amount; bounds meet; the requirement is continuous at each boundary.

    At a boundary B between tiers k-1 and k, ``B·MMR_(k-1) − cum_(k-1) = B·MMR_k − cum_k``: the
    requirement is the same whichever tier's formula prices it (the recurrence that defines cum).
    Rates rise and the leverage cap falls from tier to tier.
    """
    assert table.tiers[0].min_notional == 0 and table.tiers[0].maintenance_amount == 0
    for lower, upper in itertools.pairwise(table.tiers):
        boundary = upper.min_notional
        assert lower.max_notional == boundary
        below = boundary * lower.maintenance_margin_rate - lower.maintenance_amount
        above = boundary * upper.maintenance_margin_rate - upper.maintenance_amount
        assert below == above, (name, upper.tier)
        assert upper.maintenance_margin_rate > lower.maintenance_margin_rate
        assert upper.max_leverage < lower.max_leverage
