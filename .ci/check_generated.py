"""Fail CI when a conformance run sent fewer generated cases than the issues require.

    python .ci/check_generated.py REPORT.json --schemathesis 2000 --state-machine 200

State-machine steps are rule invocations (each makes one or more HTTP calls).

Counts come from the report's run facts (``generated_cases``), which the suite's client tallies
as it sends each case, so a generated test that silently generated nothing fails here.
"""

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a --blocks-report JSON file")
    parser.add_argument("--schemathesis", type=int, default=0, help="least schemathesis cases")
    parser.add_argument("--state-machine", type=int, default=0, help="least state-machine steps")
    args = parser.parse_args()
    with open(args.report) as handle:
        cases = json.load(handle)["run"]["generated_cases"]
    schemathesis = sum(n for kind, n in cases.items() if kind.startswith("schemathesis"))
    state_machine = cases.get("state-machine steps", 0)
    print(f"generated: {schemathesis} schemathesis cases, {state_machine} state-machine steps")
    short = []
    if schemathesis < args.schemathesis:
        short.append(f"schemathesis cases {schemathesis} < {args.schemathesis}")
    if state_machine < args.state_machine:
        short.append(f"state-machine steps {state_machine} < {args.state_machine}")
    for line in short:
        print(f"too few generated cases: {line}", file=sys.stderr)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
