# Shared helpers of the svctoken CLI tests: run the real binary
# ($ENV{SVCTOKEN}) with captured output, optionally as an unprivileged user or
# under valgrind (SVCT_VALGRIND=1), and read RFC 3339 times and store files.
package CliHelper;

use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use JSON::PP ();
use Time::Local qw(timegm);

our @EXPORT = qw(svctoken svctoken_as backdate json rfc3339 store_bytes one_line $CLI);

our $CLI = $ENV{SVCTOKEN}
    or die "set SVCTOKEN to the svctoken binary (make test-cli does)\n";
die "$CLI is not executable\n" unless -x $CLI;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/../lib';
use SvcToken::Run qw(capture slurp);
my $SUPP = dirname(__FILE__) . '/../unit/valgrind.supp';

# Runs svctoken ARGS with PREFIX (e.g. setpriv ...) in front; returns
# (exit status, stdout, stderr). Under valgrind a memory error exits 99.
sub _run {
    my ($prefix, @args) = @_;
    my @vg = $ENV{SVCT_VALGRIND}
        ? ('valgrind', '-q', '--error-exitcode=99', '--leak-check=full',
           "--suppressions=$SUPP")
        : ();
    return capture(@$prefix, @vg, $CLI, @args);
}

sub svctoken { return _run([], @_) }

# As the unprivileged user "nobody", as httpd would read the store.
sub svctoken_as_nobody_prefix {
    return ('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups');
}
sub svctoken_as { my $who = shift; return _run([svctoken_as_nobody_prefix()], @_) }

# Moves the times of token KEY in STORE SECONDS into the past (the test tool
# $SVCT_BACKDATE), instead of waiting for them to age.
sub backdate {
    my ($store, $key, $secs) = @_;
    my $tool = $ENV{SVCT_BACKDATE}
        or die "set SVCT_BACKDATE to the store_backdate tool (make test-cli does)\n";
    my ($rc, undef, $err) = capture($tool, $store, $ENV{SVCTOKEN_DBMTYPE} // 'default', $key, $secs);
    die "store_backdate $store $key $secs failed: $err" if $rc;
}

sub json {
    my ($text) = @_;
    my $v = eval { JSON::PP->new->decode($text) };
    return $v;
}

# "2026-11-28T09:20:36Z" -> epoch seconds, or undef for anything else.
sub rfc3339 {
    my ($s) = @_;
    return undef unless defined $s
        && $s =~ /\A(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z\z/;
    return timegm($6, $5, $4, $3, $2 - 1, $1);
}

# Every byte of the store's files (one file, or .pag and .dir for SDBM).
sub store_bytes {
    my ($path) = @_;
    return join '', map { slurp($_) } grep { -f $_ } ($path, "$path.pag", "$path.dir");
}

# True when TEXT is exactly one line starting with "svctoken: ".
sub one_line {
    my ($text) = @_;
    return $text =~ /\Asvctoken: [^\n]+\n\z/;
}

1;
