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
	if a.Backend == BackendDocker {
		if a.tlsOn() {
			errs = append(errs, fielderr.New("TLS", "true",
				"the docker backend has no certificates to serve and keeps its listeners plaintext",
				"leave TLS unset (or false) on docker; TLS is for the kubernetes backend, where it is on by default"))
		}
		if !a.SASL && a.Docker.ExternalHost != "" && !isLoopback(a.Docker.ExternalHost) {
			errs = append(errs, fielderr.New("Docker.ExternalHost", fmt.Sprintf("%q", a.Docker.ExternalHost),
				"a host other than loopback publishes every broker port on all interfaces, where no listener would ask who is calling",
				"turn SASL on (every listener then authenticates), or keep Docker.ExternalHost at 127.0.0.1 and reach it through an SSH tunnel"))
		}
	}
	if a.SASL {
		errs = append(errs, checkSuperuser(a.Superuser)...)
	}
	if a.Production && !a.tlsOn() && !a.AllowPlaintext {
		errs = append(errs, fielderr.New("TLS", "false",
			"a Production cluster would serve every listener in plaintext",
			"turn TLS on (the kubernetes default), or set AllowPlaintext to accept plaintext explicitly"))
	}
	return errs
}

// checkProduction refuses what a production cluster must not run with: too
// few brokers to keep quorum and a data volume below the floor. Sizes per
// core are checked for every cluster (checkMemory).
func checkProduction(a Args) []*FieldError {
	var errs []*FieldError
	if a.Production && a.Brokers >= 1 && a.Brokers < minProductionBrokers {
		errs = append(errs, fielderr.New("Brokers", fmt.Sprint(a.Brokers),
			"a Production cluster needs at least 3 brokers: with fewer, losing one broker loses the Raft majority",
			"set Brokers to 3 or more"))
	}
	if a.MinDiskBytes < 0 {
		errs = append(errs, fielderr.New("MinDiskBytes", fmtBytes(a.MinDiskBytes), "a size cannot be negative",
			"leave it 0 for the default floor (50 GiB on Production)"))
	}
	// Zero is "unknown" (a Docker volume on the host disk): nothing to compare.
	if d := a.Resources.DiskSizeBytes; d > 0 && d < a.MinDiskBytes {
		errs = append(errs, fielderr.New("Resources.DiskSizeBytes", fmtBytes(d),
			fmt.Sprintf("below the %s floor for this cluster (MinDiskBytes)", fmtGiB(a.MinDiskBytes)),
			fmt.Sprintf("set Resources.DiskSizeBytes to at least %s", fmtBytes(a.MinDiskBytes))))
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
