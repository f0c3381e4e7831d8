"""Outbound SMS gateway (Twilio's REST API, or the local outbox): used by the
Twilio SMS channel (channels/twilio_sms.py) and the campaign runner
(bot/campaign/). Not a Rasa channel: no Rasa import here."""
