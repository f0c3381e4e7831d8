"""Local stand-ins for outside services (Twilio), for unit and e2e tests."""
