"""Kinerja360's shared kit: what every service does the same way.

App factory, settings, MongoDB access, the event bus (envelope, outbox, relay,
idempotent consumer), tokens, metrics, structured logs and the error shape.
"""
