# syntax=docker/dockerfile:1
# DevOps Challenge: a static binary in a small, non-root image.
# CI builds the binary with the same command and flags (see .ci/run).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/devopschallenge . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/devopschallenge /devopschallenge
# Only used without REDIS_URL (embedded store); mount a volume to keep it.
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV ADDR=:8080 DATA_DIR=/data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=4s --start-period=10s --retries=3 CMD ["/devopschallenge", "healthcheck"]
ENTRYPOINT ["/devopschallenge"]
