-- wrk script for the memory run: one request in four exchanges a Client ID
-- drawn at random from the bulk tokens of the big store (they share one
-- secret), the others send back the session cookie of the last exchange, so
-- every cache keeps taking new entries. A non-200 answer is counted and
-- reported.
local ntok = tonumber(os.getenv("BENCH_TOKENS") or "1")
local secret = os.getenv("BENCH_SECRET") or ""
-- globals, so that done() can read them from each thread
counter, bad, cookie = 0, 0, nil
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
   if cookie and counter % 4 ~= 0 then
      return wrk.format("GET", wrk.path, { ["Cookie"] = "CF_Authorization=" .. cookie })
   end
   local id = "00000000b0b0b0b0" .. string.format("%016x.access", math.random(0, ntok - 1))
   return wrk.format("GET", wrk.path,
                     { ["CF-Access-Client-Id"] = id, ["CF-Access-Client-Secret"] = secret })
end

function response(status, headers, body)
   counter = counter + 1
   if status ~= 200 then bad = bad + 1 end
   local sc = headers["Set-Cookie"]
   if sc then cookie = sc:match("^CF_Authorization=([^;]+)") or cookie end
end

function done(summary, latency, requests)
   local total_bad = 0
   for _, t in ipairs(threads) do total_bad = total_bad + (t:get("bad") or 0) end
   io.write(string.format("churn: %d requests, %d not 200\n",
                          summary.requests, total_bad))
end
