"""The Telegram channel: python-telegram-bot application, handlers, outbox sender and wiring."""
