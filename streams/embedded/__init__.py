"""The pieces of `logwarden redact` (the engine over files, no Kafka), one idea a module."""
