"""Input and output: the only code that reads files (tier tables, positions, candles, books)."""
