"""Engines: liquidation models and solvers, cross margin, plan and the position calculators."""
