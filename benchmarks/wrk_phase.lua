-- One phase of benchmarks/server_throughput.py, run by wrk (one thread, -t1) on kept-alive
-- connections.
--
-- Environment:
--   PHASE_PLAN     a file of requests, one per line: METHOD <tab> PATH <tab> BODY (may be empty)
--   PHASE_MODE     cycle:  send the plan's requests in turn, again and again
--                  unique: send the plan's one request with @N@ replaced by 1, 2, 3, ...
--                  once:   send each request of the plan once (DELETEs: no answer is a 200);
--                          the phase ends when all are answered, or 5 s after the last answer
--                          once all are sent (a request lost with its connection gets none)
--   PHASE_SURPLUS  once mode: a GET answered 200, sent by a connection with nothing left to
--                  send, every 50 ms, so that the phase notices when it is over; not counted
--
-- Prints one JSON line: duration (once mode: from the first request to the last answer),
-- requests sent, answers by status, socket errors, latency percentiles (microseconds; wrk's
-- own, over every answered request, the few surplus ones included).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } phase_timespec;
int clock_gettime(int clock, phase_timespec *out);
int kill(int pid, int sig);
int getpid(void);
]])
local CLOCK_MONOTONIC, SIGINT = 1, 2
local TICK_MS, GRACE_S = 50, 5

local function now()
  local t = ffi.new("phase_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local mode, requests, template, surplus, plan_size, calls, handed, answered, started, last
statuses = {} -- globals: done() reads them from each thread
phase_us = nil

local function read_plan(path)
  local plan = {}
  for line in io.lines(path) do
    local method, target, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    table.insert(plan, { method = method, path = target, body = body })
  end
  return plan
end

local function formatted(entry, path, body)
  if body == nil or body == "" then
    return wrk.format(entry.method, path)
  end
  return wrk.format(entry.method, path, { ["Content-Type"] = "application/json" }, body)
end

function init(args)
  mode = os.getenv("PHASE_MODE")
  local plan = read_plan(os.getenv("PHASE_PLAN"))
  plan_size = #plan
  requests = {}
  for i, entry in ipairs(plan) do
    requests[i] = formatted(entry, entry.path, entry.body)
  end
  template = plan[1]
  surplus = wrk.format("GET", os.getenv("PHASE_SURPLUS") or "/")
  calls, handed, answered = 0, 0, 0
end

local function finish_if_over()
  if phase_us ~= nil or started == nil then
    return
  end
  local over = answered >= plan_size
  if not over and handed >= plan_size then
    over = now() - (last or started) > GRACE_S
  end
  if over then
    phase_us = ((last or started) - started) * 1e6
    -- stop this thread's loop at once, and wake wrk's main thread, which otherwise sleeps
    -- for the whole -d duration (its SIGINT handler ends the run as Ctrl-C does)
    wrk.thread:stop()
    ffi.C.kill(ffi.C.getpid(), SIGINT)
  end
end

function request()
  calls = calls + 1
  if mode == "unique" then
    local n = tostring(calls)
    return formatted(template, template.path:gsub("@N@", n), template.body:gsub("@N@", n))
  end
  if mode == "once" then
    -- wrk calls request() once when a thread starts and throws that request away
    if calls == 1 or handed >= plan_size then
      return surplus
    end
    handed = handed + 1
    started = started or now()
    return requests[handed]
  end
  return requests[(calls - 1) % plan_size + 1]
end

if os.getenv("PHASE_MODE") == "once" then
  -- wrk asks a connection's delay before each of its requests
  function delay()
    if handed < plan_size then
      return 0
    end
    finish_if_over()
    return TICK_MS
  end
end

function response(status, headers, body)
  if mode == "once" then
    if status ~= 200 then
      answered = answered + 1
      last = now()
      statuses[status] = (statuses[status] or 0) + 1
    end
    finish_if_over()
    return
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, sent)
  local merged, duration = {}, summary.duration
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
    duration = thread:get("phase_us") or duration
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    '\n{"duration_us": %d, "requests": %d, "statuses": {%s}, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    duration, summary.requests, table.concat(parts, ", "),
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)
  ))
end
