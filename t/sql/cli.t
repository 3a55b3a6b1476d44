#!/usr/bin/perl
# svctoken on a SQL store (PostgreSQL, with SQLite where it differs): the same
# outputs, --json and exit codes as on DBM; init; a newer schema refused;
# export/import [--replace] between the kinds of store; four CLIs writing at
# once; hostile names; the SELECT-only role; -f and --dbd exclusive.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../cli";
use Test::More;
use File::Temp qw(tempdir);
use CliHelper;
use SvcToken::Run qw(capture);
use SvcToken::Pg;

plan skip_all => 'no PostgreSQL' unless SvcToken::Pg::available();
my $pg  = SvcToken::Pg->shared;
my $dbd = $pg->dbd;
my $dir = tempdir(CLEANUP => 1);
delete @ENV{qw(SVCTOKEN_STORE SVCTOKEN_DBD)};
$pg->psql('DROP TABLE IF EXISTS svctoken_tokens, svctoken_state, svctoken_seen', 'svctoken');

my ($rc, $out, $err) = svctoken('--dbd', $dbd, 'list');
is $rc, 3, 'list before init: exit 3';
like $err, qr/^svctoken: .*run svctoken init/, 'and says to run init';
($rc, $out) = svctoken('--dbd', $dbd, 'init');
is $rc, 0, 'init';
($rc, $out) = svctoken('--dbd', $dbd, 'init', '--json');
is $rc, 0, 'init again: nothing to do';
is_deeply json($out), { initialised => JSON::PP::true() }, 'init --json';

# The same commands on DBM and on PostgreSQL: same exit codes, same JSON keys,
# same text once the ids and times are blanked.
sub blank {
    my ($s) = @_;
    $s =~ s/[0-9a-f]{32}\.access/ID/g;
    $s =~ s/[0-9a-f]{64}/SECRET/g;
    $s =~ s/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/TIME/g;
    return $s;
}
my @script = (
    [qw(create alpha)], [qw(create beta --duration 30d --json)], [qw(create alpha)],
    [qw(list)], [qw(list --json)], [qw(show alpha)], [qw(show beta --json)],
    [qw(disable alpha)], [qw(enable alpha --json)], [qw(refresh beta --duration forever)],
    [qw(rotate alpha --grace 1h)], [qw(rotate beta --json)], [qw(show alpha)],
    [qw(revoke-sessions)], [qw(delete beta)], [qw(delete beta)], [qw(show nobody)],
    [qw(list)], ['create', "bad\tname"], ['create', 'x' x 65],
);
for my $cmd (@script) {
    my @d = svctoken('-f', "$dir/same.db", @$cmd);
    my @p = svctoken('--dbd', $dbd, @$cmd);
    is $p[0], $d[0], "@$cmd: exit $d[0] on both";
    is blank($p[1]), blank($d[1]), "@$cmd: the same output";
    is blank($p[2]), blank($d[2]), "@$cmd: the same errors";
}

# Through the environment, and never both kinds at once.
{
    local $ENV{SVCTOKEN_DBD} = $dbd;
    ($rc, $out) = svctoken('show', 'alpha', '--json');
    is $rc, 0, 'SVCTOKEN_DBD names the store';
    is json($out)->{name}, 'alpha', 'the same store';
    ($rc, $out) = svctoken('-f', "$dir/same.db", 'show', 'alpha');
    is $rc, 0, '-f wins over SVCTOKEN_DBD';
    local $ENV{SVCTOKEN_STORE} = "$dir/same.db";
    ($rc, undef, $err) = svctoken('list');
    is $rc, 2, 'both variables and no flag: usage error';
    ($rc) = svctoken('--dbd', $dbd, 'list');
    is $rc, 0, '--dbd wins over SVCTOKEN_STORE';
}
($rc, undef, $err) = svctoken('-f', "$dir/x.db", '--dbd', $dbd, 'list');
is $rc, 2, '-f and --dbd together: usage error';
($rc, undef, $err) = svctoken('--dbd', $dbd, '-t', 'GDBM', 'list');
is $rc, 2, '-t with --dbd: usage error';
($rc, undef, $err) = svctoken('--dbd', 'nodriver', 'list');
is $rc, 3, 'a spec without DRIVER: exit 3';
like $err, qr/DRIVER:PARAMS/, 'and the form is shown';
($rc, undef, $err) = svctoken('--dbd', 'pgsql:host=/nonexistent dbname=x password=s3cr3t-pw', 'list');
is $rc, 3, 'no database there: exit 3';
unlike $err, qr/s3cr3t-pw/, 'the password is not shown';
# A secret that could not be shown: the change is undone, as on DBM.
system("$CLI --dbd '$dbd' create undone >/dev/full 2>/dev/null");
is $? >> 8, 3, 'create with nowhere to print the secret: exit 3';
($rc) = svctoken('--dbd', $dbd, 'show', 'undone');
is $rc, 1, 'and the token is not there';
($rc, undef, $err) = svctoken('--dbd', $dbd, 'check');
is $rc, 1, 'check is for DBM stores: refused';
like $err, qr/^svctoken: check reads a DBM store; a SQL database keeps its tables consistent/,
    'and says why';
