-- wrk script: POSTs KubeAtlas reports, each with a nonce of its own (so
-- none is a duplicate). Used by the wrk figures in docs/performance.md:
--   wrk -t2 -c64 -d10s --latency -s telemetry-receiver/benches/wrk-report.lua http://127.0.0.1:9090
-- Set WRK_PREFIX to keep the nonces of several wrk processes apart.
local prefix = os.getenv("WRK_PREFIX") or "w"
local thread_id = 0
local counter = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"schema_version":"1.0","kubeatlas_version":"0.%d.0","k8s_version":"v1.31.2",' ..
    '"os":"linux","arch":"x86_64","tier":"memory","resource_bucket":"1K-5K",' ..
    '"enabled_packs":["cis-benchmark","pod-security"],"cluster_count":%d,' ..
    '"platform_distribution":{"eks":2,"kind":1},"session_nonce":"%s-%d-%d"}',
    counter % 7, counter % 50, prefix, tid, counter)
  return wrk.format("POST", "/v1/report", {["content-type"] = "application/json"}, body)
end
