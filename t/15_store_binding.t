# A session is accepted only where the store that issued it checks it. A
# tenant who may write .htaccess inside a protected directory points it at a
# store of their own, holding a record under the victim's Client ID (Client
# IDs are not secret) with a secret of their own. The exchange there works:
# their store vouches for their corner. The session it gives, with the same
# audience (inherited) and the same signing key, must not open the
# directory around it, whose store holds the real token.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use Fcntl;
use SDBM_File;
use lib 't/lib';
use SvcToken::Test;

plan tests => 12;

my $fx = fixtures();
my $alpha = $fx->{tokens}{alpha};
my $htdocs = Apache::Test::vars('documentroot');
my $forged = "$fx->{var}/tenant-forged";

# The tenant's store, made with the real CLI, then edited as its owner may:
# their token's record moved under alpha's Client ID.
my ($rc, $out, $err) = cli('-f', $forged, '-t', 'SDBM', 'create', 'mallory-bot', '--json');
ok t_cmp($rc, 0, 'the tenant makes a store of their own') or diag $err;
my $mine = JSON::PP::decode_json($out);
{
    tie my %db, 'SDBM_File', $forged, O_RDWR, 0644 or die "$forged: $!";
    my $rec = $db{"id:$mine->{client_id}"};
    delete $db{"id:$mine->{client_id}"};
    $rec =~ s/\Q$mine->{client_id}\E/$alpha->{client_id}/g;
    $db{"id:$alpha->{client_id}"} = $rec;
    $db{'name:mallory-bot'} = $alpha->{client_id};
    untie %db;
}
chmod 0644, glob("$forged*");
t_write_file("$htdocs/tenant-app/mine/.htaccess", "ServiceTokenStore $forged SDBM\n");

my %as_victim = ('CF-Access-Client-Id' => $alpha->{client_id},
                 'CF-Access-Client-Secret' => $mine->{client_secret});
my $x = GET('/tenant-app/mine/', %as_victim);
ok t_cmp($x->code, 200, "the tenant's store admits its record in the tenant's directory");
my $session = session_of($x);
ok t_cmp(defined $session ? 1 : 0, 1, '... and issues a session');
ok t_cmp(jwt_claims($session)->{aud}[0], 'tenant-app', '... for the inherited audience');
ok t_cmp(jwt_claims($session)->{common_name}, $alpha->{client_id}, "... under alpha's Client ID");

# The attack: that session where the server's store checks it.
my $mark = log_mark();
my $replay = GET('/tenant-app/', 'cf-access-token' => $session);
ok t_cmp($replay->code, 401, "the forged store's session is refused where the real store checks");
ok t_cmp(log_since($mark), qr/SVCT\d+: bad session \(header\): issued by another token store/,
         'the refusal says why');
ok t_cmp(GET('/tenant-app/', Cookie => "CF_Authorization=$session")->code, 401, '... as a cookie too');

# The secret itself of course does not work there either.
ok t_cmp(GET('/tenant-app/', %as_victim)->code, 401, "the tenant's secret is refused by the real store");

# What stays legitimate: each store's sessions where that store checks them.
my $real = session_of(exchange('/tenant-app/', $alpha));
ok t_cmp(GET('/tenant-app/', 'cf-access-token' => $real)->code, 200, "alpha's own session works");
ok t_cmp(GET('/tenant-app/mine/', 'cf-access-token' => $session)->code, 200,
         "the tenant's session works in the tenant's directory");
ok t_cmp(GET('/tenant-app/mine/', 'cf-access-token' => $real)->code, 401,
         "the real store's session is refused by the tenant's store");

unlink "$htdocs/tenant-app/mine/.htaccess";
