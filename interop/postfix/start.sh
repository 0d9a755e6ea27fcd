# Sourced by interop/run (bash, as root): installs Postfix and Cyrus SASL from
# Debian's packages when missing, and starts a Postfix instance of its own as
# the city's SMTP relay on 127.0.0.1:2525, configured from the files of this
# folder (main.cf, master.cf, smtpd.conf, refused) copied into
# $CMA_INTEROP_WORK/postfix. It exports the CMA_INTEROP_SMTP_* settings the
# mail journeys (e2e/interop_mail_test.go) read, and pushes its stop command
# onto stops. When Postfix cannot be installed or started, it says so and the
# journeys skip; the run goes on.
#
# The system's /etc/postfix is left alone: run as root, `postfix -c DIR` needs
# no default main.cf (Debian's package, installed with "No configuration", has
# none) and no alternate_config_directories.

interop_postfix() {
	local src dir etc maildir user password version uid gid
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	dir=$CMA_INTEROP_WORK/postfix
	etc=$dir/etc
	user=cma@interop.test
	# A password with what breaks naive quoting and encodings.
	password='Relais+interop/2026=ok:%&!'

	local p
	for p in postfix sasl2-bin libsasl2-modules; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			echo "interop: installing Postfix and Cyrus SASL from Debian's packages (postfix, sasl2-bin, libsasl2-modules)"
			break
		fi
	done
	# The package asks how to configure the system's Postfix: not at all.
	echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections 2>/dev/null || true
	if ! interop_install postfix sasl2-bin libsasl2-modules openssl >"$CMA_INTEROP_WORK/postfix-apt.log" 2>&1; then
		echo "interop: Postfix cannot be installed (apt-get failed; see below) — its journeys skip"
		tail -n 5 "$CMA_INTEROP_WORK/postfix-apt.log" | sed 's/^/interop:   /'
		return 0
	fi
	version=$(postconf -d -h mail_version 2>/dev/null) || version=unknown
	# Another program on the port would answer the journeys in its place.
	local fd
	if exec {fd}<>/dev/tcp/127.0.0.1/2525; then
		exec {fd}>&-
		echo "interop: Postfix: 127.0.0.1:2525 is already in use (another relay left running?) — its journeys skip"
		return 0
	fi 2>/dev/null

	# The Maildir belongs to nobody (virtual(8) refuses to write as root); the
	# postfix user must reach the sasldb and the Maildir: the work folder can be
	# crossed, not listed.
	uid=$(id -u nobody) gid=$(id -g nobody)
	chmod 711 "$CMA_INTEROP_WORK"
	mkdir -p "$etc/sasl" "$dir/queue" "$dir/data"
	chmod 755 "$dir"
	maildir=$dir/Maildir
	mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
	chown -R "$uid:$gid" "$maildir"
	chown postfix "$dir/data"

	local f
	for f in main.cf master.cf refused; do
		sed -e "s|@DIR@|$dir|g" -e "s|@UID@|$uid|g" -e "s|@GID@|$gid|g" "$src/$f" >"$etc/$f"
	done
	sed -e "s|@DIR@|$dir|g" "$src/smtpd.conf" >"$etc/sasl/smtpd.conf"

	# The relay's certificate, self-signed, for 127.0.0.1 and localhost.
	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$etc/relay.key" -out "$etc/relay.crt" >"$dir/openssl.log" 2>&1; then
		echo "interop: Postfix: openssl could not make the relay's certificate ($(tail -n 1 "$dir/openssl.log")) — its journeys skip"
		return 0
	fi
	chmod 600 "$etc/relay.key"

	# The SASL user, in a sasldb of the instance's own, readable by smtpd.
	printf '%s' "$password" | saslpasswd2 -f "$etc/sasldb2" -p -c -u "${user#*@}" "${user%@*}"
	chown root:postfix "$etc/sasldb2"
	chmod 640 "$etc/sasldb2"

	if ! postfix -c "$etc" check >"$dir/start.log" 2>&1 || ! postfix -c "$etc" start >>"$dir/start.log" 2>&1; then
		echo "interop: Postfix $version could not start — its journeys skip:"
		sed 's/^/interop:   /' "$dir/start.log" | tail -n 10
		[ -e "$dir/maillog" ] && tail -n 10 "$dir/maillog" | sed 's/^/interop:   /'
		return 0
	fi
	stops+=("postfix -c '$etc' stop >/dev/null 2>&1")

	# Ready when it answers EHLO on 127.0.0.1:2525 (at most 30 s).
	local i line ready=""
	for ((i = 0; i < 60; i++)); do
		if exec {fd}<>/dev/tcp/127.0.0.1/2525 2>/dev/null; then
			if IFS= read -r -t 5 line <&"$fd" && [[ $line == 220* ]]; then
				printf 'EHLO cma.interop.test\r\n' >&"$fd"
				while IFS= read -r -t 5 line <&"$fd"; do
					[[ $line == 250\ * ]] && { ready=yes; break; }
					[[ $line == 250-* ]] || break
				done
				printf 'QUIT\r\n' >&"$fd" 2>/dev/null || true
			fi
			exec {fd}>&-
		fi
		[ -n "$ready" ] && break
		sleep 0.5
	done
	if [ -z "$ready" ]; then
		echo "interop: Postfix $version started but does not answer EHLO on 127.0.0.1:2525 — its journeys skip"
		[ -e "$dir/maillog" ] && tail -n 10 "$dir/maillog" | sed 's/^/interop:   /'
		return 0
	fi

	echo "interop: Postfix $version on 127.0.0.1:2525 (STARTTLS, SASL user $user, Maildir $maildir, log $dir/maillog)"
	export CMA_INTEROP_SMTP_HOST=127.0.0.1 CMA_INTEROP_SMTP_PORT=2525
	export CMA_INTEROP_SMTP_USER=$user CMA_INTEROP_SMTP_PASSWORD=$password
	export CMA_INTEROP_SMTP_CA_FILE=$etc/relay.crt
	export CMA_INTEROP_MAILDIR=$maildir
	export CMA_INTEROP_POSTFIX_CONFIG=$etc
	export CMA_INTEROP_POSTFIX_REFUSED_MAP=$etc/refused
	export CMA_INTEROP_POSTFIX_LOG=$dir/maillog
	export CMA_INTEROP_POSTFIX_VERSION=$version
}
interop_postfix
