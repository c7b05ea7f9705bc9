# shellcheck shell=bash disable=SC2034,SC2154 # sourced by scripts/local-cluster, which owns cluster_dir and uses secure_bootstrap
# Sourced by scripts/local-cluster: every broker's second listener, SASL_SSL with
# SCRAM-SHA-512 on 127.0.0.1:<n>9094, so the provider, the gate and busctl are tested against
# TLS they must verify and a password they must present, as prod runs. The CA is made for
# this cluster and kept with its data (a wipe makes a new one). SCRAM users are created by
# whoever uses the listener, through the plaintext one (Kafka keeps no password here), e.g.:
#
#   scripts/local-cluster run-class org.apache.kafka.tools.ConfigCommand \
#     --bootstrap-server 127.0.0.1:19092 --alter --entity-type users --entity-name admin \
#     --add-config 'SCRAM-SHA-512=[password=...]'
#
# The superuser is "admin"; the e2e tests give it a random password of their own.
#
#   <cluster dir>/tls/ca.crt          the CA clients must trust (cluster.caCertFile)
#   <cluster dir>/tls/broker.pem      the brokers' PEM keystore: PKCS#8 key, then the chain

readonly secure_bootstrap=127.0.0.1:19094,127.0.0.1:29094,127.0.0.1:39094

secure_port() { echo $(($1 * 10000 + 9094)); }
tls_dir() { echo "$cluster_dir/tls"; }

# ensure_tls makes the CA and the brokers' certificate (for 127.0.0.1 and localhost), once per
# cluster.
ensure_tls() {
	local d
	d=$(tls_dir)
	[[ -s $d/ca.crt && -s $d/broker.pem ]] && return 0
	command -v openssl >/dev/null || die "openssl is not on PATH: the secure listener needs it to make the cluster's CA"
	rm -rf "$d"
	mkdir -p "$d"
	chmod 700 "$d"
	log "making the cluster's CA and the brokers' certificate in $d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 3650 \
		-subj "/CN=market-bus local cluster CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" >"$d/openssl.log" 2>&1 ||
		{ cat "$d/openssl.log" >&2; die "openssl could not make the CA"; }
	openssl req -newkey rsa:2048 -nodes -keyout "$d/broker.key" -out "$d/broker.csr" -subj "/CN=localhost" >>"$d/openssl.log" 2>&1 ||
		{ cat "$d/openssl.log" >&2; die "openssl could not make the brokers' key"; }
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/broker.ext"
	openssl x509 -req -in "$d/broker.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
		-out "$d/broker.crt" -extfile "$d/broker.ext" >>"$d/openssl.log" 2>&1 ||
		{ cat "$d/openssl.log" >&2; die "openssl could not sign the brokers' certificate"; }
	(
		umask 077
		openssl pkcs8 -topk8 -nocrypt -in "$d/broker.key" >"$d/broker.pem"
		cat "$d/broker.crt" "$d/ca.crt" >>"$d/broker.pem"
	)
	rm -f "$d/broker.csr" "$d/broker.ext"
}
