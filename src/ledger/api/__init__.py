"""The HTTP API (aiohttp): app factory, routes, schemas, problem+json errors, OpenAPI."""
