"""`python -m bench`: run every benchmark script in this folder, one after another.

Every script runs even when an earlier one fails; the exit status is 1 when any of them failed,
so `make bench` reports a broken benchmark instead of hiding it.
"""

import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run each `bench_*.py`; return 1 if any exited non-zero."""
    failed: list[str] = []
    for script in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
