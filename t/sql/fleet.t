#!/usr/bin/perl
# Two httpd on loopback sharing one PostgreSQL and one signing key, reading
# through mod_dbd as a role that may only SELECT (with a password that must
# never be logged): a session issued by one is accepted by the other; every
# change svctoken makes is obeyed by both within ServiceTokenStoreRefresh
# (1s; polled, with slack); warm requests do not touch the database; the
# database stopped and started under them: confirmed tokens and sessions
# keep working, the rest is 503 with Retry-After, and service comes back
# without a restart; tokens exported from a DBM store work after an import;
# start-up fails clearly without mod_dbd or without DBDriver; a graceful
# restart under load loses no request; a new signing key rolled out node by
# node keeps every session valid everywhere.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time sleep);
use SvcToken::Pg;
use POSIX ();

my $httpd  = $ENV{HTTPD}       || '/usr/sbin/apache2';
my $module = $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so';
my $cli    = $ENV{SVCTOKEN}    || 'build/svctoken';
my $mods   = '/usr/lib/apache2/modules';
plan skip_all => "no $httpd" unless -x $httpd;
plan skip_all => 'no PostgreSQL' unless SvcToken::Pg::available();
plan skip_all => 'no mod_dbd' unless -f "$mods/mod_dbd.so";

my $pg  = SvcToken::Pg->shared;
my $dbd = $pg->dbd;
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/htdocs";
for my $d (qw(app basic)) {
    mkdir "$dir/htdocs/$d";
    open my $ix, '>', "$dir/htdocs/$d/index.html" or die;
    print $ix "inside\n";
    close $ix;
}
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};
$pg->psql('DROP TABLE IF EXISTS svctoken_tokens, svctoken_state, svctoken_seen', 'svctoken');
$pg->psql("ALTER SYSTEM SET log_statement = 'all'");
$pg->psql('SELECT pg_reload_conf()');

sub cli {
    my $out = `$cli @_ 2>&1`;
    return ($? >> 8, $out);
}
sub cli_json {
    my ($rc, $out) = cli(@_, '--json');
    die "svctoken @_: $out" if $rc;
    return decode_json($out);
}
is((cli('--dbd', "'$dbd'", 'init'))[0], 0, 'svctoken init');
# docs/SQL.md: httpd's role may also record last seen.
$pg->psql('GRANT UPDATE ON svctoken_seen TO svct_reader', 'svctoken');
system("$cli keygen --out $dir/key.pem >/dev/null") == 0 or die;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1);
    return $s->sockport;
}

my $reader = $pg->reader_dbd =~ s/^pgsql://r;
my @root = $> == 0 ? ('-DROOT') : ();
my %keys;    # per server: its key lines (rolled out below)
sub conf {
    my ($n, $port, $dbd_lines) = @_;
    my $keys = $keys{$n} // "ServiceTokenSigningKey $dir/key.pem";
    return <<"EOF";
ServerRoot $dir
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/httpd$n.pid
ErrorLog $dir/error$n.log
LogLevel info
LoadModule mpm_event_module $mods/mod_mpm_event.so
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 16
ThreadsPerChild 16
MaxRequestWorkers 16
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
$dbd_lines
LoadModule access_svctoken_module $module
$keys
ServiceTokenStoreRefresh 1s
ServiceTokenStoreGrace 5m
DocumentRoot $dir/htdocs
<Location /app>
    AuthType ServiceToken
    ServiceTokenStore dbd
    ServiceTokenAudience app
    Require service-token
</Location>
<Location /basic>
    AuthType Basic
    AuthName fleet
    AuthBasicProvider service-token
    ServiceTokenStore dbd
    Require service-token
</Location>
<IfDefine ROOT>
User nobody
Group nogroup
</IfDefine>
EOF
}
my $with_dbd = "LoadModule dbd_module $mods/mod_dbd.so\nDBDriver pgsql\nDBDParams \"$reader\"";

