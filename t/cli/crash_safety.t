#!/usr/bin/perl
# Every change is whole or not at all, for every DBM type: create, rotate
# and delete run with t/cli/fault_shim.c preloaded, which kills svctoken at
# its Nth file-changing call (as kill -9 would), or makes that call and all
# later ones fail with ENOSPC (a full disk), for every N until a run goes
# through untouched. After each run the store opens, holds every token it
# held before, and `svctoken check` finds nothing wrong; a failed run exits
# 3 with no secret printed, and, unless it says the change was made, left
# the store as it was, and a run that exits 0 made its change. A third
# mode fails only the writes made while the DBM is closed (Berkeley DB
# flushes its cache then, and apr_dbm_close reports nothing). Then, as root, a real full disk: a 128 KiB tmpfs
# filled by creates until one fails.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use Test::More;
use CliHelper;

my $shim = $ENV{SVCT_FAULT_SHIM};
plan skip_all => 'SVCT_FAULT_SHIM (build/fault_shim.so) not set' unless $shim && -f $shim;
# A sanitizer runtime must come first in the process: no preloading there.
plan skip_all => 'svctoken is built with a sanitizer' if `ldd $CLI 2>/dev/null` =~ /libasan/;

delete $ENV{SVCTOKEN_STORE};
my $dir = tempdir(CLEANUP => 1);

sub store_files {
    my ($path) = @_;
    return grep { -e $_ } map { "$path$_" } ('', '.dir', '.pag', '.new', '.new.dir', '.new.pag',
                                            '.commit', '.lock');
}

sub tokens {
    my ($path, $type) = @_;
    my ($rc, $out, $err) = svctoken('-f', $path, '-t', $type, 'list', '--json');
    return (undef, $err) if $rc != 0;
    my $list = json($out) or return (undef, 'list --json does not parse');
    return ({ map { $_->{name} => $_->{client_id} } @$list }, '');
}

sub restore {
    my ($path, $base) = @_;
    unlink store_files($path);
    for my $f (store_files($base)) {
        (my $to = $f) =~ s/\A\Q$base\E/$path/;
        copy($f, $to) or die "copy $f: $!";
    }
}

sub faulted {
    my ($mode, $n, $fired, @args) = @_;
    local $ENV{LD_PRELOAD} = $shim;
    local $ENV{SVCT_FAULT} = $mode;
    local $ENV{SVCT_FAULT_AT} = $n;
    local $ENV{SVCT_FAULT_FIRED} = $fired;
    return svctoken(@args);
}

for my $type (qw(default SDBM GDBM DB)) {
    my $base = "$dir/base-$type";
    for my $i (1 .. 12) {
        my ($rc, undef, $err) = svctoken('-f', $base, '-t', $type, 'create', sprintf('t%02d', $i));
        die "create: $err" if $rc;
    }
    my ($before) = tokens($base, $type);
    is(scalar keys %$before, 12, "$type: 12 tokens to start with");
    my $path = "$dir/s-$type";
    my $fired = "$dir/fired";

    for my $op (['create', 'new'], ['rotate', 't05'], ['delete', 't07']) {
        for my $mode (qw(crash enospc enospc-close)) {
            my (@bad, $points);
            for my $n (1 .. 400) {
                restore($path, $base);
                unlink $fired;
                my ($rc, $out, $err) = faulted($mode, $n, $fired, '-f', $path, '-t', $type, @$op);
                if (!-e $fired) {
                    push @bad, "untouched run: exit $rc: $err" if $rc != 0;
                    $points = $n - 1;
                    last;
                }
                my ($after, $why) = tokens($path, $type);
                if (!$after) {
                    push @bad, "point $n: the store does not open: $why";
                    next;
                }
                for my $name (sort keys %$before) {
                    next if $op->[0] eq 'delete' && $name eq $op->[1];
                    push @bad, "point $n: $name lost"
                        unless defined $after->{$name} && $after->{$name} eq $before->{$name};
                }
                my ($crc, $cout, $cerr) = svctoken('-f', $path, '-t', $type, 'check');
                push @bad, "point $n: check: $cout$cerr" if $crc != 0;
                next if $mode eq 'crash';
                if ($rc != 0) {
                    push @bad, "point $n: exit $rc, not 3" if $rc != 3;
                    push @bad, "point $n: printed '$out' and failed" if $out ne '';
                    push @bad, "point $n: not one line: $err" unless one_line($err);
                    next if $err =~ /the change is made/;
                    my $same = keys %$after == keys %$before
                        && !grep { ($after->{$_} // '') ne $before->{$_} } keys %$before;
                    push @bad, "point $n: a failed $op->[0] changed the store" unless $same;
                    next;
                }
                push @bad, "point $n: exit 0 without the secret"
                    if $op->[0] ne 'delete' && $out !~ /Client Secret:  [0-9a-f]{64}/;
                push @bad, "point $n: exit 0 but $op->[1] is not there"
                    if $op->[0] eq 'create' && !defined $after->{new};
                push @bad, "point $n: exit 0 but t07 is still there"
                    if $op->[0] eq 'delete' && defined $after->{t07};
            }
            push @bad, 'never ran untouched' unless defined $points;
            ok(!@bad, "$type: $op->[0] with a $mode at each of its "
               . ($points // '?') . ' file-changing calls loses nothing')
                or diag join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)];
        }
    }
}

# A real full disk: a tmpfs this test mounts (as root; skipped otherwise).
my $mnt = "$dir/full";
mkdir $mnt or die "$mnt: $!";
my $mounted = $> == 0 && system("mount -t tmpfs -o size=128k tmpfs '$mnt' 2>/dev/null") == 0;
END { system('umount', $mnt) if $mounted; }
SKIP: {
    skip 'mounting a tmpfs needs root', 4 * 4 unless $mounted;
    for my $type (qw(default SDBM GDBM DB)) {
        my $path = "$mnt/s-$type";
        my ($n, $rc, $out, $err) = (0);
        while ($n < 5000) {
            ($rc, $out, $err) = svctoken('-f', $path, '-t', $type, 'create', "t$n");
            last if $rc;
            $n++;
        }
        is($rc, 3, "$type: on a full disk create fails with exit 3 (after $n tokens)")
            or diag $err;
        is($out, '', "$type: ... printing nothing");
        my ($now) = tokens($path, $type);
        is(scalar keys %{ $now // {} }, $n, "$type: every token created before is there");
        ($rc, $out, $err) = svctoken('-f', $path, '-t', $type, 'check');
        is($rc, 0, "$type: check finds nothing wrong") or diag "$out$err";
        unlink store_files($path);
    }
}

done_testing;
