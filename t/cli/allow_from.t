#!/usr/bin/perl
# --allow-from on create and `svctoken set`: canonical CIDRs in show/--json,
# "any" clears the list, every bad value is exit 1 with the store untouched,
# at most 32 ranges, and a record written before --allow-from existed (v1)
# keeps working and is written back in the new format.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Fcntl;
use File::Temp qw(tempdir);
use SDBM_File;
use Test::More;
use CliHelper;
use lib "$FindBin::Bin/../lib";
use SvcToken::Run qw(capture);

my $dir = tempdir(CLEANUP => 1);
my $store = "$dir/tokens";
$ENV{SVCTOKEN_STORE} = $store;

my ($rc, $out, $err) = svctoken('create', 'bound', '--allow-from',
                                '10.0.0.0/8,2001:DB8:0::/32,192.0.2.7,::ffff:198.51.100.0/120',
                                '--json');
is($rc, 0, 'create --allow-from: exit 0') or diag $err;
my $t = json($out);
is_deeply($t->{allow_from}, ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32', '198.51.100.0/24'],
          'create --json: allow_from in canonical form');
($rc, $out) = svctoken('show', 'bound');
like($out, qr{^Allow from: 10\.0\.0\.0/8, 2001:db8::/32, 192\.0\.2\.7/32, 198\.51\.100\.0/24$}m,
     'show prints the ranges');
($rc, $out) = svctoken('list', '--json');
is_deeply(json($out)->[0]{allow_from}, $t->{allow_from}, 'list --json has them too');

($rc, $out) = svctoken('create', 'free', '--json');
is(json($out)->{allow_from}, undef, 'a token made without --allow-from: allow_from null');
($rc, $out) = svctoken('show', 'free');
unlike($out, qr/Allow from/, 'show says nothing of ranges for a token usable from anywhere');

# set, by name and by Client ID
($rc, $out, $err) = svctoken('set', 'free', '--allow-from', '127.0.0.1', '--json');
is($rc, 0, 'set by name: exit 0') or diag $err;
is_deeply(json($out)->{allow_from}, ['127.0.0.1/32'], 'set: the new list');
($rc, $out, $err) = svctoken('set', $t->{client_id}, '--allow-from', 'any');
is($rc, 0, 'set by Client ID to any: exit 0');
like($out, qr/^"bound" \(\Q$t->{client_id}\E\) is accepted from any address\.$/, 'says so');
($rc, $out) = svctoken('show', 'bound', '--json');
is(json($out)->{allow_from}, undef, 'any: allow_from is null again');
cmp_ok(rfc3339(json($out)->{updated_at}), '>=', rfc3339($t->{updated_at}), 'updated_at moves');
($rc, $out) = svctoken('set', 'bound', '--allow-from', '::1,10.1.0.0/16');
like($out, qr{is accepted from ::1/128, 10\.1\.0\.0/16\.$}, 'set prints the list');

my @tooMany = map { "10.$_.0.0/16" } 0 .. 32;
($rc, $out, $err) = svctoken('set', 'bound', '--allow-from', join(',', @tooMany[0 .. 31]));
is($rc, 0, '32 ranges are accepted') or diag $err;

# Refusals: exit 1, one line, nothing written.
my $before = store_bytes($store);
for my $case (['10.0.0.1/8', qr/bad --allow-from "10\.0\.0\.1\/8": not a CIDR/, 'host bits set'],
              ['10.0.0.0/33', qr/not a CIDR/, 'prefix over 32'],
              ['2001:db8::/129', qr/not a CIDR/, 'prefix over 128'],
              ['10.0.0.0/8,bogus', qr/"bogus": not a CIDR/, 'the bad item is named'],
              ['example.com', qr/not a CIDR/, 'a host name'],
              ['10.0.0.0/8,', qr/CIDRs separated by commas, or "any"/, 'trailing comma'],
              ['', qr/CIDRs separated by commas/, 'empty'],
              ['any,10.0.0.0/8', qr/"any": not a CIDR/, 'any inside a list'],
              [join(',', @tooMany), qr/at most 32 CIDRs/, '33 ranges'],
              ["10.0.0.0/8\e[31m", qr/\\x1b/, 'control characters are shown escaped']) {
    my ($value, $why, $what) = @$case;
    ($rc, $out, $err) = svctoken('set', 'bound', '--allow-from', $value);
    is($rc, 1, "set, $what: exit 1");
    like($err, qr/\A[^\n]*\n\z/, "set, $what: one line");
    like($err, $why, "set, $what: says why");
    ($rc, $out, $err) = svctoken('create', 'never', '--allow-from', $value);
    is($rc, 1, "create, $what: exit 1");
    is($out, '', "create, $what: prints no secret");
}
is(store_bytes($store), $before, 'nothing was written by any refusal');
($rc) = svctoken('show', 'never');
is($rc, 1, 'no token was created');

