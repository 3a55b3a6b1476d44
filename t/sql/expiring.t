#!/usr/bin/perl
# Expiring tokens on a SQL store (PostgreSQL): svctoken expiring (none: exit
# 0 and nothing; some: exit 1 and exactly those, as list prints them;
# --within, --json, a bad --within); the start-up warning of httpd
# reading the store through mod_dbd, as a role that may only SELECT and
# with a password that must never be logged: the tokens that expire within
# 7 days or have expired, once each at start-up and at a graceful restart,
# although two sections and a virtual host use the database; nothing of the
# others; one warning, and a start all the same, when the database is down.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../cli";
use Test::More;
use File::Temp qw(tempdir);
use CliHelper;
use HttpdConf;
use SvcToken::Run qw(capture);
use SvcToken::Pg;

my $module = $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so';
my $mods   = '/usr/lib/apache2/modules';
plan skip_all => 'no PostgreSQL' unless SvcToken::Pg::available();
plan skip_all => "no $HttpdConf::HTTPD" unless -x $HttpdConf::HTTPD;
plan skip_all => 'no mod_dbd' unless -f "$mods/mod_dbd.so";
my $backdate = $ENV{SVCT_BACKDATE}
    or die "set SVCT_BACKDATE to the store_backdate tool (make test does)\n";

my $pg  = SvcToken::Pg->shared;
my $dbd = $pg->dbd;
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/htdocs";
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};
$pg->psql('DROP TABLE IF EXISTS svctoken_tokens, svctoken_state', 'svctoken');
is((svctoken('--dbd', $dbd, 'init'))[0], 0, 'svctoken init');

my %tok;
sub make {
    my ($name, @args) = @_;
    my ($rc, $out, $err) = svctoken('--dbd', $dbd, create => $name, @args, '--json');
    die "create $name: $err" if $rc;
    $tok{$name} = json($out);
}
sub backdate_sql {
    my ($name, $secs) = @_;
    my ($rc, undef, $err) = capture($backdate, $dbd, 'dbd', $name, $secs);
    die "store_backdate $name: $err" if $rc;
}
# ---- svctoken expiring ----
make('in-1y');
my ($rc, $out, $err) = svctoken('--dbd', $dbd, 'expiring');
is $rc, 0, 'none expires within 7 days: exit 0';
is $out . $err, '', 'and nothing is printed';
($rc, $out) = svctoken('--dbd', $dbd, 'expiring', '--json');
is_deeply [$rc, json($out)], [0, []], '--json: exit 0, an empty array';

make('in-6d', '--duration', '6d');
make('in-8d', '--duration', '8d');
make('forever', '--duration', 'forever');
make('gone', '--duration', '1d');
backdate_sql('gone', 3 * 86400);
make('off-2d', '--duration', '2d');
(svctoken('--dbd', $dbd, 'disable', 'off-2d'))[0] == 0 or die;
make('in-20d', '--duration', '20d');

sub names_of { return join ',', map { $_->{name} } @{ $_[0] } }
my %by_name = map { $_->{name} => $_ } @{ json((svctoken('--dbd', $dbd, 'list', '--json'))[1]) };
($rc, $out, $err) = svctoken('--dbd', $dbd, 'expiring');
is $rc, 1, 'some expire within 7 days: exit 1';
my @lines = split /\n/, $out;
is scalar(@lines), 3, 'a header and two tokens' or diag $out . $err;
like $lines[0], qr/^NAME\s+CLIENT ID\s+CREATED\s+UPDATED\s+EXPIRES\s+STATUS\s+LAST SEEN$/, 'the columns of list';
like $lines[1], qr/^gone\s+\Q$tok{gone}{client_id}\E\s.*\sexpired\s+never$/, 'the expired token';
like $lines[2], qr/^in-6d\s+\Q$tok{'in-6d'}{client_id}\E\s.*\sactive\s+never$/, 'the 6-day token';
($rc, $out) = svctoken('--dbd', $dbd, 'expiring', '--json');
is_deeply json($out), [ @by_name{qw(gone in-6d)} ], '--json: the very objects of list --json';
($rc, $out) = svctoken('--dbd', $dbd, 'expiring', '--within', '30d', '--json');
is $rc, 1, '--within 30d: exit 1';
is names_of(json($out)), 'gone,in-20d,in-6d,in-8d', '--within 30d: the 8- and 20-day tokens too';
($rc, $out, $err) = svctoken('--dbd', $dbd, 'expiring', '--within', 'soon');
is $rc, 2, 'a bad --within: exit 2';
like $err, qr/^svctoken: bad --within "soon"/, 'and says why';
(svctoken('--dbd', $dbd, 'delete', 'in-20d'))[0] == 0 or die;

