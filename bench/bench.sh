#!/bin/bash
# `make bench`: the cost of the module as a ratio to the same httpd serving
# the same small file with no auth, beside the peers Debian ships.
#
# One httpd per case, all on 127.0.0.1 (event MPM, 2 children x 32 threads,
# keep-alive, no access log), started once. Every case serves the file from
# the same <Location /p/> section; the baseline's says only "Require all
# granted", so a ratio is the cost of the authentication alone, not that of
# walking one more section (about 2,000 instructions per request).
#
# The machine is shared and its speed drifts by several per cent within
# seconds, so the case and the baseline are interleaved finely: a round of a
# case is BENCH_PAIRS pairs of wrk runs of BENCH_SECONDS each, baseline then
# case or case then baseline (alternately), and the round's ratio is the
# median of the pairs' ratios (case req/s / baseline req/s). What is shown is
# the median of BENCH_ROUNDS rounds (the cases are rotated between rounds).
# How exact that is depends on the machine: two identical baselines measured
# so landed within 0.5 % of 1.000 on one VM and within 2-4 % (once 10 %) on
# another.
# The case baseline-again (a second no-auth httpd) measures it in every run,
# and the table shows it.
# Each round runs on httpd processes started for it (see the rounds).
# Then a memory run: the children's RSS before and after BENCH_RSS_REQUESTS
# requests that churn every cache, after as many of warm-up
# (BENCH_RSS_WARMUP), for exchange-1m and, as the reference, the baseline.
#
# With 2 CPUs or more, httpd runs on the first and wrk (one thread) on the
# second (BENCH_PIN=0 lets them share all CPUs): the server is then the
# bottleneck alone, and a run is not at the mercy of how the scheduler
# interleaves client and server. The table shows how busy httpd's CPU was,
# so that a case where the client, not httpd, set the pace stands out.
#
# Environment: HTTPD, SVCT_MODULE, SVCTOKEN, GEN_STORE (set by the Makefile),
# BENCH_DIR (work files; the 1M-token store is kept there between runs),
# BENCH_SECONDS (1), BENCH_PAIRS (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS
# (32), BENCH_THREADS (1 pinned, else 2), BENCH_TOKENS (1000000),
# BENCH_RSS_REQUESTS (1000000), BENCH_RSS_WARMUP (as many), BENCH_PORT (first port, 18080), BENCH_PIN
# (1), BENCH_CASES (a subset, by name).
#
# exchange-pg and session-pg are exchange and session-es256 on the SQL store:
# a private PostgreSQL (t/with-pg) read through mod_dbd as a SELECT-only
# role. The database logs every statement it runs, and the bench reports how
# many each of them made, beside the requests it sent.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
B=${BENCH_DIR:-$root/build/bench}
GEN=${GEN_STORE:-$root/build/gen_store}
SECS=${BENCH_SECONDS:-1}
PAIRS=${BENCH_PAIRS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || PIN=0
if [ "$PIN" = 1 ]; then
    ON_SERVER=(taskset -c 0) ON_CLIENT=(taskset -c 1) THREADS=${BENCH_THREADS:-1}
else
    ON_SERVER=() ON_CLIENT=() THREADS=${BENCH_THREADS:-2}
fi
NTOKENS=${BENCH_TOKENS:-1000000}
RSSREQ=${BENCH_RSS_REQUESTS:-1000000}
RSSWARM=${BENCH_RSS_WARMUP:-$RSSREQ}
PORT0=${BENCH_PORT:-18080}

ALL_CASES="baseline exchange basic session-hs256 session-es256 forged exchange-1m session-1m
           exchange-pg session-pg dbm-sha1 dbm-bcrypt auth-tkt baseline-again seen-p99"
CASES=$(echo ${BENCH_CASES:-$ALL_CASES}) # one line, one space between names
# seen-p99 compares latencies, not a ratio to the baseline: bench/seen_p99.sh
# runs it after the table, on httpd of its own.
SEEN_P99=0
case " $CASES " in *" seen-p99 "*)
    SEEN_P99=1
    CASES=$(echo $(sed 's/\bseen-p99\b//' <<<"$CASES"))
    [ -n "$CASES" ] || exec bash "$here/seen_p99.sh" ;;
esac

