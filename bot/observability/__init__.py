"""Prometheus metrics (``metrics``) and JSON logs with personal data masked
(``logging``) for every process: the Rasa server, the action server and the
agent console."""
