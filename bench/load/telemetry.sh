#!/usr/bin/env bash
# What telemetry costs an authenticated GET (issue 14: at most 5 %), in one run: the same Release server started with
# telemetry off, with the defaults (Prometheus metrics on, no traces), and with every trace recorded (SampleRatio 1, the
# spans made and ended but exported nowhere), alternating, each measured ROUNDS times with wrk.
#   bash bench/load/telemetry.sh          # prints a markdown table; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/load/ab.sh
ab_build
results=()
for round in $(seq "$ROUNDS"); do
  results+=("$(ab_run off Astralytiq__Telemetry__Metrics__Enabled=false Astralytiq__Telemetry__Tracing__Enabled=false)")
  results+=("$(ab_run metrics)")
  results+=("$(ab_run traces Astralytiq__Telemetry__Tracing__Enabled=true Astralytiq__Telemetry__Tracing__SampleRatio=1)")
done
ab_table telemetry off metrics traces
