# Churn under load, and store faults while httpd runs.
#
# Churn: four clients hammer /churn with one valid token (two by its secret,
# two by its session, as cookie and header) while svctoken creates, rotates,
# refreshes, disables and deletes a few hundred other tokens in the same
# store. The valid client must never be refused, nothing may answer 500, and
# the store must then list exactly the tokens it should, in the state each
# should be in.
#
# Faults: the store of /fault is removed, made unreadable to httpd's user,
# replaced with garbage, and given a corrupt record. Each time: no admission
# (401 or 500, never 200), no crashed child, a log line naming the store; and
# access comes back once the store does.
#
# A missing or world-readable key file at start-up is covered by
# t/cli/config.t (refuses to start / starts with a warning naming the file).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Copy qw(copy move);
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use lib 't/lib';
use SvcToken::Test;
use SvcToken::Attack;

my $fx  = fixtures();
my $var = $fx->{var};
my $CREATES = $ENV{SVCT_CHURN_TOKENS} || 150;

plan tests => 15 + 4 * 7 + 3;

sub svc {
    my ($store, @args) = @_;
    my ($rc, $out, $err) = cli('-f', $store, @args);
    die "svctoken @args: $err" if $rc;
    return $out =~ /^\s*[\[{]/ ? decode_json($out) : $out;
}
# httpd's children run as nobody when the suite runs as root.
sub readable { chmod 0644, grep { -f } glob("$_[0]*") }

# ---------------------------------------------------------------- churn ----
my $store = "$var/churn.db";
unlink glob("$store*");
my $valid = svc($store, 'create', 'churn-valid', '--json');
readable($store);
my $res = exchange('/churn/', $valid);
ok t_cmp($res->code, 200, 'the churn location admits its token');
my $session = session_of($res);

my $stop = "$var/churn.stop";
unlink $stop;
my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
my @how = (join("\r\n", "CF-Access-Client-Id: $valid->{client_id}",
                "CF-Access-Client-Secret: $valid->{client_secret}")) x 2;
push @how, "Cookie: CF_Authorization=$session", "cf-access-token: $session";
my @kids;
for my $i (0 .. $#how) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my %count;
        my ($deadline, $parent) = (time + 90, getppid);
        while (!-e $stop && time < $deadline && getppid == $parent) {
            my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10);
            if (!$s) { $count{connect}++; next }
            print $s "GET /churn/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n$how[$i]\r\n\r\n";
            local $/;
            my $r = <$s> // '';
            my ($code) = $r =~ m{^HTTP/1\.\d (\d{3})};
            $count{ $code // 'none' }++;
            # Hammer, but leave the CLI some CPU on small CI machines.
            sleep 0.002;
        }
        open my $fh, '>', "$var/churn.client$i" or POSIX::_exit(1);
        print $fh encode_json(\%count);
        close $fh;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}

my (%expect, @made);
my $ops = 0;
my $t0 = time;
my $mark = log_mark();
# Whatever happens, the clients are stopped.
my $churned = eval { churn(); 1 };
my $churn_error = $@;
my $churn_secs = time - $t0;
sleep 1 if $churn_secs < 3;    # let the clients see the final store a while
open my $fh, '>', $stop or die;
close $fh;
waitpid $_, 0 for @kids;
die "churn failed: $churn_error" unless $churned;

# The changes: creates, then rotations (with grace), refreshes, disables,
# enables and deletes (by Client ID) among them. OP counts them.
sub op { $ops++; svc($store, @_) }
sub churn {
    for my $i (1 .. $CREATES) {
        my $name = sprintf 'churn-%03d', $i;
        push @made, op('create', $name, '--duration', '30d', '--json');
        $expect{$name} = 'active';
    }
    readable($store);    # a DBM may have grown new files
    for my $i (1 .. $CREATES) {
        my $name = sprintf 'churn-%03d', $i;
        op('rotate', $name, '--grace', '1h') if $i % 2 == 0;
        op('refresh', $name, '--duration', '1y') if $i % 7 == 3;
        if ($i % 5 == 1) { op('disable', $name); $expect{$name} = 'disabled' }
        if ($i % 10 == 1) { op('enable', $name); $expect{$name} = 'active' }
        if ($i % 3 == 0) { op('delete', $made[$i - 1]{client_id}); delete $expect{$name} }
    }
    # A rotation of the valid token itself, with a grace period: the secret
    # in use stays valid, its sessions too.
    op('rotate', 'churn-valid', '--grace', '1h');
    op('refresh', 'churn-valid');
}

my (%total, @per);
for my $i (0 .. $#how) {
    open my $in, '<', "$var/churn.client$i" or die "client $i wrote no result";
    local $/;
    my $c = decode_json(<$in>);
    push @per, $c;
    $total{$_} += $c->{$_} for keys %$c;
}
my $requests = 0;
$requests += $_ for values %total;
t_debug(sprintf "churn: %d store changes in %.1f s, %d requests: %s", $ops, $churn_secs,
        $requests, encode_json(\%total));
ok t_cmp($requests > 4 * 20 ? 1 : 0, 1, "the clients made many requests ($requests)");
ok t_cmp($total{200} // 0, $requests, 'every request of the valid client was admitted');
ok t_cmp($total{401} // 0, 0, 'no refusal');
ok t_cmp($total{500} // 0, 0, 'no 500');
ok t_cmp(scalar(grep { ($_->{200} // 0) > 0 } @per), scalar(@how),
         'each client (secret, secret, cookie, header) got in');
my $log = log_since($mark);
ok t_cmp(no_crash_in_log($log), 1, 'no child crashed during the churn');
ok t_cmp(scalar($log =~ /SVCT\d+: .*(?:token store|access refused|bad session)/), '',
         'no store error and no refusal logged during the churn');

my $list = svc($store, 'list', '--json');
my %got = map { $_->{name} => $_->{status} } @$list;
$expect{'churn-valid'} = 'active';
ok t_cmp(encode_json([map { "$_=$got{$_}" } sort keys %got]),
         encode_json([map { "$_=$expect{$_}" } sort keys %expect]),
         'list --json shows exactly the surviving tokens, each in its state');
ok t_cmp(scalar(grep { exists $_->{client_secret} || grep { /hash/ } keys %$_ } @$list), 0,
         'list shows no secret or hash');
my %ids = map { $_->{name} => $_->{client_id} } @$list;
ok t_cmp(scalar(grep { $ids{ $_->{name} } && $ids{ $_->{name} } ne $_->{client_id} } @made), 0,
         'every surviving token kept its Client ID');

# What the store says is what httpd does: a deleted and a disabled token are
# refused, an enabled rotated one admits with its previous secret (grace).
my ($deleted) = grep { !$expect{ $_->{name} } } @made;
my ($disabled) = grep { ($expect{ $_->{name} } // '') eq 'disabled' } @made;
ok t_cmp(exchange('/churn/', $deleted)->code, 401, "deleted $deleted->{name} is refused");
ok t_cmp(exchange('/churn/', $disabled)->code, 401, "disabled $disabled->{name} is refused");
ok t_cmp(exchange('/churn/', $made[1])->code, 200,
         "$made[1]{name} (rotated with a grace period) still admits with its first secret");

# ---------------------------------------------------------------- faults ----
my $fstore = "$var/fault.db";
unlink glob("$fstore*");
my $ft = svc($fstore, 'create', 'fault-ok', '--json');
readable($fstore);
my $fs = session_of(exchange('/fault/', $ft));
my $away = "$var/fault.away";

sub fault_case {
    my ($what, $break, $mend) = @_;
    $break->();
    my $m = log_mark();
    my $c1 = exchange('/fault/', $ft)->code;
    my $c2 = GET('/fault/', Cookie => "CF_Authorization=$fs")->code;
    my $l = log_since($m);
    ok t_cmp(($c1 == 500 || $c1 == 401) && ($c2 == 500 || $c2 == 401) ? 1 : 0, 1,
             "$what: no admission (secret $c1, session $c2)");
    ok t_cmp($l, qr/SVCT\d+: .*token store \Q$fstore\E/, "$what: the log names the store");
    $mend->();
    my $ok1 = exchange('/fault/', $ft)->code;
    my $ok2 = GET('/fault/', Cookie => "CF_Authorization=$fs")->code;
    ok t_cmp("$ok1 $ok2", '200 200', "$what: access comes back with the store");
    ok t_cmp(no_crash_in_log(log_since($m)), 1, "$what: no child crashed");
}

ok t_cmp(exchange('/fault/', $ft)->code, 200, 'the fault location admits its token');
fault_case('store removed', sub { move($fstore, $away) or die }, sub { move($away, $fstore) or die });
fault_case('store made unreadable (chmod 000)', sub { chmod 0000, $fstore }, sub { chmod 0644, $fstore });
fault_case('store replaced with garbage', sub {
    move($fstore, $away) or die;
    open my $g, '>', $fstore or die;
    print $g pack('C*', map { int rand 256 } 1 .. 16384);
    close $g;
    chmod 0644, $fstore;
}, sub { unlink $fstore; move($away, $fstore) or die });
fault_case('store truncated to nothing', sub {
    copy($fstore, $away) or die;
    truncate $fstore, 0 or die;
}, sub { copy($away, $fstore) or die; unlink $away });
fault_case('store replaced by a directory', sub {
    move($fstore, $away) or die;
    mkdir $fstore or die;
}, sub { rmdir $fstore; move($away, $fstore) or die });
fault_case('a planted, corrupt record', sub {
    copy($fstore, $away) or die;
    require DB_File;
    my %db;
    tie %db, "DB_File", $fstore, POSIX::O_RDWR(), 0644, do { no warnings "once"; $DB_File::DB_HASH }
        or die "tie: $!";
    my ($key) = grep { /^id:/ } keys %db;
    $db{$key} = "v1\tfault-ok\tgarbage";
    untie %db;
}, sub { copy($away, $fstore) or die; unlink $away });
fault_case('store of another DBM type (SDBM files in its place)', sub {
    move($fstore, $away) or die;
    require SDBM_File;
    my %db;
    tie %db, 'SDBM_File', $fstore, POSIX::O_RDWR() | POSIX::O_CREAT(), 0644 or die "tie: $!";
    $db{"id:$ft->{client_id}"} = 'x';
    untie %db;
    rename "$fstore.pag", $fstore;
    unlink "$fstore.dir";
}, sub { unlink $fstore; move($away, $fstore) or die });

# Nothing of the above leaked into the rest of the server.
ok t_cmp(exchange('/app/', $fx->{tokens}{alpha})->code, 200, '/app was not disturbed');
ok t_cmp(exchange('/churn/', $valid)->code, 200, '/churn was not disturbed');
ok t_cmp(no_crash_in_log(error_log_text()), 1, 'no child crashed in the whole run so far');
unlink $stop, glob("$var/churn.client*");
