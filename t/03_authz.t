# Require service-token [NAME...] / service-token-id, combined with other
# providers, in .htaccess, and per-directory merging of every directive.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 33;

my $fx = fixtures();
my ($alpha, $beta, $gamma, $delta) = @{ $fx->{tokens} }{'alpha', 'beta token', 'gamma', 'delta'};

sub code { exchange(@_)->code }

# Names, with a quoted name holding a space.
ok t_cmp(code('/named/', $alpha), 200, 'Require service-token alpha "beta token": alpha in');
ok t_cmp(code('/named/', $beta), 200, 'beta token (quoted name with a space) in');
my $mark = log_mark();
ok t_cmp(code('/named/', $gamma), 403, 'gamma, valid but not listed: 403');
ok t_cmp(log_since($mark), qr/SVCT\d+: token "gamma" .* is not admitted/, 'the 403 is logged with the name');
ok t_cmp(GET('/named/')->code, 401, 'no credentials: still 401');

# Client IDs.
ok t_cmp(code('/byid/', $gamma), 200, 'Require service-token-id: listed id in');
ok t_cmp(code('/byid/', $alpha), 403, 'other id: 403');

# A session passes the same Require lines as the secret does.
my $s = session_of(exchange('/app/', $alpha));
my $gs = session_of(exchange('/named/', $alpha));
ok t_cmp(GET('/named/', Cookie => "CF_Authorization=$gs")->code, 200, 'a session of a listed token passes');

# Combined with other providers.
ok t_cmp(code('/all/', $alpha), 200, 'RequireAll service-token + ip (matching)');
ok t_cmp(GET('/all/')->code, 401, 'RequireAll without credentials: 401');
ok t_cmp(code('/all-denied/', $alpha), 403, 'RequireAll with a failing ip: valid token gets 403');
ok t_cmp(code('/any/', $alpha), 200, 'RequireAny ip (no match) or alpha: alpha in');
ok t_cmp(code('/any/', $gamma), 403, 'RequireAny: gamma 403');
ok t_cmp(GET('/any/')->code, 401, 'RequireAny without credentials: 401');

# .htaccess with AllowOverride AuthConfig.
ok t_cmp(code('/ht/', $alpha), 200, '.htaccess: Require service-token alpha admits alpha');
ok t_cmp(code('/ht/', $gamma), 403, '.htaccess: gamma 403');
ok t_cmp(GET('/ht/')->code, 401, '.htaccess: no credentials 401');
my $ht = exchange('/ht/', $alpha);
ok t_cmp(jwt_claims(session_of($ht))->{aud}[0], 'https://localhost/ht/api', '.htaccess ServiceTokenAudience applies');
ok t_cmp(scalar $ht->header('Set-Cookie'), qr/Path=\/ht(;|$)/, '.htaccess: cookie Path is the directory URL');

# Default audience: https:// + server name + location.
my $d = exchange('/derived/', $alpha);
ok t_cmp($d->code, 200, 'no ServiceTokenAudience: works');
ok t_cmp(jwt_claims(session_of($d))->{aud}[0], qr{^https://[^/]+/derived$}, 'default audience from server name and location');

# Merging: /outer/inner inherits audience, duration and store from /outer.
my $o = exchange('/outer/', $alpha);
my $os = session_of($o);
ok t_cmp(jwt_claims($os)->{exp} - jwt_claims($os)->{iat}, 300, 'outer: ServiceTokenSessionDuration 5m');
ok t_cmp(GET('/outer/inner/', Cookie => "CF_Authorization=$os")->code, 200, 'inner inherits the audience: outer session admits');
my $in = exchange('/outer/inner/', $alpha);
ok t_cmp(jwt_claims(session_of($in))->{aud}[0], 'outer', 'inner issues sessions for the inherited audience');
ok t_cmp(jwt_claims(session_of($in))->{exp} - jwt_claims(session_of($in))->{iat}, 300, 'inner inherits the session duration');
ok t_cmp(code('/outer/inner/', $gamma), 403, 'inner Require applies');
my $own = session_of(exchange('/outer/own/', $alpha));
ok t_cmp(jwt_claims($own)->{aud}[0], 'outer-own', 'inner ServiceTokenAudience overrides');
ok t_cmp(jwt_claims($own)->{exp} - jwt_claims($own)->{iat}, 420, 'inner ServiceTokenSessionDuration overrides');
ok t_cmp(GET('/outer/own/', Cookie => "CF_Authorization=$os")->code, 401, 'outer session refused under an overridden audience');

# ServiceTokenStore per location, with a DBM type.
my $zeta = $fx->{tokens2}{zeta};
ok t_cmp(code('/otherstore/', $zeta), 200, 'a location with its own store (SDBM) admits its tokens');
ok t_cmp(code('/otherstore/', $alpha), 401, '... and not the server store\'s');
ok t_cmp(code('/app/', $zeta), 401, 'the server store does not know the other store\'s token');

# ErrorDocument is respected for the 401.
my $e = GET('/errdoc/');
ok t_cmp($e->code == 401 && $e->content =~ /Sorry: service token required/, 1, 'ErrorDocument 401 is used');
