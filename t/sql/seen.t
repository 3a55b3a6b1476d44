#!/usr/bin/perl
# Last seen on the SQL store. PostgreSQL: a schema of version 1 is refused
# until svctoken init upgrades it; an httpd reading through mod_dbd as the
# role docs/SQL.md sets up (SELECT, and UPDATE on svctoken_seen only)
# records use by secret, session and Basic, at most once per
# ServiceTokenSeenInterval (1s here, the test clock moved), and that role
# cannot change a token; list --inactive, output and exit codes, on
# PostgreSQL and SQLite.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../cli";
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 ();
use POSIX ();
use CliHelper;
use HttpdConf;
use SvcToken::Pg;

my $module = $ENV{SVCT_TEST_MODULE};
my $mods   = '/usr/lib/apache2/modules';
plan skip_all => 'no PostgreSQL' unless SvcToken::Pg::available();
plan skip_all => 'SVCT_TEST_MODULE is not set (make test sets it)' unless $module && -f $module;
plan skip_all => 'no mod_dbd' unless -f "$mods/mod_dbd.so";

my $pg  = SvcToken::Pg->shared;
my $dbd = $pg->dbd;
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};
$pg->psql('DROP TABLE IF EXISTS svctoken_tokens, svctoken_state, svctoken_seen', 'svctoken');

sub ok_json {
    my (@args) = @_;
    my ($rc, $out, $err) = svctoken(@args);
    die "svctoken @args: $err" if $rc;
    return json($out);
}
sub seen_of {
    my ($store, $name) = @_;
    my ($t) = grep { $_->{name} eq $name } @{ ok_json('--dbd', $store, 'list', '--json') };
    return $t->{last_seen_at};
}
sub epoch { my ($y, $mo, $d, $h, $mi, $s) = $_[0] =~ /(\d+)/g; POSIX::mktime($s, $mi, $h, $d, $mo - 1, $y - 1900) }

# Schema version 1 (before last seen): refused until init upgrades it.
is((svctoken('--dbd', $dbd, 'init'))[0], 0, 'init');
my $old = ok_json('--dbd', $dbd, 'create', 'from-v1', '--json');
$pg->psql('DROP TABLE svctoken_seen; UPDATE svctoken_state SET schema_version = 1', 'svctoken');
my ($rc, $out, $err) = svctoken('--dbd', $dbd, 'list');
is $rc, 3, 'a version 1 database: exit 3';
like $err, qr/run svctoken init/, 'and says to run svctoken init';
($rc, undef, $err) = svctoken('--dbd', $dbd, 'init');
is $rc, 0, 'init upgrades it' or diag $err;
is $pg->psql('SELECT schema_version FROM svctoken_state', 'svctoken') + 0, 2, 'to version 2';
is $pg->psql("SELECT last_seen_at FROM svctoken_seen WHERE client_id = '$old->{client_id}'",
             'svctoken') + 0, 0, 'the tokens it had get a row that says never';
is seen_of($dbd, 'from-v1'), undef, 'list --json: null';

# What docs/SQL.md grants httpd's role once init has made the tables.
$pg->psql('GRANT UPDATE ON svctoken_seen TO svct_reader', 'svctoken');
my $tok = ok_json('--dbd', $dbd, 'create', 'worker', '--json');
is seen_of($dbd, 'worker'), undef, 'a new token: last_seen_at null';

# httpd's role: may record last seen, may not touch a token.
{
    my ($password) = $pg->reader_dbd =~ /password=(\S+)/;
    local $ENV{PGPASSWORD} = $password;
    my @psql = ("$pg->{bin}/psql", '-X', '-q', '-A', '-t', '-h', $pg->dir, '-p', 5432,
                '-U', 'svct_reader', '-d', 'svctoken', '-c');
    my $o = `@psql "UPDATE svctoken_tokens SET record = record" 2>&1`;
    isnt $?, 0, 'the reader role cannot UPDATE svctoken_tokens';
    like $o, qr/permission denied/, 'permission denied';
    $o = `@psql "DELETE FROM svctoken_seen" 2>&1`;
    like $o, qr/permission denied/, 'nor DELETE last seen';
    $o = `@psql "INSERT INTO svctoken_seen VALUES ('x', 1)" 2>&1`;
    like $o, qr/permission denied/, 'nor INSERT it';
    $o = `@psql "UPDATE svctoken_seen SET last_seen_at = 0 WHERE client_id = 'none'" 2>&1`;
    is $?, 0, 'but may UPDATE svctoken_seen' or diag $o;
}

# An httpd with the test clock, reading and recording through mod_dbd.
test_clock($dir);
my $reader = $pg->reader_dbd =~ s/^pgsql://r;
my ($port, $port2) = (free_port(), free_port());
my $conf = "$dir/httpd.conf";
open my $fh, '>', $conf or die;
print $fh httpd_base_conf($dir, $port), <<"EOF";
LoadModule dbd_module $mods/mod_dbd.so
DBDriver pgsql
DBDParams "$reader"
LoadModule access_svctoken_module $module
StartServers 2
ServiceTokenStore dbd
ServiceTokenSeenInterval 1s
${\ token_locations("$dir/htdocs")}
${\ hourly_seen_vhost($port2)}
EOF
close $fh;
($rc, $out) = httpd_ctl($conf, 'start');
is $rc, 0, 'httpd starts on the SQL store' or diag $out;
END { httpd_ctl($conf, 'stop') if $conf && -f "$dir/httpd.pid" }
is httpd_wait_log("$dir/error.log", qr/resuming normal operations/, 1), 1, 'and is up';

