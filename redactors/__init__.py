"""The privacy engine: pure, synchronous, no Kafka and no I/O on the hot path."""