# The -pg cases need a database: run again under t/with-pg, which starts a
# private PostgreSQL for the run and removes it afterwards.
case " $CASES " in *-pg\ *)
    if [ -z "${SVCT_PG_DIR:-}" ]; then exec "$root/t/with-pg" bash "$0" "$@"; fi ;;
esac

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

for t in wrk htdbm curl perl "$HTTPD"; do
    command -v "$t" >/dev/null || die "$t not found (make deps)"
done
[ -x "$GEN" ] && [ -x "$CLI" ] && [ -f "$MODULE" ] || die "build first (make bench does)"
[ -f "$MODS/mod_auth_tkt.so" ] || die "mod_auth_tkt missing (make deps: libapache2-mod-auth-tkt)"

mkdir -p "$B"/{htdocs/p,logs,run,conf}
# A small static file: what is measured is the request, not the copy.
printf 'hello from the bench\n' > "$B/htdocs/p/index.html"

json() { perl -MJSON::PP -e 'local $/; print decode_json(<STDIN>)->{$ARGV[0]}' "$1"; }

# ---- fixtures ----
rm -rf "$B"/one.db* "$B"/es256.pem "$B"/hs256.jwk "$B"/users-*
"$CLI" keygen --alg ES256 --out "$B/es256.pem" >/dev/null
"$CLI" keygen --alg HS256 --out "$B/hs256.jwk" >/dev/null
"$CLI" -f "$B/one.db" create bench --duration 30d --json > "$B/one.json"
ID1=$(json client_id < "$B/one.json")
SECRET1=$(json client_secret < "$B/one.json")
SVCT_BASIC="Authorization: Basic $(printf '%s:%s' "$ID1" "$SECRET1" | base64 -w0)"

# The big store: NTOKENS-1 bulk tokens written by gen_store under one lock
# (they share one secret, for the memory run), and one made by svctoken.
big="$B/million-$NTOKENS.db"
if [ ! -s "$big.json" ] || ! "$CLI" -f "$big" show bench >/dev/null 2>&1; then
    rm -rf "$big"*
    BULK_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    log "generating a store of $NTOKENS tokens (kept in $big for later runs)..."
    t0=$(date +%s.%N)
    "$GEN" "$big" $((NTOKENS - 1)) "$BULK_SECRET" >&2
    "$CLI" -f "$big" create bench --duration 30d --json > "$big.json.tmp"
    perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>); $j->{bulk_secret} = $ARGV[0];
        print encode_json($j)' "$BULK_SECRET" < "$big.json.tmp" > "$big.json"
    rm -f "$big.json.tmp"
    t1=$(date +%s.%N)
    printf '%.0f\n' "$(echo "$t1 - $t0" | bc)" > "$big.gen-seconds"
fi
IDM=$(json client_id < "$big.json")
SECRETM=$(json client_secret < "$big.json")
BULK_SECRET=$(json bulk_secret < "$big.json")
GEN_SECS=$(cat "$big.gen-seconds" 2>/dev/null || echo "?")

# The SQL store holds the same token as one.db (moved there with export and
# import, so its secret works unchanged). Every statement is logged, with the
# case (application_name) that ran it.
if [ -n "${SVCT_PG_DIR:-}" ]; then
    pg_store_from "$B/one.db"
fi

htdbm -cbs "$B/users-sha1.db" bench benchpass >/dev/null 2>&1
htdbm -cbB "$B/users-bcrypt.db" bench benchpass >/dev/null 2>&1
BASIC="Authorization: Basic $(printf 'bench:benchpass' | base64)"

# mod_auth_tkt: a ticket as Apache::AuthTkt makes it (SHA256 digest, IP
# ignored), valid for the day.
TKT_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
TKT=$(perl -MDigest::SHA=sha256_hex -MMIME::Base64 -e '
    my ($secret, $uid, $ts) = ($ARGV[0], "bench", time);
    my $ipts = pack("C4N", 0, 0, 0, 0, $ts);
    my $d = sha256_hex(sha256_hex($ipts . $secret . $uid . "\0" . "" . "\0" . "") . $secret);
    print encode_base64(sprintf("%s%08x%s!", $d, $ts, $uid), "")' "$TKT_SECRET")

# The store is read by the children (nobody when run as root).
chmod -R a+rX "$B"
chmod 600 "$B/es256.pem" "$B/hs256.jwk" # read by the parent, as root
[ "$(id -u)" = 0 ] && asroot=-DASROOT || asroot=

# ---- one httpd per case ----
port_of() {
    local i=0 c
    for c in $ALL_CASES; do
        [ "$c" = "$1" ] && { echo $((PORT0 + i)); return; }
        i=$((i + 1))
    done
}

case_conf() { # CASE -> the lines of the case
    case "$1" in
    baseline | baseline-again)
        cat <<EOF
<Location /p/>
    Require all granted
</Location>
EOF
        ;;
    exchange-pg | session-pg)
        cat <<EOF
