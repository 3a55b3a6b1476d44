#!/usr/bin/perl
# last_seen_at in list and show, and list --inactive D, on a DBM store whose
# last-seen directory holds what httpd's children would have recorded (an
# entry per token, its mtime the last use): output, --json, exit codes; no
# directory at all means "never"; one that cannot be searched is an error,
# never taken for "never"; delete drops the token's entry.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Test::More;
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
my $store = "$dir/tokens.db";
$ENV{SVCTOKEN_STORE} = $store;

my %id;
for my $n (qw(daily weekly dormant fresh)) {
    my ($rc, $out, $err) = svctoken('create', $n, '--json');
    is $rc, 0, "create $n" or diag $err;
    $id{$n} = json($out)->{client_id};
}

# Before httpd ever made the directory: every token was never seen.
my ($rc, $out, $err) = svctoken('list', '--json');
is $rc, 0, 'list without a last-seen directory';
is_deeply [map { $_->{last_seen_at} } @{ json($out) }], [undef, undef, undef, undef],
    'every last_seen_at is null';
($rc, $out) = svctoken('list', '--inactive', '1d');
is $rc, 0, 'list --inactive 1d exits 0';
is scalar(() = $out =~ /\bnever$/mg), 4, 'and lists all four, never seen';

my $now = time;
my %ago = (daily => 3600, weekly => 3 * 86400, dormant => 40 * 86400);
mkdir "$store.seen", 0711 or die;
for my $n (keys %ago) {
    my $f = "$store.seen/$id{$n}";
    open my $fh, '>', $f or die;
    close $fh;
    utime $now - $ago{$n}, $now - $ago{$n}, $f or die;
}

sub names {
    my ($json) = @_;
    return [map { $_->{name} } @{ json($json) }];
}
($rc, $out, $err) = svctoken('list', '--json');
is $rc, 0, 'list --json';
my %seen = map { $_->{name} => $_->{last_seen_at} } @{ json($out) };
is $seen{fresh}, undef, 'a token never used: null';
is rfc3339($seen{$_}), $now - $ago{$_}, "$_: last_seen_at is its entry's time" for sort keys %ago;

($rc, $out) = svctoken('list');
like $out, qr/^NAME\s.*\sSTATUS\s+LAST SEEN$/m, 'the table has a LAST SEEN column';
like $out, qr/^daily\s.*\sactive\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(1 h ago\)$/m,
    'time and how long ago';
like $out, qr/^weekly\s.*\(3 d ago\)$/m, 'in days beyond two';
like $out, qr/^fresh\s.*\sactive\s+never$/m, 'never';

my @cases = (['30m', [qw(daily dormant fresh weekly)]], ['2d', [qw(dormant fresh weekly)]],
             ['1w', [qw(dormant fresh)]], ['90d', [qw(fresh)]]);
for my $c (@cases) {
    ($rc, $out, $err) = svctoken('list', '--inactive', $c->[0], '--json');
    is $rc, 0, "list --inactive $c->[0] exits 0";
    is_deeply names($out), $c->[1], "and keeps the tokens unused for $c->[0] or never used";
}
($rc, $out) = svctoken('list', "--inactive=1w");
is_deeply [map { (split ' ')[0] } grep { !/^NAME/ } split /\n/, $out], [qw(dormant fresh)],
    '--inactive=D, table output';

($rc, $out, $err) = svctoken('show', 'dormant');
is $rc, 0, 'show';
like $out, qr/^Last seen:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(40 d ago\)$/m, 'show prints last seen';
($rc, $out) = svctoken('show', 'fresh', '--json');
ok exists json($out)->{last_seen_at} && !defined json($out)->{last_seen_at},
    'show --json: last_seen_at null';
($rc, $out) = svctoken('show', 'fresh');
like $out, qr/^Last seen:\s+never$/m, 'show: never';

for my $bad ('soon', '0', '-1d', 'forever', '') {
    ($rc, $out, $err) = svctoken('list', '--inactive', $bad);
    is $rc, 1, "--inactive '$bad' refused with 1";
    ok one_line($err), 'one line' or diag $err;
    is $out, '', 'nothing listed';
}
($rc, undef, $err) = svctoken('show', 'daily', '--inactive', '1d');
is $rc, 2, 'show --inactive: usage error';
like $err, qr/show does not take --inactive/, 'says so';
($rc, undef, $err) = svctoken('list', '--inactive');
is $rc, 2, '--inactive without a value: usage error';

# A directory the user cannot search is an error, never "never" (a cron
# job deleting inactive tokens must not delete them all).
{
    my @run = $> == 0 ? (sub { svctoken_as('nobody', @_) }) : (sub { svctoken(@_) });
    if ($> == 0) {
        chmod 0755, $dir;
        chmod 0644, $store, "$store.lock";
    }
    chmod 0700, "$store.seen" if $> == 0;
    chmod 0, "$store.seen" if $> != 0;
    ($rc, $out, $err) = $run[0]->('-f', $store, 'list', '--inactive', '1d');
    is $rc, 3, 'a last-seen directory the user cannot search: exit 3';
    like $err, qr/cannot read the last-seen time .*Permission denied/, 'says why';
    is $out, '', 'and lists nothing';
    chmod 0711, "$store.seen";
    ($rc, $out, $err) = $run[0]->('-f', $store, 'show', 'daily', '--json');
    is $rc, 0, 'mode 0711: any user who can read the store reads last seen' or diag $err;
    ok defined json($out)->{last_seen_at}, 'the time';
}

($rc) = svctoken('delete', 'dormant');
is $rc, 0, 'delete';
ok !-e "$store.seen/$id{dormant}", 'its last-seen entry is gone';
ok -e "$store.seen/$id{daily}", 'the others stay';

done_testing;
