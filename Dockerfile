# Fazhi's server image. Build:   docker build -t fazhi .
# Run:    docker run fazhi serve   (configuration through FAZHI_* variables, docs/OPERATOR.md)
#
# Two stages, as the Swift server templates do: the official Swift image of Debian 12
# (bookworm) builds a release binary with Swift's runtime linked in; the slim Debian 12
# image runs it with only what it needs. deploy/image/test.sh builds the runtime stage's
# file system with debootstrap from the package list below and runs the server in it.

FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first, so a change to the sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --static-swift-stdlib --product fazhi \
    && install -D "$(swift build -c release --static-swift-stdlib --show-bin-path)/fazhi" /staging/opt/fazhi/bin/fazhi
COPY sql /staging/opt/fazhi/share/fazhi/sql
COPY data /staging/opt/fazhi/share/fazhi/data

FROM debian:bookworm-slim
# The runtime packages, one per line: deploy/image/test.sh reads this list.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        libpq5 \
        tzdata \
    && rm -rf /var/lib/apt/lists/*
# A system user without a shell or a password; the evidence files live in its home.
RUN useradd --no-log-init --uid 10001 --user-group --home-dir /var/lib/fazhi --create-home --shell /usr/sbin/nologin fazhi
COPY --from=build /staging/opt/fazhi /opt/fazhi
ENV PATH=/opt/fazhi/bin:$PATH \
    FAZHI_GRPC_HOST=0.0.0.0 \
    FAZHI_PORTAL_HOST=0.0.0.0 \
    FAZHI_METRICS_HOST=0.0.0.0 \
    FAZHI_EVIDENCE_DIRECTORY=/var/lib/fazhi/evidence
USER fazhi:fazhi
WORKDIR /var/lib/fazhi
VOLUME ["/var/lib/fazhi/evidence"]
# gRPC (bearer tokens), gRPC (mutual TLS), the public portal, Prometheus metrics.
EXPOSE 7443 7444 8443 9464
# FAZHI_HEALTH_SERVER_NAME: the name in the server's certificate (the check connects to 127.0.0.1).
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 \
    CMD ["sh", "-c", "fazhi health --address 127.0.0.1:${FAZHI_GRPC_PORT:-7443} --ca \"${FAZHI_HEALTH_CA:-/etc/ssl/certs/ca-certificates.crt}\" ${FAZHI_HEALTH_SERVER_NAME:+--server-name \"$FAZHI_HEALTH_SERVER_NAME\"}"]
ENTRYPOINT ["fazhi"]
CMD ["serve"]
