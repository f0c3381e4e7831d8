"""Custom Rasa channels (dotted class paths in credentials.yml)."""
