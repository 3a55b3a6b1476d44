# AuthBasicProvider service-token: real clients (curl -u, Python requests,
# git clone over HTTP) get in with Client ID and Secret; REMOTE_USER, env and
# Require work as with AuthType ServiceToken; no session is issued; neither a
# CGI (CGIPassAuth On) nor a proxied backend gets Authorization; rotated,
# disabled, expired, deleted and address-bound tokens behave as elsewhere.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use lib 't/lib';
use SvcToken::Test;

plan tests => 45;

my $fx    = fixtures();
my @store = ('-f', $fx->{store});
my ($alpha, $beta, $gamma) = @{ $fx->{tokens} }{'alpha', 'beta token', 'gamma'};
# 127.0.0.1: httpd listens on IPv4 only, and curl would try ::1 first.
(my $hostport = Apache::TestRequest::hostport(Apache::Test::config())) =~ s/^localhost:/127.0.0.1:/;
my $base  = "http://$hostport";

sub svc {
    my ($rc, $out, $err) = cli(@store, @_);
    die "svctoken @_: $err" if $rc;
    return decode_json($out);
}
sub basic { 'Basic ' . encode_base64("$_[0]{client_id}:$_[0]{client_secret}", '') }
sub get_basic { my ($path, $t, @more) = @_; GET($path, Authorization => basic($t), @more) }
# curl -u, a client nobody here wrote: (status, response head).
sub curl_u {
    my ($t, $path) = @_;
    my $head = `curl -s -D - -o /dev/null -u '$t->{client_id}:$t->{client_secret}' '$base$path'`;
    my ($code) = $head =~ m{^HTTP/\S+ (\d{3})};
    return ($code // 0, $head);
}

# curl -u ID:SECRET
my ($code, $head) = curl_u($alpha, '/basic/');
ok t_cmp($code, 200, 'curl -u ID:SECRET: admitted');
ok $head !~ /Set-Cookie/i;    # no session cookie in this mode
($code, $head) = curl_u({ %$alpha, client_secret => 'f' x 64 }, '/basic/');
ok t_cmp($code, 401, 'curl -u with a wrong secret: 401');
ok t_cmp($head, qr/^WWW-Authenticate: Basic realm="service tokens"/mi, 'the Basic challenge');
ok t_cmp(GET('/basic/')->code, 401, 'no credentials: 401');
ok t_cmp(GET('/basic/', Authorization => 'Basic ' . encode_base64('nobody:x', ''))->code, 401,
         'a malformed Client ID: 401');

# Python requests with auth=(id, secret)
my $py = 'import sys, requests; '
       . 'r = requests.get(sys.argv[1], auth=(sys.argv[2], sys.argv[3])); '
       . 'print(r.status_code, "CF_Authorization" in r.cookies)';
my $out = `/usr/bin/python3 -c '$py' '$base/basic/' '$alpha->{client_id}' '$alpha->{client_secret}'`;
ok t_cmp($out, "200 False\n", 'Python requests auth=(id, secret): admitted, no session cookie');
$out = `/usr/bin/python3 -c '$py' '$base/basic/' '$alpha->{client_id}' '@{[ 'f' x 64 ]}'`;
ok t_cmp($out, "401 False\n", 'Python requests with a wrong secret: 401');

# git clone over HTTP from git-http-backend behind AuthBasicProvider service-token.
my $git_root = "$ENV{SVCT_VAR}/git";
my $work = tempdir(CLEANUP => 1);
remove_tree($git_root);
make_path($git_root);
local $ENV{GIT_TERMINAL_PROMPT} = 0;
local $ENV{GIT_CONFIG_NOSYSTEM} = 1;
local $ENV{HOME} = $work;
my $git = "git -c user.name=t -c user.email=t\@example.invalid -c init.defaultBranch=main";
system("$git init -q --bare '$git_root/repo.git' && $git clone -q '$git_root/repo.git' '$work/src' 2>/dev/null "
       . "&& echo 'served by git-http-backend' > '$work/src/README' && $git -C '$work/src' add README "
       . "&& $git -C '$work/src' commit -q -m first && $git -C '$work/src' push -q origin main 2>/dev/null "
       . "&& chmod -R a+rX '$git_root'") == 0 or die "cannot make the git repository";
my $url = "http://$alpha->{client_id}:$alpha->{client_secret}\@$hostport/git/repo.git";
ok t_cmp(system("$git clone -q '$url' '$work/clone' 2>'$work/clone.err'"), 0, 'git clone over HTTP');
ok t_cmp(-e "$work/clone/README" ? `cat '$work/clone/README'` : '', "served by git-http-backend\n",
         'the clone has the content');
my $bad = "http://$alpha->{client_id}:@{[ 'f' x 64 ]}\@$hostport/git/repo.git";
ok system("$git clone -q '$bad' '$work/refused' 2>/dev/null") != 0;    # a wrong secret: refused
ok !-e "$work/refused/README";

# REMOTE_USER, env, and Authorization never reaches a CGI (CGIPassAuth On).
my $r = get_basic('/cgi-basic/env.cgi', $alpha);
ok t_cmp($r->code, 200, 'CGI behind Basic');
my %env = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split /\n/, $r->content;
ok t_cmp($env{REMOTE_USER}, 'alpha', 'REMOTE_USER is the token name, not the Client ID');
ok t_cmp($env{AUTH_TYPE}, 'Basic', 'AUTH_TYPE');
ok t_cmp($env{SVCTOKEN_NAME}, 'alpha', 'SVCTOKEN_NAME');
ok t_cmp($env{SVCTOKEN_CLIENT_ID}, $alpha->{client_id}, 'SVCTOKEN_CLIENT_ID');
ok t_cmp($env{SVCTOKEN_AUTH}, 'secret', 'SVCTOKEN_AUTH');
ok !exists $env{HTTP_AUTHORIZATION};
ok $r->content !~ /\Q$alpha->{client_secret}\E/;
ok $r->content !~ /\Q@{[ encode_base64("$alpha->{client_id}:$alpha->{client_secret}", '') ]}\E/;
ok t_cmp(access_log_since(0), qr/^alpha\|secret\|200\|\/cgi-basic\/env\.cgi$/m,
         'the access log has the name as %u');

# ... nor a proxied backend.
$r = get_basic('/proxy-basic/echo', $alpha);
ok t_cmp($r->code, 200, 'proxied behind Basic');
ok $r->content !~ /^Authorization:/mi;
ok $r->content !~ /\Q$alpha->{client_secret}\E/;
ok $r->content !~ /^Cf-Access-Jwt-Assertion:/mi;    # no session, so no assertion

# Require service-token NAME and service-token-id.
ok t_cmp(get_basic('/basic-named/', $alpha)->code, 200, 'Require service-token alpha: alpha');
ok t_cmp(get_basic('/basic-named/', $beta)->code, 401,
         'Require service-token alpha: another token is refused (Basic answers 401)');
ok t_cmp(get_basic('/basic-byid/', $gamma)->code, 200, 'Require service-token-id: gamma');
ok t_cmp(get_basic('/basic-byid/', $alpha)->code, 401, 'Require service-token-id: not alpha');

# The token's life, as with AuthType ServiceToken.
my $t = svc('create', 'basic-life', '--json');
ok t_cmp((curl_u($t, '/basic/'))[0], 200, 'a new token');
my $rot = svc('rotate', 'basic-life', '--json');
ok t_cmp((curl_u($t, '/basic/'))[0], 401, 'rotated without grace: the old secret is refused');
$t = { %$t, client_secret => $rot->{client_secret} };
ok t_cmp((curl_u($t, '/basic/'))[0], 200, 'the new secret works');
svc('disable', 'basic-life', '--json');
my $mark = log_mark();
ok t_cmp((curl_u($t, '/basic/'))[0], 401, 'disabled: refused');
ok t_cmp(log_since($mark), qr/SVCT0204: access refused: disabled, token "basic-life"/, 'log: disabled');
svc('enable', 'basic-life', '--json');
ok t_cmp((curl_u($t, '/basic/'))[0], 200, 'enabled again');
svc('set', 'basic-life', '--allow-from', '10.0.0.0/8', '--json');
$mark = log_mark();
ok t_cmp((curl_u($t, '/basic/'))[0], 401, 'bound to 10/8: refused from 127.0.0.1');
ok t_cmp(log_since($mark), qr/SVCT1202: access refused: client address 127\.0\.0\.1 is outside/,
         'log: the address');
svc('set', 'basic-life', '--allow-from', '127.0.0.1', '--json');
ok t_cmp((curl_u($t, '/basic/'))[0], 200, 'bound to 127.0.0.1: admitted');
svc('delete', 'basic-life', '--json');
$mark = log_mark();
ok t_cmp((curl_u($t, '/basic/'))[0], 401, 'deleted: refused');
ok t_cmp(log_since($mark), qr/SVCT0203: access refused: unknown client id \Q$t->{client_id}\E/,
         'log: unknown client id');

# Expired: the token's times are moved into the past (nothing waits for
# time to pass).
my $old = svc('create', 'basic-expired', '--duration', '10s', '--json');
backdate($fx->{store}, 'basic-expired', 10);
ok t_cmp(svc('show', 'basic-expired', '--json')->{status}, 'expired', 'the token is expired');
$mark = log_mark();
ok t_cmp((curl_u($old, '/basic/'))[0], 401, 'expired: refused');
ok t_cmp(log_since($mark), qr/SVCT0204: access refused: expired, token "basic-expired"/, 'log: expired');
svc('delete', 'basic-expired', '--json');
ok t_cmp((curl_u($alpha, '/basic/'))[0], 200, 'other tokens are not affected');
