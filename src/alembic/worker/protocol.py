"""The protocol's side of the worker: the private streams that carry one JSON object per line,
and how an exception is described to the binary (docs/worker-protocol.md)."""

import json
import os
import signal
import threading
import time
import traceback


class BinaryGone(SystemExit):
    """The binary closed the channel: the worker ends, with nothing left to answer."""


# What a migration or env.py may raise that the worker reports: any Exception, and SystemExit
# (sys.exit() in a migration ends `alembic upgrade` there; here it is that migration's failure).
# BinaryGone, the worker's own way out, is re-raised wherever these are caught.
REPORTED = (Exception, SystemExit)


class Channel:
    """The private protocol streams."""

    def __init__(self):
        self.incoming = os.fdopen(os.dup(0), "r", encoding="utf-8")
        self.outgoing = os.fdopen(os.dup(1), "w", encoding="utf-8")
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)

    def receive(self):
        line = self.incoming.readline()
        if not line:
            raise BinaryGone(0)
        message = json.loads(line)
        if message.get(TAGGED_MARK):
            message = untagged(message)
        return message

    def send(self, payload):
        line = json.dumps(payload, default=str)
        # A lone surrogate is how Python holds a path's bytes that are not UTF-8; JSON cannot
        # carry it, so such strings go as their bytes, tagged. "\\ud" also matches the pairs that
        # stand for characters beyond the BMP: tagging finds nothing to tag in those.
        if "\\ud" in line:
            payload = dict(tagged(payload), **{TAGGED_MARK: True})
            line = json.dumps(payload)
        self.outgoing.write(line + "\n")
        self.outgoing.flush()

    def ok(self, **fields):
        self.send(dict(ok=True, **fields))

    def fail(self, error):
        self.send({"ok": False, "error": error})


# Strings that are not UTF-8 on the wire (docs/worker-protocol.md, src/alembic/wire.h).
TAGGED_MARK = "tagged_bytes"
BYTES_TAG = "$bytes"


def tagged(value):
    """`value` with each string that UTF-8 cannot encode (it holds surrogates, as os.fsdecode
    makes of bytes that are not UTF-8) replaced by {"$bytes": hex}; what JSON cannot hold as
    such becomes its str(), as json.dumps(default=str) would make it."""
    if isinstance(value, dict):  # keys are names, never paths: what is not UTF-8 is replaced
        return {raw_bytes(str(key)).decode("utf-8", "replace"): tagged(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [tagged(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return {BYTES_TAG: raw_bytes(text).hex()}


def raw_bytes(text):
    """The bytes `text` stands for: surrogateescape's surrogates back to their bytes; a surrogate
    from anywhere else as UTF-8 would spell it (which then reads as invalid)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def untagged(value):
    """`value` with each {"$bytes": hex} back to the string Python holds for those bytes."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get(BYTES_TAG), str):
            return os.fsdecode(bytes.fromhex(value[BYTES_TAG]))
        return {key: untagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [untagged(item) for item in value]
    return value


def die_with_parent():
    """Ends the worker's process group (the worker and what its migrations started) once the
    binary is gone without a word, killed by SIGKILL say: a migration that never returns would
    otherwise run on, orphaned. Checked every second, on a thread of its own."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="ag-parent-watch", daemon=True).start()


class SessionFailed(Exception):
    """A request inside a session failed; its error has been sent."""


def sqlstate_of(exc):
    for candidate in (exc, getattr(exc, "orig", None), getattr(exc, "__cause__", None)):
        if candidate is None:
            continue
        for attribute in ("pgcode", "sqlstate"):
            code = getattr(candidate, attribute, None)
            if isinstance(code, str) and code:
                return code
    return None


def describe_error(exc, version_dirs, env_py, source_dirs=()):
    """The error as the binary reports it: the innermost frame inside a migration file, else
    inside env.py; a SyntaxError's own location. With source_dirs, the innermost frame in the
    project's own code comes first, so that a models module failing to import is named rather
    than the env.py line importing it."""
    frames = traceback.extract_tb(exc.__traceback__)
    location = None
    own_code = list(source_dirs)
    for wanted in (own_code, version_dirs, [env_py] if env_py else []):
        for frame in reversed(frames):
            path = os.path.abspath(frame.filename)
            if wanted is own_code and (frame.filename.startswith("<") or is_library(path)):
                continue
            if any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in wanted):
                location = {"file": path, "line": frame.lineno}
                break
        if location:
            break
    if isinstance(exc, SyntaxError) and exc.filename and os.path.exists(exc.filename):
        location = {"file": os.path.abspath(exc.filename), "line": exc.lineno or 0}
    if isinstance(exc, SystemExit):
        message = (f"sys.exit({exc.code!r}) was called: `alembic upgrade` would end there, "
                   "the migrations unfinished")
    else:
        message = str(exc).strip() or type(exc).__name__
    return {
        "type": type(exc).__name__,
        "message": message,
        "sqlstate": sqlstate_of(exc),
        "file": location["file"] if location else None,
        "line": location["line"] if location else None,
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


def is_library(path):
    """Whether `path` belongs to Python itself or to an installed package, not to the project."""
    import sysconfig

    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    roots = {os.path.abspath(p) for k, p in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib")}
    return any(path.startswith(root + os.sep) for root in roots)


def text_rows(result):
    """A query's rows as the protocol carries them: text or null per cell."""
    return [[None if v is None else str(v) for v in row] for row in result]
