#!/usr/bin/perl
# A store that cannot be opened, locked or read: exit 3 and exactly one line
# on stderr naming the file, for a missing store, one the user may not read
# (run as nobody, as httpd would), a directory, a file of another DBM type
# and a damaged record. Also: an ordinary user can read a store it has read
# access to, and no failed command creates a store.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Test::More;
use CliHelper;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
delete $ENV{SVCTOKEN_STORE};
my ($rc, $out, $err);

sub store_fails {
    my ($what, $expect, @args) = @_;
    ($rc, $out, $err) = svctoken(@args);
    is($rc, 3, "$what: exit 3");
    ok(one_line($err), "$what: exactly one line on stderr") or diag $err;
    like($err, $expect, "$what: says why") if $expect;
    is($out, '', "$what: nothing on stdout");
}

# missing store: every command but create
my $missing = "$dir/missing";
for my $cmd (['list'], ['show', 'x'], ['refresh', 'x'], ['rotate', 'x'], ['disable', 'x'],
             ['enable', 'x'], ['delete', 'x'], ['revoke-sessions']) {
    store_fails("$cmd->[0] on a missing store",
                qr/\Asvctoken: cannot open token store \Q$missing\E: No such file or directory\n\z/,
                '-f', $missing, @$cmd);
}
ok(!-e $missing && !-e "$missing.lock", 'no failed command created the store or its lock');
for my $t (qw(SDBM GDBM DB)) {
    store_fails("list -t $t on a missing store", qr/No such file or directory/, '-f', $missing,
                '-t', $t, 'list');
}

# a directory where the store should be
mkdir "$dir/adir";
store_fails('store is a directory', qr/\Q$dir\E\/adir/, '-f', "$dir/adir", 'list');
store_fails('create in a directory path', qr/\Q$dir\E\/adir/, '-f', "$dir/adir", 'create', 'x');

# a store in a directory that does not exist
store_fails('create under a missing directory', qr/No such file or directory/, '-f',
            "$dir/nodir/tokens", 'create', 'x');

# a file of another type, or not a DBM at all
my $store = "$dir/tokens";
($rc, $out, $err) = svctoken('-f', $store, '-t', 'GDBM', 'create', 'alpha');
is($rc, 0, 'GDBM store created') or diag $err;
store_fails('GDBM file read as DB', qr/not a DBM file of type DB/, '-f', $store, '-t', 'DB',
            'list');
store_fails('GDBM file read as default', qr/\Q$store\E/, '-f', $store, 'list');
open my $fh, '>', "$dir/garbage" or die;
print $fh "this is not a DBM file\n" x 100;
close $fh;
store_fails('garbage read as DB', qr/\Q$dir\E\/garbage/, '-f', "$dir/garbage", '-t', 'DB', 'list');
store_fails('garbage written as DB', qr/\Q$dir\E\/garbage/, '-f', "$dir/garbage", '-t', 'DB',
            'create', 'x');
store_fails('garbage read as GDBM', qr/\Q$dir\E\/garbage/, '-f', "$dir/garbage", '-t', 'GDBM',
            'list');

SKIP: {
    skip 'needs root and setpriv to act as nobody', 14
        unless $> == 0 && -x '/usr/bin/setpriv';
    # The store is root's, mode 0640: nobody may not read it.
    is((stat $store)[2] & 0777, 0640 & ~umask, 'store created 0640 (less umask)');
    is((stat "$store.lock")[2] & 0777, 0644 & ~umask, 'lock file 0644 (less umask)');
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'list');
    is($rc, 3, 'unreadable store: exit 3');
    ok(one_line($err), 'exactly one line on stderr') or diag $err;
    like($err, qr/\Asvctoken: cannot open token store \Q$store\E: Permission denied\n\z/,
         'says permission denied, naming the store');
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'show', 'alpha');
    is($rc, 3, 'show on an unreadable store: exit 3');
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'create', 'b');
    is($rc, 3, 'create on an unwritable store: exit 3');
    ok(one_line($err), 'one line') or diag $err;

    # Given read access (as an admin does with chgrp), a reader needs nothing
    # more: the lock file is readable and is only opened for reading.
    chmod 0644, $store;
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'list', '--json');
    is($rc, 0, 'a user with read access can list') or diag $err;
    is(json($out)->[0]{name}, 'alpha', '... and sees the token');
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'disable', 'alpha');
    is($rc, 3, '... but not change it');
    ok(one_line($err), 'one line') or diag $err;

    # A lock file nobody may open is an error, not a silent unlocked read.
    chmod 0600, "$store.lock";
    ($rc, $out, $err) = svctoken_as('nobody', '-f', $store, '-t', 'GDBM', 'list');
    is($rc, 3, 'unreadable lock file: exit 3');
    like($err, qr/\A[^\n]*\Q$store.lock\E[^\n]*Permission denied\n\z/, 'names the lock file');
    chmod 0644, "$store.lock";
}

