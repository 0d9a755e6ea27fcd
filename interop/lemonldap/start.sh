# Sourced by interop/run: installs and starts LemonLDAP::NG's portal as the
# OpenID Connect provider on loopback, exporting CMA_INTEROP_OIDC_* and
# CMA_INTEROP_LLNG_VERSION for e2e/interop_signon_test.go.
#
# Its configuration is lemonldap-ng.ini and lmConf-1.json of this folder,
# written to $CMA_INTEROP_WORK/lemonldap (sessions there too); the portal is
# Debian's index.psgi under Starman (portal.psgi adds its static files), on
# 127.0.0.1:8191. The platform under test is to listen on 127.0.0.1:8190:
# the relying party's redirect and logout URIs say so.

llng_here=interop/lemonldap
llng_dir=$CMA_INTEROP_WORK/lemonldap
llng_url=http://127.0.0.1:8191  # issuer: the portal's URL without its trailing slash
llng_rp=http://127.0.0.1:8190   # the platform under test (its --public-url)
# A secret with + / and =, as a city's administrator may type or paste one.
llng_secret='cma+interop/secret=='

# llng_start writes the configuration and starts the portal; false (with a
# line saying why) when it cannot.
llng_start() {
	mkdir -p "$llng_dir"/{conf,sessions/lock,psessions/lock,cache} || return 1
	sed "s|@WORK@|$llng_dir|g" "$llng_here/lemonldap-ng.ini" >"$llng_dir/lemonldap-ng.ini" || return 1
	# The secret goes through sed's replacement: none of its characters is special there but &, \ and |.
	sed -e "s|@WORK@|$llng_dir|g" -e "s|@PORTAL@|$llng_url|g" -e "s|@RP@|$llng_rp|g" \
		-e "s|@SECRET@|$llng_secret|g" "$llng_here/lmConf-1.json" >"$llng_dir/conf/lmConf-1.json" || return 1
	# Starman, a preforking PSGI server: plackup's single-process default serves
	# one connection at a time, and a browser's idle spare connection then
	# holds the platform's token request until it times out.
	LLNG_DEFAULTCONFFILE=$llng_dir/lemonldap-ng.ini setsid starman --listen 127.0.0.1:8191 --workers 4 \
		--preload-app "$llng_here/portal.psgi" >"$llng_dir/portal.log" 2>&1 &
	llng_pid=$!
	stops+=("kill -- -$llng_pid 2>/dev/null; wait $llng_pid 2>/dev/null")
	local i code
	for ((i = 0; i < 60; i++)); do
		code=$(curl -sS -o /dev/null -w '%{http_code}' "$llng_url/.well-known/openid-configuration" 2>/dev/null) || code=000
		[ "$code" = 200 ] && return 0
		# 000: not listening yet; anything else: the portal started but refused its configuration.
		if [ "$code" != 000 ] || ! kill -0 "$llng_pid" 2>/dev/null; then
			echo "interop: LemonLDAP::NG's portal did not start (discovery answered $code) — its journeys skip; its log:" >&2
			grep -v 'Route .* redefined' "$llng_dir/portal.log" | head -n 20 >&2
			kill -- -"$llng_pid" 2>/dev/null
			return 1
		fi
		sleep 0.5
	done
	echo "interop: LemonLDAP::NG's discovery document did not answer on $llng_url in 30 s — its journeys skip; its log:" >&2
	grep -v 'Route .* redefined' "$llng_dir/portal.log" | head -n 20 >&2
	kill -- -"$llng_pid" 2>/dev/null
	return 1
}

# Beside lemonldap-ng, Recommends of its portal that apt installs by default but
# interop_install does not (--no-install-recommends), without which the portal
# refuses to start: GD::SecurityImage with Image::Magick (its captcha module is
# loaded even when no captcha is on), String::Random and IO::String (the OpenID
# Connect issuer), Crypt::OpenSSL::Bignum (its JWKS). And Starman to serve it.
if ! interop_install lemonldap-ng libgd-securityimage-perl libimage-magick-perl libcrypt-openssl-bignum-perl libstring-random-perl libio-string-perl starman curl >/dev/null 2>"$CMA_INTEROP_WORK/lemonldap-apt.log"; then
	echo "interop: LemonLDAP::NG cannot be installed (apt-get install lemonldap-ng failed: $(tail -n 1 "$CMA_INTEROP_WORK/lemonldap-apt.log")) — its journeys skip"
elif llng_start; then
	llng_version=$(dpkg-query -W -f='${Version}' liblemonldap-ng-portal-perl)
	llng_version=${llng_version%%+*} # 2.16.1+ds-deb12u10 → 2.16.1
	echo "interop: LemonLDAP::NG $llng_version on $llng_url (Debian liblemonldap-ng-portal-perl $(dpkg-query -W -f='${Version}' liblemonldap-ng-portal-perl))"
	export CMA_INTEROP_OIDC_ISSUER=$llng_url CMA_INTEROP_OIDC_CLIENT_ID=cma
	export CMA_INTEROP_OIDC_CLIENT_SECRET=$llng_secret CMA_INTEROP_LLNG_VERSION=$llng_version
fi
