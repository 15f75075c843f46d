"""The one door: login, the org directory, routing to services, OpenAPI, the web UI."""
