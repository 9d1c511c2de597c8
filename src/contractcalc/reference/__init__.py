"""Slow, obvious plain-Decimal implementations that the fast code is tested against."""
