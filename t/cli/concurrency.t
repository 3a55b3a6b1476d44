#!/usr/bin/perl
# Concurrent svctoken runs on one store: 8 writer processes create 500 tokens
# in total and delete two thirds of them again (by name or by Client ID),
# refreshing a shared token as they go, while two reader processes show that
# token and list the whole store in a loop. Every command must succeed (the
# lock makes writers wait, never fail), readers must never see a missing or
# half-written record, and the store must end holding exactly the tokens the
# writers kept. Runs with the default DBM type (Berkeley DB on Debian, which
# has no locking of its own, so only the store's lock protects it); set
# SVCT_CONC_TYPES=default,SDBM,GDBM for the others (each takes ~15 s).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);
use Test::More;
use CliHelper;

my $WRITERS = 8;
my $TOKENS = 500;
my @types = split /,/, ($ENV{SVCT_CONC_TYPES} || 'default');
delete $ENV{SVCTOKEN_STORE};

sub spawn {
    my ($code) = @_;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        my $rc = eval { $code->() };
        print STDERR $@ if $@;
        POSIX::_exit(defined $rc ? $rc : 99);
    }
    return $pid;
}
use POSIX ();

sub append {
    my ($file, $line) = @_;
    open my $fh, '>>', $file or die "$file: $!";
    print $fh "$line\n";
    close $fh;
}

sub valid_entry {
    my ($e) = @_;
    return ref $e eq 'HASH'
        && join(',', grep { $_ ne 'last_seen_at' } sort keys %$e) eq
           'allow_from,client_id,created_at,expires_at,name,previous_secret_expires_at,status,updated_at'
        && (!exists $e->{last_seen_at} || !defined $e->{last_seen_at})
        && !defined $e->{allow_from}
        && $e->{name} =~ /\A(stable|w\d+-\d+)\z/
        && $e->{client_id} =~ /\A[0-9a-f]{32}\.access\z/
        && defined rfc3339($e->{created_at})
        && defined rfc3339($e->{updated_at})
        && defined rfc3339($e->{expires_at})
        && $e->{status} eq 'active';
}

