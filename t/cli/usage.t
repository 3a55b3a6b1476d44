#!/usr/bin/perl
# svctoken's command line: help, every usage error (exit 2), every refusal
# (exit 1) of a bad duration or name, each with the promised stderr shape.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Test::More;
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
my $store = "$dir/tokens";
$ENV{SVCTOKEN_STORE} = $store;

my ($rc, $out, $err);

# help
for my $h ('-h', '--help') {
    ($rc, $out, $err) = svctoken($h);
    is($rc, 0, "$h exits 0");
    like($out, qr{\Ausage: svctoken \[-f STORE \[-t DBMTYPE\] \| --dbd DRIVER:PARAMS\] COMMAND \[ARGS\] \[--json\]},
         "$h prints the usage line on stdout");
    like($out, qr/revoke-sessions/, "$h lists the commands");
    is($err, '', "$h: nothing on stderr");
}
($rc, $out) = svctoken('create', 'x', '--help');
is($rc, 0, '--help after a command still helps');
ok(!-e $store, '... and does nothing');

# usage errors: exit 2, a message and a usage line on stderr, nothing on stdout
my @usage = (
    [[], 'no command'],
    [['frobnicate'], 'unknown command'],
    [['list', '--frob'], 'unknown option'],
    [['-x', 'list'], 'unknown short option'],
    [['create'], 'create without NAME'],
    [['create', 'a', 'b'], 'create with two names'],
    [['show'], 'show without ID-OR-NAME'],
    [['refresh'], 'refresh without ID-OR-NAME'],
    [['rotate'], 'rotate without ID-OR-NAME'],
    [['disable'], 'disable without ID-OR-NAME'],
    [['enable'], 'enable without ID-OR-NAME'],
    [['delete'], 'delete without ID-OR-NAME'],
    [['list', 'extra'], 'list with an argument'],
    [['revoke-sessions', 'now'], 'revoke-sessions with an argument'],
    [['create', 'a', '--duration'], '--duration without a value'],
    [['rotate', 'a', '--grace'], '--grace without a value'],
    [['list', '-f'], '-f without a value'],
    [['list', '-t'], '-t without a value'],
    [['create', 'a', '--grace', '1d'], 'create does not take --grace'],
    [['rotate', 'a', '--duration', '1d'], 'rotate does not take --duration'],
    [['show', 'a', '--duration', '1d'], 'show does not take --duration'],
    [['list', '--out', 'x'], 'list does not take --out'],
    [['-t', 'NDBM', 'list'], 'unknown DBM type'],
    [['-t', 'bogus', 'create', 'x'], 'unknown DBM type on create'],
    [['keygen'], 'keygen without --out'],
    [['keygen', '--alg', 'none', '--out', "$dir/k"], 'keygen with an unknown algorithm'],
    [['keygen', '--alg', 'HS512', '--out', "$dir/k"], 'keygen HS512 not offered'],
);
for my $u (@usage) {
    my ($args, $what) = @$u;
    ($rc, $out, $err) = svctoken(@$args);
    is($rc, 2, "$what: exit 2");
    like($err, qr/\Asvctoken: [^\n]+\nusage: svctoken [^\n]+\n\z/,
         "$what: message and usage line on stderr") or diag $err;
    is($out, '', "$what: nothing on stdout");
}
ok(!-e $store && !-e "$store.lock", 'no usage error touched the store');

# no store given
{
    local $ENV{SVCTOKEN_STORE};
    delete $ENV{SVCTOKEN_STORE};
    ($rc, $out, $err) = svctoken('list');
    is($rc, 2, 'no -f and no $SVCTOKEN_STORE: exit 2');
    like($err, qr/SVCTOKEN_STORE/, 'says how to name the store');
    ($rc, $out, $err) = svctoken('-f', "$dir/explicit", 'create', 'x');
    is($rc, 0, '-f works without the variable') or diag $err;
    ok(-e "$dir/explicit", '-f STORE is used');
}
($rc, $out, $err) = svctoken('-f', "$dir/other", 'create', 'y');
is($rc, 0, '-f wins over $SVCTOKEN_STORE');
ok(-e "$dir/other" && !-e $store, '... and the variable is not used');
($rc, $out, $err) = svctoken('create', 'z', '-f', "$dir/other");
is($rc, 0, '-f may come after the command');
($rc, $out) = svctoken('-f', "$dir/other", 'list', '--json');
is(scalar @{json($out)}, 2, 'both tokens in the -f store');

# refusals: exit 1, one line on stderr, nothing on stdout, store unchanged
($rc) = svctoken('create', 'seed');
is($rc, 0, 'seed token');
my @durations = ('0d', '0s', '1', 'd', '1x', '1D', '1.5d', '-1d', '+1d', '1 d', ' 1d', '1d ',
                 '', '1d1h', 'Forever', 'never', '99999999999y', '9223372036854775808s',
                 '0x10s', '10000y');
for my $d (@durations) {
    ($rc, $out, $err) = svctoken('create', 'dur-test', '--duration', $d);
    is($rc, 1, "create --duration '$d': exit 1");
    ok(one_line($err), "one line on stderr") or diag $err;
    is($out, '', 'nothing on stdout');
    ($rc, $out, $err) = svctoken('refresh', 'seed', "--duration=$d");
    is($rc, 1, "refresh --duration='$d': exit 1");
}
for my $g ('forever', '0d', 'x', '-1h') {
    ($rc, $out, $err) = svctoken('rotate', 'seed', '--grace', $g);
    is($rc, 1, "rotate --grace '$g': exit 1");
    ok(one_line($err), 'one line on stderr') or diag $err;
    is($out, '', 'no secret printed');
}
($rc, $out) = svctoken('list', '--json');
is_deeply([map { $_->{name} } @{json($out)}], ['seed'], 'no refusal created a token');

my @names = (
    ['', 'empty'],
    ["a\tb", 'tab'],
    ["a\nb", 'newline'],
    ["a\x7f", 'DEL'],
    ["a\x1b[1m", 'escape'],
    ["a\xc2\x85", 'C1 control'],
    ["\xff\xfe", 'invalid UTF-8'],
    ["\xc0\xaf", 'overlong UTF-8'],
    ['x' x 65, '65 characters'],
    ["\xc3\xa9" x 65, '65 two-byte characters'],
    ['0123456789abcdef0123456789abcdef.access', 'shaped like a Client ID'],
);
for my $n (@names) {
    ($rc, $out, $err) = svctoken('create', '--', $n->[0]);
    is($rc, 1, "name $n->[1]: exit 1");
    ok(one_line($err), "name $n->[1]: one line on stderr") or diag $err;
    is($out, '', "name $n->[1]: nothing on stdout");
}
($rc, $out, $err) = svctoken('create', 'x' x 64);
is($rc, 0, '64 characters is fine') or diag $err;
($rc, $out, $err) = svctoken('create', "\xc3\xa9" x 64);
is($rc, 0, '64 two-byte characters is fine') or diag $err;
($rc, $out, $err) = svctoken('create', '0123456789ABCDEF0123456789ABCDEF.access');
is($rc, 0, 'upper-case id shape is just a name') or diag $err;

done_testing();
