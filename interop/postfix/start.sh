# Sourced by interop/run: installs and starts Postfix as the SMTP relay on
# loopback, exporting CMA_INTEROP_SMTP_*.
echo "interop: Postfix — not configured yet"
