# Sourced by interop/run: installs and starts LemonLDAP::NG's portal as the
# OpenID Connect provider on loopback, exporting CMA_INTEROP_OIDC_*.
echo "interop: LemonLDAP::NG — not configured yet"
