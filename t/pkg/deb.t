#!/usr/bin/perl
# make deb: the Debian package is built with dpkg-buildpackage, named
# libapache2-mod-access-svctoken_VERSION_ARCH.deb, holds the module, svctoken,
# the man page, the mods-available snippets and the docs, depends on the
# libraries and on apache2-api-20120211, passes lintian, and works: extracted
# into a temporary root (not installed), its module and its conf snippet
# (with the LogFormat it offers) run in an httpd on 127.0.0.1 that lets a
# token made by its svctoken in and logs how.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use FindBin;
use IO::Socket::INET;
use Test::More;
use lib $FindBin::Bin;
use PkgHelper;
use Time::HiRes qw(sleep);

my $top = abs_path("$FindBin::Bin/../..");
my $httpd = $ENV{HTTPD} || '/usr/sbin/apache2';
# make deps installs them all: a missing one is a failure, not a skip.
for my $tool (qw(dpkg-buildpackage dh_apache2 dpkg-deb lintian fakeroot curl)) {
    system('sh', '-c', "command -v $tool >/dev/null") == 0
        or BAIL_OUT("$tool is not installed (make deps)");
}

open my $vh, '<', "$top/src/version.h" or die;
my ($version) = join('', <$vh>) =~ /^#define SVCT_VERSION "([^"]+)"$/m;
chomp(my $arch = `dpkg --print-architecture`);
my $deb = "$top/build/libapache2-mod-access-svctoken_${version}_$arch.deb";
unlink $deb;

my ($rc, $out) = run('make', '--no-print-directory', '-C', $top, 'deb');
is($rc, 0, 'make deb exits 0') or diag $out;
ok(-f $deb, "it makes build/libapache2-mod-access-svctoken_${version}_$arch.deb")
    or BAIL_OUT("no package:\n$out");

# The control fields.
($rc, my $info) = run('dpkg-deb', '-I', $deb);
like($info, qr/^ Package: libapache2-mod-access-svctoken$/m, 'dpkg-deb -I: Package');
like($info, qr/^ Version: \Q$version\E$/m, 'Version: the one of src/version.h');
like($info, qr/^ Architecture: \Q$arch\E$/m, 'Architecture');
my ($depends) = $info =~ /^ Depends: (.*)$/m;
like($depends // '', qr/\bapache2-api-20120211\b/, 'Depends: apache2-api-20120211');
for my $lib (qw(libc6 libssl3 libjansson4 libapr1 libaprutil1)) {
    like($depends // '', qr/\b\Q$lib\E\b/, "Depends: $lib (from \${shlibs:Depends})");
}
like($info, qr/^ Section: httpd$/m, 'Section: httpd');

# The files.
($rc, my $list) = run('dpkg-deb', '-c', $deb);
my %files = map { (split ' ', $_, 6)[5] =~ s/ -> .*//r => 1 } split /\n/, $list;
for my $f ('./usr/lib/apache2/modules/mod_access_svctoken.so', './usr/bin/svctoken',
           './usr/share/man/man8/svctoken.8.gz',
           './etc/apache2/mods-available/access_svctoken.load',
           './etc/apache2/mods-available/access_svctoken.conf',
           './usr/share/doc/libapache2-mod-access-svctoken/README.md.gz',
           './usr/share/doc/libapache2-mod-access-svctoken/copyright',
           './usr/share/doc/libapache2-mod-access-svctoken/changelog.gz') {
    ok($files{$f}, "dpkg-deb -c: $f");
}
ok((grep { m{^\./usr/share/doc/libapache2-mod-access-svctoken/examples/reference\.conf} } keys %files),
   'dpkg-deb -c: the reference configuration among the examples');

# Lintian: no error or warning; what remains is explained in
# debian/*.lintian-overrides.
($rc, my $lint) = run('lintian', '--fail-on', 'error,warning', $deb);
is($rc, 0, 'lintian finds no error or warning') or diag $lint;

# Extract (not install) and run it.
my $root = tempdir(CLEANUP => 1);
chmod 0755, $root;
($rc, $out) = run('dpkg-deb', '-x', $deb, $root);
is($rc, 0, 'dpkg-deb -x') or diag $out;
($rc, $out) = run("$root/usr/bin/svctoken", '--version');
is($out, "svctoken $version\n", 'the packaged svctoken runs and has this version');

my $port = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport;
my $store = "$root/tokens.db";
($rc, my $json) = run("$root/usr/bin/svctoken", '-f', $store, 'create', 'packaged', '--json');
is($rc, 0, 'the packaged svctoken makes a token') or diag $json;
my ($id) = $json =~ /"client_id": "([^"]+)"/;
my ($secret) = $json =~ /"client_secret": "([^"]+)"/;
system('chmod', '-R', 'a+rX', $root);

