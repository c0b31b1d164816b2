"""State that outgrows memory: the consent view on disk (LMDB) behind a bounded cache."""
