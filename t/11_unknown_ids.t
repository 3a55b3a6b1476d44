# A flood of unknown Client IDs: every one is refused, but the error log
# gets one line at warn per 100 per child, each with the running count, and
# the others at debug only; a real token is unaffected, and one created after
# its ID was refused is admitted at once (the per-child cache of unknown IDs
# is tied to the store's files).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;

plan tests => 8;

my $store = "$ENV{SVCT_VAR}/unknown.db";
unlink glob("$store*");
my ($rc, $out, $err) = cli('-f', $store, 'create', 'known', '--json');
die "create: $err" if $rc;
chmod 0644, $store;
my $known = decode_json($out);
my $log = Apache::Test::vars('t_logs') . '/error_log';
my $before = -s $log;

my $N = 1000;
my $refused = 0;
for my $i (1 .. $N) {
    my $t = { client_id => sprintf('%032x.access', 0xdead0000 + $i),
              client_secret => 'ab' x 32 };
    $refused++ if exchange('/unknown/', $t)->code == 401;
}
ok t_cmp($refused, $N, "all $N unknown Client IDs refused");
ok t_cmp(exchange('/unknown/', $known)->code, 200, 'the real token is admitted');

open my $fh, '<', $log or die "$log: $!";
seek $fh, $before, 0;
my @all = grep { /SVCT0203: access refused: unknown client id/ } <$fh>;
close $fh;
my @lines = grep { /\[access_svctoken:warn\]/ } @all;
my $debug = grep { /\[access_svctoken:debug\]/ } @all;
my %pids = map { /\[pid (\d+)/ ? ($1 => 1) : () } @lines;
my $children = keys %pids;
# Each child counts on from where earlier tests left it: at most one line
# per 100 of its refusals, plus one.
ok t_cmp(@lines >= 1 && @lines <= $N / 100 + $children ? 'yes'
         : scalar(@lines) . " lines from $children children", 'yes',
         'one line at warn per 100 per child');
ok t_cmp(scalar(grep { /unknown client id \d+ of this process; one in 100 is logged/ } @lines),
         scalar(@lines), 'each line says how many and how often');
ok t_cmp($debug + @lines, $N, 'every other refusal is logged at debug (the test runs at trace8)');

# A token created after the flood (the store's files change).
($rc, $out, $err) = cli('-f', $store, 'create', 'late', '--json');
die "create: $err" if $rc;
chmod 0644, $store;
my $late = decode_json($out);
ok t_cmp(exchange('/unknown/', $late)->code, 200, 'a token created now is admitted at once');

# An empty file where the store was is not a store without tokens.
open my $empty, '>', $store or die;
close $empty;
ok t_cmp(exchange('/unknown/', $known)->code, 500, 'an empty store file: 500, not 401');
open $fh, '<', $log or die "$log: $!";
ok t_cmp(scalar(grep { /not a token store/ } <$fh>) > 0 ? 'yes' : 'no', 'yes',
         'the error log says it is not a token store');
close $fh;
