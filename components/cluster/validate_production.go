package cluster

import (
	"fmt"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// minProductionBrokers is the smallest cluster that survives losing a
// broker: Raft needs a majority, and replication factor 3 needs 3 brokers.
const minProductionBrokers = 3

// checkSecurity refuses TLS and SASL where the backend cannot provide them,
// and TLS off on a Production cluster without the explicit override.
func checkSecurity(a Args) []*FieldError {
	var errs []*FieldError
	if a.Mode == ModeDocker {
		if a.TLSOn() {
			errs = append(errs, fielderr.New("tls", "true",
				"the docker backend has no certificates to serve and keeps its listeners plaintext",
				"leave tls unset (or false) on docker; TLS is for the kubernetes backend, where it is on by default"))
		}
		if !a.SASLOn() && a.ExternalHost != "" && !isLoopback(a.ExternalHost) {
			errs = append(errs, fielderr.New("externalHost", fmt.Sprintf("%q", a.ExternalHost),
				"a host other than loopback publishes every broker port on all interfaces, where no listener would ask who is calling",
				"turn SASL on (every listener then authenticates), or keep externalHost at 127.0.0.1 and reach it through an SSH tunnel"))
		}
	}
	if a.SASLOn() {
		errs = append(errs, checkSuperuser(a.superuser())...)
	}
	if a.Production && !a.TLSOn() && !a.AllowPlaintext {
		errs = append(errs, fielderr.New("tls", "false",
			"a Production cluster would serve every listener in plaintext",
			"turn TLS on (the kubernetes default), or set allowPlaintext to accept plaintext explicitly"))
	}
	return errs
}

// checkProduction refuses what a production cluster must not run with: too
// few brokers to keep quorum and a data volume below the floor. Sizes per
// core are checked for every cluster (checkMemory).
func checkProduction(a Args) []*FieldError {
	var errs []*FieldError
	if a.Production && a.Brokers >= 1 && a.Brokers < minProductionBrokers {
		errs = append(errs, fielderr.New("brokers", fmt.Sprint(a.Brokers),
			"a Production cluster needs at least 3 brokers: with fewer, losing one broker loses the Raft majority",
			"set brokers to 3 or more"))
	}
	if a.MinDiskBytes < 0 {
		errs = append(errs, fielderr.New("minDiskBytes", fmtBytes(a.MinDiskBytes), "a size cannot be negative",
			"leave it 0 for the default floor (50 GiB on Production)"))
	}
	// Zero is "unknown" (a Docker volume on the host disk): nothing to compare.
	if d := a.StorageSize.Bytes(); d > 0 && d < a.MinDiskBytes {
		errs = append(errs, fielderr.New("storageSize", fmtSize(a.StorageSize),
			fmt.Sprintf("below the %s floor for this cluster (minDiskBytes)", fmtGiB(a.MinDiskBytes)),
			fmt.Sprintf("set storageSize to at least %dGi", a.MinDiskBytes/gib)))
	}
	return errs
}

// fmtGiB shows a byte count in GiB, e.g. "50 GiB".
func fmtGiB(b int64) string {
	if b%gib == 0 {
		return fmt.Sprintf("%d GiB", b/gib)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.2f", float64(b)/float64(gib)), "0") + " GiB"
}
