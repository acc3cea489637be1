"""Read models: one module per projection, its event handlers and its queries."""
