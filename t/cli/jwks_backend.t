#!/usr/bin/perl
# Backends verify what the module vouches for. One httpd with three keys
# (ES256 on the main server with a previous key, RS256 and EdDSA on virtual
# hosts); a CGI backend written with PyJWT, which nobody here wrote, fetches
# the keys from the service-token-keys handler with PyJWKClient and checks
# the Cf-Access-Jwt-Assertion it received: signature, aud, iss and exp.
# Then the handler itself: the document (public members only, the kids the
# sessions carry, the same bytes as `svctoken jwks`), HEAD, ETag and 304,
# 405 for other methods, and the handler inside a protected tree; and
# README's Python example, run against the server.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MIME::Base64 qw(decode_base64url);
use FindBin;
use lib $FindBin::Bin;
use HttpdHelper;

my $python = HttpdHelper::skip_unless_ready();

my $h = HttpdHelper->new(nports => 3);
my $d = $h->dir;

for ([es => 'ES256'], [old => 'ES256'], [rs => 'RS256'], [ed => 'EdDSA']) {
    my ($rc, $out) = HttpdHelper::svctoken('keygen', '--alg', $_->[1], '--out', "$d/$_->[0].pem");
    $rc == 0 or die $out;
}
my ($rc, $out) = HttpdHelper::svctoken('-f', "$d/tokens.db", 'create', 'backend', '--json');
$rc == 0 or die $out;
my $token = decode_json($out);
chmod 0644, "$d/tokens.db";
my %creds = ('CF-Access-Client-Id' => $token->{client_id},
             'CF-Access-Client-Secret' => $token->{client_secret});

# The backend: a CGI as an application behind the module would have it,
# configured with the audience and issuer it expects.
mkdir "$d/cgi";
chmod 0755, "$d/cgi";
open my $cgi, '>', "$d/cgi/verify.py" or die $!;
print $cgi <<'PY';
#!/usr/bin/python3
import json, os, time
import jwt

AUD, ISS = "backend-app", "https://127.0.0.1"
certs = "http://127.0.0.1:%s/cdn-cgi/access/certs" % os.environ["SERVER_PORT"]
token = os.environ.get("HTTP_CF_ACCESS_JWT_ASSERTION", "")
out = {}

def decode(tok, **kw):
    args = dict(audience=AUD, issuer=ISS, algorithms=["ES256", "RS256", "EdDSA"],
                options={"require": ["exp", "iat", "iss", "aud"]})
    args.update(kw)
    return jwt.decode(tok, key.key, **args)

def refused(tok, **kw):
    try:
        decode(tok, **kw)
        return "accepted"
    except jwt.PyJWTError as e:
        return type(e).__name__

try:
    key = jwt.PyJWKClient(certs).get_signing_key_from_jwt(token)
    out["claims"] = decode(token)
    out["kid"] = key.key_id
    out["wrong_aud"] = refused(token, audience="another-app")
    out["wrong_iss"] = refused(token, issuer="https://elsewhere.example")
    # As if the session's exp had passed: a negative leeway moves "now" on.
    out["expired"] = refused(token, leeway=-(out["claims"]["exp"] - int(time.time()) + 5),
                             options={"verify_iat": False, "verify_nbf": False})
    head, body, sig = token.split(".")
    out["bad_signature"] = refused(".".join([head, body, sig[::-1]]))
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
print("Content-Type: application/json\n")
print(json.dumps(out))
PY
close $cgi;
chmod 0755, "$d/cgi/verify.py";

$h->write_conf(<<"EOF");
ServiceTokenStore $d/tokens.db
ServiceTokenSigningKey $d/es.pem
ServiceTokenVerifyKey $d/old.pem
<Location /cdn-cgi/access/certs>
    SetHandler service-token-keys
</Location>
ScriptAlias /app/ $d/cgi/
<Directory $d/cgi>
    Options +ExecCGI
    AuthType ServiceToken
    ServiceTokenAudience backend-app
    Require service-token
</Directory>
# A protected tree with the keys inside it, exempted.
<Location /tree>
    AuthType ServiceToken
    ServiceTokenAudience tree
    Require service-token
</Location>
<Location /tree/certs>
    SetHandler service-token-keys
    Require all granted
</Location>
<VirtualHost 127.0.0.1:${\ $h->port(1)}>
    ServerName 127.0.0.1
    ServiceTokenSigningKey $d/rs.pem
</VirtualHost>
<VirtualHost 127.0.0.1:${\ $h->port(2)}>
    ServerName 127.0.0.1
    ServiceTokenSigningKey $d/ed.pem
