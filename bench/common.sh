# Sourced by the bench scripts (bench.sh, callgrind.sh, seen_p99.sh): where
# the programs are, and the head of the httpd configuration every bench
# instance shares.
root=$(cd "$here/.." && pwd)
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODULE=${SVCT_MODULE:-$root/build/mod_access_svctoken.so}
CLI=${SVCTOKEN:-$root/build/svctoken}
MODS=/usr/lib/apache2/modules

# httpd_head DIR NAME PORT: the server root, address, pid and error log of
# the instance NAME, its MPM and the authn/authz core.
httpd_head() {
    cat <<HEAD
ServerRoot $1
ServerName 127.0.0.1
Listen 127.0.0.1:$3
PidFile $1/run/$2.pid
ErrorLog $1/logs/$2.error.log
LogLevel warn
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authz_core_module $MODS/mod_authz_core.so
HEAD
}

# As root, the children run as nobody.
httpd_as_nobody() {
    printf '<IfDefine ASROOT>\n    User nobody\n    Group nogroup\n</IfDefine>\n'
}

pg_sql() { perl -I"$root/t/lib" -MSvcToken::Pg -e 'print SvcToken::Pg->shared->psql(@ARGV)' "$@"; }

# pg_store_from DBM: the private PostgreSQL (t/with-pg) made to hold DBM's
# tokens (moved with export and import, so their secrets work unchanged),
# logging every statement with the case (application_name) that ran it.
pg_store_from() {
    pg_sql 'DROP TABLE IF EXISTS svctoken_tokens, svctoken_state, svctoken_seen' svctoken
    "$CLI" --dbd "$SVCT_PG_DBD" init >/dev/null
    "$CLI" -f "$1" export | "$CLI" --dbd "$SVCT_PG_DBD" import >/dev/null
    pg_sql "ALTER SYSTEM SET log_statement = 'all'"
    pg_sql "ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a '"
    pg_sql 'SELECT pg_reload_conf()' >/dev/null
}

# basic_location STORE: /p/ behind HTTP Basic checked against STORE's tokens
# (the section is left open).
basic_location() {
    cat <<BASIC
LoadModule auth_basic_module $MODS/mod_auth_basic.so
LoadModule access_svctoken_module $MODULE
<Location /p/>
    AuthType Basic
    AuthName bench
    AuthBasicProvider service-token
    ServiceTokenStore $1
    Require service-token
BASIC
}
