# revoke-sessions against a running httpd with ServiceTokenClockSkew 0: a
# session issued right after a revocation is used at once; a revocation time
# set by a clock a year ahead neither locks new sessions out nor stays for
# good (revoke-sessions --reset), and `svctoken revocation` shows it.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Basename qw(dirname);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;

plan tests => 17;

my $fx    = fixtures();
my $omega = $fx->{tokens3}{omega};
my @store = ('-f', $fx->{store3});
my $tool  = dirname($ENV{SVCTOKEN}) . '/unit/test_revoke';
sub revcli {
    my ($rc, $out, $err) = cli(@store, @_);
    die "svctoken @_: $err" if $rc;
    return ($out, $err);
}
sub revoked_before { decode_json((revcli('revocation', '--json'))[0])->{revoked_before} }
sub fresh { session_of(exchange('/noskew/', $omega)) }
sub used { GET('/noskew/', Cookie => "CF_Authorization=$_[0]")->code }

ok t_cmp(revoked_before(), undef, 'revocation: none yet');
my $s0 = fresh();
ok t_cmp(used($s0), 200, 'a session is used at once with ClockSkew 0');
revcli('revoke-sessions');
ok t_cmp(used($s0), 401, 'revoke-sessions refuses it');
my $s1 = fresh();
ok t_cmp(used($s1), 200, 'a session issued right after the revocation is used at once');
ok t_cmp(jwt_claims($s1)->{iat} <= time ? 1 : 0, 1, 'its iat is not in the future');
ok t_cmp(defined revoked_before() ? 1 : 0, 1, 'revocation shows the time');

# revoke-sessions run by a clock a year ahead.
my $ahead = time + 365 * 86400;
system($tool, 'set', $fx->{store3}, $ahead) == 0 or die "$tool set failed";
ok t_cmp(used($s1), 401, 'a revocation a year ahead refuses what was issued before');
my $s2 = fresh();
ok t_cmp(used($s2), 200, 'but a new session is used at once, not a year later');
ok t_cmp(jwt_claims($s2)->{iat} <= time ? 1 : 0, 1, 'its iat is capped at its issue time');
ok t_cmp(rfc3339_epoch(revoked_before()), $ahead, 'revocation shows the time ahead');

my ($out, $err) = revcli('revoke-sessions');
ok t_cmp($err, qr/ahead of this clock; if it is wrong, run revoke-sessions --reset/,
         'revoke-sessions with the right clock says how to reset');
ok t_cmp(rfc3339_epoch(revoked_before()), $ahead, 'and does not lower it by itself');
($out, $err) = revcli('revoke-sessions', '--reset', '--json');
my $reset = rfc3339_epoch(decode_json($out)->{revoked_before});
ok t_cmp(($reset > time - 5 && $reset <= time + 1) ? 1 : 0, 1,
         'revoke-sessions --reset sets it to now');
ok t_cmp(rfc3339_epoch(revoked_before()), $reset, 'as revocation shows');
ok t_cmp(used($s2), 401, 'the session issued under the wrong time is now refused');
ok t_cmp(used($s0), 401, 'as are the earlier ones');
ok t_cmp(used(fresh()), 200, 'a new session works at once');

sub rfc3339_epoch {
    my ($s) = @_;
    require Time::Local;
    return undef unless defined $s && $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/;
    return Time::Local::timegm($6, $5, $4, $3, $2 - 1, $1);
}
