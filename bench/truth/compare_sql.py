#!/usr/bin/python3
"""Each revision's SQL in alembic-gate's sql-file against plain Alembic's, byte for byte.

    /usr/bin/python3 bench/truth/compare_sql.py PROJECT_DIR SQL_FILE

SQL_FILE is what `alembic-gate --checks lint --working-directory PROJECT_DIR --sql-file
SQL_FILE` wrote. For every revision in it whose SQL renders offline (no "stops here" comment)
and that is no merge, runs `alembic upgrade PARENT:REV --sql` and `alembic downgrade
REV:PARENT --sql` in PROJECT_DIR (PYTHONPATH gets PROJECT_DIR/compat when it exists, as
run_real.sh does; DATABASE_URL is unset) and compares them with the file's Upgrade and
Downgrade parts. Prints each revision that differs, then one line: same N, differ N, skipped N.
Exit 1 when any differs.
"""
import os
import re
import subprocess
import sys

RULE = "-- " + "-" * 78 + "\n"


def sections(text):
    """(revision, upgrade, downgrade) per revision of the sql-file."""
    for part in text.split("\n" + RULE + "-- Revision ")[1:]:
        revision = part.split("\n", 1)[0].split(":", 1)[0].strip()
        upgrade = part[part.index("-- Upgrade\n") + len("-- Upgrade\n"):part.index("\n-- Downgrade\n")]
        downgrade = part[part.index("\n-- Downgrade\n") + len("\n-- Downgrade\n"):]
        yield revision, upgrade, downgrade


def main(project, sql_file):
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if os.path.isdir(os.path.join(project, "compat")):
        env["PYTHONPATH"] = os.path.join(project, "compat")

    def alembic(*args):
        return subprocess.run(
            ["/usr/bin/python3", "-m", "alembic", "-c", os.path.join(project, "alembic.ini"), *args,
             "--sql"], capture_output=True, text=True, env=env, cwd=project, check=False).stdout

    with open(sql_file, encoding="utf-8") as file:
        text = file.read()
    same = differ = skipped = 0
    for revision, upgrade, downgrade in sections(text):
        running = re.search(r"-- Running upgrade (\S*) -> " + re.escape(revision), upgrade)
        if running is None or "stops here" in upgrade + downgrade or "," in running.group(1):
            skipped += 1
            continue
        parent = running.group(1)
        upgrade_ok = alembic("upgrade", f"{parent}:{revision}" if parent else revision) == upgrade
        downgrade_ok = alembic("downgrade", f"{revision}:{parent or 'base'}") == downgrade
        if upgrade_ok and downgrade_ok:
            same += 1
        else:
            differ += 1
            print(f"{revision}: upgrade {'same' if upgrade_ok else 'DIFFERS'}, "
                  f"downgrade {'same' if downgrade_ok else 'DIFFERS'}")
    print(f"same {same}, differ {differ}, skipped {skipped}")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
