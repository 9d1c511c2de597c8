"""Venues: exchange presets, symbols and tier tables as data (the shipped tables under data/)."""
