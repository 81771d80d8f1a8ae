"""Starts alembic-gate's worker. Run as `python -c <this text> NAME TEXT NAME TEXT ...`: each
pair is a module of the ag_worker package (src/alembic/worker/), embedded in the binary by
cmake/embed.cmake and passed as argv elements of their own. A meta-path finder serves them from
memory, under file names like <alembic-gate>/ag_worker/worker.py (what tracebacks show); nothing
is written to disk."""

import sys

# Said first, unasked: the binary then knows that this is a Python running the bootstrap.
sys.stdout.write('{"ok": true, "hello": true}\n')
sys.stdout.flush()

import importlib.machinery  # noqa: E402


class EmbeddedModules:
    """Finder and loader of the embedded modules; any other name is left to the usual finders."""

    package = "ag_worker"

    def __init__(self, texts):
        self.texts = texts

    def filename(self, name):
        tail = "/__init__.py" if name == self.package else ".py"
        return "<alembic-gate>/" + name.replace(".", "/") + tail

    def find_spec(self, name, path=None, target=None):
        if name not in self.texts:
            return None
        return importlib.machinery.ModuleSpec(name, self, origin=self.filename(name),
                                              is_package=name == self.package)

    def create_module(self, spec):
        return None  # the usual module object

    def exec_module(self, module):
        name = module.__spec__.name
        exec(compile(self.texts[name], self.filename(name), "exec"), module.__dict__)

    def get_source(self, name):  # linecache reads the lines of tracebacks through it
        return self.texts.get(name)


embedded = sys.argv[1:]
del sys.argv[1:]  # as `python -c` alone leaves it: ["-c"]
sys.meta_path.insert(0, EmbeddedModules(dict(zip(embedded[0::2], embedded[1::2]))))

import ag_worker.worker  # noqa: E402

ag_worker.worker.main()
