"""`python -m helpdesk` runs the command line."""

from helpdesk.cli import run

# Guarded: a child process started fresh (an index build, helpdesk.services.kb.memory) may import
# the main module again, and must not start the command line a second time.
if __name__ == "__main__":
    run()