my (@servers, %ports);
sub start_httpd {
    my ($n, $lines) = @_;
    my $port = free_port();
    open my $fh, '>', "$dir/httpd$n.conf" or die;
    print $fh conf($n, $port, $lines);
    close $fh;
    my $out = `$httpd -f $dir/httpd$n.conf @root -k start 2>&1`;
    my $rc = $? >> 8;
    for (1 .. 100) { last if -f "$dir/httpd$n.pid" || -s "$dir/error$n.log"; sleep 0.05 }
    push @servers, $n if $rc == 0;
    $ports{$n} = $port;
    return ($rc, $out, "http://127.0.0.1:$port");
}
# Rewrites N's configuration with KEYS and restarts it gracefully; returns
# once a child of the new generation answers.
sub graceful {
    my ($n, $keys) = @_;
    $keys{$n} = $keys;
    open my $fh, '>', "$dir/httpd$n.conf" or die;
    print $fh conf($n, $ports{$n}, $with_dbd);
    close $fh;
    my $gen0 = () = slurp("$dir/error$n.log") =~ /resuming normal operations/g;
    system("$httpd -f $dir/httpd$n.conf @root -k graceful") == 0 or die "graceful $n";
    for (1 .. 200) {
        my $gen = () = slurp("$dir/error$n.log") =~ /resuming normal operations/g;
        return if $gen > $gen0;
        sleep 0.05;
    }
    die "httpd $n did not come back from graceful";
}
sub stop_httpd {
    my ($n) = @_;
    system("$httpd -f $dir/httpd$n.conf @root -k stop >/dev/null 2>&1");
    for (1 .. 100) { last unless -f "$dir/httpd$n.pid"; sleep 0.05 }
    @servers = grep { $_ ne $n } @servers;
}
END { stop_httpd($_) for @servers }
sub slurp { local (@ARGV, $/) = @_; return -f $_[0] ? <> : '' }

# Start-up fails clearly without mod_dbd, or without DBDriver.
{
    my ($rc, $out) = start_httpd('x', '');
    isnt $rc, 0, 'without mod_dbd httpd does not start';
    like $out . slurp("$dir/errorx.log"), qr/ServiceTokenStore dbd needs mod_dbd/, 'and says why';
    stop_httpd('x') if $rc == 0;
    ($rc, $out) = start_httpd('y', "LoadModule dbd_module $mods/mod_dbd.so");
    my $log = $out . slurp("$dir/errory.log");
    isnt $rc, 0, 'without DBDriver httpd does not start' or stop_httpd('y');
    like $log, qr/SVCT0902: ServiceTokenStore dbd .* needs a DBDriver/, 'and says why';
}

my ($rca, $outa, $A) = start_httpd('a', $with_dbd);
my ($rcb, $outb, $B) = start_httpd('b', $with_dbd);
is $rca + $rcb, 0, 'two httpd share the database' or BAIL_OUT("$outa $outb " . slurp("$dir/errora.log"));

my $ua = HTTP::Tiny->new(timeout => 10);
sub get {
    my ($base, %h) = @_;
    my $r = $ua->get("$base/app/index.html", { headers => \%h });
    return $r;
}
# HTTP Basic (AuthBasicProvider service-token) with TOKEN's credentials.
sub get_basic {
    my ($base, $t) = @_;
    require MIME::Base64;
    my $auth = MIME::Base64::encode_base64("$t->{client_id}:$t->{client_secret}", '');
    return $ua->get("$base/basic/index.html", { headers => { Authorization => "Basic $auth" } });
}
sub creds { my ($t) = @_; return ('CF-Access-Client-Id' => $t->{client_id}, 'CF-Access-Client-Secret' => $t->{client_secret}) }
sub session_of {
    my ($r) = @_;
    my $c = $r->{headers}{'set-cookie'} // '';
    $c = join ';', @$c if ref $c;
    return $c =~ /CF_Authorization=([^;]+)/ ? $1 : undef;
}
sub with_session { return (Cookie => "CF_Authorization=$_[0]") }

