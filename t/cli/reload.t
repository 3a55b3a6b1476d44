#!/usr/bin/perl
# Reloads: a session signed by the key httpd makes when no
# ServiceTokenSigningKey is set survives a graceful and a plain restart, and
# what would stop a reload (a broken key file) is caught by configtest while
# the running server goes on serving.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use FindBin;
use lib $FindBin::Bin;
use HttpdConf;

my $module = $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so';
my $cli    = $ENV{SVCTOKEN}    || 'build/svctoken';
plan skip_all => "no $HttpdConf::HTTPD" unless -x $HttpdConf::HTTPD;

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
mkdir "$dir/htdocs";
open my $h, '>', "$dir/htdocs/index.html" or die;
print $h "hello\n";
close $h;
my $tok = decode_json(scalar `$cli -f $dir/tokens.db create reloader --json`);
system('chmod', '-R', 'a+rX', $dir) == 0 or die;

my $port = free_port();
my $conf = "$dir/httpd.conf";
my $site = httpd_base_conf($dir, $port) . <<"EOF2";
LoadModule access_svctoken_module $module
DocumentRoot $dir/htdocs
<Location />
    AuthType ServiceToken
    ServiceTokenStore $dir/tokens.db
    Require service-token
</Location>
EOF2
sub write_conf {
    open my $fh, '>', $conf or die;
    print $fh $site, @_;
    close $fh;
}
write_conf();
my ($rc, $out) = httpd_ctl($conf, 'start');
is $rc, 0, 'httpd starts without ServiceTokenSigningKey' or diag $out;
my $ready = qr/resuming normal operations/;
is httpd_wait_log("$dir/error.log", $ready, 1), 1, 'and is up';
like slurp("$dir/error.log"),
    qr/SVCT0004: .*sessions end when httpd stops, and servers that share sessions need one shared ServiceTokenSigningKey/,
    'the start-up line says how long sessions last and what several servers need';

my $http = HTTP::Tiny->new(timeout => 10);
my $url  = "http://127.0.0.1:$port/index.html";
my $r = $http->get($url, { headers => { 'CF-Access-Client-Id' => $tok->{client_id},
                                        'CF-Access-Client-Secret' => $tok->{client_secret} } });
is $r->{status}, 200, 'exchange';
my ($jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
ok $jwt, 'a session cookie';
sub with_session { $http->get($url, { headers => { Cookie => "CF_Authorization=$jwt" } })->{status} }
is with_session(), 200, 'the session admits';

my $n = 1;
for my $signal ('graceful', 'restart') {
    ($rc, $out) = httpd_ctl($conf, $signal);
    is $rc, 0, "$signal sent" or diag $out;
    $n++;
    is httpd_wait_log("$dir/error.log", $ready, $n), $n, "$signal: done";
    is with_session(), 200, "the session survives a $signal";
}

# A signing key that is not a key: configtest says so (apachectl graceful
# runs it first and gives up), and the running server keeps its sessions.
open my $g, '>', "$dir/bad.pem" or die;
print $g "not a key\n";
close $g;
write_conf("ServiceTokenSigningKey $dir/bad.pem\n");
($rc, $out) = httpd_configtest($conf);
isnt $rc, 0, 'configtest fails on a broken key file';
like $out, qr/ServiceTokenSigningKey: .*bad\.pem/, 'naming it';
is with_session(), 200, 'the running server still serves the session';

write_conf();
print STDERR slurp("$dir/error.log") if $ENV{SHOWLOG};
httpd_ctl($conf, 'stop');
for (1 .. 100) { last unless -f "$dir/httpd.pid"; select undef, undef, undef, 0.1 }
ok !-f "$dir/httpd.pid", 'httpd stopped';

done_testing;
