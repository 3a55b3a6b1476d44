package SvcToken::Run;
# The one way the tests run a command and capture what it printed: stdout
# and stderr go to temporary files (a pipe could fill up and stall the
# command), with optional bytes on stdin.
use strict;
use warnings;
use Exporter 'import';
use File::Temp ();

our @EXPORT_OK = qw(capture slurp);

# The bytes of the file PATH, or '' when it cannot be read.
sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

# capture(@cmd) or capture({ stdin => BYTES }, @cmd): runs CMD without a
# shell and returns (exit status, stdout, stderr); a command killed by a
# signal gives 128 + the signal, one that cannot be run 127.
sub capture {
    my $opt = ref $_[0] eq 'HASH' ? shift : {};
    my @cmd = @_;
    my ($in, $out, $err) = (File::Temp->new, File::Temp->new, File::Temp->new);
    print $in $opt->{stdin} // '';
    close $in;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDIN, '<', $in->filename or die;
        open STDOUT, '>', $out->filename or die;
        open STDERR, '>', $err->filename or die;
        exec { $cmd[0] } @cmd;
        exit 127;
    }
    waitpid $pid, 0;
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($rc, slurp($out->filename), slurp($err->filename));
}

1;
