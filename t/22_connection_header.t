# A client that names the module's assertion header in its Connection header
# must not make mod_proxy drop it: the backend still sees the assertion, and
# the other Connection options keep their meaning.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 6;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};

for my $conn ('Cf-Access-Jwt-Assertion', 'keep-alive, CF-ACCESS-JWT-ASSERTION') {
    my $r = exchange('/proxy/echo', $alpha, Connection => $conn);
    ok t_cmp($r->code, 200, "Connection: $conn: admitted");
    my $s = session_of($r);
    ok t_cmp($r->content, qr/^Cf-Access-Jwt-Assertion:\s*\Q$s\E\r?$/mi,
             '... and the backend still gets the assertion');
}
my $s = session_of(exchange('/proxy/echo', $alpha));
my $r = GET('/proxy/echo', Cookie => "CF_Authorization=$s", Connection => 'cf-access-jwt-assertion');
ok t_cmp($r->code, 200, 'with a session: admitted');
ok t_cmp($r->content, qr/^Cf-Access-Jwt-Assertion:\s*\Q$s\E\r?$/mi, '... and the assertion reaches the backend');
