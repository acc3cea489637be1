"""The domain: aggregates, events, vocabularies and invariants. Pure, no I/O."""
