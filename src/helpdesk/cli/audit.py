"""`helpdesk audit …` commands."""

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `audit` command group."""
    parser: argparse.ArgumentParser = sub.add_parser("audit", help="audit")
    parser.set_defaults(func=lambda args, ctx: 2)
