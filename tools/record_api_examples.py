"""Record the researcher API's example answers (api/response_examples.json) on a store of
the seed, as ``make graph`` builds it; run after changing what a route answers.

Usage: .venv/bin/python tools/record_api_examples.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def main() -> int:
    from fastapi.testclient import TestClient

    from rightsgraph.api import response_examples
    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import build
    from rightsgraph.graph.store import open_store

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as work:
        location = Path(work) / "store"
        with open_store(location) as store:
            report = build(sorted((root / "seeds").glob("*.txt")), store)
        if not report.ok:
            print(report.failures, file=sys.stderr)
            return 1
        with TestClient(create_app(Settings(store=str(location), workers=1))) as client:
            examples = response_examples.record(client)
    target = root / "api" / response_examples.FILE
    target.write_text(json.dumps(examples, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
