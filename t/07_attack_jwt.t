# Attack suite, forged sessions: every JWT here is refused with 401 (as a
# cookie and as the cf-access-token header), the reason is logged, and the
# child is still serving right after. Tokens that break one claim rule carry
# a valid signature by the server's own ES256 key, so that only the rule
# under test can refuse them.
#
# Not repeated here (see t/02_session.t, t/05_lifecycle.t, t/06_keys.t): a
# flipped signature bit, a session of another location or virtual host, an
# expired session, sessions of revoked, disabled, deleted or expired tokens,
# and a session signed by a key the server does not have.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;
use SvcToken::Attack;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $K     = $fx->{keys};

# A real session of this server: its iss and kid are what forgeries copy.
my $good = session_of(exchange('/app/', $alpha));
my $iss  = jwt_claims($good)->{iss};
my $kid  = kid_of($good);
Apache::TestRequest::module('rs256');
my $rs_kid = kid_of(session_of(exchange('/app/', $alpha)));
Apache::TestRequest::module('hs256');
my $hs_kid = kid_of(session_of(exchange('/app/', $alpha)));
Apache::TestRequest::module('default');

my $J = JSON::PP->new->canonical;
sub js { $J->encode($_[0]) }
my %claims = %{ valid_claims('app', $alpha, $iss, jwt_claims($good)->{svct_store}) };
my $hdr = js({ alg => 'ES256', kid => $kid, typ => 'JWT' });
my $body = js(\%claims);
my ($gh, $gc, $gs) = split /\./, $good;

my @cases;    # [ what, token, reason in the log ]
sub case { push @cases, [@_] }

# ---- alg none, in any letter case, with and without a signature ----
for my $none ('none', 'None', 'NONE', 'nOnE') {
    case("alg $none", b64u(js({ alg => $none, kid => $kid })) . '.' . b64u($body) . '.', 'malformed');
    case("alg $none + sig", b64u(js({ alg => $none, kid => $kid })) . '.' . b64u($body) . ".$gs",
         'alg none');
}
case('alg none, no kid', b64u('{"alg":"none"}') . '.' . b64u($body) . ".$gs", 'alg none');
case('alg missing', b64u(js({ kid => $kid })) . '.' . b64u($body) . ".$gs", 'missing alg');
case('alg not a string', b64u(js({ alg => ['ES256'], kid => $kid })) . '.' . b64u($body) . ".$gs",
     'bad alg');
case('alg "none " (space)', b64u(js({ alg => 'none ', kid => $kid })) . '.' . b64u($body) . ".$gs",
     'alg mismatch');

# ---- HS256 with the public key of an ES256 / RS256 deployment as the HMAC secret ----
my $es_pub = public_pem($K->{es256});
my $rs_pub = public_pem($K->{rs256});
case('HS256 keyed with the ES256 public key PEM',
     hs256_forge(js({ alg => 'HS256', kid => $kid, typ => 'JWT' }), $body, $es_pub), 'alg mismatch');
case('HS256 keyed with the ES256 public key, no kid',
     hs256_forge(js({ alg => 'HS256', typ => 'JWT' }), $body, $es_pub), 'missing kid');
case('HS256 keyed with the RS256 public key PEM (kid of the rs256 vhost key)',
     hs256_forge(js({ alg => 'HS256', kid => $rs_kid }), $body, $rs_pub), 'unknown kid');
case('HS256 keyed with the kid string',
     hs256_forge(js({ alg => 'HS256', kid => $kid }), $body, $kid), 'alg mismatch');
case('HS256 with kid of the hs256 vhost key at the ES256 server',
     hs256_forge(js({ alg => 'HS256', kid => $hs_kid }), $body, 'x' x 32), 'unknown kid');
case('RS256 alg with the ES256 kid and signature',
     b64u(js({ alg => 'RS256', kid => $kid })) . '.' . b64u($body) . ".$gs", 'alg mismatch');

# ---- ECDSA r or s out of range ----
my $n = pack 'H*', 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
my $one = "\0" x 31 . "\1";
my $zero = "\0" x 32;
my $input = b64u($hdr) . '.' . b64u($body);
my %rs = ('r = 0, s = 0' => $zero . $zero, 'r = 0' => $zero . $one, 's = 0' => $one . $zero,
          'r = n' => $n . $one, 's = n' => $one . $n, 'r = s = n' => $n . $n,
          'r = s = 2^256-1' => "\xff" x 64, 'r = s = 1' => $one . $one,
          '63-byte signature' => "\1" x 63, '65-byte signature' => "\1" x 65,
          'DER signature' => pack('H*', '3006020101020101'));
