#!/usr/bin/perl
# The same life cycle of a token with every DBM type svctoken accepts (-t is
# case-insensitive, as AuthDBMType), checking the files each type makes.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Digest::SHA qw(sha256_hex);
use Test::More;
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
delete $ENV{SVCTOKEN_STORE};

for my $type (qw(SDBM sdbm GDBM gdbm DB db default Default)) {
    my $store = "$dir/store-$type";
    my @t = ('-f', $store, '-t', $type);
    my ($rc, $out, $err) = svctoken(@t, 'create', 'one', '--json');
    is($rc, 0, "$type: create") or diag $err;
    my $one = json($out);
    ($rc, $out, $err) = svctoken(@t, 'create', 'two', '--duration', '2w', '--json');
    my $two = json($out);
    is($rc, 0, "$type: create another");
    if (lc $type eq 'sdbm') {
        ok(-f "$store.pag" && -f "$store.dir" && !-e $store, "$type: .pag and .dir files");
    } else {
        ok(-f $store && !-e "$store.pag", "$type: one file");
    }
    ok(-f "$store.lock", "$type: lock file");
    my $bytes = store_bytes($store);
    is(index($bytes, $one->{client_secret}), -1, "$type: secret not stored");
    isnt(index($bytes, sha256_hex($one->{client_secret})), -1, "$type: its hash is");

    ($rc, $out) = svctoken(@t, 'list', '--json');
    is_deeply([map { $_->{name} } @{json($out)}], [qw(one two)], "$type: list");
    ($rc, $out) = svctoken(@t, 'show', $two->{client_id}, '--json');
    is(json($out)->{name}, 'two', "$type: show by id");
    ($rc, $out) = svctoken(@t, 'rotate', 'one', '--grace', '1h', '--json');
    is($rc, 0, "$type: rotate");
    isnt(json($out)->{client_secret}, $one->{client_secret}, "$type: new secret");
    ($rc, $out) = svctoken(@t, 'disable', 'two', '--json');
    is(json($out)->{status}, 'disabled', "$type: disable");
    ($rc, $out) = svctoken(@t, 'refresh', 'two', '--duration', 'forever', '--json');
    ok(!defined json($out)->{expires_at}, "$type: refresh forever");
    ($rc, $out) = svctoken(@t, 'revoke-sessions');
    is($rc, 0, "$type: revoke-sessions");
    ($rc, $out) = svctoken(@t, 'delete', 'one');
    is($rc, 0, "$type: delete");
    ($rc, $out) = svctoken(@t, 'list', '--json');
    is_deeply([map { $_->{name} } @{json($out)}], ['two'], "$type: one token left");
    ($rc, $out, $err) = svctoken(@t, 'create', 'two');
    is($rc, 1, "$type: duplicate refused");
}

# A store is read with the type it was made with, whatever the spelling.
my ($rc, $out) = svctoken('-f', "$dir/store-GDBM", '-t', 'gDbM', 'show', 'two', '--json');
is($rc, 0, 'mixed-case type name');

done_testing();
