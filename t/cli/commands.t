#!/usr/bin/perl
# Every svctoken command against a fresh store: human and --json output field
# by field, expiry arithmetic, ID-OR-NAME lookups, and that no secret reaches
# the store or stderr.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Digest::SHA qw(sha256_hex);
use Test::More;
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
my $store = "$dir/tokens";
$ENV{SVCTOKEN_STORE} = $store;
delete $ENV{SVCTOKEN_DBMTYPE};

my $ID_RE = qr/\A[0-9a-f]{32}\.access\z/;
my $SECRET_RE = qr/\A[0-9a-f]{64}\z/;
my $YEAR = 365 * 86400;
my @FIELDS = qw(name client_id created_at updated_at expires_at status
                previous_secret_expires_at allow_from);

sub fields_ok {
    my ($obj, $name, $what, %opt) = @_;
    my @want = (@FIELDS, $opt{secret} ? ('client_secret') : (), $opt{seen} ? ('last_seen_at') : ());
    is_deeply([sort keys %$obj], [sort @want], "$what: exactly the fields @want");
    is($obj->{name}, $name, "$what: name");
    like($obj->{client_id}, $ID_RE, "$what: client_id shape");
    ok(defined rfc3339($obj->{created_at}), "$what: created_at is RFC 3339 UTC");
    ok(defined rfc3339($obj->{updated_at}), "$what: updated_at is RFC 3339 UTC");
    ok(!defined $obj->{expires_at} || defined rfc3339($obj->{expires_at}),
       "$what: expires_at is RFC 3339 UTC or null");
    like($obj->{status}, qr/\A(active|expired|disabled)\z/, "$what: status");
    ok(!defined $obj->{previous_secret_expires_at}
           || defined rfc3339($obj->{previous_secret_expires_at}),
       "$what: previous_secret_expires_at is RFC 3339 UTC or null");
    ok(!defined $obj->{last_seen_at} || defined rfc3339($obj->{last_seen_at}),
       "$what: last_seen_at is RFC 3339 UTC or null") if $opt{seen};
    like($obj->{client_secret}, $SECRET_RE, "$what: client_secret shape") if $opt{secret};
}

# create (human)
my $t0 = time;
my ($rc, $out, $err) = svctoken('create', 'build-bot');
is($rc, 0, 'create exits 0') or diag $err;
is($err, '', 'create prints nothing on stderr');
like($out, qr/^Name:\s+build-bot$/m, 'create prints the name');
my ($bot_id) = $out =~ /^Client ID:\s+(\S+)$/m;
my ($bot_secret) = $out =~ /^Client Secret:\s+(\S+)$/m;
like($bot_id, $ID_RE, 'create prints a Client ID');
like($bot_secret, $SECRET_RE, 'create prints a 64-hex Client Secret');
like($out, qr/^Expires:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m, 'create prints the expiry');
like($out, qr/shown only this once/, 'create says the secret is shown once');
ok(-f $store && -f "$store.lock", 'create made the store and its lock file');
is((stat $store)[2] & 0777, 0640 & ~umask, 'store file mode is 0640 (less umask)');

# create --json, options after the name
($rc, $out, $err) = svctoken('create', 'deploy', '--duration', '90d', '--json');
is($rc, 0, 'create --duration 90d --json exits 0') or diag $err;
my $deploy = json($out);
ok($deploy, 'create --json prints one JSON document') or diag $out;
fields_ok($deploy, 'deploy', 'create --json', secret => 1);
is($deploy->{status}, 'active', 'new token is active');
is($deploy->{created_at}, $deploy->{updated_at}, 'new token: updated_at = created_at');
is(rfc3339($deploy->{expires_at}) - rfc3339($deploy->{created_at}), 90 * 86400,
   'expires_at = created_at + 90d');
cmp_ok(abs(rfc3339($deploy->{created_at}) - time), '<=', 5, 'created_at is now');

# options before the command, --duration=VALUE form, default 1y
($rc, $out, $err) = svctoken('--json', 'create', 'yearly');
my $yearly = json($out);
is($rc, 0, '--json before the command');
is(rfc3339($yearly->{expires_at}) - rfc3339($yearly->{created_at}), $YEAR,
   'default duration is 1y = 365 days');
