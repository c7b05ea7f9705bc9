// Package grafana exports types, functions, subpackages for provisioning grafana resources.
package grafana
