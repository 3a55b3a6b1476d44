#!/usr/bin/perl
# `svctoken keygen`: one key file per algorithm, created with mode 0600 even
# under a permissive umask, never overwriting anything (not even through a
# symlink), and loadable by the very loader httpd uses; and the loader's
# refusal, with one clear line, of keys that are of the wrong type or size.
#
# The loader is reached through build/unit/test_jwt used as a tool (see the
# top of t/unit/test_jwt.c); set SVCT_JWT_TOOL to point elsewhere.
use strict;
use warnings;
use Test::More;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use lib dirname(__FILE__) . '/../lib';
use SvcToken::Run qw(capture);
use JSON::PP ();

my $cli = $ENV{SVCTOKEN} or plan skip_all => 'SVCTOKEN is not set (make test-cli sets it)';
my $tool = $ENV{SVCT_JWT_TOOL} || dirname($cli) . '/unit/test_jwt';
my $have_tool = -x $tool;
my $dir = tempdir(CLEANUP => 1);

sub run { return capture(@_) }

sub mode { return (stat $_[0])[2] & 07777 }

sub slurp {
    open my $fh, '<', $_[0] or return '';
    local $/;
    return scalar <$fh>;
}

# A permissive umask must not widen the key file's mode.
umask 0;

for my $alg (qw(HS256 ES256 RS256 EdDSA)) {
    my $file = "$dir/$alg.key";
    my ($rc, $out, $err) = run($cli, 'keygen', '--alg', $alg, '--out', $file);
    is($rc, 0, "$alg: keygen succeeds") or diag $err;
    ok(-f $file, "$alg: the file exists");
    is(sprintf('%04o', mode($file)), '0600', "$alg: mode 0600 under umask 0");
    my ($kid) = $out =~ /^Key ID:\s+(\S+)/m;
    ok(defined $kid, "$alg: the kid is printed");
    if ($alg eq 'HS256') {
        my $jwk = eval { JSON::PP->new->decode(slurp($file)) } || {};
        is($jwk->{kty}, 'oct', 'HS256: the file is an oct JWK');
        is($jwk->{alg}, 'HS256', 'HS256: with alg HS256');
        is($jwk->{kid}, $kid, 'HS256: with the printed kid');
        ok(length($jwk->{k} // '') >= 43, 'HS256: k holds at least 256 bits');
    } else {
        like(slurp($file), qr/\A-----BEGIN PRIVATE KEY-----\n/, "$alg: the file is a PKCS#8 PEM");
    }
    SKIP: {
        skip "$tool is not built", 1 unless $have_tool;
        my ($lrc, $lkid, $lerr) = run($tool, 'kid', $file);
        chomp $lkid;
        is($lkid, $kid, "$alg: the file loads back with the same kid") or diag $lerr;
    }

    my $before = slurp($file);
    ($rc, $out, $err) = run($cli, 'keygen', '--alg', $alg, '--out', $file);
    is($rc, 1, "$alg: keygen refuses to overwrite an existing file");
    like($err, qr/\Q$file\E.*never overwritten/, "$alg: and says so");
    is(slurp($file), $before, "$alg: the file is untouched");
}

{
    my ($rc, $out, $err) = run($cli, 'keygen', '--out', "$dir/default.key", '--json');
    is($rc, 0, 'keygen without --alg succeeds');
    my $j = eval { JSON::PP->new->decode($out) } || {};
    is($j->{alg}, 'ES256', 'the default algorithm is ES256');
    like($j->{kid} // '', qr/\A[A-Za-z0-9_-]{43}\z/, '--json gives the kid');

    symlink "$dir/target", "$dir/link" or die "symlink: $!";
    ($rc, $out, $err) = run($cli, 'keygen', '--alg', 'HS256', '--out', "$dir/link");
    is($rc, 1, 'keygen refuses to write through a symlink');
    ok(!-e "$dir/target", 'and creates nothing at its target');

    ($rc, $out, $err) = run($cli, 'keygen', '--alg', 'HS512', '--out', "$dir/hs512.key");
    ok($rc == 1 || $rc == 2, 'an unknown algorithm is refused') or diag "rc $rc";
    like($err, qr/algorithm/, 'naming the problem');
    ok(!-e "$dir/hs512.key", 'and no file is made');
    ($rc, $out, $err) = run($cli, 'keygen', '--alg', 'none', '--out', "$dir/none.key");
    ok($rc == 1 || $rc == 2, 'alg none is refused');
    ($rc, $out, $err) = run($cli, 'keygen', '--alg', 'ES256');
    is($rc, 2, 'keygen without --out is a usage error');
    ($rc, $out, $err) = run($cli, 'keygen', '--alg', 'ES256', '--out', "$dir/no/such/dir/k");
    is($rc, 1, 'an unwritable path is refused');
}

# Keys of the wrong type or size, made by other tools.
SKIP: {
    skip "$tool is not built", 18 unless $have_tool;
    my ($openssl) = grep { -x } map {"$_/openssl"} split /:/, $ENV{PATH} // '';
    skip 'no openssl command', 18 unless $openssl;

    my @bad = (
        ['rsa1024.pem', [$openssl, 'genrsa', '-out', "$dir/rsa1024.pem", '1024'],
         qr/is an RSA key of 1024 bits; at least 2048 are required/, 'RSA of 1024 bits'],
        ['p384.pem', [$openssl, 'ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out',
                      "$dir/p384.pem"],
         qr/is an EC key on curve secp384r1; only P-256 is supported/, 'EC P-384'],
        ['public.pem', [$openssl, 'pkey', '-in', "$dir/ES256.key", '-pubout', '-out',
                        "$dir/public.pem"],
         qr/holds only a public key/, 'a public-only PEM'],
        ['ed448.pem', [$openssl, 'genpkey', '-algorithm', 'ED448', '-out', "$dir/ed448.pem"],
         qr/is a key of type ED448/, 'Ed448'],
    );
    for my $b (@bad) {
        my ($name, $make, $want, $what) = @$b;
        my ($mrc, undef, $merr) = run(@$make);
        is($mrc, 0, "made $what with openssl") or diag $merr;
        my ($rc, $out, $err) = run($tool, 'kid', "$dir/$name");
        isnt($rc, 0, "refused: $what");
        like($err, qr/\A[^\n]*\Q$dir\/$name\E[^\n]*\n\z/, "$what: one line naming the file")
            or diag $err;
        like($err, $want, "$what: with the reason") or diag $err;
    }
    # Not made by openssl, but just as wrong.
    open my $fh, '>', "$dir/short.jwk" or die;
    print $fh '{"kty":"oct","alg":"HS256","kid":"k1","k":"c2hvcnQtc2VjcmV0"}';
    close $fh;
    my ($rc, $out, $err) = run($tool, 'kid', "$dir/short.jwk");
    like($err, qr/short\.jwk is an HS256 key of 12 bytes; at least 32 are required/,
         'refused: a short HS256 JWK');
    open $fh, '>', "$dir/garbage" or die;
    print $fh "not a key\n";
    close $fh;
    ($rc, $out, $err) = run($tool, 'kid', "$dir/garbage");
    like($err, qr/garbage is not a PEM private key or an HS256 JWK/, 'refused: garbage');
}

done_testing();
