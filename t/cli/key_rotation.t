#!/usr/bin/perl
# Key rotation end to end, as README's procedure does it, on one httpd with
# graceful restarts: a new key made the signing key and the old one moved to
# ServiceTokenVerifyKey publishes both kids, accepts old sessions and signs
# new ones with the new key; removing the old key refuses its sessions and
# drops its kid from the document. A backend (PyJWT's PyJWKClient) follows.
# Then what stops start-up: a kid given twice. And HS256: an empty key set
# and one warning.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MIME::Base64 qw(decode_base64url);
use FindBin;
use lib $FindBin::Bin;
use HttpdHelper;

my $python = HttpdHelper::skip_unless_ready();

my $h = HttpdHelper->new;
my $d = $h->dir;

sub keygen {
    my ($alg, $file) = @_;
    my ($rc, $out) = HttpdHelper::svctoken('--json', 'keygen', '--alg', $alg, '--out', "$d/$file");
    $rc == 0 or die $out;
    return decode_json($out)->{kid};
}
my ($rc, $out) = HttpdHelper::svctoken('-f', "$d/tokens.db", 'create', 'rotating', '--json');
$rc == 0 or die $out;
my $token = decode_json($out);
chmod 0644, "$d/tokens.db";
mkdir "$d/app";
open my $fh, '>', "$d/app/index.html" or die;
print $fh "in\n";
close $fh;

sub conf {
    my ($keys) = @_;
    $h->write_conf(<<"EOF");
ServiceTokenStore $d/tokens.db
$keys
<Location /cdn-cgi/access/certs>
    SetHandler service-token-keys
</Location>
<Location /app>
    AuthType ServiceToken
    ServiceTokenAudience rotating-app
    Require service-token
</Location>
EOF
}

