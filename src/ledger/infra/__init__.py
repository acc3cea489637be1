"""Infrastructure: settings, database, schema, event store, logging."""
