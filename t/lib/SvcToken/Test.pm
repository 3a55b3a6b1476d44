package SvcToken::Test;
# Helpers shared by the httpd suite: the fixtures t/TEST made, the CLI,
# credential exchange, JWT decoding, crafting tokens with an independent JWT
# implementation (PyJWT), and reading what the server logged.
use strict;
use warnings;
use Exporter 'import';
use SvcToken::Run qw(capture);
use JSON::PP;
use MIME::Base64 qw(decode_base64url);
use Apache::Test ();
use Apache::TestRequest ();

our @EXPORT = qw(fixtures cli creds exchange session_of jwt_parts jwt_claims jwt_header
                 log_mark log_since access_log_since craft_jwt kid_of advance_clock backdate);

my $fx;
sub fixtures {
    return $fx if $fx;
    my $file = "$ENV{SVCT_VAR}/fixtures.json";
    open my $fh, '<', $file or die "$file: $!";
    local $/;
    return $fx = decode_json(<$fh>);
}

# Runs the CLI; returns (exit code, stdout, stderr).
sub cli { return capture($ENV{SVCTOKEN}, @_) }

# Runs the CLI on the fixture store; dies if it fails; returns its JSON
# output decoded, or its text.
sub svc {
    my ($rc, $out, $err) = cli('-f', fixtures()->{store}, @_);
    die "svctoken @_: $err" if $rc;
    return $out =~ /^\s*[\[{]/ ? decode_json($out) : $out;
}

# The credential headers of TOKEN (a hash with client_id and client_secret).
sub creds {
    my ($t) = @_;
    return ('CF-Access-Client-Id' => $t->{client_id},
            'CF-Access-Client-Secret' => $t->{client_secret});
}

sub exchange {
    my ($path, $token, @more) = @_;
    return Apache::TestRequest::GET($path, creds($token), @more);
}

# The JWT of the CF_Authorization cookie a response sets, or undef.
sub session_of {
    my ($res) = @_;
    for my $c ($res->header('Set-Cookie')) {
        return $1 if defined $c && $c =~ /^CF_Authorization=([^;]+)/;
    }
    return undef;
}

sub jwt_parts { split /\./, $_[0], -1 }
sub jwt_header { decode_json(decode_base64url((jwt_parts($_[0]))[0])) }
sub jwt_claims { decode_json(decode_base64url((jwt_parts($_[0]))[1])) }

sub error_log { Apache::Test::vars('t_logs') . '/error_log' }
sub access_log { Apache::Test::vars('t_logs') . '/svctoken_access.log' }

# Where the error log ends now; log_since(MARK) is what was written after.
sub log_mark { -s error_log() // 0 }
sub _since {
    my ($file, $mark) = @_;
    # Log lines are written after the response is sent.
    select undef, undef, undef, 0.2;
    open my $fh, '<', $file or return '';
    seek $fh, $mark, 0;
    local $/;
    return <$fh> // '';
}
sub log_since { _since(error_log(), $_[0]) }
sub access_log_since { _since(access_log(), $_[0]) }
sub access_mark { -s access_log() // 0 }

# Signs CLAIMS (hash) with HEADERS (hash) using the key file KEYFILE and
# algorithm ALG, with PyJWT (an independent implementation).
sub craft_jwt {
    my ($keyfile, $alg, $claims, $headers) = @_;
    my $py = <<'PY';
import json, sys, jwt
keyfile, alg, claims, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
raw = open(keyfile, 'rb').read()
if keyfile.endswith('.jwk'):
    from jwt.utils import base64url_decode
    raw = base64url_decode(json.loads(raw)['k'])
print(jwt.encode(claims, raw, algorithm=alg, headers=headers))
PY
    my ($rc, $out, $err) = capture('/usr/bin/python3', '-c', $py, $keyfile, $alg,
                                encode_json($claims), encode_json($headers // {}));
    die "craft_jwt: $err" if $rc;
    chomp $out;
    return $out;
}

# Moves the module's clocks SECONDS forward, instead of waiting: the test
# build of the module adds what the file $SVCT_TEST_CLOCK holds (src/clock.c).
sub advance_clock {
    my ($secs) = @_;
    my $file = $ENV{SVCT_TEST_CLOCK} or die "SVCT_TEST_CLOCK is not set (t/TEST sets it)";
    open my $fh, '+<:raw', $file or die "$file: $!";
    sysread($fh, my $buf, 8) == 8 or die "$file: short read";
    sysseek($fh, 0, 0) or die "$file: $!";
    syswrite($fh, pack('q', unpack('q', $buf) + int($secs * 1e9))) == 8 or die "$file: $!";
    close $fh;
}

# Moves the times of token KEY in STORE SECONDS into the past, as if it had
# been made that long ago (the test tool $SVCT_BACKDATE).
sub backdate {
    my ($store, $key, $secs) = @_;
    my ($rc, undef, $err) = capture($ENV{SVCT_BACKDATE}, $store, 'default', $key, $secs);
    die "store_backdate: $err" if $rc;
}

# The kid of a key file, as the module sees it (from a session it signed).
sub kid_of { jwt_header($_[0])->{kid} }

push @EXPORT, qw(access_mark);
our @EXPORT_OK = qw(svc);
1;
