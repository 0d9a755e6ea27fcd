# LemonLDAP::NG's portal as one PSGI app, for plackup: what Debian's
# portal-nginx.conf does with nginx and the FastCGI server (the portal at /,
# its static files and Debian's shared JavaScript beside it), without either.
use strict;
use Plack::Builder;
use Plack::App::File;
use Lemonldap::NG::Portal::Main;

my $portal = Lemonldap::NG::Portal::Main->run( {} );
builder {
    mount '/static/' => Plack::App::File->new(
        root => '/usr/share/lemonldap-ng/portal/htdocs/static' )->to_app;
    mount '/javascript/' =>
      Plack::App::File->new( root => '/usr/share/javascript' )->to_app;
    mount '/' => $portal;
};