sub exchange {
    my $r = $h->request('GET', '/app/index.html', { 'CF-Access-Client-Id' => $token->{client_id},
                                          'CF-Access-Client-Secret' => $token->{client_secret} });
    my ($jwt) = ($r->{headers}{'set-cookie'} // '') =~ /CF_Authorization=([^;]+)/;
    return $jwt;
}
sub kid_of { decode_json(decode_base64url((split /\./, $_[0])[0]))->{kid} }
sub with_session { $h->request('GET', '/app/index.html', { Cookie => "CF_Authorization=$_[0]" })->{status} }
sub document {
    my $r = $h->request('GET', '/cdn-cgi/access/certs');
    return ($r->{content}, [map { $_->{kid} } @{ decode_json($r->{content})->{keys} }]);
}

# A backend's verdict on each JWT, with keys fetched from the handler.
sub backend {
    my @jwts = @_;
    my $url = $h->url('/cdn-cgi/access/certs');
    open my $py, '-|', $python, '-c', <<'PY', $url, @jwts or die;
import sys, jwt
client = jwt.PyJWKClient(sys.argv[1])
for token in sys.argv[2:]:
    try:
        key = client.get_signing_key_from_jwt(token)
        jwt.decode(token, key.key, algorithms=["ES256", "EdDSA"], audience="rotating-app",
                   issuer="https://127.0.0.1")
        print("valid")
    except jwt.PyJWTError as e:
        print(type(e).__name__)
PY
    chomp(my @verdicts = <$py>);
    close $py;
    return \@verdicts;
}

# 1. One key.
my $kid_old = keygen('ES256', 'old.pem');
conf("ServiceTokenSigningKey $d/old.pem");
my ($up, $log) = $h->start;
ok $up, 'httpd starts with the first key' or BAIL_OUT($log);
my ($doc, $kids) = document();
is_deeply $kids, [$kid_old], 'step 1: the document holds the key';
my $s_old = exchange();
is kid_of($s_old), $kid_old, 'step 1: sessions carry its kid';
is with_session($s_old), 200, 'step 1: and are accepted';

# 2. A new key signs; the old one only verifies.
my $kid_new = keygen('EdDSA', 'new.pem');
conf("ServiceTokenSigningKey $d/new.pem\nServiceTokenVerifyKey $d/old.pem");
ok $h->graceful, 'step 2: graceful restart with the new signing key';
($doc, $kids) = document();
is_deeply $kids, [$kid_new, $kid_old], 'step 2: both kids are published, the new one first';
(my $printed = (HttpdHelper::svctoken('jwks', "$d/new.pem", "$d/old.pem"))[1]) =~ s/\n\z//;
is $doc, $printed, 'step 2: as svctoken jwks prints it for the two key files';
is with_session($s_old), 200, 'step 2: a session of the old key is still accepted';
my $s_new = exchange();
is kid_of($s_new), $kid_new, 'step 2: new sessions are signed with the new key';
is with_session($s_new), 200, 'step 2: and accepted';
is_deeply backend($s_old, $s_new), ['valid', 'valid'],
    'step 2: a backend verifies sessions of both keys';

# 3. The old key is removed.
conf("ServiceTokenSigningKey $d/new.pem");
ok $h->graceful, 'step 3: graceful restart without the old key';
($doc, $kids) = document();
is_deeply $kids, [$kid_new], 'step 3: its kid is gone from the document';
is with_session($s_old), 401, 'step 3: its sessions are refused';
is with_session($s_new), 200, 'step 3: sessions of the new key are accepted';
is_deeply backend($s_old, $s_new), ['PyJWKClientError', 'valid'],
    'step 3: the backend finds no key for the old sessions';
$h->stop;

# A kid given twice stops start-up and fails configtest, naming the kid and
# both files.
system('cp', "$d/old.pem", "$d/copy.pem") == 0 or die;
for my $case (
    ['the signing key again as verify key',
     "ServiceTokenSigningKey $d/old.pem\nServiceTokenVerifyKey $d/old.pem", "$d/old.pem", "$d/old.pem"],
    ['the verify key again as signing key',
     "ServiceTokenVerifyKey $d/old.pem\nServiceTokenSigningKey $d/copy.pem", "$d/copy.pem", "$d/old.pem"],
    ['one verify key listed twice',
     "ServiceTokenSigningKey $d/new.pem\nServiceTokenVerifyKey $d/old.pem $d/old.pem", "$d/old.pem", "$d/old.pem"],
    ['two files with one key',
     "ServiceTokenSigningKey $d/new.pem\nServiceTokenVerifyKey $d/old.pem\nServiceTokenVerifyKey $d/copy.pem",
     "$d/copy.pem", "$d/old.pem"],
) {
    my ($what, $keys, $file, $other) = @$case;
    conf($keys);
    my $says = qr/ServiceToken\w+Key: \Q$file\E has the kid \Q$kid_old\E of \Q$other\E: a key may be listed only once/;
    my ($test_rc, $test_out) = $h->configtest;
    ok $test_rc != 0, "$what: configtest fails";
    like $test_out, $says, "$what: and says which key, kid and files";
    ($up, $log) = $h->start;
    $h->stop;
    ok !$up, "$what: httpd does not start";
    like $log, $says, "$what: with the same message";
}
# A virtual host that adds to the main server's verify keys the key the main
# server signs with: only the merged keys show it, when httpd starts.
conf("ServiceTokenSigningKey $d/new.pem\n<VirtualHost 127.0.0.1:" . $h->port
     . ">\nServiceTokenVerifyKey $d/old.pem $d/new.pem\n</VirtualHost>");
($up, $log) = $h->start;
$h->stop;
ok !$up, 'a virtual host repeating the inherited signing key: httpd does not start';
like $log, qr/SVCT0005: ServiceTokenVerifyKey \Q$d\E\/new\.pem has the kid \Q$kid_new\E of \Q$d\E\/new\.pem/,
    'and says which key, kid and files';

# HS256: nothing to publish; one warning, however many servers.
keygen('HS256', 'hs.jwk');
my $hs_conf = "ServiceTokenSigningKey $d/hs.jwk\n<VirtualHost 127.0.0.1:" . $h->port
    . ">\nServerName other.test\n</VirtualHost>";
conf($hs_conf);
($up, $log) = $h->start;
ok $up, 'HS256: httpd starts' or diag $log;
($doc) = document();
is $doc, '{"keys":[]}', 'HS256: the document is an empty key set';
my @warnings = $h->error_log =~ /SVCT1102: [^\n]*backends cannot verify/g;
is scalar(@warnings), 1, 'HS256: start-up warns once that backends cannot verify the sessions';
ok $h->graceful, 'HS256: graceful restart';
@warnings = $h->error_log =~ /SVCT1102/g;
is scalar(@warnings), 2, 'HS256: and once more for the new generation';
$h->stop;
$h->write_conf("ServiceTokenSigningKey $d/hs.jwk\n");
($up, $log) = $h->start;
$h->stop;
ok $up && $log !~ /SVCT1102/, 'HS256 without the keys handler: no warning' or diag $log;

done_testing;
