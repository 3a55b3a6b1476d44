# A throw-away httpd with the freshly built module, for tests that need
# their own server (several key types at once, graceful restarts with new
# keys): a temporary ServerRoot, ports chosen free at run time on 127.0.0.1,
# start / graceful restart / stop, and plain HTTP requests to it. The server
# is stopped when the object goes away, even when a test dies.
package HttpdHelper;

use strict;
use warnings;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use Test::More ();

my $MODULES = '/usr/lib/apache2/modules';
my $PYTHON  = '/usr/bin/python3';

# Skips the test unless the CLI, httpd and PyJWT are there; returns the
# Python that has PyJWT.
sub skip_unless_ready {
    my $httpd = $ENV{HTTPD} || '/usr/sbin/apache2';
    Test::More::plan(skip_all => 'SVCTOKEN is not set (make test sets it)') unless $ENV{SVCTOKEN};
    Test::More::plan(skip_all => "no $httpd") unless -x $httpd;
    Test::More::plan(skip_all => "$PYTHON has no jwt module (apt-get install python3-jwt)")
        unless system($PYTHON, '-c', 'import jwt, cryptography') == 0;
    return $PYTHON;
}

# Runs the svctoken CLI; returns (exit status, stdout and stderr).
sub svctoken {
    my $out = `$ENV{SVCTOKEN} @_ 2>&1`;
    return ($? >> 8, $out);
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "no free port: $!";
    return $s->sockport;
}

# NPORTS ports, the first the main server's; the others for virtual hosts.
sub new {
    my ($class, %opt) = @_;
    my $dir = tempdir(CLEANUP => 1);
    chmod 0755, $dir;
    my $self = bless {
        dir    => $dir,
        httpd  => $ENV{HTTPD} || '/usr/sbin/apache2',
        module => $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so',
        ports  => [map { free_port() } 1 .. ($opt{nports} || 1)],
        http   => HTTP::Tiny->new(timeout => 20, max_redirect => 0),
        root   => $> == 0 ? ['-DROOT'] : [],
    }, $class;
    return $self;
}

sub dir   { $_[0]{dir} }
sub port  { $_[0]{ports}[$_[1] // 0] }
sub url   { my ($self, $path, $i) = @_; return "http://127.0.0.1:" . $self->port($i) . $path }
sub error_log { my $self = shift; local (@ARGV, $/) = ("$self->{dir}/error.log"); return -f $ARGV[0] ? <> : '' }

# The configuration: what every test server needs, then BODY.
sub write_conf {
    my ($self, $body) = @_;
    my $d = $self->{dir};
    my $listen = join '', map { "Listen 127.0.0.1:$_\n" } @{ $self->{ports} };
    open my $fh, '>', "$d/httpd.conf" or die "$d/httpd.conf: $!";
    print $fh <<"EOF";
ServerRoot $d
ServerName 127.0.0.1
$listen
PidFile $d/httpd.pid
ErrorLog $d/error.log
LogLevel info
DocumentRoot $d
ScriptSock $d/cgid.sock
LoadModule mpm_event_module $MODULES/mod_mpm_event.so
LoadModule authn_core_module $MODULES/mod_authn_core.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule authz_host_module $MODULES/mod_authz_host.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule cgid_module $MODULES/mod_cgid.so
LoadModule access_svctoken_module $self->{module}
<IfDefine ROOT>
User nobody
Group nogroup
</IfDefine>
$body
EOF
    close $fh;
}

sub _httpd {
    my ($self, $signal) = @_;
    my $how = $signal eq 'configtest' ? '-t' : "-k $signal";
    my $out = `$self->{httpd} -f $self->{dir}/httpd.conf @{$self->{root}} $how 2>&1`;
    return ($? >> 8, $out);
}

sub _restarts { my @n = $_[0]->error_log =~ /resuming normal operations/g; scalar @n }

# Waits (polling, at most ~10 s) until the server has read its configuration
# COUNT times. 1 if it did.
sub _await {
    my ($self, $count) = @_;
    for (1 .. 200) {
        return 1 if $self->_restarts >= $count;
        select undef, undef, undef, 0.05;
    }
    return 0;
}

# Starts the server with the configuration written last. Returns (1 if it
# serves, httpd's output + error log).
sub start {
    my ($self) = @_;
    unlink "$self->{dir}/error.log";
    my ($rc, $out) = $self->_httpd('start');
    my $up = $rc == 0 && $self->_await(1);
    $self->{running} = 1 if -f "$self->{dir}/httpd.pid" || $up;
    return ($up ? 1 : 0, $out . $self->error_log);
}

# `httpd -t` on the configuration written last: (exit status, output).
sub configtest { return $_[0]->_httpd('configtest') }

# A graceful restart with the configuration written last; returns once the
# new generation serves (1), or 0.
sub graceful {
    my ($self) = @_;
    my $before = $self->_restarts;
    my ($rc) = $self->_httpd('graceful');
    return $rc == 0 && $self->_await($before + 1) ? 1 : 0;
}

sub stop {
    my ($self) = @_;
    return unless $self->{running};
    $self->_httpd('stop');
    for (1 .. 100) { last unless -f "$self->{dir}/httpd.pid"; select undef, undef, undef, 0.05 }
    $self->{running} = 0;
}

sub DESTROY { $_[0]->stop }

# METHOD PATH [HEADERS] against port I (default the main server's); returns
# HTTP::Tiny's response hash.
sub request {
    my ($self, $method, $path, $headers, $i) = @_;
    return $self->{http}->request($method, $self->url($path, $i), { headers => $headers || {} });
}

1;
