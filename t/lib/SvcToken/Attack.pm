package SvcToken::Attack;
# Helpers for the attack suite (t/07_attack_*.t): raw HTTP requests (LWP
# merges duplicate headers and rewrites '_' in header names), JWTs signed
# over exact header and payload bytes with the suite's own keys, and the
# checks that a child survived an attack.
use strict;
use warnings;
use Exporter 'import';
use IO::Socket::INET;
use SvcToken::Run qw(capture);
use JSON::PP;
use MIME::Base64 qw(encode_base64url decode_base64url);
use Digest::SHA qw(hmac_sha256);
use Apache::Test ();
use Apache::TestRequest ();
use Apache::TestUtil qw(t_cmp);

our @EXPORT = qw(raw_get b64u sign_raw hs256_forge public_pem new_ec_key error_log_text
                 no_crash_in_log valid_claims log_now);

sub b64u { encode_base64url($_[0]) }

# Sends REQUEST (the request head without the final empty line; "\n" line
# ends are turned into CRLF unless RAW) to the test server; returns
# (status code, whole response). Status 0: the connection ended without an
# answer.
sub raw_get {
    my ($head, %opt) = @_;
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 10)
        or die "connect $hostport: $!";
    $head =~ s/\r?\n/\r\n/g unless $opt{raw};
    print $s $head, "\r\n\r\n";
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($code) = $res =~ m{^HTTP/1\.\d (\d{3})};
    return ($code // 0, $res);
}

# The public key of a PEM private key file, as PEM (for the HS256 confusion).
sub public_pem {
    my ($keyfile) = @_;
    my $py = 'import sys; from cryptography.hazmat.primitives import serialization as s; '
           . 'k = s.load_pem_private_key(open(sys.argv[1], "rb").read(), None); '
           . 'sys.stdout.write(k.public_key().public_bytes(s.Encoding.PEM, '
           . 's.PublicFormat.SubjectPublicKeyInfo).decode())';
    my $pem = `/usr/bin/python3 -c '$py' '$keyfile' 2>&1`;
    die "public_pem $keyfile: $pem" unless $pem =~ /PUBLIC KEY/;
    return $pem;
}

# Makes a new P-256 private key in PATH (PEM): an attacker's own key.
sub new_ec_key {
    my ($path) = @_;
    my $py = 'import sys; from cryptography.hazmat.primitives import serialization as s; '
           . 'from cryptography.hazmat.primitives.asymmetric import ec; '
           . 'k = ec.generate_private_key(ec.SECP256R1()); '
           . 'open(sys.argv[1], "wb").write(k.private_bytes(s.Encoding.PEM, '
           . 's.PrivateFormat.PKCS8, s.NoEncryption()))';
    system('/usr/bin/python3', '-c', $py, $path) == 0 or die "new_ec_key $path failed";
}

# A JWT with HEADER and PAYLOAD (byte strings, used as they are) MACed with
# SECRET: what an attacker makes when a verifier takes the alg from the token
# and the HMAC key from the key it found.
sub hs256_forge {
    my ($header, $payload, $secret) = @_;
    my $input = b64u($header) . '.' . b64u($payload);
    return $input . '.' . b64u(hmac_sha256($input, $secret));
}

# Signs each job [KEYFILE, HEADER_BYTES, PAYLOAD_BYTES] with the algorithm of
# its key (ES256, RS256 PEM or HS256 JWK), over exactly those bytes; SIG_HOOK
# (optional, a code ref) may change the raw signature first. Returns the
# compact JWTs in order. One Python run signs them all.
sub sign_raw {
    my @jobs = @_;
    my $py = <<'PY';
import json, sys, base64, hmac, hashlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, padding, utils
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def unb64u(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
out = []
for keyfile, header, payload in json.load(sys.stdin):
    data = (b64u(unb64u(header)) + '.' + b64u(unb64u(payload))).encode()
    raw = open(keyfile, 'rb').read()
    if keyfile.endswith('.jwk'):
        sig = hmac.new(unb64u(json.loads(raw)['k']), data, hashlib.sha256).digest()
    else:
        key = serialization.load_pem_private_key(raw, None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, 'big') + s.to_bytes(32, 'big')
        else:
            sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    out.append(data.decode() + '.' + b64u(sig))
print(json.dumps(out))
PY
    my $in = encode_json([ map { [ $_->[0], b64u($_->[1]), b64u($_->[2]) ] } @jobs ]);
    my ($rc, $o, $e) = capture({ stdin => $in }, '/usr/bin/python3', '-c', $py);
    die "sign_raw: $e" if $rc;
    return @{ decode_json($o) };
}

# Good session claims for AUD and the token T, valid for a minute, bound to
# the store whose tag STORE is (svct_store, as in a session that store issued).
sub valid_claims {
    my ($aud, $t, $iss, $store) = @_;
    my $now = time;
    return { aud => [$aud], iss => $iss, iat => $now, nbf => $now, exp => $now + 60,
             type => 'app', common_name => $t->{client_id}, sub => '',
             defined $store ? (svct_store => $store) : () };
}

sub error_log_text {
    my $file = Apache::Test::vars('t_logs') . '/error_log';
    open my $fh, '<', $file or return '';
    local $/;
    return <$fh> // '';
}

# What the error log got after MARK (from log_mark), without waiting: for
# lines written while a request is processed, before its answer is sent.
sub log_now {
    my ($mark) = @_;
    my $file = Apache::Test::vars('t_logs') . '/error_log';
    open my $fh, '<', $file or return '';
    seek $fh, $mark, 0;
    local $/;
    return <$fh> // '';
}

# No child died while TEXT (an error log excerpt) was written.
sub no_crash_in_log {
    my ($text) = @_;
    return $text =~ /exit signal|Segmentation|AddressSanitizer|runtime error:|child pid \d+ exit/ ? 0 : 1;
}

1;