LoadModule dbd_module $MODS/mod_dbd.so
LoadModule access_svctoken_module $MODULE
DBDriver pgsql
DBDParams "${SVCT_PG_READER_DBD#pgsql:} application_name=$1"
ServiceTokenSigningKey $B/es256.pem
<Location /p/>
    AuthType ServiceToken
    ServiceTokenStore dbd
    ServiceTokenAudience bench
    Require service-token
</Location>
EOF
        ;;
    exchange | session-es256 | session-hs256 | forged | exchange-1m | session-1m)
        local key=$B/es256.pem store=$B/one.db
        [ "$1" = session-hs256 ] && key=$B/hs256.jwk
        case "$1" in *-1m) store=$big ;; esac
        cat <<EOF
LoadModule access_svctoken_module $MODULE
ServiceTokenSigningKey $key
<Location /p/>
    AuthType ServiceToken
    ServiceTokenStore $store
    ServiceTokenAudience bench
    Require service-token
</Location>
EOF
        ;;
    basic)
        cat <<EOF
$(basic_location "$B/one.db")
</Location>
EOF
        ;;
    dbm-sha1 | dbm-bcrypt)
        cat <<EOF
LoadModule auth_basic_module $MODS/mod_auth_basic.so
LoadModule authn_dbm_module $MODS/mod_authn_dbm.so
<Location /p/>
    AuthType Basic
    AuthName bench
    AuthBasicProvider dbm
    AuthDBMUserFile $B/users-${1#dbm-}.db
    Require valid-user
</Location>
EOF
        ;;
    auth-tkt)
        cat <<EOF
LoadModule auth_tkt_module $MODS/mod_auth_tkt.so
TKTAuthSecret "$TKT_SECRET"
TKTAuthDigestType SHA256
<Location /p/>
    AuthType None
    TKTAuthLoginURL http://127.0.0.1/login
    TKTAuthIgnoreIP on
    TKTAuthTimeout 1d
    Require valid-user
</Location>
EOF
        ;;
    esac
}

write_conf() { # CASE
    local c=$1 port
    port=$(port_of "$c")
    cat > "$B/conf/$c.conf" <<EOF
$(httpd_head "$B" "$c" "$port")
LoadModule authz_user_module $MODS/mod_authz_user.so
$(httpd_as_nobody)
# Fixed number of children, never recycled, so their memory can be followed.
StartServers 2
ServerLimit 2
ThreadLimit 32
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 32
MaxSpareThreads 96
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
DocumentRoot $B/htdocs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $B/htdocs>
    Require all granted
</Directory>
$(case_conf "$c")
EOF
}

started=""
stop_all() {
    local c
    for c in $started; do
        "$HTTPD" -f "$B/conf/$c.conf" $asroot -k stop 2>/dev/null || true
    done
    for c in $started; do
        for _ in $(seq 100); do [ -f "$B/run/$c.pid" ] || break; sleep 0.1; done
    done
}
trap stop_all EXIT

headers_of() { # CASE -> wrk -H arguments, one per line
    case "$1" in
    exchange | exchange-pg) printf '%s\n' "CF-Access-Client-Id: $ID1" "CF-Access-Client-Secret: $SECRET1" ;;
    exchange-1m) printf '%s\n' "CF-Access-Client-Id: $IDM" "CF-Access-Client-Secret: $SECRETM" ;;
    session-*) printf '%s\n' "Cookie: CF_Authorization=$(cat "$B/run/$1.jwt")" ;;
    basic) printf '%s\n' "$SVCT_BASIC" ;;
    forged) # a session header and four cookies, each well formed with a wrong signature
        printf '%s\n' "cf-access-token: $(sed -n 1p "$B/run/forged.jwt")" \
            "Cookie: $(sed -n '2,5{s/^/CF_Authorization=/;p}' "$B/run/forged.jwt" | paste -sd ';' | sed 's/;/; /g')" ;;
    dbm-*) printf '%s\n' "$BASIC" ;;
    auth-tkt) printf '%s\n' "Cookie: auth_tkt=$TKT" ;;
    esac
}

