"""The Telegram channel: the python-telegram-bot application and handlers, update claims, rate limiting, webhook, outbox sender."""
