package stacks

import (
	"reflect"
	"strings"
	"testing"
)

// TestLoadRejectsBadMonitoring: each bad monitoring setting is refused before anything is
// registered, at its exact key: a field of market-bus:monitoring, or the secret that is a
// stack key of its own.
func TestLoadRejectsBadMonitoring(t *testing.T) {
	dev := func(monitoring string) MapSource {
		src := MapSource{KeyGrafanaAdminPassword: "pw"}
		if monitoring != "" {
			src[KeyMonitoring] = monitoring
		}
		return src
	}
	prod := func(monitoring string) MapSource {
		return with(prodSource(`{"externalDomain":"b.example.com"}`), KeyMonitoring, monitoring)
	}
	cases := []struct {
		name, stack string
		src         MapSource
		field       string
		value       any
	}{
		{"unpinned prometheus", "dev", dev(`{"prometheusImage":"prom/prometheus:latest"}`), "market-bus:monitoring.prometheusImage", `"prom/prometheus:latest"`},
		{"no grafana image", "dev", dev(`{"grafanaImage":""}`), "market-bus:monitoring.grafanaImage", `""`},
		{"port out of range", "dev", dev(`{"prometheusPort":70000}`), "market-bus:monitoring.prometheusPort", 70000},
		{"ports collide", "dev", dev(`{"grafanaPort":9090}`), "market-bus:monitoring.grafanaPort", 9090},
		{"not an address", "dev", dev(`{"contactEmails":["oncall@example.com","oncall"]}`), "market-bus:monitoring.contactEmails[1]", `"oncall"`},
		{"no receiver", "dev", dev(`{"contactEmails":[]}`), "market-bus:monitoring.contactEmails", "[]"},
		{"negative lag", "dev", dev(`{"lagThresholdRecords":-1}`), "market-bus:monitoring.lagThresholdRecords", -1.0},
		{"no admin password", "dev", MapSource{}, "market-bus:grafanaAdminPassword", "(not set)"},
		{"no grafana token", "prod", without(prodSource(`{"externalDomain":"b.example.com"}`), KeyGrafanaToken), "market-bus:grafanaToken", "(not set)"},
		{"grafana url not http", "prod", prod(`{"grafanaUrl":"grafana.example.com","contactEmails":["oncall@example.com"]}`),
			"market-bus:monitoring.grafanaUrl", `"grafana.example.com"`},
		{"no grafana url", "prod", prod(`{"contactEmails":["oncall@example.com"]}`), "market-bus:monitoring.grafanaUrl", `""`},
		{"no prometheus url", "prod", prod(`{"prometheusUrl":"","grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"]}`),
			"market-bus:monitoring.prometheusUrl", `""`},
		{"negative lag time", "prod", prod(`{"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"],"lagThresholdSeconds":-60}`),
			"market-bus:monitoring.lagThresholdSeconds", -60.0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.stack, tc.src)
			if err == nil {
				t.Fatal("accepted")
			}
			fields, refusals := refusedFields(t, err)
			if !reflect.DeepEqual(fields, []string{tc.field}) {
				t.Fatalf("refused %q, want exactly %s; error: %v", fields, tc.field, err)
			}
			if got := refusals[0].Value; got != tc.value {
				t.Errorf("value = %#v, want %#v", got, tc.value)
			}
			if !strings.Contains(refusals[0].Fix, "busctl config set --secret") && strings.HasPrefix(tc.field, "market-bus:grafana") {
				t.Errorf("fix %q does not say how to set the secret", refusals[0].Fix)
			}
		})
	}
}

// TestLoadAcceptsMonitoring: the settings a stack may leave out or switch off.
func TestLoadAcceptsMonitoring(t *testing.T) {
	for _, tc := range []struct {
		name, stack string
		src         MapSource
	}{
		{"a webhook instead of addresses", "prod", with(with(prodSource(`{"externalDomain":"b.example.com"}`), KeyMonitoring,
			`{"grafanaUrl":"https://grafana.example.com"}`), KeyAlertWebhookURL, "https://hooks.example.com/x")},
		{"monitoring off needs no password", "dev", MapSource{KeyMonitoring: `{"enabled":false}`}},
		{"docker settings are not checked on kubernetes", "prod", with(prodSource(`{"externalDomain":"b.example.com"}`), KeyMonitoring,
			`{"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"],"grafanaImage":"grafana/grafana"}`)},
		{"external clusters have no monitoring", "local", MapSource{KeyMonitoring: `{"enabled":true,"grafanaPort":9090}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(tc.stack, tc.src); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

// TestMonitoringNamespaceIsTheClusters: the monitoring's namespace is the cluster's, so an
// empty one is refused once, as market-bus:cluster.namespace, and never under monitoring.
func TestMonitoringNamespaceIsTheClusters(t *testing.T) {
	_, err := Load("prod", prodSource(`{"externalDomain":"b.example.com","namespace":""}`))
	if err == nil {
		t.Fatal("an empty namespace was accepted")
	}
	// One refusal, at the cluster's key: the monitoring component takes the namespace as
	// wiring from the cluster and never refuses it under its own key.
	wantKeys(t, err, Key("cluster.namespace"))
}
