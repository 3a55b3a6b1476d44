#!/usr/bin/perl
# Interoperability of our session JWTs with an independent implementation,
# PyJWT: keys made by the real `svctoken keygen`, tokens we sign verified by
# PyJWT with the public key, audience and issuer, and tokens PyJWT signs with
# the same key files verified by us. PyJWT also recomputes each key's RFC 7638
# thumbprint, which must be our kid.
#
# Our side is build/unit/test_jwt used as a command-line tool (see the top of
# t/unit/test_jwt.c); set SVCT_JWT_TOOL to point elsewhere.
use strict;
use warnings;
use Test::More;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use lib dirname(__FILE__) . '/../lib';
use SvcToken::Run qw(capture);

my $cli = $ENV{SVCTOKEN} or plan skip_all => 'SVCTOKEN is not set (make test-cli sets it)';
my $tool = $ENV{SVCT_JWT_TOOL} || dirname($cli) . '/unit/test_jwt';
my $python = '/usr/bin/python3';
plan skip_all => "$tool is not built (make test-unit builds it)" unless -x $tool;
plan skip_all => "$python has no jwt module (apt-get install python3-jwt)"
    unless system($python, '-c', 'import jwt, cryptography') == 0;

my $dir = tempdir(CLEANUP => 1);
my $iss = 'https://team.example.com';
my $aud = 'aud-tag-1';
my $cid = '0123456789abcdef0123456789abcdef.access';
my $now = time;

