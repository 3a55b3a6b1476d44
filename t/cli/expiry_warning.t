#!/usr/bin/perl
# The start-up warning of tokens that expire soon: at start-up, at a
# graceful and at a plain restart, httpd's error log names at warn each
# enabled token that expires within 7 days or has expired (its name, Client
# ID, store and RFC 3339 expiry; the name escaped as in every log line),
# once per restart however many sections share its store, and no other
# token; `apachectl configtest` shows the same lines. Times are made by backdating tokens, not by waiting.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use FindBin;
use lib $FindBin::Bin;
use HttpdConf;
use CliHelper;
use SvcToken::Run ();

my $module = $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so';
plan skip_all => "no $HttpdConf::HTTPD" unless -x $HttpdConf::HTTPD;
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/htdocs";

# Two stores: tokens.db, shared by two sections and the server, and
# other.db (SDBM) of a third section.
my %tok;
sub make {
    my ($store, $name, @args) = @_;
    my ($rc, $out, $err) = svctoken('-f', $store, create => $name, @args, '--json');
    die "create $name: $err" if $rc;
    $tok{$name} = json($out);
}
my $db = "$dir/tokens.db";
make($db, 'in-6d', '--duration', '6d');
make($db, 'in-8d', '--duration', '8d');
make($db, 'forever', '--duration', 'forever');
make($db, 'gone', '--duration', '1d');
backdate($db, 'gone', 3 * 86400);
make($db, 'off-2d', '--duration', '2d');
(svctoken('-f', $db, 'disable', 'off-2d'))[0] == 0 or die;
make($db, 'in-1y');
# A name made before names were restricted (read back by import), which a
# log line must show escaped: it cannot close the quotes or the line.
{
    make($db, 'odd', '--duration', '4d');
    my ($line) = grep { /"name":"odd"/ } split /\n/, (svctoken('-f', $db, 'export'))[1];
    (svctoken('-f', $db, 'delete', 'odd'))[0] == 0 or die;
    $line =~ s/"name":"odd"/"name":"odd\\"] [client 10.0.0.1"/ or die;
    my ($rc, $out, $err) = SvcToken::Run::capture({ stdin => "$line\n" }, $CLI, '-f', $db, 'import');
    die "import: $err" if $rc;
    $tok{'odd"] [client 10.0.0.1'} = $tok{odd};
}
my $other = "$dir/other.db";
{
    local $ENV{SVCTOKEN_DBMTYPE} = 'SDBM';
    my ($rc, $out, $err) = svctoken('-f', $other, '-t', 'SDBM', create => 'other-5d',
                                    '--duration', '5d', '--json');
    die "create other-5d: $err" if $rc;
    $tok{'other-5d'} = json($out);
}
system('chmod', '-R', 'a+rX', $dir) == 0 or die;

my $port = free_port();
my $conf = "$dir/httpd.conf";
open my $fh, '>', $conf or die;
print $fh httpd_base_conf($dir, $port), <<"EOF2";
LoadModule access_svctoken_module $module
DocumentRoot $dir/htdocs
ServiceTokenStore $db
<Location /a>
    AuthType ServiceToken
    ServiceTokenStore $db
    Require service-token
</Location>
<Location /b>
    AuthType ServiceToken
    ServiceTokenStore $db
    Require service-token
</Location>
<Location /c>
    AuthType ServiceToken
    ServiceTokenStore $other SDBM
    Require service-token
</Location>
EOF2
close $fh;

my %expected = (
    'in-6d'    => [1350, $db,    'expires'],
    'odd"] [client 10.0.0.1' => [1350, $db, 'expires'],
    'gone'     => [1351, $db,    'expired'],
    'other-5d' => [1350, $other, 'expires'],
);

# Checks the warning lines of TEXT (one start or configtest): exactly the
# expected tokens, once each, and nothing of the others.
sub check_lines {
    my ($what, $text, $level) = @_;
    my @lines = $text =~ /^.*SVCT135[01]: .*$/mg;
    is scalar(@lines), scalar(keys %expected), "$what: one line per expiring token"
        or diag join "\n", @lines;
    for my $name (sort keys %expected) {
        my ($no, $store, $verb) = @{ $expected{$name} };
        my $id = $tok{$name}{client_id};
        # As src/name.h escapes it, and httpd's log doubles each backslash.
        (my $shown = $name) =~ s/(["\[\]])/sprintf '\\\\x%02X', ord $1/ge;
        my @mine = grep { /SVCT$no: token "\Q$shown\E" \(Client ID \Q$id\E\) in token store \Q$store\E $verb at (\S+?)[,\s]/ } @lines;
        is scalar(@mine), 1, "$what: $name, once, with its Client ID and store";
        my ($when) = ($mine[0] // '') =~ / $verb at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/;
        my $t = rfc3339($when);
        my $want = rfc3339($tok{$name}{expires_at}) - ($name eq 'gone' ? 3 * 86400 : 0);
        is $t, $want, "$what: $name: its expiry in RFC 3339";
        like $mine[0] // '', qr/\[access_svctoken:warn\]/, "$what: $name: at warn" if $level;
    }
    for my $name (qw(in-8d forever off-2d in-1y)) {
        my $id = $tok{$name}{client_id};
        unlike $text, qr/"\Q$name\E"|\Q$id\E/, "$what: nothing about $name";
    }
}

my ($rc, $out) = httpd_configtest($conf);
is $rc, 0, 'configtest passes';
check_lines('configtest', $out, 0);

($rc, $out) = httpd_ctl($conf, 'start');
is $rc, 0, 'httpd starts' or diag $out;
my $ready = qr/resuming normal operations/;
is httpd_wait_log("$dir/error.log", $ready, 1), 1, 'and is up';
check_lines('start', slurp("$dir/error.log"), 1);

my $n = 1;
for my $signal ('graceful', 'restart') {
    my $before = length slurp("$dir/error.log");
    ($rc, $out) = httpd_ctl($conf, $signal);
    is $rc, 0, "$signal sent" or diag $out;
    $n++;
    is httpd_wait_log("$dir/error.log", $ready, $n), $n, "$signal: done";
    check_lines($signal, substr(slurp("$dir/error.log"), $before), 1);
}

print STDERR slurp("$dir/error.log") if $ENV{SHOWLOG};
httpd_ctl($conf, 'stop');
for (1 .. 100) { last unless -f "$dir/httpd.pid"; select undef, undef, undef, 0.1 }
ok !-f "$dir/httpd.pid", 'httpd stopped';

done_testing;