my $http = HTTP::Tiny->new(timeout => 20);
my $url = "http://127.0.0.1:$port";
my $r = $http->get("$url/app/index.html", { headers => { 'CF-Access-Client-Id' => $tok->{client_id},
                                                        'CF-Access-Client-Secret' => $tok->{client_secret} } });
is $r->{status}, 200, 'exchange by secret';
my ($jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
my $t1 = seen_of($dbd, 'worker');
like $t1, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/, 'use by secret: last_seen_at set';
ok abs(epoch($t1) - time) <= 5, 'to about now';
is seen_of($dbd, 'from-v1'), undef, 'an unused token stays null';
for (1 .. 5) {
    $http->get("http://127.0.0.1:$port2/app/index.html",
               { headers => { Cookie => "CF_Authorization=$jwt" } });
}
is seen_of($dbd, 'worker'), $t1, 'sessions within the interval leave it';
advance_test_clock(1.5);
is $http->get("$url/app/index.html", { headers => { Cookie => "CF_Authorization=$jwt" } })->{status},
    200, 'a session after the interval';
my $t2 = seen_of($dbd, 'worker');
cmp_ok epoch($t2), '>', epoch($t1), 'use by session moves it';
advance_test_clock(1.5);
my $basic = 'Basic ' . MIME::Base64::encode_base64("$tok->{client_id}:$tok->{client_secret}", '');
is $http->get("$url/basic/index.html", { headers => { Authorization => $basic } })->{status}, 200,
    'HTTP Basic';
cmp_ok epoch(seen_of($dbd, 'worker')), '>', epoch($t2), 'use by Basic moves it';
unlike slurp("$dir/error.log"), qr/SVCT130\d/, 'no last-seen failure logged';

# Without the grant: the request is admitted all the same, and the child
# says once why last seen is not recorded.
$pg->psql('REVOKE UPDATE ON svctoken_seen FROM svct_reader', 'svctoken');
advance_test_clock(1.5);
is $http->get("$url/app/index.html", { headers => { Cookie => "CF_Authorization=$jwt" } })->{status},
    200, 'without UPDATE on svctoken_seen: still admitted';
like slurp("$dir/error.log"), qr/SVCT1302: last use of client id \S+ not recorded .*permission denied/,
    'and SVCT1302 says why';
httpd_ctl($conf, 'stop');

# list --inactive on both SQL stores.
my $lite = "sqlite3:$dir/tokens.sqlite";
is((svctoken('--dbd', $lite, 'init'))[0], 0, 'init SQLite');
my $sqlite3 = '/usr/bin/sqlite3';
for my $store ($dbd, $lite) {
    my $kind = $store =~ /^pgsql/ ? 'PostgreSQL' : 'SQLite';
    SKIP: {
        skip "no $sqlite3", 10 if $kind eq 'SQLite' && !-x $sqlite3;
        my %id;
        $id{$_} = ok_json('--dbd', $store, 'create', "i-$_", '--json')->{client_id}
            for qw(hour week never);
        my $now = time;
        my %ago = (hour => 3600, week => 8 * 86400);
        for my $n (keys %ago) {
            my $sql = "UPDATE svctoken_seen SET last_seen_at = " . ($now - $ago{$n})
                    . " WHERE client_id = '$id{$n}'";
            if ($kind eq 'SQLite') { system($sqlite3, "$dir/tokens.sqlite", $sql) == 0 or die }
            else { $pg->psql($sql, 'svctoken') }
        }

        ($rc, $out) = svctoken('--dbd', $store, 'list', '--inactive', '1d', '--json');
        is $rc, 0, "$kind: list --inactive 1d exits 0";
        is_deeply [grep { /^i-/ } map { $_->{name} } @{ json($out) }], [qw(i-never i-week)],
            "$kind: the tokens unused for a day or never used";
        ($rc, $out) = svctoken('--dbd', $store, 'list', '--inactive', '30m', '--json');
        is_deeply [grep { /^i-/ } map { $_->{name} } @{ json($out) }], [qw(i-hour i-never i-week)],
            "$kind: --inactive 30m";
        ($rc, $out) = svctoken('--dbd', $store, 'list');
        like $out, qr/^i-hour\s.*\(1 h ago\)$/m, "$kind: the table says how long ago";
        like $out, qr/^i-never\s.*\snever$/m, "$kind: and never";
        ($rc, $out) = svctoken('--dbd', $store, 'show', 'i-week', '--json');
        is rfc3339(json($out)->{last_seen_at}), $now - $ago{week}, "$kind: show --json";
        ($rc, undef, $err) = svctoken('--dbd', $store, 'list', '--inactive', 'soon');
        is $rc, 1, "$kind: a bad --inactive is refused with 1";
        # A deleted token's row stays, and brings nothing back.
        ($rc) = svctoken('--dbd', $store, 'delete', 'i-week');
        is $rc, 0, "$kind: delete";
        ($rc) = svctoken('--dbd', $store, 'show', $id{week});
        is $rc, 1, "$kind: the deleted token is gone";
        ($rc, $out) = svctoken('--dbd', $store, 'list', '--inactive', '1d', '--json');
        is_deeply [grep { /^i-/ } map { $_->{name} } @{ json($out) }], [qw(i-never)],
            "$kind: and no longer listed";
    }
}

done_testing;