# Polls until every server gives STATUS for what HEADERS() sends; returns
# the seconds it took, or undef after 10 s.
sub until_status {
    my ($status, $headers, @bases) = @_;
    my $t0 = time;
    while (time - $t0 < 10) {
        my $all = 1;
        for my $b (@bases) { $all = 0 if get($b, $headers->())->{status} != $status }
        return time - $t0 if $all;
        sleep 0.05;
    }
    return undef;
}
sub within {
    my ($secs, $what) = @_;
    # Refresh is 1s; the slack covers a busy machine, not a slower design.
    ok defined $secs && $secs < 3, sprintf('%s on both servers (%.2f s)', $what, $secs // -1);
}

my $tok = cli_json('--dbd', "'$dbd'", 'create', 'fleet');
my $r = get($A, creds($tok));
is $r->{status}, 200, 'A admits the new token' or diag $r->{content} . slurp("$dir/errora.log");
my $sess = session_of($r);
ok $sess, 'and issues a session';
is get($B, with_session($sess))->{status}, 200, 'B accepts the session A issued';
is get($B, creds($tok))->{status}, 200, 'B admits the token too';
is get_basic($_, $tok)->{status}, 200, 'and its credentials over HTTP Basic' for $A, $B;
{
    my @before = slurp("$dir/errora.log") =~ /SVCT0204/g;
    is get_basic($A, { %$tok, client_secret => 'a' x 64 })->{status}, 401,
        'HTTP Basic with a wrong secret: 401';
    my @after = slurp("$dir/errora.log") =~ /SVCT0204/g;
    is @after - @before, 1, 'checked and logged once, not again when mod_auth_basic asks';
}

# Every change made with the CLI is obeyed by both within the refresh.
cli('--dbd', "'$dbd'", 'disable', 'fleet');
within(until_status(401, sub { with_session($sess) }, $A, $B), 'disable');
cli('--dbd', "'$dbd'", 'enable', 'fleet');
within(until_status(200, sub { with_session($sess) }, $A, $B), 'enable');
my $old = $tok->{client_secret};
my $rot = cli_json('--dbd', "'$dbd'", 'rotate', 'fleet', '--grace', '1h');
within(until_status(200, sub { creds({ %$tok, client_secret => $rot->{client_secret} }) }, $A, $B),
       'rotate: the new secret');
is get($_, creds($tok))->{status}, 200, 'the old secret within its grace' for $A, $B;
$rot = cli_json('--dbd', "'$dbd'", 'rotate', 'fleet');
within(until_status(401, sub { creds({ %$tok, client_secret => $old }) }, $A, $B),
       'rotate without grace: the old secret refused');
$tok->{client_secret} = $rot->{client_secret};
$r = get($A, creds($tok));
$sess = session_of($r);
cli('--dbd', "'$dbd'", 'revoke-sessions');
within(until_status(401, sub { with_session($sess) }, $A, $B), 'revoke-sessions');
is get($_, creds($tok))->{status}, 200, 'credentials still work after revoke-sessions' for $A, $B;
my $gone = cli_json('--dbd', "'$dbd'", 'create', 'doomed');
is get($_, creds($gone))->{status}, 200, 'a second token works' for $A, $B;
cli('--dbd', "'$dbd'", 'delete', 'doomed');
within(until_status(401, sub { creds($gone) }, $A, $B), 'delete');

# Tokens moved from a DBM store keep their secrets.
my ($rc, $exp) = cli('-f', "$dir/old.db", 'create', 'moved', '--json');
my $moved = decode_json($exp);
($rc, $exp) = cli('-f', "$dir/old.db", 'export');
open my $ef, '>', "$dir/export.jsonl" or die;
print $ef $exp;
close $ef;
($rc) = cli('--dbd', "'$dbd'", 'import', "< $dir/export.jsonl");
is $rc, 0, 'a DBM export imported';
within(until_status(200, sub { creds($moved) }, $A, $B), 'the imported secret works');

# Warm requests touch no database: count the statements PostgreSQL ran.
sub statements {
    my $log = slurp("$pg->{dir}/log");
    my @by_id = $log =~ /execute svctoken_by_id/g;
    my @state = $log =~ /execute svctoken_state/g;
    return (scalar @by_id, scalar @state);
}
$r = get($A, creds($tok));
$sess = session_of($r);
get($A, with_session($sess));
my ($id0, $st0) = statements();
my $t0 = time;
for (1 .. 100) { get($A, with_session($sess)); get($A, creds($tok)) }
my $elapsed = time - $t0;
sleep 0.3;    # the server's log is written asynchronously
my ($id1, $st1) = statements();
is $id1 - $id0, 0, '200 warm requests: no token read';
# One child: at most one state read per started second of the run.
ok $st1 - $st0 <= int($elapsed) + 2,
    sprintf('and %d state reads in %.1f s (at most one per second)', $st1 - $st0, $elapsed);

# B confirms them too, after the last change to the store.
get($B, with_session($sess));
get($B, creds($tok));

# The database goes away.
my $unused = cli_json('--dbd', "'$dbd'", 'create', 'never-seen');
my $t_unknown = { client_id => ('e' x 32) . '.access', client_secret => 'f' x 64 };
$pg->stop;
# The first request after the refresh finds the database gone.
ok defined until_status(503, sub { creds($unused) }, $A, $B), 'the outage is noticed';
for my $b ($A, $B) {
    is get($b, with_session($sess))->{status}, 200, 'outage: a confirmed session still works';
    is get($b, creds($tok))->{status}, 200, 'outage: confirmed credentials still work';
    $r = get($b, creds($unused));
    is $r->{status}, 503, 'outage: a token this server never confirmed: 503';
    ok $r->{headers}{'retry-after'} && $r->{headers}{'retry-after'} =~ /^\d+$/, 'with Retry-After';
    is get($b, creds($t_unknown))->{status}, 503, 'outage: an unknown well-formed id: 503, not 401';
    is get($b, creds({ %$tok, client_secret => 'a' x 64 }))->{status}, 401,
        'outage: a wrong secret for a confirmed token is still refused';
    is get($b, 'CF-Access-Client-Id' => 'junk', 'CF-Access-Client-Secret' => 'x')->{status}, 401,
        'outage: a malformed id: 401';
    # HTTP Basic alike: mod_auth_basic would make any provider error a 500.
    is get_basic($b, $tok)->{status}, 200, 'outage: confirmed credentials over HTTP Basic work';
    $r = get_basic($b, $unused);
    is $r->{status}, 503, 'outage: HTTP Basic with a token never confirmed: 503, not 500';
    ok $r->{headers}{'retry-after'} && $r->{headers}{'retry-after'} =~ /^\d+$/, 'with Retry-After';
    is get_basic($b, $t_unknown)->{status}, 503, 'outage: HTTP Basic, an unknown well-formed id: 503';
    is get_basic($b, { %$tok, client_secret => 'a' x 64 })->{status}, 401,
        'outage: HTTP Basic, a wrong secret for a confirmed token: 401';
    is get_basic($b, { client_id => 'alice', client_secret => 'x' })->{status}, 401,
        'outage: HTTP Basic, a user that is no Client ID: 401';
}
for (1 .. 20) { get($A, creds($unused)) }
my $errlog = slurp("$dir/errora.log");
my @told = $errlog =~ /SVCT0904/g;
ok @told >= 1 && @told <= 2, 'the outage is logged, not once per request (' . scalar(@told) . ')';
$pg->start;
END { diag `grep -i error $pg->{dir}/log | tail -5` if $ENV{SVCT_DEBUG} }
within(until_status(200, sub { creds($unused) }, $A, $B), 'the database is back: recovered')
    or diag slurp("$dir/errora.log");
is get($_, creds($t_unknown))->{status}, 401, 'and an unknown id is 401 again' for $A, $B;
is get_basic($_, $unused)->{status}, 200, 'and HTTP Basic admits the token never confirmed' for $A, $B;

# What was logged: no password, no secret.
$errlog = slurp("$dir/errora.log") . slurp("$dir/errorb.log");
unlike $errlog, qr/\Q$SvcToken::Pg::READER_PASSWORD\E/, 'the DBDParams password is never logged';
unlike $errlog, qr/\Q$tok->{client_secret}\E/, 'nor a secret';
unlike $errlog, qr/AH00052|segfault|Segmentation|AddressSanitizer|runtime error:/, 'no child crashed, no sanitizer report';

# Rolling operations. A graceful restart of A under load loses no request.
{
    my $tally = "$dir/tally";
    my $pid = fork // die;
    if (!$pid) {
        my ($n, $bad) = (0, 0);
        my $c = HTTP::Tiny->new(timeout => 10, keep_alive => 1);
        while (!-e "$dir/stop") {
            my $res = $c->get("$A/app/index.html", { headers => { with_session($sess) } });
            $n++;
            $bad++ if $res->{status} != 200;
        }
        open my $t, '>', $tally or die;
        print $t "$n $bad\n";
        close $t;
        POSIX::_exit(0);
    }
    sleep 0.5;
    graceful('a', "ServiceTokenSigningKey $dir/key.pem");
    sleep 0.5;
    open my $stop, '>', "$dir/stop" or die;
    close $stop;
    waitpid $pid, 0;
    my ($n, $bad) = split ' ', slurp($tally);
    ok $n > 10, "requests ran across a graceful restart of A ($n)";
    is $bad, 0, 'and every one was answered 200';
}
# A new signing key rolled out node by node, the old one kept as a
# ServiceTokenVerifyKey: every live session stays valid on every node.
system("$cli keygen --out $dir/new.pem >/dev/null") == 0 or die;
my $s_old = session_of(get($B, creds($tok))) // $sess;
graceful('b', "ServiceTokenSigningKey $dir/key.pem\nServiceTokenVerifyKey $dir/new.pem");
graceful('a', "ServiceTokenSigningKey $dir/new.pem\nServiceTokenVerifyKey $dir/key.pem");
my $s_new = session_of(get($A, creds($tok)));
ok $s_new && $s_new ne $s_old, 'A signs with the new key';
for my $b ($A, $B) {
    is get($b, with_session($s_old))->{status}, 200, 'a session of the old key, mid-rollout';
    is get($b, with_session($s_new))->{status}, 200, 'a session of the new key, mid-rollout';
}
graceful('b', "ServiceTokenSigningKey $dir/new.pem\nServiceTokenVerifyKey $dir/key.pem");
for my $b ($A, $B) {
    is get($b, with_session($s_old))->{status}, 200, 'the old key\'s session after the rollout';
    is get($b, with_session($s_new))->{status}, 200, 'the new key\'s session after the rollout';
}

stop_httpd($_) for qw(a b);
$pg->psql('ALTER SYSTEM RESET log_statement');
$pg->psql('SELECT pg_reload_conf()');
done_testing;
