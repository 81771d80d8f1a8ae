"""alembic-gate's worker: runs the project's own Alembic and env.py on a scratch database.

It executes and reports; every decision is made by the alembic-gate binary, which embeds this
package and serves it from memory (worker_bootstrap.py; nothing is written to disk). The protocol
between the two, one JSON object per line: docs/worker-protocol.md.

Modules, each importing only those listed before it:
  protocol   the private streams (Channel), an exception described for the binary
  internals  the parts of Alembic that are not its public API, behind guards
  session    a session's state (Session) and what env.py is given in it
  roundtrip  the "roundtrip" request: upgrade, downgrade and upgrade again (RoundTrip)
  offline    the "offline" request's recording of the SQL Alembic prints
  drift      the "drift" request's facts: differences, exclusions, types
  models     where the models define tables and columns (ModelSources)
  worker     the Worker (one method per request) and main()
"""
