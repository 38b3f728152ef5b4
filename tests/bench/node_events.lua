-- wrk script for the node intake benchmark: one new change per request, as a
-- node sends them (a sequence number no request of any run repeats, so every
-- request is a durable insert and a job, never a duplicate). Refused with 503
-- (the monitor is behind), a thread waits 100 ms before its next request, as
-- a node backs off; the wait is not part of the latency wrk reports.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Runs start at least a second apart; a thread sends far fewer than 10^6 per run.
  seq = ((os.time() % 1000000) * 10 + id) * 1000000
  token = os.getenv("NODE_TOKEN")
end

function request()
  seq = seq + 1
  local state = (seq % 2 == 0) and "open" or "closed"
  local body = string.format('{"events":[{"seq":%.0f,"input":"door","state":"%s"}]}', seq, state)
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

local backoff = 0

function delay()
  local wait = backoff
  backoff = 0
  return wait
end

function response(status, headers, body)
  if status == 503 then
    backoff = 100
  end
end