# ---- the start-up warning, through mod_dbd's configuration ----
my $reader = $pg->reader_dbd =~ s/^pgsql://r;
my $port  = free_port();
my $port2 = free_port();
my $conf  = "$dir/httpd.conf";
open my $fh, '>', $conf or die;
print $fh httpd_base_conf($dir, $port), <<"EOF2";
Listen 127.0.0.1:$port2
LoadModule dbd_module $mods/mod_dbd.so
DBDriver pgsql
DBDParams "$reader"
LoadModule access_svctoken_module $module
DocumentRoot $dir/htdocs
<Location /a>
    AuthType ServiceToken
    ServiceTokenStore dbd
    Require service-token
</Location>
<Location /b>
    AuthType ServiceToken
    ServiceTokenStore dbd
    Require service-token
</Location>
<VirtualHost 127.0.0.1:$port2>
    ServerName other.test
    DocumentRoot $dir/htdocs
    <Location /c>
        AuthType ServiceToken
        ServiceTokenStore dbd
        Require service-token
    </Location>
</VirtualHost>
EOF2
close $fh;

my %expected = ('in-6d' => [1350, 'expires'], 'gone' => [1351, 'expired']);
sub check_lines {
    my ($what, $text) = @_;
    my @lines = $text =~ /^.*SVCT135[01]: .*$/mg;
    is scalar(@lines), 2, "$what: one line per expiring token" or diag join "\n", @lines;
    for my $name (sort keys %expected) {
        my ($no, $verb) = @{ $expected{$name} };
        my $id = $tok{$name}{client_id};
        my @mine = grep { /\[access_svctoken:warn\].* SVCT$no: token "\Q$name\E" \(Client ID \Q$id\E\) in the token database \(pgsql\) $verb at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/ } @lines;
        is scalar(@mine), 1, "$what: $name, once, at warn, with its Client ID";
    }
    for my $name (qw(in-8d forever off-2d in-1y)) {
        my $id = $tok{$name}{client_id};
        unlike $text, qr/"\Q$name\E"|\Q$id\E/, "$what: nothing about $name";
    }
}

my $ready = qr/resuming normal operations/;
($rc, $out) = httpd_ctl($conf, 'start');
is $rc, 0, 'httpd starts' or diag $out;
is httpd_wait_log("$dir/error.log", $ready, 1), 1, 'and is up';
check_lines('start', slurp("$dir/error.log"));

my $before = length slurp("$dir/error.log");
($rc, $out) = httpd_ctl($conf, 'graceful');
is $rc, 0, 'graceful sent' or diag $out;
is httpd_wait_log("$dir/error.log", $ready, 2), 2, 'graceful: done';
check_lines('graceful', substr(slurp("$dir/error.log"), $before));

# The database down at a restart: one warning, and httpd comes back.
$pg->stop;
$before = length slurp("$dir/error.log");
($rc, $out) = httpd_ctl($conf, 'graceful');
is httpd_wait_log("$dir/error.log", $ready, 3), 3, 'database down: the graceful restart is done';
my $down = substr(slurp("$dir/error.log"), $before);
my @cannot = $down =~ /SVCT1352: cannot look for tokens that expire soon in the token database \(pgsql\): .+/g;
is scalar(@cannot), 1, 'database down: one warning that the database could not be read'
    or diag $down;
$pg->start;

print STDERR slurp("$dir/error.log") if $ENV{SHOWLOG};
httpd_ctl($conf, 'stop');
for (1 .. 100) { last unless -f "$dir/httpd.pid"; select undef, undef, undef, 0.1 }
ok !-f "$dir/httpd.pid", 'httpd stopped';
unlike slurp("$dir/error.log"), qr/\Q$SvcToken::Pg::READER_PASSWORD\E/,
    'the DBDParams password is never logged';

done_testing;
