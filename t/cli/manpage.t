#!/usr/bin/perl
# The man page svctoken(8): groff finds nothing to warn about, man renders
# it, and it documents every command and option that `svctoken --help`
# lists, so that a new command cannot be left out of it.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use File::Temp ();
use Test::More;
use CliHelper;

my $page = "$FindBin::Bin/../../docs/svctoken.8";
ok(-f $page, 'docs/svctoken.8 exists') or BAIL_OUT('no man page');

sub run_capture {
    my ($env, @cmd) = @_;
    my $err = File::Temp->new;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        %ENV = (%ENV, %$env);
        open STDERR, '>', $err->filename or die;
        exec @cmd or exit 127;
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my $rc = $? >> 8;
    open my $e, '<', $err->filename or die;
    return ($rc, $out, scalar(<$e>) // '');
}

my ($rc, $out, $err) = run_capture({}, 'groff', '-ww', '-z', '-man', $page);
is($rc, 0, 'groff -ww -z -man exits 0');
is($err, '', 'groff -ww has no warning');

($rc, $out, $err) = run_capture({MANWIDTH => 80},
                                'man', '--warnings=w', '-l', $page);
is($rc, 0, 'man -l exits 0');
is($err, '', 'man -l --warnings prints nothing on stderr');
like($out, qr/^SVCTOKEN\(8\)/m, 'man -l renders the title');
like($out, qr/^EXIT STATUS/m, '... and an EXIT STATUS section');

open my $fh, '<', $page or die "$page: $!";
my $src = do { local $/; <$fh> };
(my $plain = $src) =~ s/\\-/-/g;
my ($commands) = $plain =~ /^\.SH COMMANDS\n(.*?)^\.SH /ms;
ok(defined $commands, 'the page has a COMMANDS section');
$commands //= '';

($rc, my $help) = svctoken('--help');
is($rc, 0, 'svctoken --help');
my ($cmdlist) = $help =~ /^Commands:\n(.*?)\n\n/ms;
my @cmds = ($cmdlist // '') =~ /^  ([a-z][a-z-]*)/mg;
cmp_ok(scalar @cmds, '>=', 10, 'svctoken --help lists its commands') or diag $help;
for my $cmd (@cmds) {
    like($commands, qr/^\.TP\n\.B[IR]? "?\Q$cmd\E\b/m, "the man page has an entry for '$cmd'");
}
my %opts = map { $_ => 1 } $help =~ /(?<![\w-])(--?[a-z][a-z-]*)/g;
for my $opt (sort keys %opts) {
    like($plain, qr/(?<![\w-])\Q$opt\E\b/, "the man page names the option $opt");
}
like($plain, qr/^\.SH ENVIRONMENT\n\.TP\n\.B SVCTOKEN_STORE$/m, 'SVCTOKEN_STORE under ENVIRONMENT');
my ($exit) = $plain =~ /^\.SH EXIT STATUS\n(.*?)^\.SH /ms;
for my $status (0 .. 3) {
    like($exit // '', qr/^\.TP\n\.B $status$/m, "exit status $status is described");
}

done_testing;