for my $type (@types) {
    my $dir = tempdir(CLEANUP => 1);
    my $store = "$dir/tokens";
    my @t = ('-f', $store, '-t', $type);
    my $start = time;

    my ($rc, $out, $err) = svctoken(@t, 'create', 'stable', '--json');
    is($rc, 0, "$type: stable token created") or diag $err;
    my $stable_id = json($out)->{client_id};

    # Readers run until the stop file appears; each logs its failures.
    my $stop = "$dir/stop";
    my @readers;
    for my $kind (qw(show list)) {
        push @readers, spawn(sub {
            my ($n, $bad) = (0, 0);
            my $log = "$dir/reader-$kind.log";
            until (-e $stop) {
                my ($r, $o, $e) = $kind eq 'show'
                    ? svctoken(@t, 'show', $stable_id, '--json')
                    : svctoken(@t, 'list', '--json');
                my $doc = $r == 0 ? json($o) : undef;
                my $ok = $r == 0 && $e eq '' && defined $doc;
                if ($ok && $kind eq 'show') {
                    $ok = valid_entry($doc) && $doc->{name} eq 'stable';
                } elsif ($ok) {
                    my %seen;
                    $ok = ref $doc eq 'ARRAY'
                        && !grep { !valid_entry($_) || $seen{$_->{name}}++ } @$doc;
                    $ok &&= grep { $_->{client_id} eq $stable_id } @$doc;
                }
                if (!$ok) {
                    $bad++;
                    append($log, "FAIL rc=$r err=$e out=" . substr($o, 0, 200));
                }
                $n++;
                # Leave the CPUs to the writers: the point is overlap, not volume.
                sleep 0.05;
            }
            append($log, "reads $n");
            return $bad ? 1 : 0;
        });
    }

    my @writers;
    for my $w (0 .. $WRITERS - 1) {
        my $count = int($TOKENS / $WRITERS) + ($w < $TOKENS % $WRITERS ? 1 : 0);
        push @writers, spawn(sub {
            my $log = "$dir/writer-$w.log";
            my $bad = 0;
            for my $i (0 .. $count - 1) {
                my $name = "w$w-$i";
                my ($r, $o, $e) = svctoken(@t, 'create', $name, '--json');
                my $doc = $r == 0 ? json($o) : undef;
                if (!$doc || $doc->{name} ne $name || $doc->{client_secret} !~ /\A[0-9a-f]{64}\z/) {
                    append($log, "FAIL create $name rc=$r err=$e");
                    $bad++;
                    next;
                }
                append($log, "created $name $doc->{client_id}");
                if ($i % 3) {
                    ($r, $o, $e) = svctoken(@t, 'delete', $i % 2 ? $name : $doc->{client_id});
                    if ($r) {
                        append($log, "FAIL delete $name rc=$r err=$e");
                        $bad++;
                    } else {
                        append($log, "deleted $name");
                    }
                }
                if ($i % 20 == 0) {
                    ($r, $o, $e) = svctoken(@t, 'refresh', 'stable', '--duration', ($i + 1) . 'd');
                    if ($r) {
                        append($log, "FAIL refresh rc=$r err=$e");
                        $bad++;
                    }
                }
            }
            return $bad ? 1 : 0;
        });
    }

    my $writers_ok = 0;
    for my $pid (@writers) {
        waitpid $pid, 0;
        $writers_ok++ if $? == 0;
    }
    append($stop, 'stop');
    my $readers_ok = 0;
    for my $pid (@readers) {
        waitpid $pid, 0;
        $readers_ok++ if $? == 0;
    }
    my $elapsed = time - $start;

    # What the writers say they did.
    my (%created, %deleted, @fails);
    for my $w (0 .. $WRITERS - 1) {
        open my $fh, '<', "$dir/writer-$w.log" or next;
        while (<$fh>) {
            $created{$1} = $2 if /^created (\S+) (\S+)$/;
            $deleted{$1} = 1 if /^deleted (\S+)$/;
            push @fails, $_ if /^FAIL/;
        }
    }
    my %reads;
    for my $kind (qw(show list)) {
        open my $fh, '<', "$dir/reader-$kind.log" or next;
        while (<$fh>) {
            $reads{$kind} = $1 if /^reads (\d+)$/;
            push @fails, "reader $kind: $_" if /^FAIL/;
        }
    }

    is($writers_ok, $WRITERS, "$type: every writer command succeeded");
    is($readers_ok, 2, "$type: every read succeeded and saw whole records");
    diag(join '', @fails[0 .. ($#fails < 9 ? $#fails : 9)]) if @fails;
    is(scalar keys %created, $TOKENS, "$type: $TOKENS tokens created");
    my %ids = reverse %created;
    is(scalar keys %ids, $TOKENS, "$type: with $TOKENS distinct Client IDs");
    ok(($reads{show} || 0) >= 10 && ($reads{list} || 0) >= 10,
       "$type: readers ran alongside ($reads{show} shows, $reads{list} lists)");

    ($rc, $out, $err) = svctoken(@t, 'list', '--json');
    is($rc, 0, "$type: final list");
    my $list = json($out) || [];
    my %want = map { $_ => $created{$_} } grep { !$deleted{$_} } keys %created;
    $want{stable} = $stable_id;
    my %got = map { $_->{name} => $_->{client_id} } @$list;
    is(scalar @$list, scalar keys %got, "$type: no name listed twice");
    is_deeply(\%got, \%want, "$type: exactly the expected tokens remain ("
              . (scalar keys %want) . ')');
    ok(!grep({ !valid_entry($_) } @$list), "$type: every remaining record is whole");
    # Time is reported, not asserted: on a shared machine it says more about
    # the load than about the store.
    note sprintf '%s: %.1f s', $type, $elapsed;
}

done_testing();