case("ECDSA $_", "$input." . b64u($rs{$_}), 'bad signature') for sort keys %rs;
# r and s of the real signature, with s replaced by s + n (>= n, same value mod n).
{
    my $raw = MIME::Base64::decode_base64url($gs);
    my ($r, $s) = (substr($raw, 0, 32), substr($raw, 32));
    require Math::BigInt;
    my $sn = Math::BigInt->from_hex(unpack('H*', $s)) + Math::BigInt->from_hex(unpack('H*', $n));
    my $hex = substr($sn->as_hex, 2);
    if (length $hex <= 64) {
        $hex = ('0' x (64 - length $hex)) . $hex;
        case('ECDSA s + n of a valid signature', "$gh.$gc." . b64u($r . pack('H*', $hex)),
             'bad signature');
    } else {
        case('ECDSA r + n overflow', "$gh.$gc." . b64u("\xff" x 32 . $s), 'bad signature');
    }
}

# ---- shape: empty, truncated or extra segments ----
case('empty', '', 'malformed|no credentials');
case('one dot', '.', 'malformed');
case('two dots', '..', 'malformed');
case('three dots', '...', 'malformed');
case('header only', $gh, 'malformed');
case('header.claims', "$gh.$gc", 'malformed');
case('header.claims.', "$gh.$gc.", 'malformed');
case('.claims.sig', ".$gc.$gs", 'malformed');
case('header..sig', "$gh..$gs", 'malformed');
case('four segments', "$gh.$gc.$gs.$gs", 'malformed');
case('leading dot', ".$good", 'malformed');
case('signature truncated by one', substr($good, 0, -1), 'signature');
case('signature truncated by half', substr($good, 0, -43), 'signature');
# Claims are read before the signature is checked (a check is only spent on
# a session that could be accepted), so their damage is what is reported.
case('claims truncated', "$gh." . substr($gc, 0, -4) . ".$gs", 'malformed claims');
case('too large (5000 bytes)', "$gh.$gc." . ('A' x 5000), 'too large');

# ---- non-base64url ----
(my $plus = $gs) =~ s/-/+/g; $plus =~ s/_/\//g;
case('standard base64 signature', "$gh.$gc.$plus" . ($plus eq $gs ? '+' : ''), 'signature');
case('padded header', "$gh=.$gc.$gs", 'malformed header');
case('padded signature', "$good==", 'malformed signature');
case('percent in header', "%$gh.$gc.$gs", 'malformed header');
case('space in signature', "$gh.$gc." . substr($gs, 0, 10) . ' ' . substr($gs, 10), 'signature');
case('non-zero trailing bits', "$gh.$gc." . substr($gs, 0, -1) . 'f', 'signature');
case('header not JSON', b64u('not json') . ".$gc.$gs", 'malformed header');
case('header a JSON array', b64u('["ES256"]') . ".$gc.$gs", 'malformed header');
case('header with NUL', b64u(qq({"alg":"ES256","kid":"$kid"\0})) . ".$gc.$gs", 'malformed header');
case('header nested deep', b64u('{"alg":"ES256","x":' . ('[' x 50) . (']' x 50) . '}') . ".$gc.$gs",
     'malformed header');
case('header with duplicate alg', b64u(qq({"alg":"none","alg":"ES256","kid":"$kid"})) . ".$gc.$gs",
     'malformed header');

