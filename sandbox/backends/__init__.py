"""Implementations of `sandbox.backend.Backend` (today: the local Docker engine)."""
