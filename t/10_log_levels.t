# Each refusal leaves a line at the level README gives it, so that at
# httpd's default LogLevel warn a forged or foreign session, a wrong secret
# and a disabled or deleted token are seen, and an expired session is not
# (info). The 403 line names what the Require line asked for.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test qw(:DEFAULT svc);

plan tests => 20;

my $fx = fixtures();

# The level and text of the first line numbered SVCTnnnn that REQUEST logs.
sub logged {
    my ($no, $request) = @_;
    my $mark = log_mark();
    $request->();
    my $log = log_since($mark);
    return $log =~ /\[access_svctoken:(\w+)\] .*?SVCT$no: ([^\n]*)/ ? ($1, $2) : ('none', '');
}
sub level_is {
    my ($no, $want, $what, $request, $text) = @_;
    my ($level, $line) = logged($no, $request);
    ok t_cmp($level, $want, "$what: SVCT$no at $want");
    ok t_cmp($line, $text, "$what: says why") if $text;
}
sub with_session {
    my ($path, $jwt) = @_;
    return sub { GET($path, Cookie => "CF_Authorization=$jwt") };
}

my $t = svc('create', 'levels', '--json');
my $s = session_of(exchange('/app/', $t));
my $other = session_of(exchange('/other/', $t));
my ($h, $c, $sig) = jwt_parts($s);
my $forged = $sig;
substr($forged, 5, 1) = substr($sig, 5, 1) eq 'A' ? 'B' : 'A';

level_is('0303', 'info', 'no credentials', sub { GET('/app/') });
level_is('0101', 'warn', 'forged signature', with_session('/app/', "$h.$c.$forged"),
         qr/bad signature/);
level_is('0101', 'warn', 'session of another audience', with_session('/app/', $other),
         qr/wrong audience/);
my $claims = jwt_claims($s);
$claims->{$_} -= 7200 for qw(iat nbf);
$claims->{exp} = $claims->{iat} + 60;
my $expired = craft_jwt($fx->{keys}{es256}, 'ES256', $claims, { kid => kid_of($s) });
level_is('0101', 'info', 'expired session', with_session('/app/', $expired), qr/expired/);
level_is('0204', 'warn', 'wrong secret',
         sub { exchange('/app/', { %$t, client_secret => 'f' x 64 }) }, qr/bad secret/);
level_is('0302', 'warn', 'one credential header of two',
         sub { GET('/app/', 'CF-Access-Client-Id' => $t->{client_id}) });

svc('disable', 'levels');
level_is('0103', 'warn', 'session of a disabled token', with_session('/app/', $s), qr/disabled/);
level_is('0204', 'warn', 'secret of a disabled token', sub { exchange('/app/', $t) },
         qr/disabled, token "levels"/);
svc('delete', 'levels');
level_is('0103', 'warn', 'session of a deleted token', with_session('/app/', $s),
         qr/unknown client id, client id \Q$t->{client_id}\E/);

my $gamma = $fx->{tokens}{gamma};
level_is('0401', 'warn', 'a token the Require line does not admit (403)',
         sub { exchange('/named/', $gamma) },
         qr/token "gamma" .*not admitted by Require service-token "alpha" "beta token"/);
my $alpha = $fx->{tokens}{alpha};
level_is('0401', 'warn', 'a Client ID the Require line does not admit (403)',
         sub { exchange('/byid/', $alpha) },
         qr/not admitted by Require service-token-id \Q$gamma->{client_id}\E$/);
