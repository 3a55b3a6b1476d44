# Attack suite, hostile credentials and foreign sessions: each request gets
# the exact answer (401 from the module, 403 from a Require line, 400 where
# httpd itself refuses the request before any module runs), never 200 or
# 500, and the child is still serving right after. Requests are sent raw:
# LWP would merge duplicate headers and turn '_' into '-' in header names.
#
# Not repeated here: a secret without an ID and the reverse, another token's
# secret, a malformed or unknown ID (t/01_exchange.t); sessions of revoked,
# disabled, deleted or expired tokens (t/05_lifecycle.t); a session of
# another location or key (t/02_session.t, t/06_keys.t).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use Digest::SHA qw(sha256_hex);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;
use SvcToken::Attack;

my $fx    = fixtures();
my ($alpha, $gamma) = @{ $fx->{tokens} }{'alpha', 'gamma'};
my $zeta  = $fx->{tokens2}{zeta};
my ($id, $sec) = @{$alpha}{'client_id', 'client_secret'};
my $good  = session_of(exchange('/app/', $alpha));
my $iss   = jwt_claims($good)->{iss};
my $kid   = kid_of($good);

sub off_by_one {
    my ($s, $pos) = @_;
    my $c = substr($s, $pos, 1);
    substr($s, $pos, 1) = $c eq '0' ? '1' : '0';
    return $s;
}

my @cases;    # [ what, header lines, status, log reason or undef ]
sub case { push @cases, [@_] }
sub pair { ("CF-Access-Client-Id: $_[0]", "CF-Access-Client-Secret: $_[1]") }

# ---- values ----
case('empty ID and secret', [pair('', '')], 401, 'malformed client id');
case('empty secret', [pair($id, '')], 401, 'bad secret');
case('empty ID', [pair('', $sec)], 401, 'malformed client id');
case('secret one character off (first)', [pair($id, off_by_one($sec, 0))], 401, 'bad secret');
case('secret one character off (last)', [pair($id, off_by_one($sec, 63))], 401, 'bad secret');
case('ID one character off', [pair(off_by_one($id, 31), $sec)], 401, 'unknown client id');
case('secret prefix (63 chars)', [pair($id, substr($sec, 0, 63))], 401, 'bad secret');
case('secret prefix (1 char)', [pair($id, substr($sec, 0, 1))], 401, 'bad secret');
case('secret with a suffix', [pair($id, "${sec}0")], 401, 'bad secret');
case('secret twice', [pair($id, "$sec$sec")], 401, 'bad secret');
case('secret in upper case', [pair($id, uc $sec)], 401, 'bad secret');
case('the stored hash of the secret as the secret', [pair($id, sha256_hex($sec))], 401, 'bad secret');
case('secret of 8000 bytes', [pair($id, 'a' x 8000)], 401, 'bad secret');
case('ID without .access', [pair(substr($id, 0, 32), $sec)], 401, 'malformed client id');
case('ID with a suffix', [pair("${id}x", $sec)], 401, 'malformed client id');
case('ID in upper case', [pair(uc $id, $sec)], 401, 'malformed client id');
case('ID with a tab inside', [pair(substr($id, 0, 10) . "\t" . substr($id, 10), $sec)], 401,
     'malformed client id');
