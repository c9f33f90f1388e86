"""SLA: live clocks for the ticket service, the sweep over stored deadlines, replay and the auditors' report."""
