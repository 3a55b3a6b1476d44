#!/bin/bash
# The seen-p99 case of `make bench`: does recording last seen make a
# request wait? Two httpd serve the same DBM store, one with
# ServiceTokenSeenInterval 1s (the token's use is recorded every second),
# one with it off; 16 connections send one token's session to each in turn
# while svctoken creates and deletes tokens in that store all along (each
# change holds the store's exclusive lock). The p99 latency of both is
# compared: BENCH_PAIRS pairs of wrk runs of BENCH_SECONDS, alternating
# which goes first, the median of the pairs' ratios (on / off). Every answer
# must be a 200. Target: at most 1.10.
#
# Environment: HTTPD, SVCT_MODULE, SVCTOKEN (set by the Makefile), BENCH_DIR,
# BENCH_SECONDS (5), BENCH_PAIRS (6), BENCH_PIN (1). Run alone with
# `make bench BENCH_CASES=seen-p99`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
B=${BENCH_DIR:-$root/build/bench}/seen
SECS=${BENCH_SECONDS:-5}
PAIRS=${BENCH_PAIRS:-6}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || PIN=0
if [ "$PIN" = 1 ]; then ON_SERVER=(taskset -c 0) ON_CLIENT=(taskset -c 1); else ON_SERVER=() ON_CLIENT=(); fi
log() { printf '%s\n' "$*" >&2; }
die() { log "seen-p99: $*"; exit 1; }
free_port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1)->sockport'; }

rm -rf "$B"
mkdir -p "$B"/{htdocs/p,logs,run}
echo ok > "$B/htdocs/p/index.html"
"$CLI" keygen --alg ES256 --out "$B/es256.pem" >/dev/null
"$CLI" -f "$B/tokens.db" create bench --duration 30d --json > "$B/token.json"
ID=$(perl -MJSON::PP -e 'local $/; print decode_json(<STDIN>)->{client_id}' < "$B/token.json")
SECRET=$(perl -MJSON::PP -e 'local $/; print decode_json(<STDIN>)->{client_secret}' < "$B/token.json")
chmod -R a+rX "$B"
chmod 600 "$B/es256.pem" "$B/token.json"
[ "$(id -u)" = 0 ] && asroot=-DASROOT || asroot=

declare -A port
for c in on off; do
    port[$c]=$(free_port)
    interval=1s
    [ $c = off ] && interval=off
    cat > "$B/$c.conf" <<EOF
$(httpd_head "$B" "$c" "${port[$c]}")
LoadModule access_svctoken_module $MODULE
$(httpd_as_nobody)
StartServers 2
ServerLimit 2
ThreadsPerChild 32
MaxRequestWorkers 64
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot $B/htdocs
ServiceTokenSigningKey $B/es256.pem
ServiceTokenSeenInterval $interval
<Location /p/>
    AuthType ServiceToken
    ServiceTokenStore $B/tokens.db
    ServiceTokenAudience bench
    Require service-token
</Location>
EOF
done
stop_all() {
    for c in on off; do "$HTTPD" -f "$B/$c.conf" $asroot -k stop 2>/dev/null || true; done
    [ -n "${churn:-}" ] && kill "$churn" 2>/dev/null || true
}
trap stop_all EXIT
declare -A cookie
for c in on off; do
    "${ON_SERVER[@]}" "$HTTPD" -f "$B/$c.conf" $asroot -k start
    url=http://127.0.0.1:${port[$c]}/p/index.html
    for _ in $(seq 50); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
    cookie[$c]=$(curl -s -D - -o /dev/null -H "CF-Access-Client-Id: $ID" \
        -H "CF-Access-Client-Secret: $SECRET" "$url" |
        sed -n 's/^Set-Cookie: CF_Authorization=\([^;]*\).*/\1/p')
    [ -n "${cookie[$c]}" ] || die "$c: no session (see $B/logs/$c.error.log)"
done

# svctoken changing the store for the whole measurement.
(
    i=0
    while :; do
        i=$((i + 1))
        "$CLI" -f "$B/tokens.db" create "churn-$i" >/dev/null 2>&1 || true
        "$CLI" -f "$B/tokens.db" delete "churn-$i" >/dev/null 2>&1 || true
    done
) &
churn=$!

# p99 in microseconds of one run on C; empty if an answer was not a 200.
p99() {
    local c=$1 out
    out=$("${ON_CLIENT[@]}" wrk -t1 -c16 -d"${SECS}s" --latency \
        -H "Cookie: CF_Authorization=${cookie[$c]}" "http://127.0.0.1:${port[$c]}/p/index.html" 2>&1) || true
    if grep -Eq 'Non-2xx|Socket errors: connect [1-9]|timeout [1-9]' <<<"$out"; then
        log "seen-p99 $c: $(grep 'Non-2xx\|Socket errors' <<<"$out")"
        return
    fi
    awk '$1 == "99%" { v = $2; u = 1;
        if (v ~ /us$/) u = 1; else if (v ~ /ms$/) u = 1000; else if (v ~ /s$/) u = 1000000;
        sub(/[a-z]+$/, "", v); printf "%.0f\n", v * u }' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

ons="" offs="" ratios=""
for i in $(seq "$PAIRS"); do
    if [ $((i % 2)) = 1 ]; then a=$(p99 on) b=$(p99 off); else b=$(p99 off) a=$(p99 on); fi
    [ -n "$a" ] && [ -n "$b" ] || die "a run failed (see $B/logs/)"
    ons="$ons $a" offs="$offs $b"
    ratios="$ratios $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')"
done
kill "$churn" 2>/dev/null || true
wait "$churn" 2>/dev/null || true
churn=
changes=$(ls "$B/tokens.db.seen" 2>/dev/null | grep -c . || true)
[ "$changes" -ge 1 ] || die "the server with ServiceTokenSeenInterval 1s recorded nothing"
on=$(tr ' ' '\n' <<<"$ons" | grep . | median)
off=$(tr ' ' '\n' <<<"$offs" | grep . | median)
ratio=$(tr ' ' '\n' <<<"$ratios" | grep . | median)
echo "seen-p99: 16 connections on one token's session while svctoken creates and deletes tokens;"
echo "  p99 with ServiceTokenSeenInterval 1s: ${on} us, with it off: ${off} us (medians of $PAIRS pairs of ${SECS}s runs)"
echo "  ratio of each pair:$ratios; last-seen entries: $changes"
ok=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.10) }')
printf '%-46s %8s %s %-6s %s\n' "seen-p99: p99 with last seen / without" "$ratio" "<=" 1.10 \
    "$([ "$ok" = 1 ] && echo met || echo MISSED)"
