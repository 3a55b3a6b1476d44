package SvcToken::Fixtures;
# What the httpd suite needs before httpd starts: signing keys, a token store
# with fixture tokens (their IDs go into the configuration through the
# environment), and an echo server that shows what a proxied backend sees.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(remove_tree make_path);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use SvcToken::Run qw(capture);

sub run_cli {
    my ($rc, $out, $err) = capture($ENV{SVCTOKEN}, @_);
    die "svctoken @_ failed ($rc): $err" if $rc;
    return $out;
}

sub prepare {
    my ($var) = @_;
    remove_tree($var);
    make_path($var, { mode => 0755 });
    my %fx = (var => $var, store => "$var/tokens.db", store2 => "$var/tokens2");
    for my $k ([es256 => 'ES256', 'es256.pem'], [old => 'ES256', 'old.pem'],
               [hs256 => 'HS256', 'hs256.jwk'], [rs256 => 'RS256', 'rs256.pem']) {
        my ($name, $alg, $file) = @$k;
        my $path = "$var/$file";
        run_cli('keygen', '--alg', $alg, '--out', $path);
        $fx{keys}{$name} = $path;
    }
    for my $name ('alpha', 'gamma', 'delta') {
        $fx{tokens}{$name} = decode_json(run_cli('-f', $fx{store}, 'create', $name, '--json'));
    }
    # A name svctoken no longer gives a new token (a space), as a store made
    # before may hold: added by the test_name tool (t/unit/test_name.c).
    my $tool = dirname($ENV{SVCTOKEN}) . '/unit/test_name';
    open my $fh, '-|', $tool, 'add', $fx{store}, 'beta token' or die "$tool: $!";
    $fx{tokens}{'beta token'} = decode_json(do { local $/; <$fh> });
    close $fh or die "$tool add failed: $?";
    $fx{store3} = "$var/revoke.db";
    $fx{tokens3}{omega} = decode_json(run_cli('-f', $fx{store3}, 'create', 'omega', '--json'));
    $fx{tokens2}{zeta} =
        decode_json(run_cli('-f', $fx{store2}, '-t', 'SDBM', 'create', 'zeta', '--json'));
    # httpd runs as an unprivileged user when the suite runs as root.
    system('chmod', '-R', 'a+rX', $var) == 0 or die "chmod failed";
    # mod_cache_disk's root (t/15_shared_cache.t), written by httpd's children.
    make_path("$var/cache");
    chmod 0777, "$var/cache";
    chmod 0600, values %{ $fx{keys} };
    # How far the tests moved the module's clocks forward, in ns (src/clock.c).
    open my $clock, '>:raw', "$var/clock" or die "$var/clock: $!";
    print $clock pack('q', 0);
    close $clock;
    chmod 0644, "$var/clock";
    $ENV{SVCT_TEST_CLOCK} = "$var/clock";
    open my $out, '>', "$var/fixtures.json" or die "$var/fixtures.json: $!";
    print $out JSON::PP->new->canonical->pretty->encode(\%fx);
    close $out;
    $ENV{SVCT_VAR}       = $var;
    $ENV{SVCT_STORE}     = $fx{store};
    $ENV{SVCT_STORE2}    = $fx{store2};
    $ENV{SVCT_STORE3}    = $fx{store3};
    $ENV{SVCT_KEY_ES256} = $fx{keys}{es256};
    $ENV{SVCT_KEY_OLD}   = $fx{keys}{old};
    $ENV{SVCT_KEY_HS256} = $fx{keys}{hs256};
    $ENV{SVCT_KEY_RS256} = $fx{keys}{rs256};
    $ENV{SVCT_ID_GAMMA}  = $fx{tokens}{gamma}{client_id};
}

# Answers every request with the request head it received, as the body.
sub start_echo_server {
    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                       Listen => 16, ReuseAddr => 1)
        or die "echo server: $!";
    $ENV{SVCT_ECHO_PORT} = $listen->sockport;
    my $parent = $$;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    $listen->timeout(1);
    while (getppid() == $parent) {
        my $c = $listen->accept or next;
        my $head = '';
        while (defined(my $line = <$c>)) {
            $head .= $line;
            last if $line =~ /^\r?\n$/;
        }
        print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
               . "Content-Length: " . length($head) . "\r\n\r\n" . $head;
        close $c;
    }
    POSIX::_exit(0);
}

1;
