# A store replaced the way configuration management deploys files, under a
# running httpd whose caches hold the token: a symlink flipped atomically
# (ln -s new tmp && mv -T tmp current) and a directory renamed into place.
# The token was deleted in the new store: it is refused at once, never
# admitted from a record of the old file cached under the new file's stamp.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Path qw(make_path remove_tree);
use JSON::PP;
use lib 't/lib';
use SvcToken::Test;

plan tests => 8;

# Two copies of one store: "old" with the token, "new" without it.
sub two_stores {
    my ($base) = @_;
    remove_tree($base);
    make_path("$base/old", "$base/new");
    my ($rc, $out, $err) = cli('-f', "$base/old/tokens.db", 'create', 'swapped', '--json');
    die "create: $err" if $rc;
    system('cp', '-a', "$base/old/tokens.db", "$base/new/tokens.db") == 0 or die;
    ($rc, undef, $err) = cli('-f', "$base/new/tokens.db", 'delete', 'swapped');
    die "delete: $err" if $rc;
    chmod 0755, $base, "$base/old", "$base/new";
    chmod 0644, "$base/old/tokens.db", "$base/new/tokens.db";
    return decode_json($out);
}

# The record is cached once the store has been quiet for a second (the
# module's clock is moved forward, not waited for).
sub primed {
    my ($path, $t) = @_;
    advance_clock(1.2);
    my $ok = 1;
    $ok &&= exchange($path, $t)->code == 200 for 1 .. 6;
    return $ok;
}

# A child re-stats the store at most every 5 ms (what svctoken itself waits
# after a change, src/store.h): the first request after that interval.
sub next_request { advance_clock(0.01); return exchange(@_)->code }

my $link = "$ENV{SVCT_VAR}/swaplink";
my $t = two_stores($link);
symlink('old', "$link/current") or die "symlink: $!";
ok t_cmp(primed('/swaplink/', $t) ? 1 : 0, 1, 'symlink: the token is admitted and cached');
system("ln -s new '$link/tmp' && mv -T '$link/tmp' '$link/current'") == 0 or die;
ok t_cmp(next_request('/swaplink/', $t), 401, 'symlink flipped: the deleted token is refused');
ok t_cmp(exchange('/swaplink/', $t)->code, 401, 'and stays refused');
system("ln -s old '$link/tmp' && mv -T '$link/tmp' '$link/current'") == 0 or die;
ok t_cmp(next_request('/swaplink/', $t), 200, 'flipped back: admitted again');

my $dir = "$ENV{SVCT_VAR}/swapdir";
$t = two_stores($dir);
rename "$dir/old", "$dir/live" or die "rename: $!";
ok t_cmp(primed('/swapdir/', $t) ? 1 : 0, 1, 'directory: the token is admitted and cached');
rename "$dir/live", "$dir/old" or die;
rename "$dir/new", "$dir/live" or die;
ok t_cmp(next_request('/swapdir/', $t), 401, 'directory renamed: the deleted token is refused');
rename "$dir/live", "$dir/new" or die;
rename "$dir/old", "$dir/live" or die;
ok t_cmp(next_request('/swapdir/', $t), 200, 'renamed back: admitted again');
ok t_cmp(exchange('/swapdir/', $t)->code, 200, 'and stays admitted');
