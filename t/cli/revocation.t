#!/usr/bin/perl
# `svctoken revocation` shows the revocation time; `revoke-sessions` never
# lowers it, except with --reset, the way out of a time that a clock ahead
# recorded (made here by the test_revoke tool, t/unit/test_revoke.c).
use strict;
use warnings;
use Test::More;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use FindBin;
use lib $FindBin::Bin;
use CliHelper;

my $tool = dirname($CLI) . '/unit/test_revoke';
-x $tool or BAIL_OUT("build $tool first");
my $dir = tempdir(CLEANUP => 1);
my @s = ('-f', "$dir/tokens.db");
my ($rc, $out, $err) = svctoken(@s, 'create', 'x');
is($rc, 0, 'a store') or diag $err;

($rc, $out) = svctoken(@s, 'revocation');
is($rc, 0, 'revocation on a store never revoked');
is($out, "No sessions have been revoked.\n", 'says so');
($rc, $out) = svctoken(@s, 'revocation', '--json');
is_deeply(json($out), { revoked_before => undef }, '--json: null');

my $before = time;
($rc, $out) = svctoken(@s, 'revoke-sessions', '--json');
my $t = rfc3339(json($out)->{revoked_before});
ok($t > $before && $t <= time + 1, 'revoke-sessions: the next second');
($rc, $out) = svctoken(@s, 'revocation', '--json');
is(rfc3339(json($out)->{revoked_before}), $t, 'revocation shows it');
($rc, $out) = svctoken(@s, 'revocation');
like($out, qr/^Sessions issued before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ are refused\.$/, 'in words');

my $ahead = time + 365 * 86400;
system($tool, 'set', "$dir/tokens.db", $ahead) == 0 or die;
($rc, $out, $err) = svctoken(@s, 'revoke-sessions', '--json');
is($rc, 0, 'revoke-sessions under a time a year ahead');
is(rfc3339(json($out)->{revoked_before}), $ahead, 'keeps the later time');
ok(one_line($err) && $err =~ /ahead of this clock; if it is wrong, run revoke-sessions --reset/,
   'and says how to reset it') or diag $err;
($rc, $out, $err) = svctoken(@s, 'revoke-sessions', '--reset', '--json');
is($rc, 0, 'revoke-sessions --reset') or diag $err;
$t = rfc3339(json($out)->{revoked_before});
ok($t <= time + 1 && $t > time - 5, 'lowers it to the next second');
is($err, '', 'quietly');
($rc, $out) = svctoken(@s, 'revocation', '--json');
is(rfc3339(json($out)->{revoked_before}), $t, 'as revocation shows');

# A machine whose clock runs a year ahead of the file system holding the
# store: revoke-sessions refuses and changes nothing; a few seconds ahead is
# fine. libfaketime moves this process's clock only (NO_FAKE_STAT: the file
# times stay the file system's own).
my @ahead = ('env', 'NO_FAKE_STAT=1',
             'ASAN_OPTIONS=' . join(':', grep { length } $ENV{ASAN_OPTIONS} // '',
                                    'verify_asan_link_order=0'),
             'faketime', '-f');
($rc, $out) = svctoken(@s, 'revocation', '--json');
my $kept = json($out)->{revoked_before};
($rc, $out, $err) = CliHelper::_run([@ahead, '+365d'], @s, 'revoke-sessions');
is($rc, 1, 'revoke-sessions from a clock a year ahead is refused');
ok(one_line($err) && $err =~ /clock is \d+ s ahead of the file system .*nothing was changed/,
   'says why, in one line') or diag $err;
is($out, '', 'prints nothing as if it succeeded');
($rc, $out) = svctoken(@s, 'revocation', '--json');
is(json($out)->{revoked_before}, $kept, 'the revocation time is unchanged');
($rc, $out, $err) = CliHelper::_run([@ahead, '+2s'], @s, 'revoke-sessions', '--json');
is($rc, 0, 'two seconds ahead is within the allowance') or diag $err;

($rc, $out, $err) = svctoken(@s, 'list', '--reset');
is($rc, 2, '--reset belongs to revoke-sessions only');
like($err, qr/list does not take --reset/, 'says so');
($rc, $out, $err) = svctoken(@s, 'revocation', 'now');
is($rc, 2, 'revocation takes no argument');

done_testing;
