# Sessions signed with HS256 and RS256 keys (one virtual host each), and a
# session of one server refused by another that has other keys.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 10;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $es = session_of(exchange('/app/', $alpha));

for my $vhost ('hs256', 'rs256') {
    Apache::TestRequest::module($vhost);
    my $r = exchange('/app/', $alpha);
    ok t_cmp($r->code, 200, "$vhost: exchange");
    my $s = session_of($r);
    ok t_cmp(jwt_header($s)->{alg}, uc $vhost, "$vhost: session signed with $vhost");
    ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$s")->code, 200, "$vhost: session admits");
    ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$es")->code, 401,
             "$vhost: a session of the ES256 server is refused");
    Apache::TestRequest::module('default');
    ok t_cmp(GET('/app/', Cookie => "CF_Authorization=$s")->code, 401,
             "default server refuses the $vhost session");
}