# a damaged record: the store is readable but a value does not parse
my $damaged = "$dir/damaged";
($rc, $out) = svctoken('-f', $damaged, '-t', 'SDBM', 'create', 'good', '--json');
my $id = json($out)->{client_id};
{
    # Flip the version tag of the record in place; SDBM keeps values verbatim.
    open my $pag, '+<:raw', "$damaged.pag" or die "$damaged.pag: $!";
    local $/;
    my $bytes = <$pag>;
    my $at = index($bytes, "v2\tgood\t");
    ok($at >= 0, 'found the record in the SDBM file');
    seek $pag, $at, 0;
    print $pag 'v9';
    close $pag;
}
store_fails('show of a damaged record', qr/does not parse/, '-f', $damaged, '-t', 'SDBM', 'show',
            'good');
store_fails('list with a damaged record', qr/does not parse/, '-f', $damaged, '-t', 'SDBM',
            'list');
store_fails('refresh of a damaged record', qr/does not parse/, '-f', $damaged, '-t', 'SDBM',
            'refresh', $id);

# a damaged SDBM page is reported as such, not as a full disk
my $paged = "$dir/paged";
svctoken('-f', $paged, '-t', 'SDBM', 'create', 'p');
{
    open my $pag, '+<:raw', "$paged.pag" or die "$paged.pag: $!";
    print $pag "\xff\x7f\xff\x7f";    # an entry count and offset no page can have
    close $pag;
}
store_fails('a damaged SDBM page', qr/a page of the file is damaged/, '-f', $paged, '-t', 'SDBM',
            'list');
unlike($err, qr/No space left/, '... not "No space left on device"');

# output to a full disk: create and rotate take their change back, the
# others say that theirs is made; exit 3 and one line either way
SKIP: {
    skip 'no /dev/full', 13 unless -w '/dev/full';
    my $full = "$dir/full-out";
    svctoken('-f', $full, 'create', 'kept');
    for my $c (['create', 'new', qr/the token's creation is undone/],
               ['rotate', 'kept', qr/the rotation is undone/],
               ['disable', 'kept', qr/the change itself is made/],
               ['list', undef, qr/cannot write the output/]) {
        my ($cmd, $arg, $says) = @$c;
        my $rc = system(join(' ', map { "'$_'" } $CLI, '-f', $full, $cmd, defined $arg ? $arg : ())
                        . " >/dev/full 2>'$dir/full.err'") >> 8;
        my $e = do { local (@ARGV, $/) = ("$dir/full.err"); <> };
        is($rc, 3, "$cmd to a full output: exit 3");
        ok(one_line($e), "$cmd: one line") or diag $e;
        like($e, $says, "$cmd: says what happened");
    }
    ($rc, $out) = svctoken('-f', $full, 'list', '--json');
    is(join(',', map { "$_->{name}:$_->{status}" } @{ json($out) }), 'kept:disabled',
       'no token "new"; "kept" was disabled');
}

# check: says what is wrong and how to recover
($rc, $out, $err) = svctoken('-f', $damaged, '-t', 'SDBM', 'check');
is($rc, 3, 'check of a damaged store: exit 3');
like($out, qr/^problem: the record of \Q$id\E does not parse$/m, 'check names the record');
like($out, qr/^To recover: .*check --repair/m, '... and says how to recover');
($rc, $out, $err) = svctoken('-f', $damaged, '-t', 'SDBM', 'check', '--json');
is($rc, 3, 'check --json of a damaged store: exit 3');
is_deeply(json($out), { tokens => 0, repaired => 0,
                        problems => ["the record of $id does not parse"] },
          'check --json: one document with the problem');
($rc, $out, $err) = svctoken('-f', "$dir/garbage", '-t', 'DB', 'check');
is($rc, 3, 'check of a file that is no store: exit 3');
ok(one_line($err), 'one line on stderr') or diag $err;
like($out, qr/\ATo recover: restore the store's files from a backup/, '... and how to recover');

# a -t that does not match the store's files
my $db = "$dir/default-store";
($rc) = svctoken('-f', $db, 'create', 'x');
store_fails('SDBM given for a one-file store', qr/not a DBM file of type SDBM/, '-f', $db, '-t',
            'SDBM', 'list');
store_fails('create with the wrong -t', qr/not a DBM file of type SDBM/, '-f', $db, '-t', 'SDBM',
            'create', 'y');
ok(!-e "$db.pag" && !-e "$db.dir", 'no SDBM store made beside it');
store_fails('GDBM given for an SDBM store', qr/not a DBM file of type GDBM.*an SDBM store/, '-f',
            $damaged, '-t', 'GDBM', 'list');

($rc, $out) = svctoken('-f', $db, 'check', '--json');
is($rc, 0, 'check --json of a healthy store: exit 0');
is_deeply(json($out), { tokens => 1, repaired => 0, problems => [] }, '... and its document');

done_testing();
