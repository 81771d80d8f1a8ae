#!/usr/bin/python3
"""The heads check must reach Alembic's verdicts on every fixture history.

    /usr/bin/python3 tests/compare_with_alembic.py ALEMBIC_GATE FIXTURES_DIR

For each fixture, asks Debian's Alembic (tests/alembic_graph.py) and alembic-gate (--format json
--checks heads) about the same history, then:
- where Alembic loads the history cleanly, heads, bases, merge points and branch points must be
  equal, and alembic-gate may only add the findings listed in BY_DESIGN;
- where Alembic raises or warns, alembic-gate must report at least one error.
A fixture folder holding generate.py is generated into a temporary folder first.
Prints one line per fixture and 'N passed, N failed'; exits 1 on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# Findings alembic-gate reports on histories Alembic accepts, on purpose.
BY_DESIGN = {
    "computed_value": {"unreadable-value"},  # never guess a value that needs running the file
    "cycle_hidden": {"cycle"},  # a cycle Alembic's own check misses
    "two_heads": {"multiple-heads"},  # Alembic loads it; `upgrade head` fails later
    "independent_unlabelled": {"unlabelled-branch"},  # likewise
}
GRAPH_KEYS = ("heads", "bases", "merge_points", "branch_points")


def alembic_view(project):
    out = subprocess.run([sys.executable, os.path.join(HERE, "alembic_graph.py"), project],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def gate_view(binary, project):
    done = subprocess.run([binary, "--format", "json", "--checks", "heads", "--working-directory", project],
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise AssertionError(f"alembic-gate exited {done.returncode}: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    expected_exit = 1 if report["result"] == "failed" else 0
    if done.returncode != expected_exit:
        raise AssertionError(f"exit code {done.returncode} but result {report['result']}")
    return report


def compare(name, binary, project):
    alembic = alembic_view(project)
    gate = gate_view(binary, project)
    errors = {f["rule"] for f in gate["findings"] if f["severity"] == "error"}
    if alembic["error"] or alembic["warnings"]:
        if not errors:
            raise AssertionError(f"Alembic fails ({alembic['error'] or alembic['warnings']}) but alembic-gate passes")
        return f"both reject it (Alembic: {alembic['error'] or alembic['warnings'][0]}; alembic-gate: {', '.join(sorted(errors))})"
    unexpected = errors - BY_DESIGN.get(name, set())
    if unexpected:
        raise AssertionError(f"Alembic accepts it but alembic-gate reports {sorted(unexpected)}")
    if name == "computed_value":
        return f"Alembic runs the file; alembic-gate refuses to guess ({', '.join(sorted(errors))})"
    for key in GRAPH_KEYS:
        ours, theirs = sorted(gate["graph"][key]), sorted(set(alembic[key]))
        if ours != theirs:
            raise AssertionError(f"{key}: alembic-gate {ours}, Alembic {theirs}")
    return "same heads, bases, merge and branch points" + (f" (by design also: {', '.join(sorted(errors))})" if errors else "")


def main():
    binary, fixtures = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in sorted(os.listdir(fixtures)):
            project = os.path.join(fixtures, name)
            if not os.path.isdir(project):
                continue
            if os.path.exists(os.path.join(project, "generate.py")):
                generated = os.path.join(scratch, name)
                subprocess.run([sys.executable, os.path.join(project, "generate.py"), generated], check=True)
                project = generated
            try:
                print(f"ok   {name}: {compare(name, binary, project)}")
                passed += 1
            except AssertionError as e:
                print(f"FAIL {name}: {e}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
