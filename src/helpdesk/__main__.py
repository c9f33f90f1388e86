"""`python -m helpdesk` runs the command line."""

from helpdesk.cli import run

run()
