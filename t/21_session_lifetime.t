# A session never outlives its token: a token that expires before the
# session duration would end gets a session (JWT exp) and a cookie (Max-Age)
# that end when the token does; a token that never expires gets the full
# session duration.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use JSON::PP;
use Time::Local qw(timegm);
use lib 't/lib';
use SvcToken::Test;

plan tests => 8;

my $fx = fixtures();
sub token {
    my ($rc, $out, $err) = cli('-f', $fx->{store}, 'create', @_, '--json');
    die "svctoken create @_: $err" if $rc;
    return decode_json($out);
}
sub epoch { my @t = $_[0] =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z$/; timegm($t[5], $t[4], $t[3], $t[2], $t[1] - 1, $t[0]) }
sub max_age {
    my ($res) = @_;
    my ($cookie) = grep { /^CF_Authorization=/ } $res->header('Set-Cookie');
    return ($cookie // '') =~ /; Max-Age=(\d+)(;|$)/ ? $1 : undef;
}

# /app issues 24h sessions; this token has one hour left.
my $short = token('short-lived', '--duration', '1h');
my $res = exchange('/app/', $short);
ok t_cmp($res->code, 200, 'a token with an hour left exchanges');
my $claims = jwt_claims(session_of($res));
# Apache::Test's ok() takes one argument: the names are comments.
ok $claims->{exp} <= epoch($short->{expires_at});    # the JWT ends no later than the token
ok $claims->{exp} >= epoch($short->{expires_at}) - 5;    # ... and not much earlier
my $age = max_age($res) // -1;
ok t_cmp($age, qr/^\d+$/, 'the cookie has a Max-Age');
ok $age <= 3600 && $age >= 3590;    # about the hour the token has left, not more

my $forever = token('lives-forever', '--duration', 'forever');
$res = exchange('/app/', $forever);
ok t_cmp($res->code, 200, 'a token that never expires exchanges');
ok t_cmp(max_age($res), 86400, 'its cookie lives the whole session duration');
$claims = jwt_claims(session_of($res));
ok t_cmp($claims->{exp} - $claims->{iat}, 86400, 'and so does its session');