# ---- kid ----
my $kidcase = sub {
    my ($what, $k, $reason) = @_;
    case("kid $what", b64u(js({ alg => 'ES256', kid => $k })) . '.' . b64u($body) . ".$gs", $reason);
};
$kidcase->('unknown', 'nope', 'unknown kid');
$kidcase->('a path', '../../../../etc/passwd', 'unknown kid');
$kidcase->('an absolute path', '/etc/ssl/private/key.pem', 'unknown kid');
$kidcase->('65 characters', 'k' x 65, 'bad kid');
$kidcase->('3000 characters', 'k' x 3000, 'too large');
$kidcase->('SQL injection', q(x' OR '1'='1' --), 'unknown kid');
$kidcase->('shell injection', '$(touch /tmp/svct-pwned)`id`', 'unknown kid');
$kidcase->('format string', '%s%s%s%n%n', 'unknown kid');
$kidcase->('CRLF', "x\r\nX-Injected: 1", 'unknown kid');
$kidcase->('empty', '', 'bad kid');
$kidcase->('the kid with a NUL', "$kid\0", 'malformed header');
$kidcase->('a prefix of the kid', substr($kid, 0, 10), 'unknown kid');
case('kid a number', b64u(qq({"alg":"ES256","kid":42})) . '.' . b64u($body) . ".$gs", 'bad kid');
case('kid null', b64u(qq({"alg":"ES256","kid":null})) . '.' . b64u($body) . ".$gs", 'bad kid');
case('kid missing', b64u(qq({"alg":"ES256"})) . '.' . b64u($body) . ".$gs", 'missing kid');
case('typ not JWT', b64u(js({ alg => 'ES256', kid => $kid, typ => 'JWE' })) . '.' . b64u($body)
     . ".$gs", 'bad typ');

# ---- headers that bring their own key, and crit: signed with our own key ----
my @signed;    # [ what, header, payload, reason, key ]
my $attacker_jwk = { kty => 'EC', crv => 'P-256',
                     x => 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
                     y => 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
for my $h (['jku', 'https://evil.example/jwks.json'], ['x5u', 'https://evil.example/cert.pem'],
           ['jwk', $attacker_jwk], ['x5c', ['MIIB']], ['x5t', 'abc'], ['x5t#S256', 'abc']) {
    push @signed, ["header $h->[0]", js({ alg => 'ES256', kid => $kid, $h->[0] => $h->[1] }), $body,
                   'key in header'];
}
push @signed, ['crit [exp]', js({ alg => 'ES256', kid => $kid, crit => ['exp'] }), $body, 'crit header'];
push @signed, ['crit []', js({ alg => 'ES256', kid => $kid, crit => [] }), $body, 'crit header'];
push @signed, ['crit with b64', js({ alg => 'ES256', kid => $kid, crit => ['b64'], b64 => JSON::PP::false }),
               $body, 'crit header'];

# ---- payloads that are not a JSON object, truncated, with NUL (valid signature) ----
for my $p (['a JSON array', '[1,2]'], ['a JSON string', '"app"'], ['a number', '1'],
           ['null', 'null'], ['empty', '', 'malformed'], ['truncated', substr($body, 0, -1)],
           ['with NUL', substr($body, 0, -1) . qq(,"x":"a\0b"})],
           ['with escaped NUL', substr($body, 0, -1) . q(,"x":"a\u0000b"})],
           ['with trailing garbage', "$body x"], ['two objects', "$body$body"],
           ['invalid UTF-8', substr($body, 0, -1) . qq(,"x":"\xff\xfe"})],
           ['nested 100 deep', substr($body, 0, -1) . ',"x":' . ('[' x 100) . (']' x 100) . '}'],
           ['duplicate exp', substr($body, 0, -1) . qq(,"exp":99999999999})],
           ['duplicate aud', substr($body, 0, -1) . qq(,"aud":["other"]})]) {
    push @signed, ["payload $p->[0]", $hdr, $p->[1], $p->[2] // 'malformed claims'];
}

# ---- claims missing, of the wrong JSON type, or out of range (valid signature) ----
my $now = time;
my %bad = (
    exp => [[undef, 'missing exp'], ["$now", 'bad exp'], [$now + 60.5, 'bad exp'],
            [JSON::PP::true, 'bad exp'], [[$now + 60], 'bad exp'], [-1, 'bad exp'],
            [$now - 3600, 'expired'], [253402300800, 'bad exp'], [0, 'expired'],
            ['1e400', 'malformed claims|bad exp']],
    nbf => [[undef, 'missing nbf'], ["$now", 'bad nbf'], [$now + 3600, 'not yet valid'],
            [-5, 'bad nbf'], [{}, 'bad nbf']],
    iat => [[undef, 'missing iat'], [undef, 'bad iat'], [$now + 3600, 'issued in the future'],
            [1e20, 'bad iat']],
    aud => [[undef, 'missing aud'], ['other', 'wrong audience'], [[], 'wrong audience'],
            [['other', 'APP'], 'wrong audience'], [[1], 'bad aud'], [{ app => 1 }, 'bad aud'],
            [['app ', ' app'], 'wrong audience'], ["app\0", 'malformed claims|wrong audience']],
    iss => [[undef, 'missing iss'], [42, 'bad iss'], ["$iss/", 'wrong issuer'], [[$iss], 'bad iss'],
            ['https://evil.example', 'wrong issuer'], [uc $iss, 'wrong issuer']],
    type => [[undef, 'missing type'], ['org', 'wrong type'], [1, 'wrong type']],
    common_name => [[undef, 'missing common_name'], [uc $alpha->{client_id}, 'bad common_name'],
                    ["id:$alpha->{client_id}", 'bad common_name'], ['name:alpha', 'bad common_name'],
                    ['meta:revoked_before', 'bad common_name'], [[$alpha->{client_id}], 'bad common_name'],
                    ["$alpha->{client_id} ", 'bad common_name']],
    name => [[42, 'bad name'], ["a\tb", 'bad name'], ['x' x 300, 'bad name']],
    sub => [[42, 'bad sub']],
    # the issuing store's tag: another store's (a shape that parses), missing
    # (a session of a version that did not bind them), or malformed
    svct_store => [[undef, 'missing svct_store|issued by another token store'],
                   ['A' x 22, 'issued by another token store'], [42, 'bad svct_store'],
                   ['A' x 21, 'bad svct_store'], ['A' x 23, 'bad svct_store'],
                   [('A' x 21) . '=', 'bad svct_store'], [[$claims{svct_store}], 'bad svct_store']],
);
for my $claim (sort keys %bad) {
    for my $v (@{ $bad{$claim} }) {
        my ($value, $reason) = @$v;
        my %c = %claims;
        my $payload;
        if (!defined $value && !ref $value && @$v && $reason =~ /^missing/) {
            delete $c{$claim};
            $payload = js(\%c);
        } elsif (defined $value && !ref $value && $value eq '1e400') {
            ($payload = js(\%c)) =~ s/"$claim":\d+/"$claim":1e400/;
        } else {
            $c{$claim} = $value;
            $payload = js(\%c);
        }
        my $shown = ref $value ? js($value) : defined $value ? $value
                  : $reason =~ /^missing/ ? 'missing' : 'null';
        $shown = substr($shown, 0, 40) . '...' if length $shown > 40;
        push @signed, ["claim $claim: $shown", $hdr, $payload, $reason];
    }
}
# A real (positive) control: the same machinery with valid claims admits.
my ($control) = sign_raw([$K->{es256}, $hdr, $body]);

my @tokens = sign_raw(map { [$K->{es256}, $_->[1], $_->[2]] } @signed);
case($signed[$_][0], $tokens[$_], $signed[$_][3]) for 0 .. $#signed;

# A session signed by an attacker's own key, carried with its jwk header.
{
    my $tmp = Apache::Test::vars('t_dir') . '/var/attacker.pem';
    new_ec_key($tmp) unless -f $tmp;
    my ($own) = sign_raw([$tmp, js({ alg => 'ES256', kid => $kid }), $body]);
    case('attacker key, our kid', $own, 'bad signature');
    my ($own2) = sign_raw([$tmp, js({ alg => 'ES256', kid => 'attacker' }), $body]);
    case('attacker key, own kid', $own2, 'unknown kid');
}

plan tests => 2 + 4 * @cases + 3;

ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$control")->code, 200,
         'control: a PyJWT-signed session with valid claims admits');
