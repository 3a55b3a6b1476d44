package SvcToken::Pg;
# A private PostgreSQL 15 for the tests: initdb + pg_ctl into a temporary
# directory (as the "postgres" user when the tests run as root), listening
# only on a Unix socket in that directory, stopped and removed when the
# object goes, when the process that started it ends (END), or on a signal.
#
# Roles, as docs/SQL.md sets them up for a site:
#   svct_admin   owns the database: what svctoken connects as (trust)
#   svct_reader  SELECT on the token tables only: what httpd connects as,
#                with a password (scram-sha-256), so tests can check it is
#                never logged
#
#   my $pg = SvcToken::Pg->new;      # or ->shared: the one t/with-pg started
#   $pg->dbd, $pg->reader_dbd        # "pgsql:host=... dbname=svctoken ..."
#   $pg->stop; $pg->start;           # an outage, and the end of it
#   $pg->psql('SELECT 1')            # as the superuser; dies on error
use strict;
use warnings;
use File::Temp ();
use File::Path ();

our $READER_PASSWORD = 'rd-Pw-7c1e0b9a4f';
my %live;    # dir => object, for END

sub bindir {
    return $ENV{SVCT_PG_BINDIR} if $ENV{SVCT_PG_BINDIR};
    for my $v (15, reverse 10 .. 20) {
        my $d = "/usr/lib/postgresql/$v/bin";
        return $d if -x "$d/initdb" && -x "$d/pg_ctl";
    }
    return undef;
}

sub available { return defined bindir() }

# Runs CMD as the database's owner; returns its exit status and output.
sub _run {
    my ($self, @cmd) = @_;
    unshift @cmd, 'runuser', '-u', 'postgres', '--' if $> == 0;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return ($? >> 8, $out);
}

sub _must {
    my ($self, @cmd) = @_;
    my ($rc, $out) = $self->_run(@cmd);
    die "SvcToken::Pg: @cmd: exit $rc: $out" if $rc != 0;
    return $out;
}

sub new {
    my ($class) = @_;
    my $bin = bindir() or die "SvcToken::Pg: no PostgreSQL under /usr/lib/postgresql "
        . "(install postgresql: make deps)\n";
    require POSIX;
    my $dir = File::Temp::tempdir('svct-pg-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    chmod 0755, $dir;    # httpd's user reaches the socket
    my $self = bless { dir => $dir, bin => $bin, owner => $$, port => 5432,
                       running => 0 }, $class;
    $live{$dir} = $self;
    if ($> == 0) {
        my (undef, undef, $uid, $gid) = getpwnam('postgres')
            or die "SvcToken::Pg: no user postgres\n";
        chown $uid, $gid, $dir;
    }
    $self->_must("$bin/initdb", '-D', "$dir/data", '-A', 'trust', '-U', 'postgres',
                 '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions');
    # Only our roles, only through the socket; the reader with a password.
    my $hba = "$dir/data/pg_hba.conf";
    $self->_must('sh', '-c', "cat > $hba <<'EOF'
local all postgres trust
local all svct_admin trust
local all svct_other trust
local all svct_reader scram-sha-256
EOF");
    $self->start;
    $self->psql("CREATE ROLE svct_admin LOGIN; CREATE ROLE svct_other LOGIN;"
        . " CREATE ROLE svct_reader LOGIN PASSWORD '$READER_PASSWORD';");
    $self->psql("CREATE DATABASE svctoken OWNER svct_admin");
    # What docs/SQL.md tells a site to do: the reader may SELECT whatever
    # tables the admin creates, and nothing else.
    $self->psql("REVOKE ALL ON DATABASE svctoken FROM PUBLIC;"
        . " GRANT CONNECT ON DATABASE svctoken TO svct_reader, svct_other;"
        . " ALTER DEFAULT PRIVILEGES FOR ROLE svct_admin IN SCHEMA public"
        . " GRANT SELECT ON TABLES TO svct_reader;", 'svctoken');
    return $self;
}

# The instance t/with-pg started for this run (from the environment), or
# a new one.
sub shared {
    my ($class) = @_;
    if ($ENV{SVCT_PG_DIR} && -d "$ENV{SVCT_PG_DIR}/data") {
        return bless { dir => $ENV{SVCT_PG_DIR}, bin => bindir(), owner => -1,
                       port => 5432, running => 1 }, $class;
    }
    return $class->new;
}

sub dir { $_[0]{dir} }

sub params {
    my ($self, $user) = @_;
    return "host=$self->{dir} port=$self->{port} dbname=svctoken user=$user";
}
sub dbd        { 'pgsql:' . $_[0]->params('svct_admin') }
sub reader_dbd { 'pgsql:' . $_[0]->params('svct_reader') . " password=$READER_PASSWORD" }
sub other_dbd  { 'pgsql:' . $_[0]->params('svct_other') }

sub start {
    my ($self) = @_;
    my $d = $self->{dir};
    $self->_must("$self->{bin}/pg_ctl", '-D', "$d/data", '-l', "$d/log", '-w', '-t', '120',
        '-o', "-c listen_addresses='' -c unix_socket_directories='$d' -c port=$self->{port}"
            . " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            . " -c max_connections=200 -c shared_buffers=16MB",
        'start');
    $self->{running} = 1;
}

sub stop {
    my ($self, $mode) = @_;
    return unless $self->{running};
    $self->_run("$self->{bin}/pg_ctl", '-D', "$self->{dir}/data", '-m', $mode || 'fast',
                '-w', '-t', '60', 'stop');
    $self->{running} = 0;
}

sub psql {
    my ($self, $sql, $db) = @_;
    return $self->_must("$self->{bin}/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
        '-h', $self->{dir}, '-p', $self->{port}, '-U', 'postgres', '-d', $db || 'postgres',
        '-c', $sql);
}

# Stops and removes the instance (only from the process that made it: a
# forked child ending must not take the database away).
sub destroy {
    my ($self) = @_;
    return unless $self->{owner} == $$;
    $self->stop('immediate');
    File::Path::remove_tree($self->{dir});
    delete $live{$self->{dir}};
    $self->{owner} = -1;
}

sub DESTROY { $_[0]->destroy }

END {
    my $rc = $?;
    $_->destroy for values %live;
    $? = $rc;
}
for my $sig (qw(INT TERM HUP)) {
    $SIG{$sig} = sub { $_->destroy for values %live; exit 1 };
}

# t/with-pg: runs CMD with a fresh instance named in the environment
# (SVCT_PG_DIR, SVCT_PG_DBD, SVCT_PG_READER_DBD); returns CMD's exit status.
sub run_with {
    my (@cmd) = @_;
    my $pg = __PACKAGE__->new;
    local $ENV{SVCT_PG_DIR}        = $pg->dir;
    local $ENV{SVCT_PG_DBD}        = $pg->dbd;
    local $ENV{SVCT_PG_READER_DBD} = $pg->reader_dbd;
    my $rc = system(@cmd);
    $rc = $rc == -1 ? 127 : $rc & 127 ? 128 + ($rc & 127) : $rc >> 8;
    $pg->destroy;
    return $rc;
}

1;
