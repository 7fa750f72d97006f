"""The four seed event kinds: payload schemas, the batched repository and the ingest routes."""
