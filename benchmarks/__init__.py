"""Reproducible performance and detection-quality runs."""
