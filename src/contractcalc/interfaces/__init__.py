"""Interfaces: the command line and the web calculator, built from one schema of fields."""
