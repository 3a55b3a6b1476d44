# ServiceTokenCredentialsHeader (the credentials as JSON in one header) and
# ServiceTokenPreflight: curl's one-header form gets a session and works like
# the two headers; hostile values are 401 or 400, never 200, 500 or a crash;
# the header reaches neither a CGI (CGIPassAuth On) nor a proxied backend;
# preflights pass only where configured and only when they are preflights.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;
use SvcToken::Attack;

plan tests => 53;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};
# 127.0.0.1: httpd listens on IPv4 only, and curl would try ::1 first.
(my $base = 'http://' . Apache::TestRequest::hostport(Apache::Test::config())) =~ s/localhost:/127.0.0.1:/;
my ($id, $secret) = @{$alpha}{qw(client_id client_secret)};
my $json = qq({"cf-access-client-id":"$id","cf-access-client-secret":"$secret"});

# curl, a client nobody here wrote: status, and the headers it got.
sub curl {
    my (@args) = @_;
    my $out = `curl -s -D - -o /dev/null @{[ join ' ', map { "'$_'" } @args ]}`;
    my ($code) = $out =~ m{^HTTP/\S+ (\d{3})};
    return ($code // 0, $out);
}

my ($code, $head) = curl("-H", "Authorization: $json", "$base/onehdr/");
ok t_cmp($code, 200, 'curl -H "Authorization: {json}": admitted');
my ($jwt) = $head =~ /^Set-Cookie: CF_Authorization=([^;]+)/mi;
ok $jwt;    # a session is issued, as for the two headers
ok t_cmp(jwt_claims($jwt)->{common_name}, $id, 'the session is the token\'s');
ok t_cmp(GET('/onehdr/', Cookie => "CF_Authorization=$jwt")->code, 200, 'its session admits');
my $upper = qq({"CF-Access-Client-Id":"$id","CF-ACCESS-CLIENT-SECRET":"$secret"});
ok t_cmp((curl('-H', "Authorization: $upper", "$base/onehdr/"))[0], 200,
         'member names in any case');
ok t_cmp(GET('/onehdr/', Authorization => qq({"cf-access-client-id":"$id","cf-access-client-secret":"@{[ 'f' x 64 ]}"}))->code,
         401, 'a wrong secret in the header: 401');
ok t_cmp(GET('/app/', Authorization => $json)->code, 401,
         'where the header is not configured it is not credentials');
ok t_cmp(GET('/onehdr/', creds($alpha))->code, 200, 'the two headers still work here');

# Require and env work as with the two headers (CGI, CGIPassAuth On).
my $r = GET('/cgi-onehdr/env.cgi', 'X-Service-Token' => $json);
ok t_cmp($r->code, 200, 'CGI behind the one-header form');
my %env = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /\n/, $r->content;
ok t_cmp($env{REMOTE_USER}, 'alpha', 'REMOTE_USER is the token name');
ok t_cmp($env{SVCTOKEN_CLIENT_ID}, $id, 'SVCTOKEN_CLIENT_ID');
ok t_cmp($env{SVCTOKEN_AUTH}, 'secret', 'SVCTOKEN_AUTH');
ok !exists $env{HTTP_X_SERVICE_TOKEN};
ok $r->content !~ /\Q$secret\E/;
# Also when the handler is reached by a subrequest or the header repeats.
$r = GET('/cgi-onehdr/env.cgi', 'X-Service-Token' => $json, 'x-service-token' => $json);
ok t_cmp($r->code, 401, 'the header twice is not credentials');
ok $r->content !~ /\Q$secret\E/;

# A proxied backend never gets the header.
$r = GET('/proxy-onehdr/echo', Authorization => $json);
ok t_cmp($r->code, 200, 'proxied, one-header');
ok $r->content !~ /\Q$secret\E/;
ok $r->content !~ /^Authorization:/mi;
ok t_cmp($r->content, qr/^Cf-Access-Jwt-Assertion: /mi, 'the backend gets the assertion');

# Hostile values: 401 or 400, never 200 or 500; the reason in the log.
my %hostile = (
    'not JSON'           => ['not json at all', qr/not valid JSON/],
    'an array'           => [qq(["$id","$secret"]), qr/not a JSON object/],
    'a number'           => ['4711', qr/not a JSON object/],
    'a duplicate member' => [qq({"cf-access-client-id":"$id","CF-Access-Client-Id":"$id","cf-access-client-secret":"$secret"}),
                             qr/duplicate member/],
    'a number as the id' => [qq({"cf-access-client-id":1,"cf-access-client-secret":"$secret"}),
                             qr/a member is not a string/],
    '\u0000'             => [qq({"cf-access-client-id":"$id\\u0000","cf-access-client-secret":"$secret"}),
                             qr/a NUL character in a string/],
    'nesting'            => [('[' x 500) . (']' x 500), qr/nested deeper than 2/],
    'too long'           => [qq({"cf-access-client-id":"$id",) . (' ' x 1100) . qq("cf-access-client-secret":"$secret"}),
                             qr/longer than 1024 bytes/],
);
for my $what (sort keys %hostile) {
    my ($value, $why) = @{ $hostile{$what} };
    my $mark = log_mark();
    my ($status) = raw_get("GET /onehdr/ HTTP/1.0\nHost: localhost\nAuthorization: $value");
    ok t_cmp($status, 401, "$what: 401");
    ok t_cmp(log_since($mark), qr/SVCT1203: access refused: the Authorization header is not usable credentials: $why/,
             "$what: the log says why");
}
{
    local $SIG{PIPE} = 'IGNORE';
    for my $case (['100 KB of nesting', ('[' x 102400)], ['a 1 MB header', ('x' x (1 << 20))]) {
        my ($what, $value) = @$case;
        my ($status) = raw_get("GET /onehdr/ HTTP/1.0\nHost: localhost\nAuthorization: $value");
        ok t_cmp($status, 400, "$what: httpd's own 400");
    }
}
ok t_cmp(no_crash_in_log(error_log_text()), 1, 'no child crashed');
ok t_cmp(GET('/onehdr/', Authorization => $json)->code, 200, 'and the server still admits');

# ServiceTokenPreflight pass: only a real preflight without credentials.
my @preflight = (Origin => 'https://app.example', 'Access-Control-Request-Method' => 'POST');
sub options { Apache::TestRequest::OPTIONS(@_)->code }
my $mark = log_mark();
ok t_cmp(options('/preflight/', @preflight), 200, 'preflight passes where configured');
ok t_cmp(log_since($mark), qr/SVCT1205: CORS preflight passed/, 'logged at trace1');
ok t_cmp(options('/preflight-check/', @preflight), 401, 'default check: the preflight is checked');
ok t_cmp(options('/app/', @preflight), 401, 'and elsewhere');
ok t_cmp(options('/preflight/', Origin => 'https://app.example'), 401,
         'OPTIONS without Access-Control-Request-Method is checked');
ok t_cmp(options('/preflight/', 'Access-Control-Request-Method' => 'POST'), 401,
         'OPTIONS without Origin is checked');
ok t_cmp(options('/preflight/'), 401, 'plain OPTIONS is checked');
ok t_cmp(GET('/preflight/', @preflight)->code, 401, 'GET with the CORS headers is checked');
ok t_cmp(Apache::TestRequest::POST('/preflight/', @preflight)->code, 401, 'so is POST');
ok t_cmp(options('/preflight/', @preflight, 'CF-Access-Client-Id' => $id,
                 'CF-Access-Client-Secret' => 'f' x 64), 401,
         'a preflight with (bad) credentials is checked');
ok t_cmp(options('/preflight/', @preflight, creds($alpha)), 200,
         'a preflight with good credentials is checked and admitted');
ok t_cmp(options('/preflight/', @preflight, Cookie => 'CF_Authorization=x.y.z'), 401,
         'a preflight with a session cookie is checked');
ok t_cmp((raw_get("OPTIONS /preflight/ HTTP/1.0\nHost: localhost\nOrigin: https://app.example\n"
                  . "Access-Control-Request-Method: POST\nAuthorization: Basic eDp5"))[0], 401,
         'a preflight with Authorization is checked');
