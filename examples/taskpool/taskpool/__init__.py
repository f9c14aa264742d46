"""A tiny job pool that mixes Tasks and plain Futures."""
