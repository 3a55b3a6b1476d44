# The default audience and the cookie Path are never "/" by accident: they
# are derived from the section even when it is not a literal URL prefix of
# the request (a <Directory> request with PATH_INFO, a wildcard
# <Directory>), a <LocationMatch> needs ServiceTokenAudience (httpd refuses
# to start without it) and its cookie is scoped to the request's directory.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Temp qw(tempdir);
use HTTP::Cookies;
use HTTP::Request;
use lib 't/lib';
use SvcToken::Test;

plan tests => 17;

my $fx = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $htdocs = Apache::Test::vars('documentroot');
my $host = jwt_claims(session_of(exchange('/app/', $alpha)))->{iss};

sub cookie_path { ($_[0]->header('Set-Cookie') // '') =~ /; Path=([^;]*)/ ? $1 : '' }

# A <Directory> request with PATH_INFO.
my $pi = exchange('/pi/env.cgi/extra/path', $alpha);
ok t_cmp($pi->code, 200, 'PATH_INFO: admitted');
ok t_cmp(jwt_claims(session_of($pi))->{aud}[0], "$host/pi", 'PATH_INFO: the audience is the directory');
ok t_cmp(cookie_path($pi), '/pi', 'PATH_INFO: the cookie Path is the directory');
# ... and the cookie, sent by a browser to an unprotected CGI outside it.
my $jar = HTTP::Cookies->new;
$jar->extract_cookies($pi);
my $req = HTTP::Request->new(GET => Apache::TestRequest::resolve_url('/tenant/env.cgi'));
$jar->add_cookie_header($req);
ok t_cmp($req->header('Cookie') // '', '', 'a cookie jar sends the session nowhere outside /pi');

# A wildcard <Directory>: one scope per matching directory.
my $m = exchange('/users/mallory/public/env.cgi', $alpha);
ok t_cmp($m->code, 200, 'wildcard directory: admitted');
my $ms = session_of($m);
ok t_cmp(jwt_claims($ms)->{aud}[0], "$host/users/mallory/public", "wildcard: mallory's own audience");
ok t_cmp(cookie_path($m), '/users/mallory/public', "wildcard: mallory's own cookie Path");
my ($assertion) = $m->content =~ /^HTTP_CF_ACCESS_JWT_ASSERTION=(.*)$/m;
ok t_cmp(GET('/users/bob/public/', 'cf-access-token' => $assertion)->code, 401,
         "what mallory's CGI saw does not open bob's directory");
ok t_cmp(GET('/users/bob/public/', Cookie => "CF_Authorization=$ms")->code, 401,
         "... nor does the cookie");
my $b = exchange('/users/bob/public/', $alpha);
ok t_cmp($b->code, 200, "bob's directory admits alpha with its credentials");
ok t_cmp(jwt_claims(session_of($b))->{aud}[0], "$host/users/bob/public", "... for bob's audience");

# A <LocationMatch> with ServiceTokenAudience: the cookie goes no further
# than the directory of the request.
my $lm = exchange('/lm/one/index.html', $alpha);
ok t_cmp($lm->code, 200, 'LocationMatch: admitted');
ok t_cmp(cookie_path($lm), '/lm/one', 'LocationMatch: the cookie Path is the request directory');

# A section whose scope cannot be derived and that names no audience: the
# request is refused, with the reason (here a tenant's <Files>).
t_write_file("$htdocs/tenant/.htaccess",
             "<Files \"x.html\">\nAuthType ServiceToken\nRequire service-token\n</Files>\n");
my $mark = log_mark();
ok t_cmp(exchange('/tenant/x.html', $alpha)->code, 500, '<Files> without an audience: 500');
ok t_cmp(log_since($mark), qr/SVCT\d+: .*set ServiceTokenAudience/, '... asking for ServiceTokenAudience');
unlink "$htdocs/tenant/.htaccess";

# httpd refuses to start with a <LocationMatch> that names no audience.
my $dir = tempdir(CLEANUP => 1);
my $mods = '/usr/lib/apache2/modules';
open my $c, '>', "$dir/httpd.conf" or die;
print $c <<"CONF";
ServerRoot $dir
ServerName localhost
PidFile $dir/httpd.pid
ErrorLog $dir/error_log
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule access_svctoken_module $ENV{SVCT_MODULE}
<LocationMatch "^/users/[^/]+/">
    AuthType ServiceToken
    Require service-token
</LocationMatch>
CONF
close $c;
my $httpd = Apache::Test::vars('httpd');
my $out = qx{'$httpd' -t -f '$dir/httpd.conf' 2>&1};
ok t_cmp($? != 0 ? 1 : 0, 1, 'configtest fails');
ok t_cmp($out, qr/SVCT\d+: .*LocationMatch.*\^\/users\/\[\^\/\]\+\/.*ServiceTokenAudience/,
         '... naming the section and asking for ServiceTokenAudience');
