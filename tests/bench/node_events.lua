-- wrk script for the node intake benchmark: one new change per request, as a
-- node sends them (a sequence number no request of any run repeats, so every
-- request is a durable insert and a job, never a duplicate).
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
