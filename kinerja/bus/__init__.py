"""The event bus on kombu: envelope, transactional outbox, relay, idempotent consumer."""
