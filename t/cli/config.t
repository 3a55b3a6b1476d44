#!/usr/bin/perl
# The module's configuration as httpd reads it: conf/reference.conf covers
# every directive of the module and is accepted; bad values stop start-up
# with one clear message; a world-readable key file is warned about.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use FindBin;
use lib $FindBin::Bin;
use HttpdConf;

my $httpd  = $ENV{HTTPD}       || '/usr/sbin/apache2';
my $module = $ENV{SVCT_MODULE} || 'build/mod_access_svctoken.so';
my $cli    = $ENV{SVCTOKEN}    || 'build/svctoken';
plan skip_all => "no $httpd" unless -x $httpd;
-f $module or BAIL_OUT("build the module first: $module");

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;
system($cli, 'keygen', '--alg', 'ES256', '--out', "$dir/key.pem") == 0 or die;
system($cli, 'keygen', '--alg', 'ES256', '--out', "$dir/old.pem") == 0 or die;
system($cli, '-f', "$dir/tokens.db", 'create', $_) == 0 or die for 'x', 'ci-deployer', 'nightly-backup';
# Readable by the children's user, as README tells (chgrp www-data, g+r).
chmod 0644, "$dir/tokens.db", "$dir/tokens.db.lock";

# Every directive of the command table is in the reference, and no other.
open my $src, '<', 'mod_access_svctoken.c' or die $!;
my %table = map { $_ => 1 } join('', <$src>) =~ /AP_INIT_\w+\(\s*"(\w+)"/g;
open my $ref, '<', 'conf/reference.conf' or die $!;
my $reference = join '', <$ref>;
my %documented = map { $_ => 1 } $reference =~ /^\s*(ServiceToken\w+)\s/mg;
ok scalar(keys %table) >= 6, 'the directive table was read';
is_deeply [sort keys %documented], [sort keys %table],
    'conf/reference.conf shows exactly the directives of the module';
ok $reference =~ /^\s*AuthType ServiceToken/m && $reference =~ /^\s*Require service-token\s/m
    && $reference =~ /^\s*Require service-token-id\s/m, 'and AuthType and both Require forms';

sub write_conf {
    my ($body) = @_;
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh httpd_base_conf($dir, free_port()), $body;
    close $fh;
}

# `apachectl configtest` on BODY: (exit code, what it printed).
sub configtest {
    my ($body) = @_;
    write_conf($body);
    return httpd_configtest("$dir/httpd.conf");
}

# Starts httpd with BODY; returns (exit code, output + error log) and stops it.
sub start {
    my ($body) = @_;
    write_conf($body);
    unlink "$dir/error.log";
    my @root = $> == 0 ? ('-DROOT') : ();
    my $out = `$httpd -f $dir/httpd.conf @root -k start 2>&1`;
    my $rc = $? >> 8;
    for (1 .. 30) { last if -s "$dir/error.log" || -f "$dir/httpd.pid"; select undef, undef, undef, 0.1 }
    select undef, undef, undef, 0.3;
    if (-f "$dir/httpd.pid") {
        system("$httpd -f $dir/httpd.conf @root -k stop >/dev/null 2>&1");
        for (1 .. 50) { last unless -f "$dir/httpd.pid"; select undef, undef, undef, 0.1 }
    }
    my $log = -f "$dir/error.log" ? do { local (@ARGV, $/) = "$dir/error.log"; <> } : '';
    return ($rc, $out . $log);
}

# The reference configuration, with its paths pointing at real files.
(my $conf = $reference) =~ s{/usr/lib/apache2/modules/mod_access_svctoken.so}{$module};
$conf =~ s{/etc/apache2/svctokens.db}{$dir/tokens.db};
$conf =~ s{/etc/apache2/svctoken-signing.pem}{$dir/key.pem};
$conf =~ s{/etc/apache2/svctoken-signing.old.pem}{$dir/old.pem};
my ($rc, $out) = start($conf);
is $rc, 0, 'httpd starts with conf/reference.conf' or diag $out;
unlike $out, qr/\[access_svctoken:(error|crit|warn)/, 'and the module has nothing to complain about';

my $load = "LoadModule access_svctoken_module $module\n";
my @bad = (
    ['unknown DBM type', "ServiceTokenStore $dir/t.db NDBMX\n",
     qr/ServiceTokenStore: unknown DBM type 'NDBMX'/],
    ['bad duration', "<Location />\nServiceTokenSessionDuration 10 minutes\n</Location>\n",
     qr/ServiceTokenSessionDuration takes one argument|is not a duration/],
    ['duration without unit', "<Location />\nServiceTokenSessionDuration 10\n</Location>\n",
     qr/ServiceTokenSessionDuration: '10' is not a duration/],
    ['refresh of 0', "ServiceTokenStoreRefresh 0s\n", qr/ServiceTokenStoreRefresh: (at least 1s|'0s' is not a duration)/],
    ['bad grace', "ServiceTokenStoreGrace soon\n", qr/ServiceTokenStoreGrace: 'soon' is not a duration/],
    ['bad seen interval', "ServiceTokenSeenInterval never\n",
     qr/ServiceTokenSeenInterval: 'never' is not a duration/],
    ['seen interval in a directory', "<Location />\nServiceTokenSeenInterval 1m\n</Location>\n",
     qr/ServiceTokenSeenInterval not allowed in <Location> context/],
    ['dbd store without mod_dbd', "<Location />\nServiceTokenStore dbd\n</Location>\n",
     qr/ServiceTokenStore dbd needs mod_dbd/],
    ['missing key file', "ServiceTokenSigningKey $dir/nope.pem\n", qr/nope\.pem/],
    ['bad token name in Require', "<Location />\nAuthType ServiceToken\nRequire service-token \"a\tb\"\n</Location>\n",
     qr/is not a valid token name/],
    ['bad client id in Require', "<Location />\nAuthType ServiceToken\nRequire service-token-id nope\n</Location>\n",
     qr/Require service-token-id: 'nope' is not a valid Client ID/],
    ['bad credentials header name', "<Location />\nServiceTokenCredentialsHeader 'X Token'\n</Location>\n",
     qr/ServiceTokenCredentialsHeader: 'X Token' is not a header name/],
    ['bad preflight mode', "<Location />\nServiceTokenPreflight skip\n</Location>\n",
     qr/ServiceTokenPreflight: 'skip' is neither pass nor check/],
    ['Require service-token-id without ids', "<Location />\nAuthType ServiceToken\nRequire service-token-id\n</Location>\n",
     qr/needs at least one Client ID/],
);
open my $g, '>', "$dir/garbage.pem" or die; print $g "not a key\n"; close $g;
push @bad, ['garbage key file', "ServiceTokenSigningKey $dir/garbage.pem\n", qr/garbage\.pem/];
# What used to pass configtest and then stop httpd at the reload.
push @bad,
    ['missing verify key file', "ServiceTokenVerifyKey $dir/nope-old.pem\n", qr/nope-old\.pem/],
    ['garbage verify key file', "ServiceTokenVerifyKey $dir/garbage.pem\n",
     qr/ServiceTokenVerifyKey: .*garbage\.pem/],
    ['clock skew over a day', "<Location />\nServiceTokenClockSkew 25h\n</Location>\n",
     qr/ServiceTokenClockSkew: '25h' is longer than the most allowed, 1d/],
    ['session beyond what a JWT can carry',
     "<Location />\nServiceTokenSessionDuration 8000y\n</Location>\n",
     qr/ServiceTokenSessionDuration: '8000y' is longer than the most allowed, 100y/],
    ['world-readable signing key', "ServiceTokenSigningKey $dir/open.pem\n",
     qr/key file \Q$dir\E\/open\.pem can be read by any user \(mode 0644\); .*chmod 600/];
system($cli, 'keygen', '--out', "$dir/open.pem") == 0 or die;
chmod 0644, "$dir/open.pem";
for my $case (@bad) {
    my ($what, $body, $want) = @$case;
    my ($code, $text) = configtest($load . $body);
    isnt $code, 0, "$what: configtest fails";
    like $text, $want, "$what: and says why";
    unlike $text, qr/Syntax OK/, "$what: not 'Syntax OK'";
    ($code, $text) = start($load . $body);
    isnt $code, 0, "$what: httpd refuses to start";
    like $text, $want, "$what: and says why";
}
($rc, $out) = configtest($load . "<Location />\nServiceTokenClockSkew 1d\n"
                         . "ServiceTokenSessionDuration 100y\n</Location>\n");
is $rc, 0, 'a skew of 1d and a session of 100y pass configtest' or diag $out;

# A key file its group can read: started, with a warning naming the file,
# at configtest and in the error log.
chmod 0640, "$dir/key.pem";
($rc, $out) = configtest($load . "ServiceTokenSigningKey $dir/key.pem\n");
is $rc, 0, 'a group-readable key passes configtest';
like $out, qr/SVCT0601: key file \Q$dir\E\/key\.pem can be read by its group/, 'with a warning';
($rc, $out) = start($load . "ServiceTokenSigningKey $dir/key.pem\n");
is $rc, 0, 'a group-readable key still starts';
like $out, qr/SVCT\d+: key file \Q$dir\E\/key\.pem can be read by other users/, 'but is warned about';
chmod 0600, "$dir/key.pem";

# No key at all: a random one, said once.
($rc, $out) = start($load);
is $rc, 0, 'no ServiceTokenSigningKey: starts';
my @notices = $out =~ /no ServiceTokenSigningKey/g;
is scalar(@notices), 1, 'the random key is announced once';

# A Require line naming a token the store does not have (yet): one warning
# per name, at configtest and in the error log; a name it has: none.
my $requires = "ServiceTokenStore $dir/tokens.db\n<Location /a>\nAuthType ServiceToken\n"
    . "Require service-token x ghost \"ghost\"\n</Location>\n<Location /b>\n"
    . "AuthType ServiceToken\nRequire service-token ghost\n</Location>\n";
for my $how ('configtest', 'start') {
    ($rc, $out) = $how eq 'configtest' ? configtest($load . $requires) : start($load . $requires);
    is $rc, 0, "$how: a Require name not in the store is not an error";
    my @ghosts = $out =~ /SVCT0604: Require service-token: token store \Q$dir\E\/tokens\.db has no token named "ghost" \(yet\)/g;
    is scalar(@ghosts), 1, "$how: one warning for it";
    unlike $out, qr/no token named "x"/, "$how: none for a name the store has";
}

# A store that the children's user cannot open: a warning naming the file,
# the user and the reason.
my $user = $> == 0 ? 'nobody' : getpwuid($>);
chmod $> == 0 ? 0600 : 0000, "$dir/tokens.db", "$dir/tokens.db.lock";
for my $how ('configtest', 'start') {
    ($rc, $out) = $how eq 'configtest' ? configtest($load . $requires) : start($load . $requires);
    is $rc, 0, "$how: a store the children cannot open is not an error at start-up";
    like $out, qr/SVCT0603: token store \Q$dir\E\/tokens\.db cannot be opened by user \Q$user\E, whom httpd's children run as: \S.*Permission denied/,
        "$how: warned about, with the user and the reason";
}
chmod 0644, "$dir/tokens.db", "$dir/tokens.db.lock";
($rc, $out) = configtest($load . $requires);
unlike $out, qr/SVCT0603/, 'a store they can open: no warning';

done_testing;
