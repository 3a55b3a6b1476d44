# ID + secret exchange: the answer, the cookie, the session JWT, and what is
# refused (401) with the reason in the error log and no secret anywhere.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 49;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};

# A valid exchange: 200, the page, and a session cookie.
my $mark = log_mark();
my $res  = exchange('/app/', $alpha);
ok t_cmp($res->code, 200, 'valid ID + secret admits');
ok t_cmp($res->content, qr/page app/, 'the protected page is served');
my ($cookie) = grep { /^CF_Authorization=/ } $res->header('Set-Cookie');
ok defined $cookie;
ok t_cmp($cookie, qr/; HttpOnly(;|$)/, 'cookie is HttpOnly');
ok t_cmp($cookie, qr/; SameSite=Lax(;|$)/, 'cookie is SameSite=Lax');
ok t_cmp($cookie, qr/; Path=\/app(;|$)/, 'cookie Path is the protected location');
ok t_cmp($cookie, qr/; Max-Age=86400(;|$)/, 'cookie lives as long as the session (24h)');
ok $cookie !~ /Secure/;    # plain HTTP here; HTTPS is covered by the unit tests

my $jwt = session_of($res);
my @parts = jwt_parts($jwt);
ok t_cmp(scalar @parts, 3, 'session is a compact JWS');
my $h = jwt_header($jwt);
ok t_cmp($h->{alg}, 'ES256', 'alg is the signing key\'s');
ok t_cmp($h->{typ}, 'JWT', 'typ JWT');
ok $h->{kid} && !ref $h->{kid};
my $c = jwt_claims($jwt);
ok t_cmp(ref $c->{aud}, 'ARRAY', 'aud is an array');
ok t_cmp($c->{aud}[0], 'app', 'aud is the location audience');
ok t_cmp($c->{iss}, 'https://localhost', 'iss is https:// + the server name, no port');
ok t_cmp($c->{type}, 'app', 'type app');
ok t_cmp($c->{common_name}, $alpha->{client_id}, 'common_name is the Client ID');
ok t_cmp($c->{sub}, '', 'sub is empty');
ok t_cmp($c->{name}, 'alpha', 'name claim');
ok abs($c->{iat} - time) < 30;
ok t_cmp($c->{nbf}, $c->{iat}, 'nbf = iat');
ok t_cmp($c->{exp} - $c->{iat}, 86400, 'exp = iat + 24h');
my $log = log_since($mark);
ok $log !~ /\Q$alpha->{client_secret}\E/;

# Refusals: 401 with a short body that reveals nothing.
sub refused {
    my ($what, $reason, @headers) = @_;
    my $m = log_mark();
    my $r = GET('/app/', @headers);
    my $l = log_since($m);
    ok t_cmp($r->code, 401, "$what: 401");
    ok !grep { /^CF_Authorization=/ } $r->header('Set-Cookie');
    ok t_cmp($l, qr/SVCT\d+: .*\Q$reason\E/, "$what: log says '$reason'");
    return ($r, $l);
}

my ($r, $l) = refused('no credentials', 'no credentials');
ok t_cmp($r->header('WWW-Authenticate'), 'ServiceToken', 'WWW-Authenticate names the scheme');
ok length($r->content) < 600 && $r->content !~ /alpha|store|token/i;

my $unknown = 'f' x 32 . '.access';
($r, $l) = refused('unknown id', "unknown client id $unknown",
                   'CF-Access-Client-Id' => $unknown,
                   'CF-Access-Client-Secret' => $alpha->{client_secret});
($r, $l) = refused('wrong secret', "bad secret, token \"alpha\", client id $alpha->{client_id}",
                   'CF-Access-Client-Id' => $alpha->{client_id},
                   'CF-Access-Client-Secret' => '0' x 64);
ok $l !~ /0{64}/;
refused('secret only', 'CF-Access-Client-Id header missing',
        'CF-Access-Client-Secret' => $alpha->{client_secret});
refused('id only', 'CF-Access-Client-Secret header missing',
        'CF-Access-Client-Id' => $alpha->{client_id});
($r, $l) = refused('malformed id', 'malformed client id',
                   'CF-Access-Client-Id' => 'nope',
                   'CF-Access-Client-Secret' => $alpha->{client_secret});
ok $l !~ /\Q$alpha->{client_secret}\E/;

# Another token's secret does not open this one.
refused('another token\'s secret', 'bad secret',
        'CF-Access-Client-Id' => $alpha->{client_id},
        'CF-Access-Client-Secret' => $fx->{tokens}{gamma}{client_secret});

# Header names are case-insensitive.
$r = GET('/app/', 'cf-access-client-id' => $alpha->{client_id},
                  'CF-ACCESS-CLIENT-SECRET' => $alpha->{client_secret});
ok t_cmp($r->code, 200, 'header names are case-insensitive');
