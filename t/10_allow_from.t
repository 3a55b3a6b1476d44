# Tokens bound to addresses (--allow-from): refused by secret and by session
# from outside the list, with the reason in the error log; the client address
# is the one mod_remoteip makes of a trusted proxy's X-Forwarded-For, never of
# an untrusted peer's; narrowing the list ends live sessions on the next
# request.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;

plan tests => 22;

my $fx    = fixtures();
my @store = ('-f', $fx->{store});

sub svc {
    my ($rc, $out, $err) = cli(@store, @_);
    die "svctoken @_: $err" if $rc;
    return decode_json($out);
}
sub with_session { GET($_[0], Cookie => "CF_Authorization=$_[1]", @_[2 .. $#_]) }

# Bound to 10/8: refused from 127.0.0.1, by secret.
my $ten = svc('create', 'ten-only', '--allow-from', '10.0.0.0/8', '--json');
my $mark = log_mark();
my $r = exchange('/app/', $ten);
ok t_cmp($r->code, 401, 'bound to 10/8: refused from 127.0.0.1');
ok !session_of($r);    # and no session is issued
ok t_cmp(log_since($mark),
         qr/SVCT1202: access refused: client address 127\.0\.0\.1 is outside the --allow-from of token "ten-only", client id \Q$ten->{client_id}\E/,
         'the error log says why');

# Bound to loopback: admitted, by secret and by session.
my $lo = svc('create', 'loopback', '--allow-from', '127.0.0.0/8,::1,10.0.0.0/8', '--json');
$r = exchange('/app/', $lo);
ok t_cmp($r->code, 200, 'bound to 127/8: admitted from 127.0.0.1');
my $s = session_of($r);
ok $s;    # and it gets a session
ok t_cmp(with_session('/app/', $s)->code, 200, 'its session admits');

# Narrowing the list refuses the live session on the next request.
svc('set', 'loopback', '--allow-from', '10.0.0.0/8', '--json');
$mark = log_mark();
ok t_cmp(with_session('/app/', $s)->code, 401, 'narrowed to 10/8: the live session is refused');
ok t_cmp(log_since($mark),
         qr/SVCT1201: session refused \(cookie\): client address 127\.0\.0\.1 is outside the --allow-from of token "loopback"/,
         'the error log says why');
ok t_cmp(exchange('/app/', $lo)->code, 401, 'and so is the secret');
svc('set', 'loopback', '--allow-from', 'any', '--json');
ok t_cmp(with_session('/app/', $s)->code, 200, 'any: the same session admits again');

# Through mod_remoteip: X-Forwarded-For from a trusted proxy decides.
Apache::TestRequest::module('remoteip_trusted');
$r = exchange('/app/', $ten, 'X-Forwarded-For' => '10.9.8.7');
ok t_cmp($r->code, 200, 'trusted proxy says 10.9.8.7: admitted');
$s = session_of($r);
ok t_cmp(with_session('/app/', $s, 'X-Forwarded-For' => '10.9.8.7')->code, 200,
         'its session admits from 10.9.8.7');
$mark = log_mark();
ok t_cmp(with_session('/app/', $s)->code, 401, 'the same session from 127.0.0.1 is refused');
ok t_cmp(with_session('/app/', $s, 'X-Forwarded-For' => '192.0.2.99')->code, 401,
         'and from 192.0.2.99');
ok t_cmp(log_since($mark), qr/client address 192\.0\.2\.99 is outside/,
         'the log names the address mod_remoteip made');
ok t_cmp(exchange('/app/', $ten, 'X-Forwarded-For' => '203.0.113.5')->code, 401,
         'trusted proxy says 203.0.113.5: refused');

# From a peer mod_remoteip does not trust, X-Forwarded-For is only a header.
Apache::TestRequest::module('remoteip_untrusted');
$mark = log_mark();
ok t_cmp(exchange('/app/', $ten, 'X-Forwarded-For' => '10.9.8.7')->code, 401,
         'untrusted peer says 10.9.8.7: refused');
ok t_cmp(log_since($mark), qr/client address 127\.0\.0\.1 is outside/,
         'the address judged is the peer\'s');
ok t_cmp(with_session('/app/', $s, 'X-Forwarded-For' => '10.9.8.7')->code, 401,
         'nor does a session get in that way');

# Without mod_remoteip configured, X-Forwarded-For means nothing either.
Apache::TestRequest::module('default');
ok t_cmp(exchange('/app/', $ten, 'X-Forwarded-For' => '10.9.8.7')->code, 401,
         'no mod_remoteip: X-Forwarded-For is ignored');

# Unbound tokens are not affected.
ok t_cmp(exchange('/app/', $fx->{tokens}{alpha})->code, 200, 'an unbound token still works');
svc('delete', 'ten-only', '--json');
svc('delete', 'loopback', '--json');
ok t_cmp(exchange('/app/', $ten)->code, 401, 'deleted');
