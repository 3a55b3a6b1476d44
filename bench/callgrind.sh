#!/bin/bash
# `make bench-callgrind`: instructions per request, counted by callgrind,
# where a busy or virtual machine cannot resolve a difference by time.
#
# One httpd -X (event MPM, one process) per case under callgrind, driven by
# ab -k, run twice: with WARMUP requests and with WARMUP + REQUESTS; the
# difference divided by REQUESTS is the cost of a warm request, start-up
# cancelled. Each case is measured twice over: the whole request, and only
# what runs inside the module's hooks and providers. Work done once per
# interval whatever the load (signing a token's session once a second,
# reading the SQL store's state once a second, the DBM store's stat() once
# per 5 ms) is left out of both: at the bench's load it is a few
# instructions per request, but under callgrind, a thousand times slower,
# it would fall on every few requests. The -pg cases read a private
# PostgreSQL (t/with-pg) through mod_dbd as the bench's do, and the
# statements the database ran for them are counted from its log.
#
# Environment: HTTPD, SVCT_MODULE, SVCTOKEN (set by the Makefile),
# CALLGRIND_CASES (baseline exchange session basic exchange-pg session-pg
# basic-pg), CALLGRIND_SEEN (a ServiceTokenSeenInterval for every case but
# the baseline; unset: the default), CALLGRIND_REQUESTS (2000), CALLGRIND_WARMUP (200),
# CALLGRIND_DIR (work files and the profiles callgrind.out.CASE.KIND.N, for
# callgrind_annotate; build/callgrind: keep its path's length when comparing
# runs, httpd's directory walk costs per path component).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
D=${CALLGRIND_DIR:-$root/build/callgrind}
N=${CALLGRIND_REQUESTS:-2000}
WARM=${CALLGRIND_WARMUP:-200}
CASES=$(echo ${CALLGRIND_CASES:-baseline exchange session basic exchange-pg session-pg basic-pg})

case " $CASES " in *-pg\ *)
    if [ -z "${SVCT_PG_DIR:-}" ]; then exec "$root/t/with-pg" bash "$0" "$@"; fi ;;
esac
die() { echo "callgrind: $*" >&2; exit 1; }
for t in valgrind callgrind_control ab curl perl "$HTTPD"; do
    command -v "$t" >/dev/null || die "$t not found (make deps)"
done

rm -rf "$D" && mkdir -p "$D"/{htdocs/p,logs,run}
printf 'hello from the bench\n' > "$D/htdocs/p/index.html"
json() { perl -MJSON::PP -e 'local $/; print decode_json(<STDIN>)->{$ARGV[0]}' "$1"; }
"$CLI" keygen --alg ES256 --out "$D/es256.pem" >/dev/null
"$CLI" -f "$D/one.db" create bench --duration 30d --json > "$D/one.json"
ID=$(json client_id < "$D/one.json")
SECRET=$(json client_secret < "$D/one.json")
if [ -n "${SVCT_PG_DIR:-}" ]; then
    pg_store_from "$D/one.db"
fi
# As root, httpd runs as nobody from the start: callgrind writes its profile
# at the end, as the user the process has become.
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups); chown -R nobody "$D"; fi
chmod 600 "$D/es256.pem"

port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
    LocalAddr => "127.0.0.1:0")->sockport'; }

case_conf() { # CASE
    local store=$D/one.db
    case "$1" in *-pg)
        store=dbd
        cat <<EOF
LoadModule dbd_module $MODS/mod_dbd.so
DBDriver pgsql
DBDParams "${SVCT_PG_READER_DBD#pgsql:} application_name=$1"
EOF
        ;;
    esac
    case "$1" in
    baseline) echo "<Location /p/>"; echo "    Require all granted" ;;
    basic*)
        cat <<EOF
$(basic_location "$store")
EOF
        ;;
    *)
        cat <<EOF
LoadModule access_svctoken_module $MODULE
ServiceTokenSigningKey $D/es256.pem
<Location /p/>
    AuthType ServiceToken
    ServiceTokenStore $store
    ServiceTokenAudience bench
    Require service-token
EOF
        ;;
    esac
    echo "</Location>"
    # CALLGRIND_SEEN=off measures what recording last seen costs a request.
    if [ -n "${CALLGRIND_SEEN:-}" ] && [ "$1" != baseline ]; then
        echo "ServiceTokenSeenInterval $CALLGRIND_SEEN"
    fi
}