($rc) = svctoken('--dbd', $dbd, 'list', '--replace');
is $rc, 2, 'only import takes --replace';

# Names that break naive SQL and terminals: verbatim, or refused as on DBM.
# (Quotes, backslashes and spaces are refused in new names, on both kinds
# of store: below.)
my @hostile = (";DROP-TABLE-svctoken_tokens;--", 'a%_b', 'x|y&z;', "\x{20ac}\x{1f511}\x{65e5}",
               "\x{1f511}" x 64);
for my $name (@hostile) {
    my $bytes = $name;
    utf8::encode($bytes);
    ($rc, $out) = svctoken('--dbd', $dbd, 'create', $bytes, '--json');
    is $rc, 0, 'created a hostile name';
    ($rc, $out) = svctoken('--dbd', $dbd, 'show', $bytes, '--json');
    my $shown = json($out);
    is $shown && $shown->{name}, $bytes, 'shown verbatim';
}
for my $bad ("ctl\x01char", "new\nline", "\x{1f511}" x 65, "it's", 'back\\slash',
             "'; DROP TABLE svctoken_tokens; --", '"q"', "\x{20ac} \x{65e5}") {
    my $bytes = $bad;
    utf8::encode($bytes);
    my @p = svctoken('--dbd', $dbd, 'create', $bytes);
    my @d = svctoken('-f', "$dir/same.db", 'create', $bytes);
    is $p[0], 1, 'a bad name is refused';
    is $p[2], $d[2], 'with the message DBM gives';
}
is $pg->psql('SELECT COUNT(*) FROM svctoken_tokens', 'svctoken') + 0, 1 + @hostile,
    'the table survived';

# A schema newer than this svctoken: said clearly, nothing done.
$pg->psql('UPDATE svctoken_state SET schema_version = 3', 'svctoken');
($rc, undef, $err) = svctoken('--dbd', $dbd, 'list');
is $rc, 3, 'a newer schema: exit 3';
like $err, qr/schema version 3, newer .*upgrade svctoken/, 'and says so';
$pg->psql('UPDATE svctoken_state SET schema_version = 0', 'svctoken');
($rc, undef, $err) = svctoken('--dbd', $dbd, 'create', 'nope');
is $rc, 3, 'an older schema: exit 3';
like $err, qr/schema version 0, older .*run svctoken init/, 'and says so';
$pg->psql('UPDATE svctoken_state SET schema_version = 2', 'svctoken');

# Export from DBM, import into PostgreSQL and SQLite.
$pg->psql('DELETE FROM svctoken_tokens', 'svctoken');
my $src = "$dir/export.db";
my %secret;
for my $n (qw(one two three)) {
    ($rc, $out) = svctoken('-f', $src, 'create', $n, '--json');
    $secret{$n} = json($out)->{client_secret};
}
svctoken('-f', $src, 'rotate', 'two', '--grace', '1d');
svctoken('-f', $src, 'disable', 'three');
($rc, $out) = svctoken('-f', $src, 'export');
is $rc, 0, 'export from DBM';
my $export = $out;
my @lines = split /\n/, $export;
is scalar(@lines), 3, 'one line per token';
unlike $export, qr/$secret{$_}/, "no secret of $_ in the export" for sort keys %secret;
my $two = (grep { $_->{name} eq 'two' } map { json($_) } @lines)[0];
ok $two->{prev_secret_sha256} && $two->{prev_expires_at}, 'the grace of a rotation is exported';

