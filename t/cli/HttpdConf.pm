# Shared helpers of the CLI-suite tests that run httpd by hand on generated
# configurations: a minimal server config on a free port, configtest, start,
# signals, and a way to wait for a restart to finish without sleeping blind.
package HttpdConf;

use strict;
use warnings;
use Exporter 'import';
use IO::Socket::INET;

our @EXPORT = qw(httpd_base_conf free_port httpd_configtest httpd_ctl httpd_wait_log slurp
                 test_clock advance_test_clock token_locations hourly_seen_vhost);

our $HTTPD = $ENV{HTTPD} || '/usr/sbin/apache2';

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1);
    return $s->sockport;
}

# ServerRoot DIR, listening on PORT, with the modules the tests need; as
# root, the children run as nobody.
sub httpd_base_conf {
    my ($dir, $port) = @_;
    return <<"EOF2";
ServerRoot $dir
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/httpd.pid
ErrorLog $dir/error.log
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
<IfDefine ROOT>
User nobody
Group nogroup
</IfDefine>
EOF2
}

sub _root { return $> == 0 ? ('-DROOT') : () }

# `apachectl configtest` on the configuration file CONF: (exit code, output).
sub httpd_configtest {
    my ($conf) = @_;
    my @root = _root();
    my $out = `$HTTPD -t -f $conf @root 2>&1`;
    return ($? >> 8, $out);
}

# httpd -k ACTION with CONF: (exit code, output).
sub httpd_ctl {
    my ($conf, $action) = @_;
    my @root = _root();
    my $out = `$HTTPD -f $conf @root -k $action 2>&1`;
    return ($? >> 8, $out);
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    return scalar <$fh>;
}

# Waits (up to 20 s) until LOG holds COUNT matches of RE; returns the count.
sub httpd_wait_log {
    my ($log, $re, $count) = @_;
    my $n = 0;
    for (1 .. 200) {
        $n = () = slurp($log) =~ /$re/g;
        last if $n >= $count;
        select undef, undef, undef, 0.1;
    }
    return $n;
}

# For the test build of the module (SVCT_TEST_MODULE): a clock file in DIR,
# named in the environment for the httpd started after this; then
# advance_test_clock(SECONDS) moves the module's clocks forward (src/clock.c).
my $clock_file;
sub test_clock {
    my ($dir) = @_;
    $clock_file = "$dir/clock";
    open my $fh, '>:raw', $clock_file or die "$clock_file: $!";
    print $fh pack('q', 0);
    close $fh;
    chmod 0644, $clock_file;
    $ENV{SVCT_TEST_CLOCK} = $clock_file;
}
sub advance_test_clock {
    my ($secs) = @_;
    open my $fh, '+<:raw', $clock_file or die "$clock_file: $!";
    sysread($fh, my $buf, 8) == 8 or die "$clock_file: short read";
    sysseek($fh, 0, 0);
    syswrite($fh, pack('q', unpack('q', $buf) + int($secs * 1e9)));
    close $fh;
}

# /app with AuthType ServiceToken and /basic with AuthBasicProvider
# service-token, each with an index.html under DOCROOT.
# A virtual host on PORT recording last seen at most hourly: what one child
# wrote, none of the others writes again however long a test takes.
sub hourly_seen_vhost {
    my ($port) = @_;
    return <<"EOF2";
Listen 127.0.0.1:$port
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    ServiceTokenSeenInterval 1h
</VirtualHost>
EOF2
}

sub token_locations {
    my ($docroot) = @_;
    mkdir $docroot;
    for my $p ('app', 'basic') {
        mkdir "$docroot/$p";
        open my $h, '>', "$docroot/$p/index.html" or die;
        print $h "hello\n";
        close $h;
    }
    return <<"EOF2";
DocumentRoot $docroot
<Location /app>
    AuthType ServiceToken
    Require service-token
</Location>
<Location /basic>
    AuthType Basic
    AuthName tokens
    AuthBasicProvider service-token
    Require service-token
</Location>
EOF2
}

1;