($rc, $out) = svctoken('create', '--duration=8760h', 'hours', '--json');
is($rc, 0, '--duration=8760h before the name');
my $hours = json($out);
is(rfc3339($hours->{expires_at}) - rfc3339($hours->{created_at}), $YEAR, '8760h = 1y');
($rc, $out) = svctoken('create', 'eternal', '--duration', 'forever', '--json');
my $eternal = json($out);
is($rc, 0, 'create --duration forever');
ok(exists $eternal->{expires_at} && !defined $eternal->{expires_at},
   'forever: expires_at is null');
($rc, $out) = svctoken('show', 'eternal');
like($out, qr/^Expires:\s+never$/m, 'forever: human output says never');
($rc, $out, $err) = svctoken('create', '--', '-dash');
is($rc, 0, '"--" lets a name start with a dash') or diag $err;
($rc, $out, $err) = svctoken('create', "caf\xc3\xa9-\xe2\x9c\x93");
is($rc, 0, 'UTF-8 name accepted') or diag $err;
# Names that could forge an access log field, pass for "no user" or hide
# what they are (unit-tested one by one in t/unit/test_name.c).
for my $bad (['with space', 'a space'], ['-', 'a lone dash'], ['x[1]', 'brackets'],
             ['say"hi"', 'quotes'], ["ab\xe2\x80\xaecd", 'a bidi override'],
             ["a\xe2\x80\x8bb", 'a zero-width space']) {
    ($rc, $out, $err) = svctoken('create', '--', $bad->[0]);
    is($rc, 1, "a name with $bad->[1] is refused");
    like($err, qr/invalid name .*letters, digits and characters of !#\$%&\*\+,-\.\/:;=\?\@\^_\|~/,
         "$bad->[1]: the message says what is allowed");
}

# the secret never reaches the store; only its hash does
my $bytes = store_bytes($store);
for my $s ([$bot_secret, 'build-bot'], [$deploy->{client_secret}, 'deploy']) {
    is(index($bytes, $s->[0]), -1, "$s->[1]: secret not in the store file");
    isnt(index($bytes, sha256_hex($s->[0])), -1, "$s->[1]: its SHA-256 is");
}
is(index($bytes, uc $bot_secret), -1, 'nor in upper case');

# duplicates
($rc, $out, $err) = svctoken('create', 'build-bot');
is($rc, 1, 'duplicate name refused with 1');
ok(one_line($err), 'one line on stderr') or diag $err;
like($err, qr/build-bot.*exists/, 'says the name exists');
is($out, '', 'nothing on stdout');

