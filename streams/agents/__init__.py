"""Faust agents: decode, call the engine, encode, send."""