</VirtualHost>
EOF
my ($up, $log) = $h->start;
ok $up, 'httpd starts with the keys handler' or BAIL_OUT($log);

sub jwt_header { decode_json(decode_base64url((split /\./, $_[0])[0])) }
sub kid_of_file {
    my ($rc, $out) = HttpdHelper::svctoken('jwks', @_);
    return decode_json($out)->{keys}[0]{kid};
}

my %server = (0 => ['ES256', 'es'], 1 => ['RS256', 'rs'], 2 => ['EdDSA', 'ed']);
for my $i (sort keys %server) {
    my ($alg, $file) = @{ $server{$i} };
    my $kid = kid_of_file("$d/$file.pem");

    # The exchange: the backend gets the fresh session as the assertion.
    my $r = $h->request('GET', '/app/verify.py', \%creds, $i);
    is $r->{status}, 200, "$alg: the backend is reached with the token's credentials"
        or diag $r->{content};
    my $v = eval { decode_json($r->{content}) } || {};
    is $v->{error}, undef, "$alg: PyJWKClient + jwt.decode accept the assertion"
        or diag $r->{content};
    is $v->{kid}, $kid, "$alg: with the key of the signing key's kid from the handler";
    is_deeply $v->{claims}{aud}, ['backend-app'], "$alg: aud checked";
    is $v->{claims}{iss}, 'https://127.0.0.1', "$alg: iss checked";
    is $v->{wrong_aud}, 'InvalidAudienceError', "$alg: another audience is refused";
    is $v->{wrong_iss}, 'InvalidIssuerError', "$alg: another issuer is refused";
    is $v->{expired}, 'ExpiredSignatureError', "$alg: exp is checked" or diag explain $v;
    is $v->{bad_signature}, 'InvalidSignatureError', "$alg: a changed signature is refused";

    # A later request with the session cookie alone: the same checks pass.
    my ($jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
    ok $jwt, "$alg: a session was issued";
    is jwt_header($jwt)->{alg}, $alg, "$alg: signed with $alg";
    is jwt_header($jwt)->{kid}, $kid, "$alg: the session carries the published kid";
    $r = $h->request('GET', '/app/verify.py', { Cookie => "CF_Authorization=$jwt" }, $i);
    $v = eval { decode_json($r->{content}) } || {};
    ok $r->{status} == 200 && !defined $v->{error} && $v->{claims}{exp} > time,
        "$alg: the session's assertion is verified by the backend too"
        or diag $r->{content};
}

# README's example, run as it is with this server's URL, audience and issuer.
open my $readme, '<', "$FindBin::Bin/../../README.md" or die $!;
my ($example) = join('', <$readme>) =~ /^```python\n(.*?)^```$/ms;
ok $example, 'README has a Python example';
$example =~ s{https://app\.example\.com/cdn-cgi}{$h->url('/cdn-cgi')}e;
$example =~ s{audience="app"}{audience="backend-app"};
$example =~ s{issuer="https://app\.example\.com"}{issuer="https://127.0.0.1"};
my $r = $h->request('GET', '/app/verify.py', \%creds);
my ($es_jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
open my $py, '-|', $python, '-c', $example . <<'PY', $es_jwt or die;
import sys
print(verify({"Cf-Access-Jwt-Assertion": sys.argv[1]})["name"])
try:
    verify({"Cf-Access-Jwt-Assertion": sys.argv[1][:-2]})
except jwt.PyJWTError as e:
    print(type(e).__name__)
PY
is join('', <$py>), "backend\nInvalidSignatureError\n",
    "README's example verifies a session and refuses a forged one";

# ---- the handler ----

# RFC 7517 4 and RFC 7518 6.2.1, 6.3.1 (RSA), RFC 8037 2 (OKP): the members
# a public key may have. d, p, q, dp, dq, qi, oth and k are private.
my @common = ('kty', 'use', 'key_ops', 'alg', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256');
my %public = (EC => [@common, qw(crv x y)], RSA => [@common, qw(n e)], OKP => [@common, qw(crv x)]);
my %need = (EC => [qw(crv x y)], RSA => [qw(n e)], OKP => [qw(crv x)]);
my %alg_of = (EC => 'ES256', RSA => 'RS256', OKP => 'EdDSA');

sub check_public {
    my ($what, $doc) = @_;
    my @bad;
    ok ref $doc eq 'HASH' && ref $doc->{keys} eq 'ARRAY' && keys %$doc == 1,
        "$what: a JWK Set, {\"keys\":[...]}";
    for my $k (@{ $doc->{keys} || [] }) {
        my $allowed = $public{ $k->{kty} // '' };
        if (!$allowed) { push @bad, "kty " . ($k->{kty} // 'none'); next }
        my %ok = map { $_ => 1 } @$allowed;
        push @bad, grep { !$ok{$_} } sort keys %$k;
        push @bad, map { "no $_" } grep { !defined $k->{$_} } (@{ $need{ $k->{kty} } }, 'kid');
        push @bad, 'use' unless ($k->{use} // '') eq 'sig';
        push @bad, 'alg' unless ($k->{alg} // '') eq $alg_of{ $k->{kty} };
    }
    is "@bad", '', "$what: every member of every key is a public one, with kid, use sig, alg";
}

$r = $h->request('GET', '/cdn-cgi/access/certs');
is $r->{status}, 200, 'GET: 200 without any credentials';
like $r->{headers}{'content-type'}, qr{^application/json\b}, 'application/json';
is $r->{headers}{'cache-control'}, 'public, max-age=300', 'Cache-Control: public, max-age=300';
my $etag = $r->{headers}{etag};
like $etag, qr/^"[A-Za-z0-9_-]+"$/, 'a strong ETag';
my $doc = decode_json($r->{content});
check_public('ES256 + previous key', $doc);
is_deeply [map { $_->{kid} } @{ $doc->{keys} }],
    [kid_of_file("$d/es.pem"), kid_of_file("$d/old.pem")],
    'the signing key first, then the verify key';
(my $main_doc = (HttpdHelper::svctoken('jwks', "$d/es.pem", "$d/old.pem"))[1]) =~ s/\n\z//;
is $r->{content}, $main_doc, 'svctoken jwks prints the same document for the same key files';
for my $i (1, 2) {
    my ($alg, $file) = @{ $server{$i} };
    my $vr = $h->request('GET', '/cdn-cgi/access/certs', {}, $i);
    check_public($alg, decode_json($vr->{content}));
    (my $printed = (HttpdHelper::svctoken('jwks', "$d/$file.pem"))[1]) =~ s/\n\z//;
    is $vr->{content}, $printed, "$alg: the virtual host's own key, as svctoken jwks prints it";
}

$r = $h->request('HEAD', '/cdn-cgi/access/certs');
is $r->{status}, 200, 'HEAD: 200';
is $r->{content} // '', '', 'HEAD: no body' or diag explain $r;
is $r->{headers}{etag}, $etag, 'HEAD: the same ETag';
is $r->{headers}{'content-length'}, length $main_doc, 'HEAD: the length of the document';

$r = $h->request('GET', '/cdn-cgi/access/certs', { 'If-None-Match' => $etag });
is $r->{status}, 304, 'If-None-Match with the ETag: 304';
is $r->{content} // '', '', '304: no body' or diag explain $r;
$r = $h->request('GET', '/cdn-cgi/access/certs', { 'If-None-Match' => "W/$etag" });
is $r->{status}, 304, 'If-None-Match with the weak form of the ETag: 304';
$r = $h->request('GET', '/cdn-cgi/access/certs', { 'If-None-Match' => '"other"' });
is $r->{status}, 200, 'If-None-Match with another tag: the document';

for my $method (qw(POST PUT DELETE PATCH OPTIONS)) {
    $r = $h->request($method, '/cdn-cgi/access/certs');
    is $r->{status}, 405, "$method: 405";
    # TRACE, when httpd's TraceEnable is on, is answered by httpd itself.
    my $allow = join ',', sort grep { $_ ne 'TRACE' } map { s/\s//gr } split /,/,
        $r->{headers}{allow} // '';
    is $allow, 'GET,HEAD', "$method: Allow: GET, HEAD" or diag explain $r->{headers};
}

# Made once at start-up: the key files are not read again per request.
rename "$d/old.pem", "$d/old.pem.away" or die;
$r = $h->request('GET', '/cdn-cgi/access/certs');
ok $r->{status} == 200 && $r->{headers}{etag} eq $etag,
    'with a key file gone from disk, the document made at start-up is still served';
rename "$d/old.pem.away", "$d/old.pem" or die;

# Inside a protected tree: the tree wants a token, its keys location does not.
is $h->request('GET', '/tree/')->{status}, 401, 'the protected tree wants a token';
$r = $h->request('GET', '/tree/certs');
is $r->{status}, 200, 'its keys location, with Require all granted, does not';
is $r->{content}, $main_doc, 'and serves the same document';

unlike $h->error_log, qr/SVCT1102/, 'no HS256 warning with ES256, RS256 and EdDSA keys';
$h->stop;
done_testing;
