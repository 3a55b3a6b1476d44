# With every per-child cache on (verified sessions, token records, issued
# sessions), a store change made while the caches hold the token is seen by
# the next request: disable, rotate, revoke-sessions and delete, each once
# the caches have settled on the store (a store changed less than a second
# ago is not cached at all: the module's clocks are moved forward rather
# than waited for) and each with requests on both children's worth of
# keep-alive connections primed first.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;

plan tests => 18;

my $store = "$ENV{SVCT_VAR}/cache.db";
unlink glob("$store*");
my @store = ('-f', $store);

sub svc {
    my ($rc, $out, $err) = cli(@store, @_);
    die "svctoken @_: $err" if $rc;
    chmod 0644, grep { !/\.lock$/ } glob("$store*");    # read by the children (nobody)
    return $out =~ /^\s*[\[{]/ ? decode_json($out) : $out;
}
sub with_session { GET('/cache/', Cookie => "CF_Authorization=$_[0]")->code }
sub by_secret    { exchange('/cache/', $_[0])->code }

# Fills every cache: the token record (settled store), the verified session
# and the issued session, in as many children as answer.
sub prime {
    my ($t, $s) = @_;
    advance_clock(1.2);
    my $ok = 1;
    for (1 .. 6) {
        $ok &&= by_secret($t) == 200;
        $ok &&= with_session($s) == 200 if $s;
    }
    return $ok;
}

# Runs the change, then the request, and checks its answer.
sub refused_after {
    my ($what, $change, $req, $want) = @_;
    $change->();
    ok t_cmp($req->(), $want, "$what: the next request answers $want");
}

my $t = svc('create', 'cached', '--duration', '30d', '--json');
my $s = session_of(exchange('/cache/', $t));
ok t_cmp((defined $s) ? 1 : 0, 1, 'exchange gives a session');

ok t_cmp((prime($t, $s)) ? 1 : 0, 1, 'caches primed');
# Primed means cached: with the store's lock file unreadable (the DBM files
# keep their stamp), a child whose caches hold the token still answers; one
# that would read the store cannot (500).
{
    chmod 0000, "$store.lock";
    my %codes;
    $codes{ with_session($s) }++ for 1 .. 6;
    chmod 0644, "$store.lock";
    ok t_cmp(join(' ', sort keys %codes), qr/^200( 500)?$/, 'the primed caches answer without the store');
}
refused_after('disable, secret', sub { svc('disable', 'cached') }, sub { by_secret($t) }, 401);
ok t_cmp(with_session($s), 401, 'disable: the cached session is refused too');
svc('enable', 'cached');
ok t_cmp(with_session($s), 200, 'enable: the session works again at once');

ok t_cmp((prime($t, $s)) ? 1 : 0, 1, 'caches primed');
my $rot;
refused_after('rotate', sub { $rot = svc('rotate', 'cached', '--json') },
    sub { by_secret($t) }, 401);
my $new = { client_id => $t->{client_id}, client_secret => $rot->{client_secret} };
ok t_cmp(by_secret($new), 200, 'rotate: the new secret works at once');

# Sessions issued in an earlier second than the revocation.
ok t_cmp((prime($new, $s)) ? 1 : 0, 1, 'caches primed');
refused_after('revoke-sessions', sub { svc('revoke-sessions') }, sub { with_session($s) }, 401);
my $fresh = session_of(exchange('/cache/', $new));
ok t_cmp(($fresh && $fresh ne $s) ? 1 : 0, 1, 'revoke-sessions: a new session is issued, not a cached one');
ok t_cmp(with_session($fresh), 200, 'and it admits');

ok t_cmp((prime($new, $fresh)) ? 1 : 0, 1, 'caches primed');
refused_after('delete, session', sub { svc('delete', 'cached') }, sub { with_session($fresh) }, 401);
ok t_cmp(by_secret($new), 401, 'delete: the secret is refused too');

# A store replaced by another file (not how svctoken writes) is seen once
# the module stamps its path again (SVCT_CACHE_RECHECK_NS).
my $u = svc('create', 'other', '--json');
my $us = session_of(exchange('/cache/', $u));
ok t_cmp((prime($u, $us)) ? 1 : 0, 1, 'caches primed');
system('cp', $store, "$store.new") == 0 or die;
{
    my ($rc) = cli('-f', "$store.new", 'disable', 'other');
    die "disable in the copy failed" if $rc;
}
chmod 0644, "$store.new";
rename "$store.new", $store or die "rename: $!";
advance_clock(0.5);
ok t_cmp(with_session($us), 401, 'a replaced store file: the session is refused');
unlink "$store.new.lock";
