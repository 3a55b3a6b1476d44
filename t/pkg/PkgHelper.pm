# Shared by the t/pkg tests: run a command with stderr folded into stdout,
# outside the make that runs the tests (its flags are not passed on).
package PkgHelper;

use strict;
use warnings;
use Exporter 'import';

our @EXPORT = qw(run);

# Returns (exit status, output).
sub run {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        delete @ENV{qw(MAKEFLAGS MAKELEVEL MFLAGS)};
        open STDERR, '>&', \*STDOUT;
        exec @cmd or exit 127;
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return ($? >> 8, $out);
}

1;