ok t_cmp(GET('/app/', 'cf-access-token' => $control)->code, 200, 'control (header)');

my $all_mark = log_mark();
for my $c (@cases) {
    my ($what, $tok, $reason) = @$c;
    my $m = log_mark();
    my ($code1) = raw_get("GET /app/ HTTP/1.1\nHost: localhost\nConnection: close\n"
                          . "Cookie: theme=x; CF_Authorization=$tok", raw => 0);
    my ($code2) = raw_get("GET /app/ HTTP/1.1\nHost: localhost\nConnection: close\n"
                          . "cf-access-token: $tok");
    my $log = log_now($m);
    ok t_cmp($code1, 401, "$what: 401 (cookie)");
    ok t_cmp($code2, 401, "$what: 401 (header)");
    ok t_cmp($log, qr/SVCT\d+: (bad session \((cookie|header)\): .*(?:$reason)|access refused: (?:$reason))/,
             "$what: reason logged");
    ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$good")->code, 200,
             "$what: the server still serves a valid session");
}
my $log = log_since($all_mark);
ok t_cmp(no_crash_in_log($log), 1, 'no child crashed during the forged-session attacks');
ok t_cmp(scalar($log =~ /svct-pwned|X-Injected: 1/), '', 'no injected kid text reached the log');
ok t_cmp(-e '/tmp/svct-pwned' ? 1 : 0, 0, 'the shell-injection kid ran nothing');
