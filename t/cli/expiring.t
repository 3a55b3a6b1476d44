#!/usr/bin/perl
# svctoken expiring [--within D] on a DBM store: the enabled tokens that
# expire within D (default 7d) or have expired, as list prints them (the
# same columns, with --json the same objects), exit 1; none: exit 0 and
# nothing printed (an empty array with --json); never a token that never
# expires nor a disabled one; a bad --within is a usage error (2), a store
# that cannot be read 3. Times are made by backdating, not by waiting.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use File::Temp qw(tempdir);
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
my $db  = "$dir/tokens.db";
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};
sub cli { return svctoken('-f', $db, @_) }

# An empty store, then tokens that are far from their end: nothing.
my ($rc, $out, $err) = cli('create', 'in-1y');
is $rc, 0, 'a token of a year';
($rc, $out, $err) = cli('expiring');
is $rc, 0, 'none expires within 7 days: exit 0';
is $out, '', 'and nothing is printed (cron mails nothing)';
is $err, '', 'nor on stderr';
($rc, $out) = cli('expiring', '--json');
is $rc, 0, '--json: exit 0';
is_deeply json($out), [], '--json: an empty array';

my %tok;
sub make {
    my ($name, @args) = @_;
    my ($rc, $out, $err) = cli('create', $name, @args, '--json');
    die "create $name: $err" if $rc;
    $tok{$name} = json($out);
}
make('in-6d', '--duration', '6d');
make('in-8d', '--duration', '8d');
make('forever', '--duration', 'forever');
make('gone', '--duration', '1d');
backdate($db, 'gone', 3 * 86400);
make('off-2d', '--duration', '2d');
is((cli('disable', 'off-2d'))[0], 0, 'a disabled token expiring in 2 days');
make('in-20d', '--duration', '20d');

sub names_of { return join ',', map { $_->{name} } @{ $_[0] } }
my ($lrc, $listed) = cli('list', '--json');
my %by_name = map { $_->{name} => $_ } @{ json($listed) };

($rc, $out, $err) = cli('expiring');
is $rc, 1, 'some expire within 7 days: exit 1';
is $err, '', 'and nothing on stderr';
my @lines = split /\n/, $out;
is scalar(@lines), 3, 'a header and two tokens' or diag $out;
like $lines[0], qr/^NAME\s+CLIENT ID\s+CREATED\s+UPDATED\s+EXPIRES\s+STATUS\s+LAST SEEN$/, 'the columns of list';
like $lines[1], qr/^gone\s+\Q$tok{gone}{client_id}\E\s+\S+\s+\S+\s+\Q$by_name{gone}{expires_at}\E\s+expired\s+never$/,
    'the expired token, sorted by name, as list prints it';
like $lines[2], qr/^in-6d\s+\Q$tok{'in-6d'}{client_id}\E\s+\S+\s+\S+\s+\Q$by_name{'in-6d'}{expires_at}\E\s+active\s+never$/,
    'the token that expires in 6 days';
unlike $out, qr/in-8d|forever|off-2d|in-20d|in-1y/, 'not the 8-day, forever, disabled or later ones';

($rc, $out) = cli('expiring', '--json');
is $rc, 1, '--json: exit 1';
my $doc = json($out);
is names_of($doc), 'gone,in-6d', '--json: the same two tokens';
is_deeply $doc, [ @by_name{qw(gone in-6d)} ], '--json: the very objects of list --json';

($rc, $out) = cli('expiring', '--within', '30d', '--json');
is $rc, 1, '--within 30d: exit 1';
is names_of(json($out)), 'gone,in-20d,in-6d,in-8d', '--within 30d: the 8- and 20-day tokens too';
($rc, $out) = cli('expiring', '--within=1h', '--json');
is names_of(json($out)), 'gone', '--within=1h: only the expired one';

# Usage errors: 2, with one line and the usage; a store error: 3.
for my $bad ('0', 'soon', '7', 'forever', '-1d', '') {
    ($rc, $out, $err) = cli('expiring', '--within', $bad);
    is $rc, 2, "--within '$bad': exit 2";
    like $err, qr/\Asvctoken: bad --within "\Q$bad\E": [^\n]+\nusage: /, "--within '$bad': says why";
    is $out, '', "--within '$bad': nothing on stdout";
}
($rc, undef, $err) = cli('expiring', 'extra');
is $rc, 2, 'an argument: exit 2';
($rc, undef, $err) = cli('list', '--within', '7d');
is $rc, 2, 'list does not take --within: exit 2';
($rc, $out, $err) = svctoken('-f', "$dir/missing.db", 'expiring');
is $rc, 3, 'a store that is not there: exit 3';
ok one_line($err), 'with one line';
($rc, $out) = svctoken('expiring');
is $rc, 2, 'no store at all: exit 2';

# Help.
($rc, $out) = svctoken('help', 'expiring');
is $rc, 0, 'help expiring';
like $out, qr/^usage: svctoken \[STORE OPTIONS\] expiring \[--within D\]/, 'its usage line';
($rc, $out) = svctoken('--help');
like $out, qr/^  expiring \[--within D\]/m, '--help lists it';

done_testing;
