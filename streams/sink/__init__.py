"""`logwarden sink`: logs.analytics to Hive-partitioned Parquet, offsets committed after
each file is durable."""
