#!/usr/bin/perl
# Last seen on a DBM store, end to end: a prefork httpd with several
# children and ServiceTokenSeenInterval 1s, the store laid out as
# production has it (as root: owned by root, readable only by httpd's
# group). null before first use; follows use by secret, session and Basic
# as the test clock moves; one write for all children within the interval;
# the last-seen directory made by the parent for the children's user, who
# still cannot write the token records; 16 connections hammering one token
# while svctoken creates and deletes tokens get no error.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use MIME::Base64 ();
use Time::HiRes ();
use FindBin;
use lib $FindBin::Bin;
use HttpdConf;

my $module = $ENV{SVCT_TEST_MODULE};
my $cli    = $ENV{SVCTOKEN} || 'build/svctoken';
plan skip_all => 'SVCT_TEST_MODULE (the module with the test clock) is not set: make test sets it'
    unless $module && -f $module;
plan skip_all => "no $HttpdConf::HTTPD" unless -x $HttpdConf::HTTPD;
my $ab = '/usr/bin/ab';
my $root = $> == 0;
my ($nobody_uid, $nogroup_gid) = ((getpwnam 'nobody')[2], scalar getgrnam 'nogroup');

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/store", 0755;
my $store = "$dir/store/tokens.db";
sub svc {
    my $out = `$cli -f $store @_ 2>&1`;
    die "svctoken @_: $out" if $?;
    return $out =~ /^\s*[\[{]/ ? decode_json($out) : $out;
}
my $tok = svc('create', 'worker', '--json');
my $idle = svc('create', 'idle', '--json');
if ($root) {
    chown 0, $nogroup_gid, $store, "$store.lock" or die "chown: $!";
    chmod 0640, $store or die;
}

test_clock($dir);

my ($port, $port2) = (free_port(), free_port());
my $conf = "$dir/httpd.conf";
(my $base = httpd_base_conf($dir, $port)) =~ s/mpm_event_module (\S+)mod_mpm_event\.so/mpm_prefork_module $1mod_mpm_prefork.so/
    or die 'no MPM line to replace';
open my $fh, '>', $conf or die;
print $fh $base, <<"EOF";
LoadModule access_svctoken_module $module
StartServers 4
MinSpareServers 4
MaxSpareServers 8
MaxRequestWorkers 24
KeepAlive Off
LogFormat "%P %u %>s" pids
CustomLog $dir/access.log pids
ServiceTokenStore $store
ServiceTokenSeenInterval 1s
${\ token_locations("$dir/htdocs")}
${\ hourly_seen_vhost($port2)}
EOF
close $fh;

sub seen_of {
    my ($name) = @_;
    my ($t) = grep { $_->{name} eq $name } @{ svc('list', '--json') };
    return $t->{last_seen_at};
}
sub epoch { my ($y, $mo, $d, $h, $mi, $s) = $_[0] =~ /(\d+)/g; POSIX::mktime($s, $mi, $h, $d, $mo - 1, $y - 1900) }
my $entry = "$store.seen/$tok->{client_id}";

is seen_of('worker'), undef, 'last_seen_at is null before the server ever ran';
my ($rc, $out) = httpd_ctl($conf, 'start');
is $rc, 0, 'httpd starts' or diag $out;
END { httpd_ctl($conf, 'stop') if $conf && -f "$dir/httpd.pid" }
is httpd_wait_log("$dir/error.log", qr/resuming normal operations/, 1), 1, 'and is up';
unlike slurp("$dir/error.log"), qr/SVCT130\d/, 'no last-seen problem at start-up';

ok -d "$store.seen", 'the parent made the last-seen directory beside the store';
my @st = stat "$store.seen";
is $st[2] & 07777, 0711, 'mode 0711: entries are found by Client ID, not listed';
if ($root) {
    is $st[4], $nobody_uid, 'owned by the user the children run as';
    my @s = stat $store;
    is_deeply [$s[4], $s[5], $s[2] & 07777], [0, $nogroup_gid, 0640],
        'the store stays root:nogroup 0640';
}
is seen_of('worker'), undef, 'still null before the first use';

my $http = HTTP::Tiny->new(timeout => 20, max_redirect => 0);
my $url = "http://127.0.0.1:$port";
my $r = $http->get("$url/app/index.html", { headers => { 'CF-Access-Client-Id' => $tok->{client_id},
                                              'CF-Access-Client-Secret' => $tok->{client_secret} } });
is $r->{status}, 200, 'exchange by secret';
my ($jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
my $t1 = seen_of('worker');
like $t1, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/, 'use by secret: last_seen_at is set (RFC 3339)';
ok abs(epoch($t1) - time) <= 5, 'to about now';
is seen_of('idle'), undef, 'a token not used stays null';
ok -f $entry, 'the entry of the token is a file';
if ($root) {
    my @e = stat $entry;
    is_deeply [$e[4], $e[2] & 07777], [$nobody_uid, 0600], 'made by the children\'s user, mode 0600';
}

# Within the interval no child writes again: every change of the entry
# would move its ctime (utimensat), whichever child made it. (On the
# virtual host whose interval is an hour.)
my $ctime = (Time::HiRes::stat($entry))[10];
my $mark = -s "$dir/access.log" // 0;
my $ok = 0;
for (1 .. 24) {
    $ok++ if $http->get("http://127.0.0.1:$port2/app/index.html",
                        { headers => { Cookie => "CF_Authorization=$jwt" } })->{status} == 200;
}
is $ok, 24, 'sessions admitted';
open my $al, '<', "$dir/access.log" or die;
seek $al, $mark, 0;
my %pids = map { (split)[0] => 1 } grep { / worker 200$/ } <$al>;
close $al;
cmp_ok scalar(keys %pids), '>=', 2, 'served by several children';
is +(Time::HiRes::stat($entry))[10], $ctime, 'none of them wrote within the interval';
is seen_of('worker'), $t1, 'last_seen_at unchanged';

advance_test_clock(1.5);
is $http->get("$url/app/index.html", { headers => { Cookie => "CF_Authorization=$jwt" } })->{status}, 200,
    'a session after the interval';
my $t2 = seen_of('worker');
cmp_ok epoch($t2), '>', epoch($t1), 'use by session moves last_seen_at';

advance_test_clock(1.5);
my $basic = 'Basic ' . MIME::Base64::encode_base64("$tok->{client_id}:$tok->{client_secret}", '');
is $http->get("$url/basic/index.html", { headers => { Authorization => $basic } })->{status}, 200,
    'HTTP Basic';
my $t3 = seen_of('worker');
cmp_ok epoch($t3), '>', epoch($t2), 'use by Basic moves last_seen_at';
like svc('show', 'worker'), qr/^Last seen:\s+\Q$t3\E \((just now|\d+ s ago)\)$/m, 'show prints it, with how long ago';

SKIP: {
    skip 'the store belongs to root only when the tests run as root', 3 unless $root;
    # The children's user: may record use, may not touch the token records.
    my $pid = fork // die;
    if (!$pid) {
        POSIX::setgid($nogroup_gid);
        POSIX::setuid($nobody_uid);
        my $w = open(my $f, '+<', $store) ? 1 : 0;
        my $r2 = open(my $g, '<', $store) ? 1 : 0;
        my $c2 = system("$cli -f $store create intruder >/dev/null 2>&1") >> 8;
        POSIX::_exit(($w ? 1 : 0) | ($r2 ? 0 : 2) | ($c2 == 3 ? 0 : 4));
    }
    waitpid $pid, 0;
    my $st = $? >> 8;
    ok !($st & 1), 'the children\'s user cannot open the token records for writing';
    ok !($st & 2), '... but can read them';
    ok !($st & 4), '... and svctoken run as that user cannot change the store (exit 3)';
}

# 16 connections on one token while svctoken creates and deletes tokens.
SKIP: {
    skip "no $ab (apache2-utils)", 3 unless -x $ab;
    my $pid = fork // die;
    if (!$pid) {
        for my $i (1 .. 15) {
            system("$cli -f $store create churn-$i >/dev/null 2>&1");
            system("$cli -f $store delete churn-$i >/dev/null 2>&1");
        }
        POSIX::_exit(0);
    }
    my $about = `$ab -q -n 3000 -c 16 -H 'Cookie: CF_Authorization=$jwt' $url/app/index.html 2>&1`;
    waitpid $pid, 0;
    like $about, qr/^Complete requests:\s+3000$/m, '3000 requests on 16 connections';
    like $about, qr/^Failed requests:\s+0$/m, 'none failed';
    unlike $about, qr/Non-2xx responses/, 'every one admitted';
}
is +(() = svc('list') =~ /churn-/g), 0, 'the churned tokens are gone';
unlike slurp("$dir/error.log"), qr/SVCT130\d/, 'no last-seen failure logged';

done_testing;
