#!/usr/bin/python3
"""Compares alembic-gate's roundtrip findings with the isolated per-revision truth.

usage: compare.py [--strict] [--quiet] truth.json alembic-gate-report.json

truth.json comes from isolated_truth.py; the report is alembic-gate's JSON report (`--format
json` or `--json-file`, docs/json-report.md). For each rule below, a revision is a positive of
the truth when:

  upgrade-failed             its upgrade fails on its parent's state
  downgrade-failed           its downgrade fails (any exception but NotImplementedError)
  downgrade-not-implemented  its downgrade raises NotImplementedError
  downgrade-leaves-trace     its downgrade succeeds but the schema differs from its parent's
  reupgrade-failed           its upgrade fails again after the downgrade

and a positive of alembic-gate when a roundtrip finding of that rule concerns it: the finding's
"revision", else the revision whose file the finding's "file" names (relative paths compared by
their end), else the one revision id its message mentions.

Prints every disagreement (FP: alembic-gate only, FN: the truth only) and a table per rule. A
truth positive at a step alembic-gate did not run (the report's per-revision upgrade_seconds or
downgrade_seconds is null: the walk stopped earlier, by design after a one-way downgrade or a
failure) is "unreached", not a false negative, unless --strict. Exit status: 0 when they agree,
1 on any disagreement (an unmapped roundtrip finding counts as one), 2 on bad input.
"""

import argparse
import collections
import json
import re
import sys

RULES = ("upgrade-failed", "downgrade-failed", "downgrade-not-implemented",
         "downgrade-leaves-trace", "reupgrade-failed")
# The step whose having run lets a rule be judged: (key of the report's per-revision timings).
STEP_OF = {"upgrade-failed": "upgrade_seconds", "downgrade-failed": "downgrade_seconds",
           "downgrade-not-implemented": "downgrade_seconds",
           "downgrade-leaves-trace": "downgrade_seconds", "reupgrade-failed": "downgrade_seconds"}


def truth_positives(record):
    rules = set()
    if record["upgrade"] == "failed":
        rules.add("upgrade-failed")
    if record["downgrade"] == "failed":
        rules.add("downgrade-failed")
    if record["downgrade"] == "not-implemented":
        rules.add("downgrade-not-implemented")
    if record["downgrade"] == "ok" and record["trace"]:
        rules.add("downgrade-leaves-trace")
    if record["reupgrade"] == "failed":
        rules.add("reupgrade-failed")
    return rules


def truth_detail(record, rule):
    if rule == "downgrade-leaves-trace":
        shown = record["trace"][:3]
        more = len(record["trace"]) - len(shown)
        return "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")
    key = {"upgrade-failed": "upgrade", "reupgrade-failed": "reupgrade"}.get(rule, "downgrade")
    return f"{record.get(key + '_error', '')} at {record.get(key + '_where', '?')}"


def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        print(f"compare: cannot read {what} {path}: {error}", file=sys.stderr)
        sys.exit(2)


class Matcher:
    """Finds the truth revision a finding concerns."""

    def __init__(self, records):
        self.ids = {r["revision"] for r in records}
        self.files = [(r["file"].replace("\\", "/"), r["revision"]) for r in records]

    def revision_of(self, finding):
        revision = finding.get("revision") or ""
        if revision in self.ids:
            return revision
        by_file = self.by_file(finding.get("file") or "")
        if by_file:
            return by_file
        mentioned = {i for i in self.ids if re.search(rf"\b{re.escape(i)}\b", finding["message"])}
        return mentioned.pop() if len(mentioned) == 1 else None

    def by_file(self, file):
        if not file:
            return None
        file = file.replace("\\", "/")
        for path, revision in self.files:
            if file == path or file.endswith("/" + path) or path.endswith("/" + file):
                return revision
        return None


def gate_findings(report, matcher):
    """{revision: {rule: message}}, the roundtrip findings no revision matched, and the rest."""
    positives = collections.defaultdict(dict)
    unmapped, others = [], []
    for finding in report.get("findings", []):
        if finding.get("check") != "roundtrip":
            continue
        if finding["rule"] not in RULES:
            others.append(finding)
            continue
        revision = matcher.revision_of(finding)
        if revision is None:
            unmapped.append(finding)
        else:
            positives[revision].setdefault(finding["rule"], finding["message"])
    return positives, unmapped, others


