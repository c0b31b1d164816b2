"""Event models, JSON Schemas and the one JSON codec logwarden uses."""
