#!/usr/bin/perl
# One version: src/version.h's SVCT_VERSION is what `svctoken --version` and
# `svctoken version` print and what debian/changelog's newest entry carries.
# (t/20_version.t checks that the module logs it at start-up.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use CliHelper;

my $top = "$FindBin::Bin/../..";
open my $h, '<', "$top/src/version.h" or die "src/version.h: $!";
my ($version) = join('', <$h>) =~ /^#define SVCT_VERSION "([^"]+)"$/m;
like($version // '', qr/\A\d+\.\d+\.\d+\z/, 'src/version.h defines SVCT_VERSION');

my ($rc, $out, $err) = svctoken('--version');
is($rc, 0, '--version exits 0');
is($out, "svctoken $version\n", '--version prints it');
($rc, $out) = svctoken('version');
is($out, "svctoken $version\n", 'version prints it');
($rc, $out) = svctoken('list', '--version');
is($out, "svctoken $version\n", '--version after a command prints it too');

open my $c, '<', "$top/debian/changelog" or die "debian/changelog: $!";
my $first = <$c>;
my ($deb) = $first =~ /^mod-access-svctoken \(([^)]+)\) /;
is($deb, $version, 'debian/changelog: the newest entry is this version');

done_testing;
