"""Data-subject rights on the stream: the rights agent's parts and the CLI's broker reads."""
