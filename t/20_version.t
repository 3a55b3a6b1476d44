# The module says which version it is when httpd starts (at info).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use FindBin;

plan tests => 1;

open my $h, '<', "$FindBin::Bin/../src/version.h" or die "src/version.h: $!";
my ($version) = join('', <$h>) =~ /^#define SVCT_VERSION "([^"]+)"$/m;
my $log = Apache::Test::vars('t_logs') . '/error_log';
open my $fh, '<', $log or die "$log: $!";
# The log grows run after run: take the line of the last start, the one
# logged since the start before it finished.
my ($pending, $last_start);
while (<$fh>) {
    chomp;
    $pending = $_ if /SVCT0801: /;
    ($last_start, $pending) = ($pending, undef) if /resuming normal operations/;
}
ok(t_cmp($last_start // '', qr/\[access_svctoken:info\] .*SVCT0801: mod_access_svctoken \Q$version\E loaded$/,
         'the start-up line names the version'));
