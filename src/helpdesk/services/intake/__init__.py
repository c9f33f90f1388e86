"""Intake: the channel-agnostic dialogue (knowledge base first, then a ticket) and inbound e-mail."""
