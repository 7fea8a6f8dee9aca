-- wrk script for benchmarks/bench_serve_http.py: POST /v1/rerank with pre-built 200-candidate bodies.
-- Each body line lacks its request id; every request gets a unique one (thread id + counter).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  counter = 0
end

function request()
  counter = counter + 1
  local body = '{"request_id":"w' .. tid .. '-' .. counter .. '",' .. bodies[(counter % #bodies) + 1]
  return wrk.format("POST", "/v1/rerank", {["Content-Type"] = "application/json"}, body)
end
