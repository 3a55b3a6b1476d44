# The Client Secret is taken out of the request before any other module
# runs: a tenant's .htaccess (AllowOverride FileInfo) that copies request
# headers into the environment with SetEnvIf or SetEnvIfExpr gets nothing,
# in an unprotected directory and in a protected one alike.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 12;

my $fx = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $htdocs = Apache::Test::vars('documentroot');

# What a tenant writes: every way SetEnvIf can read a request header.
my $steal = <<'HT';
SetEnvIfExpr "%{req:CF-Access-Client-Secret} =~ /(.+)/" STOLEN_EXPR=$1
SetEnvIf CF-Access-Client-Secret "(.+)" STOLEN_HDR=$1
SetEnvIf CF_Access_Client_Secret "(.+)" STOLEN_UNDERSCORE=$1
SetEnvIfNoCase ^cf.access.client.secret$ "(.+)" STOLEN_REGEX=$1
SetEnvIfExpr "%{HTTP:CF-Access-Client-Secret} =~ /(.+)/" STOLEN_HTTP=$1
HT

for my $dir ('tenant', 'tenant-app') {
    t_write_file("$htdocs/$dir/.htaccess", $steal);
    # The '_' spelling too (a leading ':' keeps LWP from rewriting it).
    my $res = GET("/$dir/env.cgi", creds($alpha),
                  ':CF_Access_Client_Secret' => $alpha->{client_secret});
    ok t_cmp($res->code, 200, "/$dir/: the CGI runs");
    my $body = $res->content;
    ok t_cmp($body =~ /STOLEN/ ? $& : 'none', 'none', "/$dir/: no SetEnvIf saw the secret header");
    ok t_cmp(index($body, $alpha->{client_secret}), -1, "/$dir/: the secret is nowhere in the environment");
    ok t_cmp($body =~ /^HTTP_CF_ACCESS_CLIENT_SECRET=/m ? 1 : 0, 0, "/$dir/: no HTTP_CF_ACCESS_CLIENT_SECRET");
    unlink "$htdocs/$dir/.htaccess";
}

# The secret taken out early is still what authenticates: the exchange works
# (above: 200 under /tenant-app/), and a wrong secret is still refused.
my $bad = GET('/tenant-app/env.cgi', 'CF-Access-Client-Id' => $alpha->{client_id},
              'CF-Access-Client-Secret' => 'f' x 64);
ok t_cmp($bad->code, 401, 'a wrong secret is still refused');
# Only the exact name (in any case) carries the secret; other spellings are
# removed, not used.
my $us = GET('/tenant-app/env.cgi', 'CF-Access-Client-Id' => $alpha->{client_id},
             ':CF_Access_Client_Secret' => $alpha->{client_secret});
ok t_cmp($us->code, 401, "the '_' spelling does not authenticate");
my $lc = GET('/tenant-app/env.cgi', 'cf-access-client-id' => $alpha->{client_id},
             'cf-access-client-secret' => $alpha->{client_secret});
ok t_cmp($lc->code, 200, 'the names in lower case authenticate');
my $s = session_of($lc);
ok t_cmp(defined $s ? 1 : 0, 1, 'and get a session');
