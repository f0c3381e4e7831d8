"""Supervisor reports (issue 6)."""
