"""`helpdesk kb …` commands."""

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `kb` command group."""
    parser: argparse.ArgumentParser = sub.add_parser("kb", help="kb")
    parser.set_defaults(func=lambda args, ctx: 2)
