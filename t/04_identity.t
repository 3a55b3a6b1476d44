# What handlers, CGI and proxied backends see: the identity, the assertion,
# and never the secret or a client-made assertion.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 29;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';

sub env_of {
    my %env = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /\n/, $_[0]->content;
    return \%env;
}

# CGI, authenticated by the secret.
my $r = exchange('/cgi/env.cgi', $alpha, 'Cf-Access-Jwt-Assertion' => $forged);
ok t_cmp($r->code, 200, 'CGI behind the module');
my $env = env_of($r);
ok t_cmp($env->{REMOTE_USER}, 'alpha', 'REMOTE_USER is the token name');
ok t_cmp($env->{AUTH_TYPE}, 'ServiceToken', 'AUTH_TYPE');
ok t_cmp($env->{SVCTOKEN_NAME}, 'alpha', 'SVCTOKEN_NAME');
ok t_cmp($env->{SVCTOKEN_CLIENT_ID}, $alpha->{client_id}, 'SVCTOKEN_CLIENT_ID');
ok t_cmp($env->{SVCTOKEN_AUTH}, 'secret', 'SVCTOKEN_AUTH secret');
ok t_cmp($env->{HTTP_CF_ACCESS_JWT_ASSERTION}, session_of($r), 'the assertion is the session just issued');
ok !exists $env->{HTTP_CF_ACCESS_CLIENT_SECRET};
ok !grep { /\Q$alpha->{client_secret}\E/ } values %$env;
ok t_cmp($env->{HTTP_CF_ACCESS_CLIENT_ID}, $alpha->{client_id}, 'the Client ID is not secret and passes');

# CGI, authenticated by the session.
my $s = session_of($r);
$r = GET('/cgi/env.cgi', Cookie => "CF_Authorization=$s", 'cf-access-jwt-assertion' => $forged);
$env = env_of($r);
ok t_cmp($env->{SVCTOKEN_AUTH}, 'session', 'SVCTOKEN_AUTH session');
ok t_cmp($env->{HTTP_CF_ACCESS_JWT_ASSERTION}, $s, 'the assertion is the verified session, not the client copy');

# The proxied backend.
sub backend_headers {
    my ($res) = @_;
    my @lines = split /\r?\n/, $res->content;
    shift @lines;    # request line
    return [ map { [ split /:\s*/, $_, 2 ] } grep { length } @lines ];
}
$r = exchange('/proxy/echo', $alpha,
              'Cf-Access-Jwt-Assertion' => $forged,
              # A leading ':' keeps LWP from turning '_' into '-'.
              ':CF_Access_Jwt_Assertion' => $forged,
              ':cf_access_jwt_assertion' => $forged,
              ':CF_ACCESS_CLIENT_SECRET' => $alpha->{client_secret},
              ':Cf_Access_Client_Secret' => 'x' x 64);
ok t_cmp($r->code, 200, 'proxied request admitted');
my $seen = backend_headers($r);
my @assert = grep { lc($_->[0]) =~ /^cf[-_]access[-_]jwt[-_]assertion$/ } @$seen;
ok t_cmp(scalar @assert, 1, 'the backend sees exactly one assertion header');
ok t_cmp($assert[0][1], session_of($r), 'and it is the module\'s session');
ok !grep { lc($_->[0]) =~ /^cf[-_]access[-_]client[-_]secret$/ } @$seen;
ok $r->content !~ /\Q$alpha->{client_secret}\E/;
ok $r->content !~ /\Q$forged\E/;
ok t_cmp($r->content, qr/^cf-access-client-id:\s*\Q$alpha->{client_id}\E/mi, 'the backend gets the Client ID');

$s = session_of($r);
$r = GET('/proxy/echo', Cookie => "CF_Authorization=$s", 'Cf-Access-Jwt-Assertion' => $forged);
ok t_cmp($r->code, 200, 'proxied request with a session');
ok $r->content !~ /\Q$forged\E/;
ok t_cmp($r->content, qr/^Cf-Access-Jwt-Assertion:\s*\Q$s\E\r?$/mi, 'backend sees the session as the assertion');

# Granted by address without authentication: still scrubbed.
$r = GET('/cgi/env.cgi');
ok t_cmp($r->code, 401, 'the CGI needs a token');
my $open = GET('/open/', creds($alpha), 'Cf-Access-Jwt-Assertion' => $forged);
ok t_cmp($open->code, 200, 'Require ip alone admits without authentication');
ok $open->content !~ /\Q$alpha->{client_secret}\E/;
ok $open->content !~ /jwt-assertion/i;

# Subrequests and internal redirects reuse the main request's result: /app/
# is served through mod_dir's subrequest and internal redirect to
# index.html, and the credentials are checked once.
my $mark = log_mark();
$r = exchange('/app/', $alpha);
ok t_cmp($r->code, 200, 'index via subrequest and internal redirect admitted');
my $log = log_since($mark);
ok t_cmp($r->content, qr/page app/, 'the index page (a subrequest) is served');
my @checks = ($log =~ /SVCT0300: checking /g);
ok t_cmp(scalar @checks, 1, 'one check for the request and its subrequests');
