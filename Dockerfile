# alembic-gate's action image. Minimal for now: the container issue adds the runtime stage's
# Python and PostgreSQL packages and the `install` input.
FROM debian:trixie-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config libfmt-dev libcxxopts-dev libtomlplusplus-dev \
      nlohmann-json3-dev doctest-dev libpq-dev libpg-query-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build /build -j"$(nproc)" --target alembic-gate

FROM debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libfmt10 libpq5 git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/alembic-gate /usr/local/bin/alembic-gate
COPY entrypoint /usr/local/bin/alembic-gate-entrypoint
ENTRYPOINT ["/usr/local/bin/alembic-gate-entrypoint"]
