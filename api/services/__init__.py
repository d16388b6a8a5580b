"""What the product does with a conversation: requests, alerts, feedback, themes, the directory, the outbox."""
