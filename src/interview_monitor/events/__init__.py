"""The four seed event kinds: payload schemas, the batched writer and the ingest routes."""