case('ID with Latin-1 bytes', [pair("\xe9$id", $sec)], 401, 'malformed client id');
case('ID %-encoded', [pair(join('', map { sprintf '%%%02x', ord } split //, $id), $sec)], 401,
     'malformed client id');
case('ID of 8000 bytes (under the header limit)', [pair('a' x 8000, $sec)], 401, 'malformed client id');

# ---- Client IDs shaped like the store's own keys (id:, name:, meta:) ----
for my $k ("id:$id", 'name:alpha', 'meta:revoked_before', 'meta:format', 'meta:', 'alpha',
           'beta token', "id:$id\0") {
    (my $shown = $k) =~ s/\0/\\0/;
    case("ID \"$shown\"", [pair($k, $sec)], $k =~ /\0/ ? 400 : 401,
         $k =~ /\0/ ? undef : 'malformed client id');
}

# ---- duplicate headers (httpd joins them with ", ") ----
case('ID header twice (same)', ["CF-Access-Client-Id: $id", "CF-Access-Client-Id: $id",
                                "CF-Access-Client-Secret: $sec"], 401, 'malformed client id');
case('ID header twice (alpha, gamma)', ["CF-Access-Client-Id: $id",
                                        "CF-Access-Client-Id: $gamma->{client_id}",
                                        "CF-Access-Client-Secret: $sec"], 401, 'malformed client id');
case('secret header twice (same)', ["CF-Access-Client-Id: $id", "CF-Access-Client-Secret: $sec",
                                    "CF-Access-Client-Secret: $sec"], 401, 'bad secret');
case('secret header twice (wrong, right)', ["CF-Access-Client-Id: $id",
                                            "CF-Access-Client-Secret: " . ('0' x 64),
                                            "CF-Access-Client-Secret: $sec"], 401, 'bad secret');
case('secret header twice (right, wrong)', ["CF-Access-Client-Id: $id",
                                            "CF-Access-Client-Secret: $sec",
                                            "cf-access-client-secret: " . ('0' x 64)], 401,
     'bad secret');
case('session header twice', ["cf-access-token: $good", "cf-access-token: $good"], 401,
     'bad session \(header\): malformed');

# ---- header names with underscores are not the credential headers ----
case('both names with underscores', ["CF_Access_Client_Id: $id", "CF_Access_Client_Secret: $sec"],
     401, 'no credentials');
case('secret name with underscores', ["CF-Access-Client-Id: $id", "CF_ACCESS_CLIENT_SECRET: $sec"],
     401, 'CF-Access-Client-Secret header missing');
case('ID name with underscores', ["cf_access_client_id: $id", "CF-Access-Client-Secret: $sec"],
     401, 'CF-Access-Client-Id header missing');
case('session header name with underscores', ["cf_access_token: $good"], 401, 'no credentials');

# ---- control characters and oversized fields: httpd refuses them (400); an
# obs-folded value is joined with a space, which no secret holds (401) ----
case('ID with \\x01', [pair(substr($id, 0, 5) . "\x01" . substr($id, 5), $sec)], 400, undef);
case('secret with DEL', [pair($id, "$sec\x7f")], 400, undef);
case('secret with a bare CR', [pair($id, substr($sec, 0, 8) . "\r" . substr($sec, 8))], 400, undef);
case('secret with NUL', [pair($id, substr($sec, 0, 8) . "\0" . substr($sec, 8))], 400, undef);
case('secret folded over two lines', ["CF-Access-Client-Id: $id",
                                      "CF-Access-Client-Secret: " . substr($sec, 0, 32),
                                      " " . substr($sec, 32)], 401, 'bad secret');
case('space before the colon', ["CF-Access-Client-Id : $id", "CF-Access-Client-Secret: $sec"], 400,
     undef);
case('Client ID of 10 KB', [pair('a' x 10240, $sec)], 400, undef);
case('Client ID of 10 KB shaped as many IDs', [pair(join(',', ($id) x 256), $sec)], 400, undef);

# ---- foreign sessions not covered elsewhere ----
# The tags of the two stores, as their sessions carry them.
my $tag_a = jwt_claims($good)->{svct_store};
my $tag_b = jwt_claims(session_of(exchange('/otherstore/', $zeta)))->{svct_store};
my @craft = (
    # a session for the server store's token, with the audience of the other store's location
    ['session of a server-store token at /otherstore', '/otherstore/',
     { %{ valid_claims('otherstore', $alpha, $iss, $tag_a) } }, 401, 'issued by another token store'],
    # ... claiming to be the other store's
    ['session of a server-store token with the other tag', '/otherstore/',
     { %{ valid_claims('otherstore', $alpha, $iss, $tag_b) } }, 401, 'unknown client id'],
    # a session for the other store's token at a location of the server store
    ['session of an /otherstore token at /app', '/app/',
     { %{ valid_claims('app', $zeta, $iss, $tag_b) } }, 401, 'issued by another token store'],
    # a session of a version that did not bind sessions to stores
    ['session without a store tag', '/app/',
     { %{ valid_claims('app', $alpha, $iss) } }, 401, 'issued by another token store'],
    # valid token, valid session, but a Require line that does not list it
    ['session of gamma at /named (not listed)', '/named/',
     { %{ valid_claims('named', $gamma, $iss, $tag_a) } }, 403, 'is not admitted'],
    ['session of alpha for /app at /named', '/named/',
     { %{ valid_claims('app', $alpha, $iss, $tag_a) } }, 401, 'wrong audience'],
    ['session for /app at /otherstore', '/otherstore/',
     { %{ valid_claims('app', $alpha, $iss, $tag_a) } }, 401, 'wrong audience'],
);
my $J = JSON::PP->new->canonical;
my @signed = sign_raw(map { [$fx->{keys}{es256}, $J->encode({ alg => 'ES256', kid => $kid }),
                             $J->encode($_->[2])] } @craft);

plan tests => 3 * @cases + 6 * @craft + 18 + 2 + 2;

my $all = log_mark();
for my $c (@cases) {
    my ($what, $lines, $status, $reason) = @$c;
    my $m = log_mark();
    my ($code) = raw_get(join("\r\n", "GET /app/ HTTP/1.1", 'Host: localhost', 'Connection: close',
                              @$lines), raw => 1);
    my $log = log_now($m);
    ok t_cmp($code, $status, "$what: $status");
    if (defined $reason) {
        ok t_cmp($log, qr/SVCT\d+: .*$reason/, "$what: log says '$reason'");
    } else {
        ok t_cmp(scalar($log =~ /SVCT0300: checking/), '', "$what: refused before the module ran");
    }
    ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$good")->code, 200,
             "$what: the server still serves");
}

for my $i (0 .. $#craft) {
    my ($what, $path, undef, $status, $reason) = @{ $craft[$i] };
    for my $how (["Cookie: CF_Authorization=$signed[$i]", 'cookie'],
                 ["cf-access-token: $signed[$i]", 'header']) {
        my $m = log_mark();
        my ($code) = raw_get("GET $path HTTP/1.1\nHost: localhost\nConnection: close\n$how->[0]");
        ok t_cmp($code, $status, "$what ($how->[1]): $status");
        ok t_cmp(log_now($m), qr/$reason/, "$what ($how->[1]): log says '$reason'");
        ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$good")->code, 200, 'still serving');
    }
}

# ---- the backend's view, through mod_proxy_http, of hostile spellings ----
sub backend_headers {
    my ($res) = @_;
    my ($body) = $res =~ /\r\n\r\n(.*)\z/s;
    my @lines = split /\r?\n/, $body // '';
    shift @lines;
    return [ map { [ split /:\s*/, $_, 2 ] } grep { length } @lines ];
}
my $forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
my @spoof = ("CF-ACCESS-JWT-ASSERTION: $forged", "cF-aCcEsS_jWt-AsSeRtIoN: $forged",
             "Cf-Access-Jwt-Assertion: $forged", "Cf-Access-Jwt-Assertion: $forged",
             "cf_access_jwt_assertion: $forged", 'Cf-Access-Jwt-Assertion:',
             "CF_ACCESS_CLIENT_SECRET: $sec", "Cf-Access_Client-Secret: $sec");
my $pub = public_pem($fx->{keys}{es256});
my $ps  = session_of(exchange('/proxy/echo', $alpha));
for my $how (["Cookie: CF_Authorization=$ps", 'session cookie', $ps],
             ["cf-access-token: $ps", 'session header', $ps],
             [join("\r\n", pair($id, $sec)), 'secret']) {
    my ($code, $res) = raw_get(join("\r\n", 'GET /proxy/echo HTTP/1.1', 'Host: localhost',
                                    'Connection: close', $how->[0], @spoof), raw => 1);
    ok t_cmp($code, 200, "proxy ($how->[1]) with spoofed headers in every spelling: 200");
    my $seen = backend_headers($res);
    my @assert = grep { lc($_->[0]) =~ /^cf[-_]access[-_]jwt[-_]assertion$/ } @$seen;
    ok t_cmp(scalar @assert, 1, "proxy ($how->[1]): exactly one assertion reaches the backend");
    my $a = $assert[0][1] // '';
    ok t_cmp($a, $how->[2] // qr/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/,
             "proxy ($how->[1]): it is the module's session");
    ok t_cmp(scalar(grep { lc($_->[0]) =~ /secret/ } @$seen), 0,
             "proxy ($how->[1]): no secret header in any spelling");
    ok t_cmp(scalar($res =~ /\Q$sec\E|\Q$forged\E/), '',
             "proxy ($how->[1]): neither the secret nor a forged copy anywhere");
    # The assertion is real: an independent verifier (PyJWT) accepts it.
    my $py = 'import sys,jwt; print(jwt.decode(sys.argv[1], sys.argv[2], algorithms=["ES256"], '
           . 'audience="proxy", issuer=sys.argv[3])["common_name"])';
    my $who = `/usr/bin/python3 -c '$py' '$a' '$pub' '$iss' 2>&1`;
    chomp $who;
    ok t_cmp($who, $id, "proxy ($how->[1]): PyJWT verifies the assertion; common_name is the ID");
}

# Hop-by-hop: a client that names the assertion in Connection makes
# mod_proxy drop it; the backend must then see none, never a client copy.
{
    my ($code, $res) = raw_get(join("\r\n", 'GET /proxy/echo HTTP/1.1', 'Host: localhost',
                                    "Connection: close, Cf-Access-Jwt-Assertion, CF_ACCESS_CLIENT_ID",
                                    "cf-access-token: $ps", "Cf-Access-Jwt-Assertion: $forged"), raw => 1);
    my @a = grep { lc($_->[0]) =~ /^cf[-_]access[-_]jwt[-_]assertion$/ } @{ backend_headers($res) };
    t_debug('assertions seen by the backend after Connection: ' . scalar @a);
    ok t_cmp($code, 200, 'proxy with the assertion named in Connection: 200');
    ok t_cmp(scalar(grep { $_->[1] ne $ps } @a), 0, 'the backend sees no client copy of the assertion');
}

my $log = log_since($all);
ok t_cmp(no_crash_in_log($log), 1, 'no child crashed during the credential attacks');
ok t_cmp(scalar($log =~ /a{200}/), '', 'oversized client input is not logged');
