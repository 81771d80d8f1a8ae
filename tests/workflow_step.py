#!/usr/bin/python3
"""What GitHub's runner gives alembic-gate's step of a workflow, for tests/container_test.sh.

Reads a workflow file (examples/workflows/*.yml), finds the one step whose `uses:` names
alembic-gate, and gives what the runner derives from it for the action's container:

  defaults                   every input of action.yml as INPUT_<NAME>=<default>, one a line
                             (a cross-check of container_test.sh's own reading of action.yml)
  env [-0] [--secret NAME=VALUE]... WORKFLOW
                             the step's environment: every input of action.yml as INPUT_<NAME>
                             (the name upper-cased, spaces made _, hyphens kept), the step's
                             `with:` value or else the input's default; then the workflow's, the
                             job's and the step's `env:`; then GITHUB_WORKFLOW, GITHUB_JOB and
                             GITHUB_ACTION. -0: NUL-terminated entries (values may hold newlines).
                             --secret: `${{ secrets.NAME }}` in a value is VALUE, as the runner
                             gives it (every other expression is still an error)
  run WORKFLOW STEP_NAME     the `run:` script of the step named STEP_NAME in the alembic-gate
                             step's job
  describe WORKFLOW          key=value lines for the test: working_directory, json_file,
                             sarif_file, database_service (label:port of the job's service the
                             database-url names; empty without database-url), outputs_used (the
                             step's outputs later steps read, space-separated)
  output FILE NAME           the value of output NAME in a GITHUB_OUTPUT file, read as the runner
                             reads it (NAME=VALUE lines and NAME<<DELIMITER blocks); empty when
                             absent
  check-report FILE json|sarif VERDICT WORKSPACE
                             a report as the next step would use it: JSON whose result is
                             VERDICT; SARIF 2.1.0 whose results' files all exist in WORKSPACE
                             (the paths upload-sarif resolves from the checkout), with an error
                             among them when VERDICT is failed
  forward LISTEN TARGET      a TCP forwarder HOST:PORT -> HOST:PORT (a workflow's service port on
                             another address); prints "listening" once bound, runs until killed

Workflows are read as the runner reads them: every scalar a string (PyYAML's BaseLoader: `on`
stays a key, `true` and `5` stay text, as `with:` values are). What the harness cannot do as the
runner would is an error, never skipped: a `with:` key that is no input of action.yml, a
non-string value, an expression (`${{ }}`) in a value the step receives, a database-url whose
host is not one of the job's services.
"""
import json
import os
import re
import socket
import sys
import threading
import urllib.parse

import yaml

ACTION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "action.yml")
USES = re.compile(r"(^|[/:])alembic-gate([@:]|$)")


class Problem(Exception):
    pass


def load(path):
    with open(path, encoding="utf-8") as file:
        return yaml.load(file, Loader=yaml.BaseLoader)


def action_inputs(action_path=ACTION):
    """action.yml's inputs, in order, with their defaults ("" when none)."""
    inputs = load(action_path).get("inputs") or {}
    return {name: (spec or {}).get("default", "") for name, spec in inputs.items()}


def action_outputs(action_path=ACTION):
    return set((load(action_path).get("outputs") or {}).keys())


def env_name(name):
    # The runner: "INPUT_" + name.Replace(' ', '_').ToUpperInvariant(); hyphens stay.
    return "INPUT_" + name.replace(" ", "_").upper()


def find_step(workflow):
    """(job id, job, step index, step) of the one step whose uses: names alembic-gate."""
    found = []
    for job_id, job in (workflow.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or []):
            if USES.search(step.get("uses", "")):
                found.append((job_id, job, index, step))
    if len(found) != 1:
        raise Problem(f"{len(found)} steps use alembic-gate; expected exactly one")
    return found[0]


