# Sessions: the cookie or the cf-access-token header admits without the
# secret; a session is bound to its audience, expires, and a bad one does
# not block valid credentials.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 27;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};

my $res = exchange('/app/', $alpha);
my $jwt = session_of($res);
ok $jwt;

my $am = access_mark();
my $r = GET('/app/', Cookie => "CF_Authorization=$jwt");
ok t_cmp($r->code, 200, 'the cookie alone admits');
ok !$r->header('Set-Cookie');    # no new session when one is valid
$r = GET('/app/', 'cf-access-token' => $jwt);
ok t_cmp($r->code, 200, 'the cf-access-token header alone admits');
$r = GET('/app/', Cookie => "theme=dark; CF_Authorization=$jwt; lang=en");
ok t_cmp($r->code, 200, 'the cookie is found among others');
my $acc = access_log_since($am);
ok t_cmp($acc, qr/^alpha\|session\|200\|\/app\//m, 'access log: %u is the token name, auth session');

# Audience confusion: a session for /app is refused at /other, both ways.
my $mark = log_mark();
$r = GET('/other/', Cookie => "CF_Authorization=$jwt");
ok t_cmp($r->code, 401, 'an /app session is refused at /other (cookie)');
$r = GET('/other/', 'cf-access-token' => $jwt);
ok t_cmp($r->code, 401, 'an /app session is refused at /other (header)');
ok t_cmp(log_since($mark), qr/bad session \(\w+\): wrong audience/, 'log says wrong audience');

# A bad session does not block valid credentials; a fresh one is issued.
$r = exchange('/other/', $alpha, Cookie => "CF_Authorization=$jwt");
ok t_cmp($r->code, 200, 'a foreign session plus valid credentials admits');
my $other = session_of($r);
ok $other && $other ne $jwt;
ok t_cmp(jwt_claims($other)->{aud}[0], 'other', 'the new session is for /other');

# Both cookies for one client (Path /app and /other): each location finds its own.
$r = GET('/other/', Cookie => "CF_Authorization=$jwt; CF_Authorization=$other");
ok t_cmp($r->code, 200, 'the matching one of two session cookies is used');

# Tampering: any change to the JWT is refused.
my @p = jwt_parts($jwt);
my $flipped = join '.', $p[0], $p[1], (substr($p[2], 0, 10) . (substr($p[2], 10, 1) eq 'A' ? 'B' : 'A') . substr($p[2], 11));
$mark = log_mark();
$r = GET('/app/', Cookie => "CF_Authorization=$flipped");
ok t_cmp($r->code, 401, 'a tampered signature is refused');
ok t_cmp(log_since($mark), qr/bad session \(cookie\): /, 'the reason is logged');
$r = GET('/app/', Cookie => "CF_Authorization=garbage");
ok t_cmp($r->code, 401, 'garbage session refused');

# Sessions signed by a previous key (ServiceTokenVerifyKey) still verify.
my $now = time;
my %claims = (aud => ['app'], iss => jwt_claims($jwt)->{iss}, iat => $now, nbf => $now,
              exp => $now + 60, type => 'app', common_name => $alpha->{client_id}, sub => '',
              name => 'alpha', svct_store => jwt_claims($jwt)->{svct_store});
my $oldjwt = craft_jwt($fx->{keys}{old}, 'ES256', \%claims, { kid => kid_for($fx->{keys}{old}) });
$r = GET('/app/', Cookie => "CF_Authorization=$oldjwt");
ok t_cmp($r->code, 200, 'a session signed by a verify-only previous key admits');
my $badjwt = craft_jwt($fx->{keys}{rs256}, 'RS256', \%claims, { kid => kid_for($fx->{keys}{rs256}) });
$r = GET('/app/', Cookie => "CF_Authorization=$badjwt");
ok t_cmp($r->code, 401, 'a session signed by a key this server does not have is refused');

# Expiry: /short issues 2-second sessions and allows no clock skew.
$r = exchange('/short/', $alpha);
my $short = session_of($r);
ok t_cmp(jwt_claims($short)->{exp} - jwt_claims($short)->{iat}, 2, 'session duration 2s');
ok t_cmp(GET('/short/', Cookie => "CF_Authorization=$short")->code, 200, 'fresh short session admits');
# The same session 10 s older, signed with the same key: expired.
my %older = %{ jwt_claims($short) };
$older{$_} -= 10 for qw(iat nbf exp);
my $expired = craft_jwt($fx->{keys}{es256}, 'ES256', \%older, { kid => kid_of($short) });
$mark = log_mark();
ok t_cmp(GET('/short/', Cookie => "CF_Authorization=$expired")->code, 401, 'expired session refused');
ok t_cmp(log_since($mark), qr/bad session \(cookie\): expired/, 'log says expired');
ok t_cmp(exchange('/short/', $alpha)->code, 200, 'ID + secret still get a new session');

# A session for an unknown token (signed with our key) is refused.
my %ghost = (%claims, common_name => ('e' x 32) . '.access');
my $ghost = craft_jwt($fx->{keys}{es256}, 'ES256', \%ghost, { kid => kid_for($fx->{keys}{es256}) });
$mark = log_mark();
ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$ghost")->code, 401, 'session of an unknown token refused');
ok t_cmp(log_since($mark), qr/unknown client id/, 'log says unknown client id');
my $own = craft_jwt($fx->{keys}{es256}, 'ES256', \%claims, { kid => kid_for($fx->{keys}{es256}) });
ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$own")->code, 200, 'a PyJWT-signed session with our key admits');
ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$own.")->code, 401, 'an extra segment is refused');

sub kid_for {
    my ($file) = @_;
    my $py = 'import sys,json,hashlib,base64
from cryptography.hazmat.primitives.serialization import load_pem_private_key
k=load_pem_private_key(open(sys.argv[1],"rb").read(),None).public_key()
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
j=json.loads(ECAlgorithm.to_jwk(k) if hasattr(k,"curve") else RSAAlgorithm.to_jwk(k))
req={"EC":["crv","kty","x","y"],"RSA":["e","kty","n"]}[j["kty"]]
c=json.dumps({f:j[f] for f in req},separators=(",",":"),sort_keys=True)
print(base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode())';
    my $out = `/usr/bin/python3 -c '$py' $file`;
    chomp $out;
    return $out;
}
