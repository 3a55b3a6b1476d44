# An audience belongs to the section that configures it. A tenant's
# .htaccess that names another application's audience would have every
# client that calls the tenant's CGI hand the tenant a session for that
# application (the CGI sees the assertion) to replay there. In .htaccess,
# an audience is accepted only if it is a URL of this server inside the
# directory's own URL space, and no section of the server's configuration
# uses it.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 22;

my $fx = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $htdocs = Apache::Test::vars('documentroot');
my $ht = "$htdocs/tenant/.htaccess";
my $host = jwt_claims(session_of(exchange('/app/', $alpha)))->{iss};    # https://localhost

# The victim: /admin-app admits alpha, with its default audience.
my $admin = session_of(exchange('/admin-app/', $alpha));
ok t_cmp(jwt_claims($admin)->{aud}[0], "$host/admin-app", "the victim's audience");

sub tenant_with {
    my ($aud) = @_;
    t_write_file($ht, "AuthType ServiceToken\nServiceTokenAudience $aud\nRequire service-token\n");
    my $mark = log_mark();
    my $r = exchange('/tenant/env.cgi', $alpha);
    return ($r, log_since($mark));
}

# The attack: the tenant names the victim's audience, alpha calls the
# tenant's CGI, the CGI replays the assertion it was given.
for my $aud ("$host/admin-app", "$host/admin-app/x", 'named', "$host/tenant/private",
             "http://evil.example/tenant") {
    my ($r, $log) = tenant_with($aud);
    ok t_cmp($r->code, 500, "audience $aud in the tenant's .htaccess: refused (500)");
    ok t_cmp($log, qr/SVCT\d+: ServiceTokenAudience \Q$aud\E .*is not/,
             '... with the reason in the error log');
    my ($assertion) = $r->content =~ /^HTTP_CF_ACCESS_JWT_ASSERTION=(.*)$/m;
    my $replay = GET('/admin-app/', 'cf-access-token' => $assertion // session_of($r) // 'none');
    ok t_cmp($replay->code, 401, '... and nothing the tenant got opens /admin-app');
}

# Legitimate: an audience inside the tenant's own URL space.
my ($r) = tenant_with("$host/tenant/api");
ok t_cmp($r->code, 200, "the tenant's own audience works");
my ($assertion) = $r->content =~ /^HTTP_CF_ACCESS_JWT_ASSERTION=(.*)$/m;
ok t_cmp(jwt_claims($assertion)->{aud}[0], "$host/tenant/api", '... and is what the session carries');
ok t_cmp(GET('/admin-app/', 'cf-access-token' => $assertion)->code, 401,
         'the tenant cannot use its session at /admin-app');

# Legitimate too: a tenant with a store of their own and their own audience.
my $own = "$fx->{var}/tenant-own";
my ($rc, $out) = cli('-f', $own, 'create', 'tenant-bot', '--json');
my $bot = JSON::PP::decode_json($out);
system('chmod', '-R', 'a+rX', glob("$own*"));
t_write_file($ht, "AuthType ServiceToken\nServiceTokenStore $own\n"
                  . "ServiceTokenAudience $host/tenant/bots\nRequire service-token tenant-bot\n");
my $t = exchange('/tenant/env.cgi', $bot);
ok t_cmp($t->code, 200, "the tenant's own store and audience admit the tenant's token");
ok t_cmp(GET('/tenant/env.cgi', 'cf-access-token' => session_of($t))->code, 200,
         "... and its session, there");
ok t_cmp(exchange('/tenant/env.cgi', $alpha)->code, 401, "... and not the server's tokens");
unlink $ht;