SECRETS = {}  # env --secret: NAME -> VALUE
SECRET = re.compile(r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def plain(value, where):
    if not isinstance(value, str):
        raise Problem(f"{where}: {value!r} is not a string (the runner takes strings only)")
    def secret(match):
        if match.group(1) not in SECRETS:
            raise Problem(f"{where}: {value!r} reads secrets.{match.group(1)}, which no --secret gives")
        return SECRETS[match.group(1)]
    value = SECRET.sub(secret, value)
    if "${{" in value:
        raise Problem(f"{where}: {value!r} holds an expression, which this harness does not evaluate")
    return value


def step_inputs(workflow_path):
    """The step's inputs: action.yml's defaults overlaid with the step's with: values."""
    _, _, _, step = find_step(load(workflow_path))
    inputs = action_inputs()
    given = step.get("with") or {}
    unknown = [name for name in given if name not in inputs]
    if unknown:
        raise Problem(f"with: {', '.join(unknown)} is no input of action.yml (the runner warns "
                      f"'Unexpected input(s)' and passes nothing)")
    for name, value in given.items():
        inputs[name] = plain(value, f"with: {name}")
    return inputs


def step_env(workflow_path):
    workflow = load(workflow_path)
    job_id, job, _, step = find_step(workflow)
    entries = [(env_name(name), value) for name, value in step_inputs(workflow_path).items()]
    for where, env in (("workflow", workflow), (f"job {job_id}", job), ("step", step)):
        for name, value in (env.get("env") or {}).items():
            entries.append((name, plain(value, f"{where} env: {name}")))
    uses = step["uses"]
    action = step.get("id") or "__" + uses.split("@")[0].replace("/", "_")
    entries += [("GITHUB_WORKFLOW", workflow.get("name") or workflow_path),
                ("GITHUB_JOB", job_id), ("GITHUB_ACTION", action)]
    return entries


def database_service(workflow_path, url):
    """label:port of the job's service that database-url names; "" when it is empty."""
    if not url:
        return ""
    _, job, _, _ = find_step(load(workflow_path))
    services = list((job.get("services") or {}).keys())
    if "://" not in url:
        raise Problem(f"database-url {url!r}: this harness reads URLs only")
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in services:
        raise Problem(f"database-url names host {parts.hostname!r}, which is not one of the job's "
                      f"services ({', '.join(services) or 'none'}): inside the action's container "
                      f"a service is reached by its label")
    return f"{parts.hostname}:{parts.port or 5432}"


def strings(value):
    """Every string in a loaded YAML value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def outputs_used(workflow_path):
    """The step's outputs that later steps of its job read (steps.<id>.outputs.<name>)."""
    workflow = load(workflow_path)
    job_id, job, index, step = find_step(workflow)
    if "id" not in step:
        return []
    pattern = re.compile(r"steps\." + re.escape(step["id"]) + r"\.outputs\.([A-Za-z0-9_-]+)")
    used = []
    for text in strings([(job.get("steps") or [])[index + 1:], job.get("outputs")]):
        used += [name for name in pattern.findall(text) if name not in used]
    unknown = sorted(set(used) - action_outputs())
    if unknown:
        raise Problem(f"job {job_id} reads steps.{step['id']}.outputs.{', '.join(unknown)}, "
                      f"which action.yml does not declare")
    return used


def describe(workflow_path):
    inputs = step_inputs(workflow_path)
    fields = {
        "working_directory": inputs["working-directory"],
        "json_file": inputs["json-file"],
        "sarif_file": inputs["sarif-file"],
        "database_service": database_service(workflow_path, inputs["database-url"]),
        "outputs_used": " ".join(outputs_used(workflow_path)),
    }
    for key, value in fields.items():
        if "\n" in value:
            raise Problem(f"{key} spans lines: {value!r}")
    return fields


def run_script(workflow_path, name):
    """The run: script of the step named `name` in the alembic-gate step's job."""
    _, job, _, _ = find_step(load(workflow_path))
    scripts = [step.get("run", "") for step in job.get("steps") or [] if step.get("name") == name]
    if len(scripts) != 1 or not scripts[0]:
        raise Problem(f"{len(scripts)} steps named {name!r} with a run: script; expected one")
    return scripts[0]


def read_output(path, wanted):
    """Output `wanted` of a GITHUB_OUTPUT file, parsed as the runner parses file commands."""
    with open(path, encoding="utf-8") as file:
        lines = file.read().split("\n")
    value = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, text = line[:equals], line[equals + 1:]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2:]
            body = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            if index == len(lines):
                raise Problem(f"{path}: {name}'s block never ends with {delimiter!r}")
            index += 1
            text = "\n".join(body)
        else:
            raise Problem(f"{path}: {line!r} is neither NAME=VALUE nor NAME<<DELIMITER")
        if not name:
            raise Problem(f"{path}: an output without a name: {line!r}")
        if name == wanted:
            value = text  # the last one wins, as in the runner
    return value


def check_report(path, kind, verdict, workspace):
    with open(path, encoding="utf-8") as file:
        report = json.load(file)
    if kind == "json":
        if report.get("result") != verdict:
            raise Problem(f"result {report.get('result')!r}, expected {verdict!r}")
        return
    if kind != "sarif":
        raise Problem(f"unknown report kind {kind!r}")
    if report.get("version") != "2.1.0":
        raise Problem(f"SARIF version {report.get('version')!r}, expected '2.1.0'")
    levels = []
    for run in report.get("runs", []):
        for result in run.get("results", []):
            levels.append(result.get("level", "warning"))
            for location in result.get("locations", []):
                uri = location["physicalLocation"]["artifactLocation"]["uri"]
                if uri.startswith("/") or not os.path.isfile(os.path.join(workspace, uri)):
                    raise Problem(f"result {result.get('ruleId')} is at {uri!r}, "
                                  f"no file of the workspace")
    if (verdict == "failed") != ("error" in levels):
        raise Problem(f"result levels {sorted(set(levels))} for a run that {verdict}")


def forward(listen, target):
    def address(text):
        host, _, port = text.rpartition(":")
        return host, int(port)

    target = address(target)
    server = socket.create_server(address(listen))
    print("listening", flush=True)

    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def serve(client):
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        back.start()
        pipe(client, upstream)
        back.join()
        client.close()
        upstream.close()

    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


def main(argv):
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "defaults" and not args:
        for name, value in action_inputs().items():
            print(f"{env_name(name)}={value}")
    elif command == "env" and args:
        end = "\n"
        if args[0] == "-0":
            end, args = "\0", args[1:]
        while len(args) > 2 and args[0] == "--secret" and "=" in args[1]:
            name, _, value = args[1].partition("=")
            SECRETS[name] = value
            args = args[2:]
        if len(args) != 1:
            return usage()
        for name, value in step_env(args[0]):
            if end == "\n" and "\n" in value:
                raise Problem(f"{name} spans lines: use env -0")
            sys.stdout.write(f"{name}={value}{end}")
    elif command == "run" and len(args) == 2:
        sys.stdout.write(run_script(*args))
    elif command == "describe" and len(args) == 1:
        for key, value in describe(args[0]).items():
            print(f"{key}={value}")
    elif command == "output" and len(args) == 2:
        print(read_output(args[0], args[1]))
    elif command == "check-report" and len(args) == 4:
        check_report(*args)
    elif command == "forward" and len(args) == 2:
        forward(args[0], args[1])
    else:
        return usage()
    return 0


def usage():
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (Problem, OSError, yaml.YAMLError, KeyError) as error:
        prefix = f"{sys.argv[2]}: " if len(sys.argv) > 2 else ""
        print(f"workflow_step: {prefix}{error}", file=sys.stderr)
        sys.exit(1)