# The .load names /usr/lib/apache2/modules: point it at the extracted tree.
open my $lin, '<', "$root/etc/apache2/mods-available/access_svctoken.load" or die;
my $load = join '', <$lin>;
ok($load =~ s{ /usr/lib/apache2/modules/}{ $root/usr/lib/apache2/modules/}, 'the .load names the module path');
open my $lout, '>', "$root/load.conf" or die;
print $lout $load;
close $lout;
my $as_root = $> == 0 ? "User nobody\nGroup nogroup\n" : '';
open my $cf, '>', "$root/httpd.conf" or die;
print $cf <<"EOF2";
ServerRoot $root
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $root/httpd.pid
ErrorLog $root/error.log
LogLevel info
$as_root
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
Include $root/load.conf
Include $root/etc/apache2/mods-available/access_svctoken.conf
CustomLog $root/access.log svctoken
DocumentRoot $root/htdocs
ServiceTokenStore $store
<Location /app>
    AuthType ServiceToken
    Require service-token
</Location>
EOF2
close $cf;
mkdir "$root/htdocs";
mkdir "$root/htdocs/app";
open my $idx, '>', "$root/htdocs/app/index.html" or die;
print $idx "packaged\n";
close $idx;
system('chmod', '-R', 'a+rX', $root);

($rc, $out) = run($httpd, '-f', "$root/httpd.conf", '-k', 'start');
is($rc, 0, 'httpd starts with the extracted module and conf snippet') or diag $out;
END { system($httpd, '-f', "$root/httpd.conf", '-k', 'stop') if $root && -f "$root/httpd.pid" }
for (1 .. 100) { last if IO::Socket::INET->new("127.0.0.1:$port"); sleep 0.05 }

my $url = "http://127.0.0.1:$port/app/index.html";
is(`curl -s -o /dev/null -w '%{http_code}' $url`, '401', 'no credentials: 401');
is(`curl -s -o /dev/null -w '%{http_code}' -c $root/jar -H 'CF-Access-Client-Id: $id' -H 'CF-Access-Client-Secret: $secret' $url`,
   '200', 'the token: 200');
is(`curl -s -o /dev/null -w '%{http_code}' -b $root/jar $url`, '200', 'its session: 200');

open my $el, '<', "$root/error.log" or die;
like(join('', <$el>), qr/SVCT0801: mod_access_svctoken \Q$version\E loaded/,
     'the module logs its version at start-up');
system($httpd, '-f', "$root/httpd.conf", '-k', 'stop');
for (1 .. 100) { last unless -f "$root/httpd.pid"; sleep 0.05 }

# The LogFormat "svctoken" of the conf snippet: who got in, and how.
open my $al, '<', "$root/access.log" or die;
my @log = <$al>;
like($log[1] // '', qr/ packaged \[.* 200 .*\bsecret$/, 'the access log names the token, let in by secret');
like($log[2] // '', qr/ packaged \[.* 200 .*\bsession$/, '... then by session');
like($log[0] // '', qr/ - \[.* 401 .* -$/, '... and a refused request as - and -');

done_testing;
