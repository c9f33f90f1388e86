"""The e-mail channel: pure parser, SMTP listener, IMAP poller and the outbox sender."""
