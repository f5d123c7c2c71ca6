# syntax=docker/dockerfile:1.7
# One image with the four binaries of TradingStack in /usr/local/bin: api (port 8000),
# bot (health 8001), workers (health 8002) and operator (8080: /healthz, /readyz,
# /metrics), plus crdgen. The operator runs each service as
# `command: ["/usr/local/bin/<role>"]` with uid 10001, so the image runs as that uid too.
#
#   DOCKER_BUILDKIT=1 docker build -t tradingstack:dev .
#   docker run --rm tradingstack:dev /usr/local/bin/crdgen
#
# BuildKit cache mounts keep the cargo registry and the target folder between builds, so
# a rebuild after a code change compiles only the workspace crates.

ARG RUST_IMAGE=rust:1.95-bookworm
# glibc of Debian 12, as the builder; ca-certificates and tzdata, no shell.
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# Stripped release binaries; the profile is not changed for local builds.
ENV CARGO_PROFILE_RELEASE_STRIP=symbols \
    CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0
COPY . .
# The target folder is a cache mount, so the binaries are copied out in the same step.
RUN --mount=type=cache,id=tradingstack-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=tradingstack-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,id=tradingstack-target,target=/src/target,sharing=locked \
    cargo build --release --bins \
        -p api -p bot -p workers -p tradingstack-operator \
 && mkdir -p /out \
 && for bin in api bot workers operator crdgen; do \
        install -m 0755 "target/release/$bin" "/out/$bin"; \
    done

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="tradingstack" \
      org.opencontainers.image.description="TradingStack: api, bot, workers and the Kubernetes operator (binaries in /usr/local/bin)" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/ /usr/local/bin/
# Numeric, so Kubernetes' runAsNonRoot can check it; the operator's pods use the same uid.
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000 8001 8002 8080
# The operator and the charts always set `command`; plain `docker run` starts the API.
CMD ["/usr/local/bin/api"]
