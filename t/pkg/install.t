#!/usr/bin/perl
# make install and make uninstall into a DESTDIR: the module, svctoken, the
# man page and, where the system has a mods-available directory (Debian's
# layout), the .load and .conf snippets, so that a2enmod access_svctoken
# works at once; make uninstall takes all of it away again (an edited .conf
# is kept and said so).
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Find;
use File::Temp qw(tempdir);
use FindBin;
use Test::More;
use lib $FindBin::Bin;
use PkgHelper;

my $top = abs_path("$FindBin::Bin/../..");
my $apxs = $ENV{APXS} || 'apxs';
chomp(my $libexec = `$apxs -q LIBEXECDIR`);
chomp(my $sysconf = `$apxs -q SYSCONFDIR`);
plan skip_all => "no $sysconf/mods-available on this system" unless -d "$sysconf/mods-available";
my $mods = "$sysconf/mods-available";

sub make { return run('make', '--no-print-directory', '-C', $top, "APXS=$apxs", @_) }

sub tree {
    my ($root) = @_;
    my @found;
    find({ wanted => sub { push @found, substr($_, length $root) if -f $_ || -l $_ },
           no_chdir => 1 }, $root);
    return [sort @found];
}

my $dest = tempdir(CLEANUP => 1);
my ($rc, $out) = make('install', "DESTDIR=$dest", 'PREFIX=/usr/local');
is($rc, 0, 'make install DESTDIR=... exits 0') or diag $out;
is_deeply(tree($dest),
          [sort "/usr/local/bin/svctoken", "$libexec/mod_access_svctoken.so",
                "/usr/local/share/man/man8/svctoken.8", "$mods/access_svctoken.conf",
                "$mods/access_svctoken.load"],
          'it installs the module, svctoken, the man page and both snippets');
is((stat "$dest/usr/local/bin/svctoken")[2] & 07777, 0755, 'svctoken is mode 0755');
is((stat "$dest$mods/access_svctoken.load")[2] & 07777, 0644, 'the snippets are mode 0644');
open my $load, '<', "$dest$mods/access_svctoken.load" or die;
like(join('', <$load>), qr{^LoadModule access_svctoken_module \Q$libexec\E/mod_access_svctoken\.so$}m,
     'the .load file loads the module from where it was installed');
my $man = `MANWIDTH=80 man -l $dest/usr/local/share/man/man8/svctoken.8 2>&1`;
like($man, qr/^SVCTOKEN\(8\)/m, 'the installed man page renders');

# a2enmod on the staged tree, as an administrator would run it on /etc/apache2.
my $conf_root = $dest . ($mods =~ s{/mods-available$}{}r);
mkdir "$conf_root/mods-enabled";
my $state = tempdir(CLEANUP => 1);
my $a2 = `APACHE_CONFDIR=$conf_root APACHE_ENVVARS=/dev/null APACHE_STATE_DIRECTORY=$state a2enmod -q access_svctoken 2>&1`;
is($?, 0, 'a2enmod access_svctoken works right after make install') or diag $a2;
is(readlink("$conf_root/mods-enabled/access_svctoken.load"), '../mods-available/access_svctoken.load',
   '... and enables the .load');
ok(-l "$conf_root/mods-enabled/access_svctoken.conf", '... and the .conf');

($rc, $out) = make('uninstall', "DESTDIR=$dest", 'PREFIX=/usr/local');
is($rc, 0, 'make uninstall exits 0') or diag $out;
is_deeply(tree($dest), [], 'make uninstall removes every file and link that install and a2enmod made');

# An administrator's edits to the .conf survive make uninstall.
make('install', "DESTDIR=$dest", 'PREFIX=/usr/local');
open my $c, '>>', "$dest$mods/access_svctoken.conf" or die;
print $c "ServiceTokenStore /etc/apache2/svctokens.db\n";
close $c;
($rc, $out) = make('install', "DESTDIR=$dest", 'PREFIX=/usr/local');
open $c, '<', "$dest$mods/access_svctoken.conf" or die;
like(join('', <$c>), qr{^ServiceTokenStore /etc/apache2/svctokens\.db$}m,
     'a second make install keeps an edited .conf');
($rc, $out) = make('uninstall', "DESTDIR=$dest", 'PREFIX=/usr/local');
like($out, qr/kept .*access_svctoken\.conf/, 'make uninstall says it keeps the edited .conf');
is_deeply(tree($dest), ["$mods/access_svctoken.conf"], '... and removes all the rest');

# Without a mods-available directory there are no snippets to install.
my $dest2 = tempdir(CLEANUP => 1);
($rc, $out) = make('install', "DESTDIR=$dest2", 'PREFIX=/opt/svct', 'MODS_AVAILABLE=');
is($rc, 0, 'make install with MODS_AVAILABLE= (no Debian layout)') or diag $out;
is_deeply(tree($dest2),
          [sort "/opt/svct/bin/svctoken", "$libexec/mod_access_svctoken.so",
                "/opt/svct/share/man/man8/svctoken.8"],
          '... installs no snippets');

done_testing;