# list
($rc, $out, $err) = svctoken('list');
is($rc, 0, 'list exits 0');
my @lines = split /\n/, $out;
like($lines[0], qr/\ANAME\s+CLIENT ID\s+CREATED\s+UPDATED\s+EXPIRES\s+STATUS\s+LAST SEEN\z/, 'list header');
my @names = map { (split /\s{2,}/)[0] } @lines[1 .. $#lines];
is_deeply(\@names, [sort @names], 'list is sorted by name');
is(scalar @names, 7, 'list has every token');
my $col = index($lines[0], 'CLIENT ID');
is(scalar(grep { substr($_, $col) =~ /\A[0-9a-f]{32}\.access / } grep { !/^caf/ } @lines[1 .. $#lines]),
   6, 'Client ID column aligned');
unlike($out, qr/[0-9a-f]{64}/, 'list shows no secret or hash');
($rc, $out) = svctoken('list', '--json');
my $list = json($out);
is(ref $list, 'ARRAY', 'list --json is an array');
is(scalar @$list, 7, 'of every token');
fields_ok($_, $_->{name}, "list --json $_->{name}", seen => 1) for @$list;
is_deeply([map { $_->{name} } @$list], [sort map { $_->{name} } @$list], 'sorted by name');
unlike($out, qr/[0-9a-f]{64}/, 'list --json shows no secret or hash');
my ($bot) = grep { $_->{name} eq 'build-bot' } @$list;
is($bot->{client_id}, $bot_id, 'list --json: client id as created');

# show by name and by id
($rc, $out) = svctoken('show', 'build-bot', '--json');
is($rc, 0, 'show NAME');
my $shown = json($out);
fields_ok($shown, 'build-bot', 'show --json', seen => 1);
is_deeply($shown, $bot, 'show --json equals the list entry');
($rc, $out) = svctoken('show', $bot_id, '--json');
is_deeply(json($out), $bot, 'show CLIENT-ID finds the same token');
($rc, $out) = svctoken('show', $bot_id);
like($out, qr/^Client ID:\s+\Q$bot_id\E$/m, 'human show has the Client ID');
like($out, qr/^Status:\s+active$/m, 'human show has the status');
unlike($out, qr/[0-9a-f]{64}/, 'show prints no secret or hash');

# unknown tokens
for my $k ('nobody', 'ffffffffffffffffffffffffffffffff.access') {
    ($rc, $out, $err) = svctoken('show', $k);
    is($rc, 1, "show $k: refused with 1");
    ok(one_line($err), "show $k: one line on stderr") or diag $err;
}
($rc, $out, $err) = svctoken('show', $bot_secret);
is($rc, 1, 'show SECRET: unknown');
is(index($err, $bot_secret), -1, 'a secret typed by mistake is not echoed on stderr');
for my $cmd (qw(refresh rotate disable enable delete)) {
    ($rc, $out, $err) = svctoken($cmd, 'nobody');
    is($rc, 1, "$cmd of an unknown token: 1");
    ok(one_line($err), "$cmd: one line on stderr") or diag $err;
}

# refresh: expires := now + D
backdate($store, 'deploy', 10);
$deploy = json((svctoken('show', 'deploy', '--json'))[1]);
my $before = time;
($rc, $out) = svctoken('refresh', 'deploy', '--duration', '30d', '--json');
my $after = time;
is($rc, 0, 'refresh --duration 30d');
my $r = json($out);
fields_ok($r, 'deploy', 'refresh --json');
is(rfc3339($r->{expires_at}) - rfc3339($r->{updated_at}), 30 * 86400,
   'refresh: expires_at = updated_at + 30d');
ok(rfc3339($r->{updated_at}) >= $before && rfc3339($r->{updated_at}) <= $after,
   'refresh: updated_at is now');
is($r->{created_at}, $deploy->{created_at}, 'refresh keeps created_at');
isnt($r->{updated_at}, $deploy->{updated_at}, 'refresh changes updated_at');
($rc, $out) = svctoken('refresh', $deploy->{client_id}, '--json');
$r = json($out);
is(rfc3339($r->{expires_at}) - rfc3339($r->{updated_at}), $YEAR, 'refresh by id, default 1y');
($rc, $out) = svctoken('refresh', 'deploy', '--duration', 'forever', '--json');
ok(!defined json($out)->{expires_at}, 'refresh --duration forever: expires_at null');
($rc, $out) = svctoken('refresh', 'eternal', '--duration', '1w');
is($rc, 0, 'human refresh exits 0');
like($out, qr/eternal/, 'human refresh names the token');
($rc, $out) = svctoken('show', 'eternal', '--json');
is(rfc3339(json($out)->{expires_at}) - rfc3339(json($out)->{updated_at}), 7 * 86400,
   'forever token refreshed to 1w');

# rotate
backdate($store, 'build-bot', 10);
$bot = json((svctoken('show', 'build-bot', '--json'))[1]);
($rc, $out, $err) = svctoken('rotate', 'build-bot', '--json');
is($rc, 0, 'rotate exits 0') or diag $err;
my $rot = json($out);
fields_ok($rot, 'build-bot', 'rotate --json', secret => 1);
isnt($rot->{client_secret}, $bot_secret, 'rotate makes a new secret');
is($rot->{client_id}, $bot_id, 'rotate keeps the Client ID');
is($rot->{created_at}, $bot->{created_at}, 'rotate keeps created_at');
isnt($rot->{updated_at}, $bot->{updated_at}, 'rotate changes updated_at');
$bytes = store_bytes($store);
is(index($bytes, $rot->{client_secret}), -1, 'new secret not in the store');
isnt(index($bytes, sha256_hex($rot->{client_secret})), -1, 'its hash is');
($rc, $out) = svctoken('show', 'build-bot');
unlike($out, qr/Previous secret/, 'no grace: no previous secret accepted');
($rc, $out, $err) = svctoken('rotate', $bot_id, '--grace', '2h');
is($rc, 0, 'rotate --grace 2h by id');
my ($s3) = $out =~ /^Client Secret:\s+(\S+)$/m;
like($s3, $SECRET_RE, 'human rotate prints the new secret');
isnt($s3, $rot->{client_secret}, 'and it is new again');
like($out, qr/shown only this once/, 'with the once-only note');
like($out, qr/previous secret is accepted until (\S+)\./, 'and when the old one stops');
my ($until) = $out =~ /accepted until (\S+)\./;
my ($rot2) = json((svctoken('show', 'build-bot', '--json'))[1]);
is(rfc3339($until) - rfc3339($rot2->{updated_at}), 7200, 'grace ends updated_at + 2h');
($rc, $out) = svctoken('show', 'build-bot');
like($out, qr/^Previous secret accepted until \Q$until\E$/m, 'show tells the grace period');
isnt(index(store_bytes($store), sha256_hex($rot->{client_secret})), -1,
     'the previous hash stays during the grace period');
($rc, $out, $err) = svctoken('rotate', 'build-bot', '--grace', '0');
is($rc, 0, 'rotate --grace 0');
like($out, qr/previous secret no longer works/, 'says the old secret is revoked');
($rc, $out, $err) = svctoken('rotate', 'build-bot', '--grace', 'forever');
is($rc, 1, 'rotate --grace forever refused');
ok(one_line($err), 'one line') or diag $err;

# disable / enable / delete
($rc, $out) = svctoken('disable', 'deploy', '--json');
is($rc, 0, 'disable');
my $d = json($out);
fields_ok($d, 'deploy', 'disable --json');
is($d->{status}, 'disabled', 'status disabled');
($rc, $out) = svctoken('list', '--json');
is((grep { $_->{name} eq 'deploy' } @{json($out)})[0]{status}, 'disabled', 'list shows disabled');
backdate($store, 'deploy', 10);
$d = json((svctoken('show', 'deploy', '--json'))[1]);
($rc, $out) = svctoken('enable', $deploy->{client_id}, '--json');
is($rc, 0, 'enable by id');
is(json($out)->{status}, 'active', 'status active again');
isnt(json($out)->{updated_at}, $d->{updated_at}, 'enable changes updated_at');
($rc, $out) = svctoken('disable', 'deploy');
like($out, qr/Disabled "deploy"/, 'human disable');
($rc, $out) = svctoken('enable', 'deploy');
like($out, qr/Enabled "deploy"/, 'human enable');

($rc, $out, $err) = svctoken('delete', 'yearly');
is($rc, 0, 'delete by name');
like($out, qr/Deleted "yearly"/, 'says so');
($rc, $out, $err) = svctoken('show', 'yearly');
is($rc, 1, 'deleted token is gone (name)');
($rc, $out, $err) = svctoken('show', $yearly->{client_id});
is($rc, 1, 'deleted token is gone (id)');
($rc, $out) = svctoken('delete', $hours->{client_id}, '--json');
is($rc, 0, 'delete by id --json');
is(json($out)->{name}, 'hours', 'prints the deleted token');
($rc, $out, $err) = svctoken('delete', 'hours');
is($rc, 1, 'second delete refused');
($rc, $out) = svctoken('create', 'yearly', '--json');
is($rc, 0, 'a deleted name can be used again');
isnt(json($out)->{client_id}, $yearly->{client_id}, 'with a new Client ID');

# expiry: a 1m token is expired once a minute has passed (backdated: a 1s
# token could expire between two commands on a busy machine)
($rc, $out) = svctoken('create', 'short', '--duration', '1m');
is($rc, 0, 'create --duration 1m');
($rc, $out) = svctoken('show', 'short', '--json');
is(json($out)->{status}, 'active', 'status active before expiry');
backdate($store, 'short', 61);
($rc, $out) = svctoken('show', 'short', '--json');
is(json($out)->{status}, 'expired', 'status expired after expiry');
($rc, $out) = svctoken('refresh', 'short', '--duration', '1h', '--json');
is(json($out)->{status}, 'active', 'refresh revives an expired token');
($rc, $out) = svctoken('disable', 'short');
($rc, $out) = svctoken('refresh', 'short', '--json');
is(json($out)->{status}, 'disabled', 'refresh does not enable a disabled token');

# revoke-sessions: floor(now) + 1
$before = time;
($rc, $out, $err) = svctoken('revoke-sessions', '--json');
$after = time;
is($rc, 0, 'revoke-sessions exits 0') or diag $err;
my $rb = rfc3339(json($out)->{revoked_before});
ok($rb >= $before + 1 && $rb <= $after + 1, 'revoked_before is the next whole second');
($rc, $out) = svctoken('revoke-sessions');
is($rc, 0, 'human revoke-sessions');
like($out, qr/issued before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, 'says from when');
like(store_bytes($store), qr/meta:revoked_before/, 'stored as meta:revoked_before');

done_testing();