def steps_run(report):
    """{revision: {"upgrade_seconds": x, "downgrade_seconds": y}}, or None when not reported."""
    for check in report.get("checks", []):
        if check.get("name") == "roundtrip" and check.get("revisions") is not None:
            return {r["revision"]: r for r in check["revisions"]}
    return None


def first_line(text):
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def compare(truth, report, strict, quiet):
    records = truth["revisions"]
    matcher = Matcher(records)
    gate, unmapped, others = gate_findings(report, matcher)
    ran = steps_run(report)
    table = {rule: collections.Counter() for rule in RULES}
    lines = []
    for record in records:
        revision = record["revision"]
        expected = truth_positives(record)
        found = gate.get(revision, {})
        for rule in RULES:
            verdict = judge(rule, rule in expected, rule in found, ran, revision, strict)
            if verdict is None:
                continue
            table[rule][verdict] += 1
            if verdict in ("FP", "FN", "unreached"):
                detail = (first_line(found[rule]) if verdict == "FP"
                          else truth_detail(record, rule))
                lines.append(f"{verdict:9} {rule:26} {revision} {record['file']}: {detail[:300]}")
    for finding in unmapped:
        lines.append(f"{'unmapped':9} {finding['rule']:26} {finding.get('file') or '-'}:"
                     f"{finding.get('line', 0)}: {first_line(finding['message'])}")
    if not quiet:
        for line in lines:
            print(line)
        for finding in others:
            print(f"{'other':9} {finding['rule']:26} {finding.get('revision') or '-'}: "
                  f"{first_line(finding['message'])}")
    print_table(table)
    disagreements = sum(t["FP"] + t["FN"] for t in table.values()) + len(unmapped)
    unreached = sum(t["unreached"] for t in table.values())
    print(f"compare: {len(records)} revisions, {disagreements} disagreement(s) "
          f"({sum(t['FP'] for t in table.values())} FP, "
          f"{sum(t['FN'] for t in table.values())} FN, {len(unmapped)} unmapped), "
          f"{unreached} unreached, {len(others)} other roundtrip finding(s): "
          f"{'AGREE' if disagreements == 0 else 'DISAGREE'}")
    if ran is None:
        print("compare: the report has no per-revision steps: every revision counted as reached")
    else:
        not_run = [r["revision"] for r in records
                   if (ran.get(r["revision"]) or {}).get("upgrade_seconds") is None]
        if not_run:
            print(f"compare: alembic-gate did not upgrade {len(not_run)} revision(s) (its walk "
                  f"stopped or they failed), from {not_run[0]}")
    return 1 if disagreements else 0


def judge(rule, expected, found, ran, revision, strict):
    if expected and found:
        return "TP"
    if found:
        return "FP"
    if not expected:
        return None  # a true negative: not counted
    if ran is not None and not strict:
        steps = ran.get(revision)
        if steps is None or steps.get(STEP_OF[rule]) is None:
            return "unreached"
    return "FN"


def print_table(table):
    print(f"{'rule':27} {'TP':>5} {'FP':>5} {'FN':>5} {'unreached':>10}")
    for rule, count in table.items():
        print(f"{rule:27} {count['TP']:5} {count['FP']:5} {count['FN']:5} "
              f"{count['unreached']:10}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth", help="isolated_truth.py's JSON")
    parser.add_argument("report", help="alembic-gate's JSON report")
    parser.add_argument("--strict", action="store_true",
                        help="count truth positives at steps alembic-gate did not run as FN")
    parser.add_argument("--quiet", action="store_true", help="only the table and the summary")
    args = parser.parse_args()
    truth = load(args.truth, "truth")
    report = load(args.report, "report")
    if "revisions" not in truth or "findings" not in report:
        print("compare: expected isolated_truth.py's JSON, then alembic-gate's JSON report",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(compare(truth, report, args.strict, args.quiet))


if __name__ == "__main__":
    main()
