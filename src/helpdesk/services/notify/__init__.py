"""Notices: who hears what by e-mail and Telegram, and delivery through the outbox."""
