"""Core commands: init, serve, users, offices."""

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the core command groups."""
    parser: argparse.ArgumentParser = sub.add_parser("init", help="create or migrate the schema")
    parser.set_defaults(func=lambda args, ctx: 2)
