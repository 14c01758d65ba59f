"""Fail CI when a conformance run sent fewer generated cases than the issues require, or
reached a lower level than it must.

    python .ci/check_generated.py REPORT.json --schemathesis 2000 --state-machine 200 --level 5

State-machine steps are rule invocations that sent at least one HTTP call.

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
    parser.add_argument("--level", type=int, default=0, help="least conformant level")
    args = parser.parse_args()
    with open(args.report) as handle:
        report = json.load(handle)
    cases = report["run"]["generated_cases"]
    schemathesis = sum(n for kind, n in cases.items() if kind.startswith("schemathesis"))
    state_machine = cases.get("state-machine steps", 0)
    print(f"generated: {schemathesis} schemathesis cases, {state_machine} state-machine steps")
    short = []
    if schemathesis < args.schemathesis:
        short.append(f"schemathesis cases {schemathesis} < {args.schemathesis}")
    if state_machine < args.state_machine:
        short.append(f"state-machine steps {state_machine} < {args.state_machine}")
    print(f"verdict: {report['verdict']}")
    if report["conformant_level"] < args.level:
        short.append(f"conformant level {report['conformant_level']} < {args.level}")
    for line in short:
        print(f"not enough: {line}", file=sys.stderr)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
