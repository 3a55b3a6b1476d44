# Log hygiene, run last: with the module at LogLevel trace8 (see
# t/conf/extra.conf.in), after every other test file and the attack suite,
# neither the error log nor the access logs hold a Client Secret, a secret's
# hash, or a JWT signature; and no child died during the whole run.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;
use SvcToken::Attack;

plan tests => 9;

my $fx = fixtures();
my @tokens = (values %{ $fx->{tokens} }, values %{ $fx->{tokens2} });
my $alpha = $fx->{tokens}{alpha};

# A last round of everything that logs, at every level: a good exchange, a
# wrong secret, a good and a bad session, and a proxied request.
my $s = session_of(exchange('/app/', $alpha));
GET('/app/', 'CF-Access-Client-Id' => $alpha->{client_id}, 'CF-Access-Client-Secret' => 'f' x 64);
GET('/app/', Cookie => "CF_Authorization=$s");
GET('/other/', Cookie => "CF_Authorization=$s");
my $p = session_of(exchange('/proxy/echo', $alpha));
my @sigs = map { (jwt_parts($_))[2] } $s, $p;

my $logs = Apache::Test::vars('t_logs');
my %text;
for my $f ('error_log', 'access_log', 'svctoken_access.log') {
    log_since(0);    # waits for lines written after the last response
    open my $fh, '<', "$logs/$f" or next;
    local $/;
    $text{$f} = <$fh> // '';
}
# The error log is kept across runs: only this run's part counts.
my $start = rindex $text{error_log}, 'configured -- resuming normal operations';
my $line_start = $start < 0 ? 0 : rindex($text{error_log}, "\n", $start) + 1;
$text{error_log} = substr $text{error_log}, $line_start;
my $all = join "\n", values %text;

ok t_cmp(length($text{error_log}) > 1000 ? 1 : 0, 1, 'the error log was read');
ok t_cmp(scalar(grep { $all =~ /\Q$_->{client_secret}\E/ } @tokens), 0,
         'no fixture secret in any log');
ok t_cmp(scalar(grep { $all =~ /\Q$_\E/ } @sigs), 0, 'no signature of a session just issued');
# Secrets are 64 lowercase hex characters, and so are their SHA-256 hashes.
my @hex = $all =~ /(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])/g;
ok t_cmp(scalar(@hex), 0, 'no 64-hex string (a secret or its hash) anywhere');
my @jws = $all =~ /(eyJ[\w-]*\.[\w-]*\.[\w-]{16,})/g;
ok t_cmp(scalar(@jws), 0, 'no signed JWT anywhere');
my @b64sig = $text{error_log} =~ /([\w-]{86})/g;    # an ES256 or HS256 signature, alone
ok t_cmp(scalar(@b64sig), 0, 'no bare ES256 signature-sized base64url run in the error log');
ok t_cmp(scalar($text{error_log} =~ /CF-Access-Client-Secret:\s*\S/i), '',
         'no secret header line logged');
ok t_cmp(no_crash_in_log($text{error_log}), 1, 'no child crashed during the whole run');
ok t_cmp(scalar($text{error_log} =~ /AH00052|AH00051/), '', 'no "child pid exit signal" notice');