headers() { # CASE -> curl/ab -H arguments, one per line
    case "$1" in
    exchange*) printf '%s\n' "CF-Access-Client-Id: $ID" "CF-Access-Client-Secret: $SECRET" ;;
    session*) printf '%s\n' "Cookie: CF_Authorization=$(cat "$D/run/$1.jwt")" ;;
    basic*) printf '%s\n' "Authorization: Basic $(printf '%s:%s' "$ID" "$SECRET" | base64 -w0)" ;;
    esac
}

pid=""
stop() { [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }; }
trap stop EXIT

# One httpd -X under callgrind for CASE on a new port, sent N requests after
# the one that checks the case (and, for a session, the exchange that makes
# its cookie), then stopped: prints the instructions it ran and the
# statements the database logged for it.
profile() { # CASE KIND N -> "instructions statements"
    local c=$1 kind=$2 n=$3 p url code out q0 q1 opts
    # Left out: what runs once per second (see the top of this file).
    opts=(--toggle-collect=svct_jwt_sign --toggle-collect=svct_sql_get_state
          --toggle-collect=svct_cache_store_stamp)
    if [ "$kind" = hooks ]; then
        opts+=(--collect-atstart=no)
        for h in $HOOKS; do opts+=(--toggle-collect="$h"); done
    else
        opts+=(--collect-atstart=yes) # which a --toggle-collect turns off
    fi
    p=$(port)
    sed "s/@PORT@/$p/" "$D/$c.conf.in" > "$D/$c.conf"
    rm -f "$D/callgrind.out.$c.$kind.$n"
    q0=$(pg_statements "$c")
    "${as_user[@]}" valgrind --tool=callgrind --callgrind-out-file="$D/callgrind.out.$c.$kind.$n" "${opts[@]}" \
        "$HTTPD" -X -f "$D/$c.conf" 2>"$D/logs/$c.valgrind" &
    pid=$!
    url=http://127.0.0.1:$p/p/index.html
    for _ in $(seq 300); do curl -s -o /dev/null "$url" && break; sleep 0.2; done
    case "$c" in session*)
        curl -s -D - -o /dev/null -H "CF-Access-Client-Id: $ID" -H "CF-Access-Client-Secret: $SECRET" \
            "$url" | sed -n 's/^Set-Cookie: CF_Authorization=\([^;]*\).*/\1/p' > "$D/run/$c.jwt"
        [ -s "$D/run/$c.jwt" ] || die "$c: no session from the exchange" ;;
    esac
    mapfile -t hdrs < <(headers "$c")
    args=()
    for h in "${hdrs[@]}"; do args+=(-H "$h"); done
    code=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$url")
    [ "$code" = 200 ] || die "$c: a request answers $code (see $D/logs/$c.error.log)"
    out=$(ab -q -k -n "$n" "${args[@]}" "$url")
    ! grep -q "^Non-2xx" <<<"$out" || die "$c: some answers were not 200"
    stop
    q1=$(pg_statements "$c")
    echo "$(awk '/^summary:/ {print $2}' "$D/callgrind.out.$c.$kind.$n") $((q1 - q0))"
}
pg_statements() { # CASE -> statements the database ran for it so far
    if [ -n "${SVCT_PG_DIR:-}" ]; then grep -c "app=$1 .*execute" "$SVCT_PG_DIR/log" || true
    else echo 0; fi
}

# The module's entry points: its hooks and providers (none calls another).
HOOKS="svct_post_read_request svct_preflight svct_check_authn svct_basic_first check_listed
       basic_check_password svct_note_auth_failure svct_fixups svct_scrub_basic svct_keys_handler"

printf '%-12s %16s %14s   %s\n' case "instr/request" "in the module" "database statements"
for c in $CASES; do
    cat > "$D/$c.conf.in" <<EOF
$(httpd_head "$D" "$c" @PORT@)
LoadModule authz_user_module $MODS/mod_authz_user.so
ServerLimit 1
ThreadsPerChild 2
ThreadLimit 2
MaxRequestWorkers 2
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot $D/htdocs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $D/htdocs>
    Require all granted
</Directory>
$(case_conf "$c")
EOF
    read -r i0 q0 <<<"$(profile "$c" all "$WARM")"
    read -r i1 q1 <<<"$(profile "$c" all $((WARM + N)))"
    read -r h0 _ <<<"$(profile "$c" hooks "$WARM")"
    read -r h1 _ <<<"$(profile "$c" hooks $((WARM + N)))"
    db="-"
    case "$c" in *-pg) db="$q0 in the first $WARM requests, $((q1 - q0)) in $N more" ;; esac
    printf '%-12s %16d %14d   %s\n' "$c" $(((i1 - i0) / N)) $(((h1 - h0) / N)) "$db"
done
