"""Pure math: contract kinds, the exact formulas, the seed's rules of thumb. No I/O, no venues."""
