# alembic-gate's action image (GitHub runs it as root with the repository at /github/workspace).
#
# Two stages on Debian 13 (trixie): `build` compiles the binary with Debian's toolchain and -dev
# packages; the runtime stage holds only what running needs. The size is in the README.
#
# Runtime packages, and why each is there:
#   libpq5                    the binary's PostgreSQL client library
#   libfmt10                  the binary's formatting library
#   libtomlplusplus3t64       the binary's TOML reader (alembic-gate.toml, pyproject.toml)
#   libpg-query1706.0         PostgreSQL's own SQL parser, for the lint check
#   python3                   runs the Python worker, i.e. the project's own env.py and Alembic
#   python3-alembic           Alembic (1.13 in Debian 13)
#   python3-sqlalchemy        SQLAlchemy (2.0 in Debian 13)
#   python3-psycopg2          the driver of postgresql:// and postgresql+psycopg2:// URLs
#   python3-psycopg           psycopg 3, for postgresql+psycopg:// URLs
#   python3-asyncpg           for async env.py files (postgresql+asyncpg://)
#   python3-venv, python3-pip the `install` input: a virtual environment with the project's
#                             dependencies on top of these system packages
#   postgresql                the embedded throwaway server used when database-url is empty
#                             (pulls in libllvm19 for its JIT: most of the image's size)
#   util-linux                setpriv, to run the embedded server as `postgres` (we are root);
#                             essential in Debian, listed to say that it is needed
#   git                       the lint check asks it for the files a pull request adds
#   bash                      runs the entrypoint script (with find, stat and chown, from
#                             findutils and coreutils); essential, listed to say it is needed
# Not kept: recommended packages, documentation (the slim base excludes it), apt's lists and
# downloaded packages.
#
# No USER (GitHub requires root), no WORKDIR (the runner sets --workdir), and an exec-form
# ENTRYPOINT with an absolute path: scripts/entrypoint.sh, which runs the binary (it reads the
# INPUT_* variables itself), forwards the stop signals to it, and then gives the files the run
# wrote into $GITHUB_WORKSPACE back to the workspace's owner. A bash script, never sh: dash drops
# variables whose names are not shell names, like INPUT_DATABASE-URL, from the environment it
# passes on; bash passes them through.

FROM debian:trixie-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config libfmt-dev libcxxopts-dev libtomlplusplus-dev \
      nlohmann-json3-dev doctest-dev libpq-dev libpg-query-dev \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build /build -j"$(nproc)" --target alembic-gate \
    && strip /build/alembic-gate

FROM debian:trixie-slim
# No default cluster: the embedded server makes its own in a temporary folder.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/alembic-gate.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
      libpq5 libfmt10 libtomlplusplus3t64 libpg-query1706.0 \
      python3 python3-alembic python3-sqlalchemy python3-psycopg2 python3-psycopg \
      python3-asyncpg python3-venv python3-pip \
      postgresql util-linux git bash \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log
COPY --from=build /build/alembic-gate /usr/local/bin/alembic-gate
COPY scripts/entrypoint.sh /usr/local/bin/alembic-gate-entrypoint
# Fails the build when a library the binary links is missing from the list above. The chmod: a
# checkout may have lost the script's executable bit.
RUN ! ldd /usr/local/bin/alembic-gate | grep "not found" && /usr/local/bin/alembic-gate --version \
    && chmod 755 /usr/local/bin/alembic-gate-entrypoint \
    && bash -n /usr/local/bin/alembic-gate-entrypoint
ENTRYPOINT ["/usr/local/bin/alembic-gate-entrypoint"]
