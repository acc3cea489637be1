"""One module per resource; each registers its handlers in the route table."""
