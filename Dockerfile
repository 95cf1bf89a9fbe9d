# Build: the release binary, with SQLite compiled in (no OpenSSL, no system libraries).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock askama.toml ./
COPY src src
COPY migrations migrations
COPY web web
COPY benches benches
RUN cargo build --release --locked --bin sealbox

# Run: a small image, an unprivileged user, data in a volume.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin sealbox \
    && mkdir -p /data && chown sealbox:sealbox /data && chmod 0700 /data
COPY --from=build /src/target/release/sealbox /usr/local/bin/sealbox
USER sealbox
WORKDIR /data
ENV SEALBOX_LISTEN=0.0.0.0:8080 \
    SEALBOX_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sealbox"]
CMD ["serve"]
