# Faultline's simrun as a container image, for sweeps split over a cluster
# (deploy/sweep-job.yaml; README "More seeds than one machine").
#
#   docker build -t faultline/simrun .
#   docker run --rm faultline/simrun sweep 2pc-bank-faults --seeds 1-1000
#
# Stage 1 builds a static binary (no cgo: it runs on any Linux without a
# libc); stage 2 is busybox, whose shell lets a Job's pod name its result
# file by index and count exit status 1 (a violation found) as a finished
# shard rather than a failed pod.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/simrun ./cmd/simrun

FROM busybox:1.37-musl
COPY --from=build /out/simrun /usr/local/bin/simrun
USER 65534:65534
WORKDIR /results
ENTRYPOINT ["/usr/local/bin/simrun"]