sub import_from {
    my ($text, @args) = @_;
    return capture({ stdin => $text }, $CLI, @args);
}
my $lite = "sqlite3:$dir/tokens.sqlite";
svctoken('--dbd', $lite, 'init');
for my $to ($dbd, $lite) {
    my $kind = $to =~ /^pgsql/ ? 'PostgreSQL' : 'SQLite';
    my $before = blank((svctoken('--dbd', $to, 'list'))[1]);
    ($rc, $out) = import_from($export, '--dbd', $to, 'import');
    is $rc, 0, "import into $kind";
    like $out, qr/Imported 3 tokens/, 'says how many';
    ($rc, $out) = svctoken('--dbd', $to, 'export');
    is_deeply [sort split /\n/, $out], [sort @lines], "$kind exports exactly what was imported";
    ($rc, undef, $err) = import_from($export, '--dbd', $to, 'import');
    is $rc, 1, 'a second import is refused';
    like $err, qr/exists: nothing imported/, 'and says why';
    # One new token and one that exists: nothing of it is written.
    my $fresh = $lines[0];
    $fresh =~ s/"client_id":"[0-9a-f]{32}/"client_id":"${\('f' x 32)}/;
    $fresh =~ s/"name":"[^"]+"/"name":"fresh"/;
    ($rc) = import_from("$fresh\n$lines[1]\n", '--dbd', $to, 'import');
    is $rc, 1, 'an import with one existing token is refused';
    ($rc) = svctoken('--dbd', $to, 'show', 'fresh');
    is $rc, 1, 'and its new token was not written';
    # --replace: the stored "three" is enabled again first, then replaced.
    svctoken('--dbd', $to, 'enable', 'three');
    ($rc, $out) = import_from($export, '--dbd', $to, 'import', '--replace');
    is $rc, 0, '--replace replaces';
    ($rc, $out) = svctoken('--dbd', $to, 'show', 'three', '--json');
    is json($out)->{status}, 'disabled', 'with what was imported';
}
($rc, undef, $err) = import_from("{\"name\":\"x\"}\n", '--dbd', $lite, 'import');
is $rc, 1, 'a malformed line is refused';
like $err, qr/line 1: bad /, 'with its line number';
($rc, undef, $err) = import_from(($lines[0] =~ s/\}$/,"allow_from":"10.0.0.0\/8"}/r) . "\n",
                                 '-f', "$dir/new.db", 'import');
is $rc, 1, 'an unknown key is refused, not dropped';
# And back from SQL into a new DBM file.
($rc, $out) = svctoken('--dbd', $lite, 'export');
($rc) = import_from($out, '-f', "$dir/back.db", 'import');
is $rc, 0, 'SQLite export into a new DBM store';
is_deeply [sort split /\n/, (svctoken('-f', "$dir/back.db", 'export'))[1]], [sort @lines],
    'the same tokens';

# Four CLIs writing at once: every change is there, none is lost.
$pg->psql('DELETE FROM svctoken_tokens', 'svctoken');
my @pids;
for my $w (1 .. 4) {
    my $pid = fork // die;
    if (!$pid) {
        my $bad = 0;
        for my $i (1 .. 8) {
            my ($r) = svctoken('--dbd', $dbd, 'create', "w$w-$i");
            $bad++ if $r != 0;
            ($r) = svctoken('--dbd', $dbd, 'disable', "w$w-$i");
            $bad++ if $r != 0;
            ($r) = svctoken('--dbd', $dbd, 'create', "shared-$i");    # only one wins
        }
        POSIX::_exit($bad);
    }
    push @pids, $pid;
}
my $failed = 0;
for (@pids) { waitpid $_, 0; $failed += $? >> 8 }
is $failed, 0, 'four writers: every create and disable of its own succeeded';
($rc, $out) = svctoken('--dbd', $dbd, 'list', '--json');
my $all = json($out);
is scalar(grep { $_->{name} =~ /^w\d-\d$/ && $_->{status} eq 'disabled' } @$all), 32,
    'all 32 tokens, each disabled';
is scalar(grep { $_->{name} =~ /^shared-/ } @$all), 8, 'a contended name exists once';

# httpd's role: it reads, and cannot write.
my $reader = $pg->reader_dbd;
($rc, $out) = svctoken('--dbd', $reader, 'show', 'w1-1', '--json');
is $rc, 0, 'the SELECT-only role reads';
($rc, undef, $err) = svctoken('--dbd', $reader, 'create', 'nope');
is $rc, 3, 'and cannot write: exit 3';
like $err, qr/permission denied/, 'the database says why';
unlike $err, qr/\Q$SvcToken::Pg::READER_PASSWORD\E/, 'without the password';

done_testing;
