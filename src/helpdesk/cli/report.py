"""`helpdesk report …` commands."""

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `report` command group."""
    parser: argparse.ArgumentParser = sub.add_parser("report", help="report")
    parser.set_defaults(func=lambda args, ctx: 2)
