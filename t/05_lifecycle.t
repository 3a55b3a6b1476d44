# The whole life of a token against a running httpd: create, exchange,
# session, refresh, rotate with grace, disable/enable, revoke-sessions,
# delete. Every store change takes effect on the very next request.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test qw(:DEFAULT svc);

plan tests => 31;

my $fx    = fixtures();
sub with_session { GET($_[0], Cookie => "CF_Authorization=$_[1]")->code }

# create -> exchange -> session
my $t = svc('create', 'life', '--duration', '30d', '--json');
ok t_cmp($t->{status}, 'active', 'created');
my $r = exchange('/app/', $t);
ok t_cmp($r->code, 200, 'fresh token exchanges');
my $s = session_of($r);
ok t_cmp(with_session('/app/', $s), 200, 'its session admits');

# refresh keeps it working and moves the expiry
my $before = svc('show', 'life', '--json');
my $after = svc('refresh', 'life', '--duration', '90d', '--json');
ok $after->{expires_at} gt $before->{expires_at};
ok t_cmp(with_session('/app/', $s), 200, 'session survives a refresh');

# rotate with a grace period: old and new secrets both work, sessions too
my $rot = svc('rotate', 'life', '--grace', '1h', '--json');
ok $rot->{client_secret} && $rot->{client_secret} ne $t->{client_secret};
ok t_cmp($rot->{client_id}, $t->{client_id}, 'rotation keeps the Client ID');
ok t_cmp(exchange('/app/', $t)->code, 200, 'old secret works during the grace period');
my $new = { client_id => $t->{client_id}, client_secret => $rot->{client_secret} };
ok t_cmp(exchange('/app/', $new)->code, 200, 'new secret works');
ok t_cmp(with_session('/app/', $s), 200, 'sessions survive a rotation');

# rotate without grace: the previous secret stops at once
my $rot2 = svc('rotate', 'life', '--json');
my $mark = log_mark();
ok t_cmp(exchange('/app/', $new)->code, 401, 'rotate without grace revokes the previous secret at once');
ok t_cmp(log_since($mark), qr/bad secret, token "life"/, 'log: bad secret for the named token');
$new = { client_id => $t->{client_id}, client_secret => $rot2->{client_secret} };
ok t_cmp(exchange('/app/', $new)->code, 200, 'the newest secret works');
$s = session_of(exchange('/app/', $new));

# disable / enable
svc('disable', 'life');
$mark = log_mark();
ok t_cmp(exchange('/app/', $new)->code, 401, 'disabled token refused');
ok t_cmp(with_session('/app/', $s), 401, 'its session refused on the next request');
ok t_cmp(log_since($mark), qr/disabled/, 'log says disabled');
svc('enable', 'life');
ok t_cmp(with_session('/app/', $s), 200, 'enabled again: the session works again');
ok t_cmp(exchange('/app/', $new)->code, 200, 'and so does the secret');

# revoke-sessions: every earlier session refused, credentials get a new one
# Sessions issued in this very second are revoked too (revoked_before is
# the next whole second).
my $gamma_s = session_of(exchange('/app/', $fx->{tokens}{gamma}));
svc('revoke-sessions');
$mark = log_mark();
ok t_cmp(with_session('/app/', $s), 401, 'revoke-sessions: session refused');
ok t_cmp(with_session('/app/', $gamma_s), 401, '... for every token');
ok t_cmp(log_since($mark), qr/session revoked/, 'log says session revoked');
$r = exchange('/app/', $new);
ok t_cmp($r->code, 200, 'credentials still exchange after revoke-sessions');
my $fresh = session_of($r);
ok t_cmp(with_session('/app/', $fresh), 200, 'the new session admits at once');

# token expiry ends its sessions
my $e = svc('create', 'shortlived', '--duration', '3s', '--json');
my $es = session_of(exchange('/app/', $e));
ok t_cmp(with_session('/app/', $es), 200, 'short-lived token session works');
backdate($fx->{store}, 'shortlived', 10);
$mark = log_mark();
ok t_cmp(with_session('/app/', $es), 401, 'token expired: its session ends');
ok t_cmp(exchange('/app/', $e)->code, 401, 'token expired: secret refused');
ok t_cmp(log_since($mark), qr/expired/, 'log says expired');
svc('refresh', 'shortlived');
ok t_cmp(exchange('/app/', $e)->code, 200, 'refresh brings it back');

# delete revokes everything
svc('delete', 'life');
$mark = log_mark();
ok t_cmp(with_session('/app/', $fresh), 401, 'deleted: session refused');
ok t_cmp(exchange('/app/', $new)->code, 401, 'deleted: secret refused');
ok t_cmp(log_since($mark), qr/unknown client id \Q$t->{client_id}\E/, 'log says unknown client id');
svc('delete', 'shortlived');