start_all() {
    local c url
    for c in $CASES; do
        rm -f "$B/run/$c.pid"
        "${ON_SERVER[@]}" "$HTTPD" -f "$B/conf/$c.conf" $asroot -k start
        started="$started $c"
    done
    for c in $CASES; do
        url=http://127.0.0.1:$(port_of "$c")/p/index.html
        for _ in $(seq 50); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
    done
}
for c in $CASES; do
    write_conf "$c"
    "$HTTPD" -t -f "$B/conf/$c.conf" $asroot 2>"$B/logs/$c.configtest" ||
        die "$c: bad config: $(cat "$B/logs/$c.configtest")"
done
start_all
for c in $CASES; do
    url=http://127.0.0.1:$(port_of "$c")/p/index.html
    case "$c" in
    session-*)
        id=$ID1 secret=$SECRET1
        [ "$c" = session-1m ] && id=$IDM secret=$SECRETM
        curl -s -D - -o /dev/null -H "CF-Access-Client-Id: $id" \
            -H "CF-Access-Client-Secret: $secret" "$url" |
            sed -n 's/^Set-Cookie: CF_Authorization=\([^;]*\).*/\1/p' > "$B/run/$c.jwt"
        [ -s "$B/run/$c.jwt" ] || die "$c: no session from the exchange"
        ;;
    forged)
        # Five copies of a real session, each with its signature's first
        # characters replaced: valid-looking header and claims, a bad signature.
        jwt=$(curl -s -D - -o /dev/null -H "CF-Access-Client-Id: $ID1" \
            -H "CF-Access-Client-Secret: $SECRET1" "$url" |
            sed -n 's/^Set-Cookie: CF_Authorization=\([^;]*\).*/\1/p')
        [ -n "$jwt" ] || die "$c: no session from the exchange"
        for i in 1 2 3 4 5; do
            printf '%s.%s\n' "${jwt%.*}" "$(printf 'F%04d' "$i")$(cut -c6- <<<"${jwt##*.}")"
        done > "$B/run/$c.jwt"
        ;;
    esac
    mapfile -t hdrs < <(headers_of "$c")
    args=()
    for h in "${hdrs[@]}"; do args+=(-H "$h"); done
    code=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$url")
    want=200
    [ "$c" = forged ] && want=401
    [ "$code" = "$want" ] || die "$c: a request answers $code, not $want (see $B/logs/$c.error.log)"
done

# ---- the rounds ----
# CPU time (clock ticks) the children of CASE's httpd have used so far.
cpu_ticks() {
    local k t=0 v
    for k in $(ps -o pid= --ppid "$(cat "$B/run/$1.pid")"); do
        v=$(awk '{print $14 + $15}' /proc/"$k"/stat 2>/dev/null || echo 0)
        t=$((t + v))
    done
    echo $t
}

run_wrk() { # CASE SECONDS -> "req/s requests cpu-seconds wall-seconds" (empty when an answer was not 2xx/3xx, or for forged not 401)
    local c=$1 s=$2 out h args=() t0 t1
    mapfile -t hdrs < <(headers_of "$c")
    for h in "${hdrs[@]}"; do args+=(-H "$h"); done
    t0=$(cpu_ticks "$c")
    out=$("${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${s}s" "${args[@]}" \
        "http://127.0.0.1:$(port_of "$c")/p/index.html" 2>&1) || true
    t1=$(cpu_ticks "$c")
    # Requests sent to each case, for the statement count of the -pg cases.
    awk '/ requests in / {print $1}' <<<"$out" >> "$B/run/$c.requests"
    # A read error or two is wrk closing its connections at the end; an
    # answer that is not 2xx/3xx, a refused connection or a timeout is not.
    # The forged case is the other way round: every answer must be a 401.
    local non2xx
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    if [ "$c" = forged ] && [ "${non2xx:-0}" = "$(awk '/ requests in / {print $1}' <<<"$out")" ]; then
        out=$(grep -v 'Non-2xx' <<<"$out")
    fi
    if grep -q 'Non-2xx' <<<"$out" ||
        grep -Eq 'Socket errors: connect [1-9]|timeout [1-9]' <<<"$out"; then
        log "$c: $(grep 'Non-2xx\|Socket errors' <<<"$out")"
        echo ""
        return
    fi
    # The wall time is wrk's own (its start and exit, when httpd idles, left out).
    awk -v dt=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
        '/ requests in / {n = $1; w = $4 + 0} /^Requests\/sec:/ {r = $2}
        END {printf "%s %d %.2f %.2f\n", r, n, dt / hz, w}' <<<"$out"
}

rm -f "$B"/run/*.requests
log "warming up..."
for c in $CASES; do run_wrk "$c" 1 >/dev/null; done
declare -A results ratios cpu busy
ncases=$(wc -w <<<"$CASES")
# One round of CASE: PAIRS pairs of runs beside the baseline's. Prints
# "case-req/s baseline-req/s ratio case-us/req baseline-us/req case-busy% baseline-busy%",
# or nothing if a run failed.
round() {
    local c=$1 i v b acc=""
    for i in $(seq "$PAIRS"); do
        if [ $(((i + r) % 2)) = 1 ]; then
            b=$(run_wrk baseline "$SECS") v=$(run_wrk "$c" "$SECS")
        else
            v=$(run_wrk "$c" "$SECS") b=$(run_wrk baseline "$SECS")
        fi
        [ -n "$v" ] && [ -n "$b" ] || return 0
        acc="$acc$v $b"$'\n'
    done
    # The round's ratio is the median of its pairs' ratios: a burst of the
    # neighbours' load that hits one run of a pair moves the median less than
    # a sum (two baselines measured against each other: 1.000 +- 0.005).
    awk '{vr += $1; vn += $2; vc += $3; vw += $4; br += $5; bn += $6; bc += $7; bw += $8
          q[NR] = ($5 > 0) ? $1 / $5 : 0}
        END {n = NR
             for (i = 2; i <= n; i++) for (j = i; j > 1 && q[j - 1] > q[j]; j--) {
                 t = q[j]; q[j] = q[j - 1]; q[j - 1] = t }
             m = (n % 2) ? q[(n + 1) / 2] : (q[n / 2] + q[n / 2 + 1]) / 2
             printf "%.0f %.0f %.4f %.1f %.1f %.0f %.0f\n", vr / NR, br / NR, m,
             vc * 1e6 / vn, bc * 1e6 / bn, 100 * vc / vw, 100 * bc / bw}' <<<"$acc"
}
for r in $(seq "$ROUNDS"); do
    # Every round after the first runs on new httpd processes: an instance
    # can be a few per cent faster or slower than an identical one for as
    # long as it lives (where its memory landed), and the median over the
    # rounds should not inherit one instance's luck. The sessions stay
    # valid: same keys, same store.
    if [ "$r" -gt 1 ]; then
        stop_all
        started=""
        start_all
        for c in $CASES; do run_wrk "$c" 1 >/dev/null; done
    fi
    # Rotate the order each round so that no case always runs first or last.
    order=$(tr -s ' \n' '\n' <<<"$CASES" | grep . | awk -v k="$r" -v n="$ncases" \
        '{a[NR]=$0} END {for (i = 0; i < n; i++) print a[(i + k - 1) % n + 1]}')
    for c in $order; do
        [ "$c" = baseline ] && continue
        read -r v b q vcpu bcpu vbusy bbusy <<<"$(round "$c")"
        if [ -z "${q:-}" ]; then
            log "round $r/$ROUNDS  $(printf '%-14s' "$c") FAILED"
            v=0 b=0 q=0 vcpu=0 bcpu=0 vbusy=0 bbusy=0
        fi
        cpu[$c]="${cpu[$c]:-} $vcpu"
        cpu[baseline]="${cpu[baseline]:-} $bcpu"
        busy[$c]="${busy[$c]:-} $vbusy"
        busy[baseline]="${busy[baseline]:-} $bbusy"
        results[$c]="${results[$c]:-} $v"
        results[baseline]="${results[baseline]:-} $b"
        ratios[$c]="${ratios[$c]:-} $q"
        [ "$q" = 0 ] || log "round $r/$ROUNDS  $(printf '%-14s' "$c") $v req/s, baseline beside it $b: $q"
    done
done

median() { tr ' ' '\n' | { grep . || echo 0; } | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A med rmed cmed bmed
for c in $CASES; do
    cmed[$c]=$(median <<<"${cpu[$c]:-0}")
    bmed[$c]=$(median <<<"${busy[$c]:-0}")
    med[$c]=$(median <<<"${results[$c]}")
    rmed[$c]=$(median <<<"${ratios[$c]:-1}")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
pr() { printf '%.3f' "${rmed[$1]}"; } # median paired ratio to the baseline

has() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- memory: RSS of the children before and after RSSREQ requests ----
# The same churn goes to the no-auth baseline too: httpd's own allocators
# (a pool per connection, each keeping up to MaxMemFree) take more than a
# million requests to reach their high-water mark, so its growth over the
# same requests is what the module's is to be read against, and the warm-up
# is as long as the measurement.
rss_lines=()
RSS_GROWTH=""
rss_run() { # CASE
    local c=$1 pid kids before after hwm_b hwm_a
    pid=$(cat "$B/run/$c.pid")
    kids=$(ps -o pid= --ppid "$pid" | tr -d ' ')
    sum() { local k f=$1 t=0 v; for k in $kids; do
        v=$(awk -v f="$f:" '$1 == f {print $2}' /proc/"$k"/status); t=$((t + v)); done; echo $t; }
    churn() { # REQUESTS: wrk runs of 10 s until that many have been answered
        local done_=0 n
        while [ "$done_" -lt "$1" ]; do
            n=$(BENCH_TOKENS=$((NTOKENS - 1)) BENCH_SECRET=$BULK_SECRET \
                "${ON_CLIENT[@]}" wrk -t"$THREADS" -c"$CONNS" -d10s -s "$here/churn.lua" \
                "http://127.0.0.1:$(port_of $c)/p/index.html" 2>&1 |
                awk '/^churn:/ { if ($4 != 0) print "bad"; else print $2 }')
            [ "$n" = bad ] && die "memory run: some answers to $c were not 200"
            done_=$((done_ + ${n:-0}))
        done
        CHURNED=$done_
    }
    log "memory run: $c, $RSSWARM requests of warm-up, then $RSSREQ churning every cache..."
    churn "$RSSWARM"
    before=$(sum VmRSS) hwm_b=$(sum VmHWM)
    churn "$RSSREQ"
    after=$(sum VmRSS) hwm_a=$(sum VmHWM)
    rss_lines+=("$(printf '%s: children (%d) RSS: %d kB before, %d kB after %d requests (%+d kB); peak RSS %d kB -> %d kB (%+d kB)' \
        "$c" "$(wc -w <<<"$kids")" "$before" "$after" "$CHURNED" $((after - before)) "$hwm_b" "$hwm_a" \
        $((hwm_a - hwm_b)))")
    RSS_CHURNED=$CHURNED
    RSS_DELTA=$((hwm_a - hwm_b))
}
if [ "$RSSREQ" -gt 0 ] && has exchange-1m; then
    rss_run exchange-1m
    RSS_GROWTH=$RSS_DELTA RSS_OF=$RSS_CHURNED
    if has baseline; then rss_run baseline; fi
fi

# ---- statements the -pg cases ran on the database ----
# Counted from PostgreSQL's log once httpd is stopped (its connections closed,
# the log complete): per case, the state reads (at most one per child per
# ServiceTokenStoreRefresh, 1 s, while requests come) and token reads (one per
# child per token it has not read).
pg_lines=()
if [ -n "${SVCT_PG_DIR:-}" ]; then
    stop_all
    started=""
    for c in exchange-pg session-pg; do
        has "$c" || continue
        sent=$(awk '{n += $1} END {print n + 0}' "$B/run/$c.requests" 2>/dev/null || echo 0)
        st=$(grep -c "app=$c .*execute svctoken_state" "$SVCT_PG_DIR/log" || true)
        tk=$(grep -c "app=$c .*execute svctoken_by_id" "$SVCT_PG_DIR/log" || true)
        pg_lines+=("$(printf '%s: %d requests, %d database statements (%d state reads, %d token reads)' \
            "$c" "$sent" $((st + tk)) "$st" "$tk")")
    done
fi

# ---- the table ----
echo
echo "mod_access_svctoken bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
pinning="httpd and wrk share the CPUs"
[ "$PIN" = 1 ] && pinning="httpd on CPU 0, wrk on CPU 1"
echo "$("$HTTPD" -v | head -1 | sed 's/^Server version: //'), event MPM 2x32 threads, keep-alive; wrk -t$THREADS -c$CONNS; $ROUNDS rounds of $PAIRS pairs of ${SECS}s runs, median; $pinning"
printf '%-16s %8s %7s %12s %9s %6s   %s\n' case "req/s" ratio "httpd us/req" "cpu ratio" busy \
    "ratio of each round"
for c in $CASES; do
    printf '%-16s %8.0f %7s %12.1f %9s %5.0f%%   %s\n' "$c" "${med[$c]}" "$(pr "$c")" "${cmed[$c]}" \
        "$(ratio "${cmed[baseline]}" "${cmed[$c]}")" "${bmed[$c]}" "$(: "${ratios[$c]:-}"; echo "${_# }")"
done
echo "ratio: median over the rounds of the median over a round's pairs of req/s(case) / req/s(baseline"
echo "run beside it);"
echo "req/s: median over the rounds; httpd us/req: median CPU time"
echo "(user+sys) of the httpd children per request; cpu ratio = baseline us/req / case us/req;"
echo "busy: CPU time of the httpd children / wrk's run time (100% = one CPU saturated)."
has baseline-again && echo "baseline-again: a second no-auth httpd, configured as the baseline: how far its ratio
is from 1.000 is the error of this run's measurement."
echo "store of $NTOKENS tokens: made by bench/gen_store in ${GEN_SECS}s (kept in $B)"
for l in "${rss_lines[@]}"; do echo "$l"; done
for l in "${pg_lines[@]}"; do echo "$l"; done
[ ${#pg_lines[@]} = 0 ] || echo "(goal: one state read per child per second of load, one token read per child and
token, and one more for each request that reaches a child before that first read has answered)"

# ---- the targets ----
echo
fails=0
target() { # NAME VALUE OP LIMIT
    local ok
    ok=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { if (v == "-" || v == "") print 0;
        else if (op == ">=") print (v >= l); else print (v <= l) }')
    printf '%-46s %8s %s %-6s %s\n' "$1" "$2" "$3" "$4" "$([ "$ok" = 1 ] && echo met || echo MISSED)"
    [ "$ok" = 1 ] || fails=$((fails + 1))
}
has exchange && target "exchange / baseline" "$(pr exchange)" ">=" 0.90
has basic && has exchange &&
    target "basic / exchange" "$(ratio "${rmed[basic]}" "${rmed[exchange]}")" ">=" 0.97
has session-hs256 && target "session HS256 / baseline" "$(pr session-hs256)" ">=" 0.97
has session-es256 && target "session ES256 / baseline" "$(pr session-es256)" ">=" 0.95
has forged && target "forged sessions (401) / baseline" "$(pr forged)" ">=" 0.80
has exchange-1m && has exchange &&
    target "exchange, 1M-token store / 1-token store" "$(ratio "${rmed[exchange-1m]}" "${rmed[exchange]}")" ">=" 0.95
has session-1m && has session-es256 &&
    target "session, 1M-token store / 1-token store" "$(ratio "${rmed[session-1m]}" "${rmed[session-es256]}")" ">=" 0.95
has exchange-pg && has exchange &&
    target "exchange, PostgreSQL store / DBM store" "$(ratio "${rmed[exchange-pg]}" "${rmed[exchange]}")" ">=" 0.97
has session-pg && has session-es256 &&
    target "session, PostgreSQL store / DBM store" "$(ratio "${rmed[session-pg]}" "${rmed[session-es256]}")" ">=" 0.97
[ -n "$RSS_GROWTH" ] && target "exchange-1m peak RSS growth, $RSS_OF requests (kB)" "$RSS_GROWTH" "<=" 1024
if [ "$SEEN_P99" = 1 ]; then
    echo
    bash "$here/seen_p99.sh"
fi
exit 0
