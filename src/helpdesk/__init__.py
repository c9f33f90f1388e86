"""helpdesk: the help-desk of a regional e-government rollout (KB-first bot, leaders, contractor SLA)."""

__version__ = "0.1.0"