# Runs a command, feeding it INPUT; returns (exit status, stdout, stderr).
sub run {
    my ($input, @cmd) = @_;
    return capture({ stdin => $input // '' }, @cmd);
}

# The Python side. Keys: the PEM private key through `cryptography`, and its
# public half for verification; HS256: the "k" of the JWK file.
my $py = <<'PY';
import base64, hashlib, json, sys, time
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def load(path, alg):
    data = open(path, "rb").read()
    if alg == "HS256":
        k = json.loads(data)
        return unb64(k["k"]), unb64(k["k"]), k["kid"]
    priv = serialization.load_pem_private_key(data, password=None)
    pub = priv.public_key()
    if isinstance(pub, ec.EllipticCurvePublicKey):
        n = pub.public_numbers()
        canon = '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' % (
            b64(n.x.to_bytes(32, "big")), b64(n.y.to_bytes(32, "big")))
    elif isinstance(pub, rsa.RSAPublicKey):
        n = pub.public_numbers()
        nb = n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")
        eb = n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")
        canon = '{"e":"%s","kty":"RSA","n":"%s"}' % (b64(eb), b64(nb))
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        canon = '{"crv":"Ed25519","kty":"OKP","x":"%s"}' % b64(raw)
    return priv, pub, b64(hashlib.sha256(canon.encode()).digest())

mode, path, alg, iss, aud = sys.argv[1:6]
priv, pub, kid = load(path, alg)
if mode == "kid":
    print(kid)
elif mode == "verify":
    token = sys.stdin.read().strip()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, pub, algorithms=[alg], audience=aud, issuer=iss,
                        options={"require": ["exp", "iat", "nbf", "iss", "aud"]})
    print(json.dumps({"header": header, "claims": claims}))
elif mode == "sign":
    now = int(time.time())
    claims = {"aud": json.loads(sys.argv[6]), "iss": iss, "iat": now, "nbf": now,
              "exp": now + int(sys.argv[7]), "type": "app",
              "common_name": "0123456789abcdef0123456789abcdef.access", "sub": "",
              "name": "py-bot"}
    headers = {"kid": sys.argv[8] if len(sys.argv) > 8 else kid}
    print(jwt.encode(claims, priv, algorithm=alg, headers=headers))
PY
my $pyfile = "$dir/interop.py";
open my $pf, '>', $pyfile or die;
print $pf $py;
close $pf;

for my $alg (qw(HS256 ES256 RS256 EdDSA)) {
    my $key = "$dir/$alg.key";
    my ($rc, $out, $err) = run('', $cli, 'keygen', '--alg', $alg, '--out', $key);
    is($rc, 0, "$alg: svctoken keygen") or diag $err;

    ($rc, my $kid) = run('', $tool, 'kid', $key);
    chomp $kid;
    if ($alg ne 'HS256') {
        my ($prc, $pkid, $perr) = run('', $python, $pyfile, 'kid', $key, $alg, $iss, $aud);
        chomp $pkid;
        is($kid, $pkid, "$alg: our kid is the RFC 7638 thumbprint PyJWT's side computes")
            or diag $perr;
    }

    # Ours -> PyJWT.
    ($rc, my $token, $err) = run('', $tool, 'sign', $key, $iss, $aud, $cid, 'ci-bot',
                                 $now - 5, $now + 600);
    chomp $token;
    is($rc, 0, "$alg: we sign") or diag $err;
    ($rc, $out, $err) = run($token, $python, $pyfile, 'verify', $key, $alg, $iss, $aud);
    is($rc, 0, "$alg: PyJWT verifies our token") or diag $err;
    my $got = eval { JSON::PP->new->decode($out) } || {};
    is($got->{header}{alg}, $alg, "$alg: header alg");
    is($got->{header}{kid}, $kid, "$alg: header kid");
    is($got->{header}{typ}, 'JWT', "$alg: header typ");
    is_deeply($got->{claims}{aud}, [$aud], "$alg: aud is [audience]");
    is($got->{claims}{common_name}, $cid, "$alg: common_name");
    is($got->{claims}{type}, 'app', "$alg: type");
    is($got->{claims}{sub}, '', "$alg: sub is empty");
    is($got->{claims}{name}, 'ci-bot', "$alg: name");
    ($rc, $out, $err) = run($token, $python, $pyfile, 'verify', $key, $alg, $iss, 'other-aud');
    isnt($rc, 0, "$alg: PyJWT refuses our token for another audience");
    ($rc, $out, $err) = run($token, $python, $pyfile, 'verify', $key, $alg, 'https://x', $aud);
    isnt($rc, 0, "$alg: PyJWT refuses our token for another issuer");

    # PyJWT -> ours.
    ($rc, $token, $err) = run('', $python, $pyfile, 'sign', $key, $alg, $iss, $aud,
                              qq(["$aud"]), 600, $kid);
    chomp $token;
    is($rc, 0, "$alg: PyJWT signs") or diag $err;
    ($rc, $out, $err) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    is($rc, 0, "$alg: we verify PyJWT's token") or diag "$out$err";
    like($out, qr/^ok \Q$cid\E py-bot /, "$alg: and read its claims");

    ($rc, $token) = run('', $python, $pyfile, 'sign', $key, $alg, $iss, $aud, qq("$aud"), 600,
                        $kid);
    chomp $token;
    ($rc, $out) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    is($rc, 0, "$alg: we verify PyJWT's token with aud as a plain string") or diag $out;

    ($rc, $token) = run('', $python, $pyfile, 'sign', $key, $alg, $iss, $aud, '["other"]', 600,
                        $kid);
    chomp $token;
    ($rc, $out) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    is($out, "refused: wrong audience\n", "$alg: we refuse PyJWT's token for another audience");

    ($rc, $token) = run('', $python, $pyfile, 'sign', $key, $alg, $iss, $aud, qq(["$aud"]), -600,
                        $kid);
    chomp $token;
    ($rc, $out) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    is($out, "refused: expired\n", "$alg: we refuse PyJWT's expired token");

    ($rc, $token) = run('', $python, $pyfile, 'sign', $key, $alg, $iss, $aud, qq(["$aud"]), 600,
                        'some-other-kid');
    chomp $token;
    ($rc, $out) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    is($out, "refused: unknown kid\n", "$alg: we refuse PyJWT's token under an unknown kid");
}

# alg "none" as PyJWT writes it, with the HS256 key's kid.
{
    my $key = "$dir/HS256.key";
    my ($rc, $kid) = run('', $tool, 'kid', $key);
    chomp $kid;
    my ($prc, $token) = run('', $python, '-c', <<'PY', $kid, $iss, $aud);
import sys, time, jwt
now = int(time.time())
print(jwt.encode({"aud": [sys.argv[3]], "iss": sys.argv[2], "iat": now, "nbf": now,
                  "exp": now + 600, "type": "app",
                  "common_name": "0123456789abcdef0123456789abcdef.access"},
                 None, algorithm="none", headers={"kid": sys.argv[1]}))
PY
    chomp $token;
    like($token, qr/\.$/, 'PyJWT wrote an unsigned token');
    my ($rc2, $out) = run($token, $tool, 'verify', $key, $iss, $aud, time, 5);
    isnt($rc2, 0, 'we refuse an alg none token');
    like($out, qr/^refused: /, 'with a reason');
}

use JSON::PP ();
done_testing();