# Usage errors
($rc, $out, $err) = svctoken('set', 'bound');
is($rc, 2, 'set without --allow-from: usage error');
like($err, qr/set needs --allow-from/, 'says what set needs');
($rc, $out, $err) = svctoken('refresh', 'bound', '--allow-from', 'any');
is($rc, 2, 'refresh does not take --allow-from');
($rc, $out, $err) = svctoken('set', 'nosuch', '--allow-from', 'any');
is($rc, 1, 'set of an unknown token: exit 1');

# SDBM holds a record in one 1008-byte page: a list that does not fit is
# refused before anything is written.
my $sdbm = "$dir/small";
($rc, $out) = svctoken('-f', $sdbm, '-t', 'SDBM', 'create', 'sd', '--json');
my $long = join ',', map { sprintf 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff%02x/128', $_ } 0 .. 31;
$before = store_bytes($sdbm);
($rc, $out, $err) = svctoken('-f', $sdbm, '-t', 'SDBM', 'set', 'sd', '--allow-from', $long);
is($rc, 1, 'SDBM: too long a list is refused');
like($err, qr/too long for an SDBM store/, 'and says why');
is(store_bytes($sdbm), $before, 'SDBM: nothing written');
($rc, $out, $err) = svctoken('-f', $sdbm, '-t', 'SDBM', 'set', 'sd', '--allow-from',
                             '10.0.0.0/8,192.168.0.0/16');
is($rc, 0, 'SDBM: a short list fits') or diag $err;

# A v1 record (written before --allow-from existed) keeps working, and the
# next change writes it in the current format.
my $id = json((svctoken('-f', $sdbm, '-t', 'SDBM', 'create', 'old', '--json'))[1])->{client_id};
{
    tie my %h, 'SDBM_File', $sdbm, O_RDWR, 0644 or die "$sdbm: $!";
    my $v = $h{"id:$id"};
    like($v, qr/\Av2\t.*\t-\z/, 'the CLI writes v2 records');
    $v =~ s/\Av2/v1/;
    $v =~ s/\t-\z//;
    $h{"id:$id"} = $v;
    untie %h;
}
($rc, $out, $err) = svctoken('-f', $sdbm, '-t', 'SDBM', 'show', 'old', '--json');
is($rc, 0, 'a v1 record is read') or diag $err;
is(json($out)->{allow_from}, undef, 'a v1 record is usable from anywhere');
($rc) = svctoken('-f', $sdbm, '-t', 'SDBM', 'refresh', 'old');
is($rc, 0, 'refresh of a v1 record');
{
    tie my %h, 'SDBM_File', $sdbm, O_RDONLY, 0644 or die "$sdbm: $!";
    like($h{"id:$id"}, qr/\Av2\t.*\t-\z/, 'the change wrote it back as v2');
}

# A SQL store (SQLite here) keeps the ranges in its record column, which
# holds 1024 characters; export and import carry them.
my $sql = "sqlite3:$dir/tokens.sqlite";
($rc) = svctoken('--dbd', $sql, 'init');
is($rc, 0, 'SQL store made');
($rc, $out, $err) = svctoken('--dbd', $sql, 'create', 'sq', '--allow-from', '10.0.0.0/8,::1',
                             '--json');
is($rc, 0, 'SQL: create --allow-from') or diag $err;
is_deeply(json($out)->{allow_from}, ['10.0.0.0/8', '::1/128'], 'SQL: the ranges are kept');
($rc, $out, $err) = svctoken('--dbd', $sql, 'set', 'sq', '--allow-from', $long);
is($rc, 1, 'SQL: a record over 1024 bytes is refused');
like($err, qr/too long for a SQL store/, 'and says why');
($rc, $out) = svctoken('--dbd', $sql, 'show', 'sq', '--json');
is_deeply(json($out)->{allow_from}, ['10.0.0.0/8', '::1/128'], 'SQL: nothing was written');
($rc, $out) = svctoken('--dbd', $sql, 'export');
like($out, qr/"allow_from":\["10\.0\.0\.0\/8","::1\/128"\]/, 'export has allow_from');
($rc, $out, $err) = capture({ stdin => $out }, $CLI, '-f', "$dir/imported", 'import');
is($rc, 0, 'import into a DBM store') or diag $err;
($rc, $out) = svctoken('-f', "$dir/imported", 'show', 'sq', '--json');
is_deeply(json($out)->{allow_from}, ['10.0.0.0/8', '::1/128'], 'import keeps allow_from');

done_testing();
