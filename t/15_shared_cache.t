# mod_cache in front of a protected location never stores what the module
# admitted: not the protected content, not the Set-Cookie of an exchange.
# With the quick handler (the default) a cached response would be served
# before authentication runs, to anyone; without it, after authentication,
# with the cookie of whoever was cached. Both cache providers (disk and
# socache), both modes.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

my @vhosts = ('cache_quick', 'cache_late');
my @paths  = ('/cdisk/index.html', '/csock/index.html');
plan tests => @vhosts * @paths * 9;

my $fx = fixtures();
my ($alpha, $beta) = @{ $fx->{tokens} }{'alpha', 'beta token'};

sub cookies_of { map { /^CF_Authorization=([^;]+)/ ? $1 : () } $_[0]->header('Set-Cookie') }

for my $vhost (@vhosts) {
    Apache::TestRequest::module($vhost);
    for my $path (@paths) {
        my $what = "$vhost $path";
        my $a = exchange($path, $alpha);
        ok t_cmp($a->code, 200, "$what: alpha exchanges");
        ok t_cmp(scalar $a->header('Cache-Control') // '', qr/\bprivate\b/,
                 "$what: the admitted response is Cache-Control: private");
        # The same request again, as a cache would see a repeat.
        exchange($path, $alpha);

        my $anon = GET($path);
        ok t_cmp($anon->code, 401, "$what: no credentials after alpha's exchange: 401");
        ok t_cmp(scalar(cookies_of($anon)), 0, "$what: ... with no session cookie");
        ok t_cmp($anon->header('X-Cache') // '', qr/^(|MISS.*)$/, "$what: ... not from the cache");

        my $b = exchange($path, $beta);
        ok t_cmp($b->code, 200, "$what: beta exchanges");
        my @ids = map { jwt_claims($_)->{common_name} } cookies_of($b);
        ok t_cmp("@ids", $beta->{client_id}, "$what: beta gets its own session, and only that");
        ok t_cmp($b->header('X-Cache') // '', qr/^(|MISS.*)$/, "$what: beta's answer is not from the cache");

        # beta's cookie does not reach what only alpha may see.
        (my $only = $path) =~ s{/index\.html$}{/alpha/};
        my ($bs) = cookies_of($b);
        ok t_cmp(GET($only, Cookie => "CF_Authorization=$bs")->code, 403,
                 "$what: beta's session is beta's: 403 where only alpha is admitted");
    }
}
Apache::TestRequest::module('default');
