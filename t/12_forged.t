# Forged sessions cost at most one signature check for the header and one
# for the cookies of a request, and the same forged bytes none the next time
# in the same child. Counted from the trace line SVCT0602 that every
# signature check leaves.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use lib 't/lib';
use SvcToken::Test;

plan tests => 11;

my $fx    = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $s     = session_of(exchange('/app/', $alpha));
my $other = session_of(exchange('/other/', $alpha));
my ($h, $c, $sig) = jwt_parts($s);
my $n = 0;
# A session for /app with a signature that is well formed and wrong.
sub forged {
    my $f = $sig;
    substr($f, 2, 6) = sprintf '%06d', $n++;
    return "$h.$c.$f";
}
sub cookies { join '; ', map { "CF_Authorization=$_" } @_ }

# The signature checks (and the children that made them) while REQUEST runs.
sub checks {
    my ($request) = @_;
    my $mark = log_mark();
    my $code = $request->();
    my @lines = log_since($mark) =~ /\[pid (\d+)[^\n]*SVCT0602: checked the signature of a session \((\w+)\)/g;
    my (%pids, %from);
    while (my ($pid, $from) = splice @lines, 0, 2) {
        $pids{$pid} = 1;
        $from{$from}++;
    }
    return ($code, $from{header} // 0, $from{cookie} // 0, scalar keys %pids);
}

my @f = map { forged() } 1 .. 5;
my $all = sub { GET('/app/', 'cf-access-token' => $f[0], Cookie => cookies(@f[1 .. 4]))->code };
my ($code, $hdr, $ck) = checks($all);
ok t_cmp($code, 401, 'a forged header and four forged cookies: 401');
ok t_cmp($hdr, 1, 'one signature check for the header');
ok t_cmp($ck, 1, 'one for the four cookies');

# Each child checks these bytes once at most (the first child already has).
my ($total, %children) = (0);
for (1 .. 8) {
    my ($c8, $h8, $k8, $p8) = checks($all);
    $total += $h8 + $k8;
}
my $max_children = Apache::Test::vars('maxclients') || 4;
ok t_cmp($total <= 2 * $max_children ? 'yes' : "$total checks", 'yes',
         'sent again and again, the same forgeries are not checked again in a child');

my @same = (forged()) x 4;
($code, $hdr, $ck) = checks(sub { GET('/app/', Cookie => cookies(@same))->code });
ok t_cmp($code, 401, 'four copies of one forged cookie: 401');
ok t_cmp($ck <= 1 ? 'yes' : "$ck checks", 'yes', 'checked once at most');

($code, $hdr, $ck) = checks(sub { GET('/app/', Cookie => cookies($other, $other, $s))->code });
ok t_cmp($code, 200, 'a session of another audience in front of the right one: 200');
ok t_cmp($ck <= 1 ? 'yes' : "$ck checks", 'yes', 'with one check at most');

my $late = forged();
($code, $hdr, $ck) = checks(sub { GET('/app/', Cookie => cookies($other, $late))->code });
ok t_cmp($code, 401, 'a foreign session and a forged one: 401');
ok t_cmp($ck, 1, 'the foreign one costs no check, the forged one one');

($code, $hdr, $ck) = checks(sub { GET('/app/', 'cf-access-token' => $other)->code });
ok t_cmp($hdr, 0, 'a session of another audience in the header costs no check');
