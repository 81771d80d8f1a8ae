#!/usr/bin/python3
"""Ask Alembic itself what it thinks of a migration history (test oracle).

    /usr/bin/python3 tests/alembic_graph.py PROJECT_DIR
        Loads PROJECT_DIR/alembic.ini with alembic.config.Config and
        ScriptDirectory.from_config, and prints one JSON object:
          heads          sorted ScriptDirectory.get_heads() (what `alembic heads`
                         prints; duplicates are kept)
          real_heads     sorted RevisionMap._real_heads (heads that are not
                         depends_on targets either)
          bases          sorted ScriptDirectory.get_bases()
          real_bases     sorted RevisionMap._real_bases (bases without depends_on)
          merge_points   sorted ids of revisions with is_merge_point
          branch_points  sorted ids of revisions with is_branch_point
          revisions      sorted ids of all revisions in the map
          error          null, or "ExceptionType: message" if Alembic raised
          warnings       messages of the warnings Alembic emitted (always a list)
        When Alembic raises, the graph fields are null. Exit status is 0 either
        way (2 only for bad usage).

    /usr/bin/python3 tests/alembic_graph.py --oracle FIXTURES_DIR
        Runs the above (in a subprocess) plus `python3 -m alembic -c ... heads`
        on every fixture folder of FIXTURES_DIR and prints a Markdown report
        (this is how tests/fixtures/heads/ORACLE.md is produced). A folder
        holding generate.py instead of alembic.ini is first generated into a
        temporary directory.

Needs Alembic + SQLAlchemy, i.e. Debian's /usr/bin/python3. No bytecode is
written (the fixture folders stay clean).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

sys.dont_write_bytecode = True


def graph(project_dir):
    result = {
        "heads": None,
        "real_heads": None,
        "bases": None,
        "real_bases": None,
        "merge_points": None,
        "branch_points": None,
        "revisions": None,
        "error": None,
        "warnings": [],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            from alembic.config import Config
            from alembic.script import ScriptDirectory

            ini = os.path.join(os.path.abspath(project_dir), "alembic.ini")
            if not os.path.isfile(ini):
                raise FileNotFoundError("no alembic.ini in %s" % project_dir)
            cfg = Config(ini)
            script = ScriptDirectory.from_config(cfg)
            heads = script.get_heads()  # builds the revision map
            rmap = script.revision_map
            revs = {}
            for key, rev in rmap._revision_map.items():
                # the map also holds branch labels and None/() -> skip those
                if rev is not None and key == rev.revision:
                    revs[key] = rev
            result.update(
                heads=sorted(heads),
                real_heads=sorted(rmap._real_heads),
                bases=sorted(script.get_bases()),
                real_bases=sorted(rmap._real_bases),
                merge_points=sorted(r for r, o in revs.items() if o.is_merge_point),
                branch_points=sorted(r for r, o in revs.items() if o.is_branch_point),
                revisions=sorted(revs),
            )
        except Exception as exc:  # report, never crash: this is an oracle
            result["error"] = "%s: %s" % (type(exc).__name__, exc)
        result["warnings"] = [str(w.message) for w in caught]
    return result


# ---------------------------------------------------------------- --oracle


def _cli_heads(project_dir):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "alembic", "-c",
         os.path.join(project_dir, "alembic.ini"), "heads"],
        capture_output=True, text=True, errors="replace", env=env,
    )
    out = sorted(line for line in proc.stdout.splitlines() if line.strip())
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    return proc.returncode, out, err


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join("`%s`" % v for v in value) if value else "(none)"
    return str(value).replace("|", "\\|").replace("\n", " ")


def oracle(fixtures_dir):
    names = sorted(
        n for n in os.listdir(fixtures_dir)
        if os.path.isdir(os.path.join(fixtures_dir, n))
    )
    rows = []
    tmp = tempfile.mkdtemp(prefix="alembic-oracle-")
    try:
        for name in names:
            src = os.path.join(fixtures_dir, name)
            proj = src
            gen = os.path.join(src, "generate.py")
            if not os.path.exists(os.path.join(src, "alembic.ini")) and os.path.exists(gen):
                proj = os.path.join(tmp, name)
                subprocess.run([sys.executable, gen, proj], check=True)
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), proj],
                capture_output=True, text=True, check=True,
                env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
            )
            rows.append((name, json.loads(proc.stdout), _cli_heads(proj),
                         proj is not src))
    finally:
        shutil.rmtree(tmp)

    ver = subprocess.run(
        [sys.executable, "-c",
         "import sys, alembic, sqlalchemy; print(alembic.__version__, "
         "sqlalchemy.__version__, sys.version.split()[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    p = print
    p("# What Alembic says about each `heads` fixture")
    p()
    p("Generated by `/usr/bin/python3 tests/alembic_graph.py --oracle tests/fixtures/heads`")
    p("(Alembic %s, SQLAlchemy %s, Python %s). Do not edit by hand; see README.md for"
      % tuple(ver))
    p("what each fixture is meant to exercise. Lists are sorted; Alembic itself")
    p("orders heads by `os.listdir()` order, which is filesystem dependent.")
    p("The two ids in branch_label_reused's error swap places from run to run")
    p("(Alembic iterates a `set` of Revision objects), so expect that line to churn.")
    p()
    p("## Graph (tests/alembic_graph.py)")
    p()
    p("| fixture | heads | bases | merge points | error | warnings |")
    p("|---|---|---|---|---|---|")
    for name, g, _, generated in rows:
        label = name + (" (generated)" if generated else "")
        p("| %s | %s | %s | %s | %s | %s |" % (
            label, _cell(g["heads"]), _cell(g["bases"]), _cell(g["merge_points"]),
            _cell(g["error"]), _cell(g["warnings"]) if g["warnings"] else ""))
    p()
    p("## Other fields (histories Alembic loads)")
    p()
    p("| fixture | real_heads | real_bases | branch points |")
    p("|---|---|---|---|")
    for name, g, _, _ in rows:
        if g["error"] is None:
            p("| %s | %s | %s | %s |" % (
                name, _cell(g["real_heads"]), _cell(g["real_bases"]),
                _cell(g["branch_points"])))
    p()
    p("## `python3 -m alembic -c FIXTURE/alembic.ini heads`")
    p()
    p("stdout lines (sorted), exit status, and the last stderr line when it failed.")
    p()
    p("| fixture | exit | stdout | last stderr line |")
    p("|---|---|---|---|")
    for name, _, (rc, out, err), _ in rows:
        p("| %s | %s | %s | %s |" % (
            name, rc, "<br>".join("`%s`" % l for l in out) if out else "(nothing)",
            _cell(err[-1]) if rc and err else ""))
    p()
    p("## Raw JSON")
    p()
    p("```json")
    p(json.dumps({name: g for name, g, _, _ in rows}, indent=1, sort_keys=True))
    p("```")


def main(argv):
    if len(argv) == 3 and argv[1] == "--oracle":
        oracle(argv[2])
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(graph(argv[1]), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
