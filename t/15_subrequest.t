# Subrequests and internal redirects are admitted under their own
# configuration: an admission is reused only where every setting that
# decides it (store, audience, clock skew) is the same. alpha is in the
# server's store only, so /otherstore (another store) refuses it, however
# the request gets there: a CGI's local Location: header, a server-side
# include, a tenant's RewriteRule. A DirectoryIndex subrequest inside one
# location is still admitted without a second check.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 17;

my $fx = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $zeta = $fx->{tokens2}{zeta};
my $htdocs = Apache::Test::vars('documentroot');

ok t_cmp(exchange('/otherstore/index.html', $alpha)->code, 401, 'alpha is refused at /otherstore');
my $cgi_session = session_of(exchange('/cgi/env.cgi', $alpha));

# ---- a CGI answering Location: (an internal redirect) ----
my $r = exchange('/cgi/goto.cgi?/otherstore/index.html', $alpha);
ok t_cmp($r->code, 401, 'CGI redirect into another store, with the secret: 401');
ok t_cmp($r->content !~ /page otherstore/ ? 1 : 0, 1, "... and none of /otherstore's content");
$r = GET('/cgi/goto.cgi?/otherstore/index.html', 'cf-access-token' => $cgi_session);
ok t_cmp($r->code, 401, 'CGI redirect into another store, with a session: 401');
# zeta, whose store /otherstore is, cannot use /cgi to begin with.
ok t_cmp(exchange('/cgi/goto.cgi?/otherstore/index.html', $zeta)->code, 401,
         "zeta is refused by /cgi's store");
# Legitimate: a redirect to a location with other settings whose store
# knows the token is checked there and admitted.
$r = exchange('/cgi/goto.cgi?/app/index.html', $alpha);
ok t_cmp($r->code, 200, 'CGI redirect to /app (same store, other audience) with the secret: 200');
ok t_cmp($r->content, qr/page app/, "... /app's content");
$r = GET('/cgi/goto.cgi?/app/index.html', 'cf-access-token' => $cgi_session);
ok t_cmp($r->code, 401, "... but a session for /cgi's audience is not /app's");
$r = GET('/cgi/goto.cgi?/cgi/env.cgi', 'cf-access-token' => $cgi_session);
ok t_cmp($r->code, 200, 'a redirect inside the same settings reuses the admission');

# ---- server-side includes (subrequests) ----
$r = exchange('/ssi/index.shtml', $alpha);
ok t_cmp($r->code, 200, 'the including page is admitted');
ok t_cmp($r->content !~ /page otherstore/ ? 1 : 0, 1,
         'include virtual of another store: not included');
$r = exchange('/ssi/same.shtml', $alpha);
ok t_cmp($r->content, qr/page ssi part/, 'include virtual inside the same location: included');

# ---- a tenant's RewriteRule (an internal redirect from .htaccess) ----
t_write_file("$htdocs/tenant-app/.htaccess",
             "RewriteEngine On\nRewriteRule ^go\$ /otherstore/index.html [PT]\n");
$r = exchange('/tenant-app/go', $alpha);
ok t_cmp($r->code, 401, 'RewriteRule into another store: 401');
ok t_cmp($r->content !~ /page otherstore/ ? 1 : 0, 1, "... and none of /otherstore's content");
unlink "$htdocs/tenant-app/.htaccess";

# ---- DirectoryIndex inside one location: one check ----
my $mark = log_mark();
$r = exchange('/dirindex/', $alpha);
ok t_cmp($r->code, 200, 'DirectoryIndex: admitted');
my $log = log_since($mark);
my $checks = () = $log =~ /SVCT\d+: checking \/dirindex/g;
ok t_cmp($checks, 1, 'the credentials are checked once');
ok t_cmp($log, qr/SVCT\d+: .*admission of .* reused for \/dirindex\/index\.html/,
         'the index subrequest reused the admission');
