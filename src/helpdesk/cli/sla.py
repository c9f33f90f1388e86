"""`helpdesk sla …` commands."""

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `sla` command group."""
    parser: argparse.ArgumentParser = sub.add_parser("sla", help="sla")
    parser.set_defaults(func=lambda args, ctx: 2)
