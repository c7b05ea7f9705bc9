package monitoring

import (
	"fmt"

	"github.com/marketbus/market-bus/components/cluster"
)

// Grafana's admin password in a Compose file: a secret read from this
// variable of the shell running `docker compose`, mounted as a file that
// Grafana reads through its __FILE convention. The value is never in the
// file, nor in the container's environment.
const (
	ComposePasswordVariable = "GRAFANA_ADMIN_PASSWORD"
	ComposePasswordSecret   = "grafana_admin_password"
)

// Where the Compose file provisions Grafana: the data source and dashboards
// that NewMonitoring creates through Grafana's API on the Docker backend.
const (
	grafanaProvisioning = "/etc/grafana/provisioning"
	grafanaDashboardDir = "/var/lib/grafana-dashboards/market-bus"
)

// AddToCompose writes Prometheus and Grafana into f on the cluster's
// network. Prometheus starts once every broker in brokers is healthy,
// Grafana once Prometheus is. Grafana is provisioned from files with the
// same data source and dashboards the Pulumi backend creates; the Grafana
// alert rules, contact point and notification policy are not provisioned
// (Prometheus evaluates the same rules and shows them at /alerts).
func (s DockerServices) AddToCompose(f *cluster.ComposeFile, brokers []string) error {
	if err := f.AddContainer(prometheusHostname, s.Prometheus, brokers); err != nil {
		return err
	}
	g := s.Grafana
	g.Env = nil
	secretPath := "/run/secrets/" + ComposePasswordSecret
	hasSecret := false
	for _, e := range s.Grafana.Env {
		if e.Secret {
			if e.Name != grafanaAdminPasswordEnv {
				return fmt.Errorf("compose: grafana secret %s has no Compose secret", e.Name)
			}
			e = cluster.DockerEnv{Name: e.Name + "__FILE", Value: secretPath}
			hasSecret = true
		}
		g.Env = append(g.Env, e)
	}
	files, err := s.grafanaProvisioningFiles()
	if err != nil {
		return err
	}
	g.Files = append(g.Files, files...)
	if err := f.AddContainer(grafanaHostname, g, []string{prometheusHostname}); err != nil {
		return err
	}
	if hasSecret {
		svc := f.Services[grafanaHostname]
		// Grafana runs as its own user: the file must be readable by it.
		svc.Secrets = append(svc.Secrets, cluster.ComposeFileRef{Source: ComposePasswordSecret, Target: secretPath, Mode: "0444"})
		f.Services[grafanaHostname] = svc
		if f.Secrets == nil {
			f.Secrets = map[string]cluster.ComposeSecret{}
		}
		f.Secrets[ComposePasswordSecret] = cluster.ComposeSecret{Environment: ComposePasswordVariable}
	}
	return nil
}

// grafanaProvisioningFiles are Grafana's provisioning files: the data
// source, a dashboard provider and one JSON file per dashboard.
func (s DockerServices) grafanaProvisioningFiles() ([]cluster.DockerFile, error) {
	ds := map[string]any{
		"apiVersion": 1,
		"datasources": []map[string]any{{
			"name":      datasourceName(s.Stack),
			"type":      "prometheus",
			"uid":       DatasourceUID(s.Stack),
			"url":       s.DatasourceURL,
			"access":    "proxy", // Grafana's server queries, not the browser
			"isDefault": true,
			"jsonData":  datasourceJSONData(),
			"editable":  false,
		}},
	}
	prov := map[string]any{
		"apiVersion": 1,
		"providers": []map[string]any{{
			"name":      "market-bus",
			"type":      "file",
			"folder":    folderTitle(s.Stack),
			"folderUid": FolderUID(s.Stack),
			// The dashboards are read-only code, as on the Pulumi backend.
			"disableDeletion": true,
			"allowUiUpdates":  false,
			"options":         map[string]any{"path": grafanaDashboardDir},
		}},
	}
	var files []cluster.DockerFile
	for _, f := range []struct {
		path string
		v    any
	}{
		{grafanaProvisioning + "/datasources/market-bus.yaml", ds},
		{grafanaProvisioning + "/dashboards/market-bus.yaml", prov},
	} {
		b, err := marshalYAML(f.v)
		if err != nil {
			return nil, fmt.Errorf("grafana provisioning %s: %w", f.path, err)
		}
		files = append(files, cluster.DockerFile{Path: f.path, Content: string(b), Mode: "0644"})
	}
	for _, d := range s.Dashboards {
		files = append(files, cluster.DockerFile{Path: grafanaDashboardDir + "/" + d.Slug + ".json", Content: d.JSON, Mode: "0644"})
	}
	return files, nil
}
