package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// adminClient talks to Redpanda's admin API. It tries the URLs in order and moves on only
// when one cannot be reached: an answer, even an error, is the cluster's answer.
//
// Path: the provider runs where `pulumi up` runs, so it reaches the admin API through the
// URLs it is given (dev publishes the admin listener on the host; prod only when
// cluster.listeners.admin is explicitly external, authenticated and limited by sourceRanges).
// path names that route in every error, so a refusal or a timeout says what was tried.
type adminClient struct {
	urls []string
	path string
	http *http.Client
	user string
	pass string
	auth bool
}

// newAdminClient builds the client from the provider's TLS and SASL settings: the admin API
// checks basic auth against the same SCRAM users, and its certificate comes from the same CA.
func newAdminClient(cfg Config, urls []string, path string) (*adminClient, error) {
	hc, err := cfg.httpClient(10 * time.Second)
	if err != nil {
		return nil, err
	}
	c := &adminClient{urls: urls, path: path, http: hc}
	c.user, c.pass, c.auth = cfg.basicAuth()
	return c, nil
}

// where names the URLs and the path to them, for messages.
func (c *adminClient) where() string {
	return fmt.Sprintf("the Redpanda admin API at %s (path: %s)", strings.Join(c.urls, ", "), c.path)
}

// errAdminUnreachable marks an admin API none of whose URLs could be reached.
var errAdminUnreachable = errors.New("no URL answered")

// adminError is a non-2xx answer of the admin API.
type adminError struct {
	URL    string
	Status int
	// Message is seastar's {"message": ..., "code": ...} text, or the raw body.
	Message string
	// Properties holds the per-property reasons of a refused cluster_config PUT.
	Properties map[string]string
}

func (e *adminError) Error() string {
	if len(e.Properties) > 0 {
		keys := sortedKeys(e.Properties)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %s", k, e.Properties[k]))
		}
		return fmt.Sprintf("%s answered %d: %s", e.URL, e.Status, strings.Join(parts, "; "))
	}
	return fmt.Sprintf("%s answered %d: %s", e.URL, e.Status, e.Message)
}

// Unwrap lets errors.Is(err, errAdminRefused) find a 401 or 403.
func (e *adminError) Unwrap() error {
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return errAdminRefused
	}
	return nil
}

// parseAdminError reads an error body. Redpanda answers errors the seastar way,
// {"message": "...", "code": 400}, except a refused cluster_config PUT, whose body is an
// object of property name to reason.
func parseAdminError(url string, status int, body []byte) *adminError {
	e := &adminError{URL: url, Status: status, Message: strings.TrimSpace(string(body))}
	var generic struct {
		Message *string `json:"message"`
		Code    *int    `json:"code"`
	}
	if json.Unmarshal(body, &generic) == nil && generic.Message != nil {
		e.Message = *generic.Message
		return e
	}
	var props map[string]string
	if json.Unmarshal(body, &props) == nil && len(props) > 0 {
		e.Properties = props
	}
	return e
}

// do sends one request and decodes a 2xx JSON answer into out (when out is not nil).
func (c *adminClient) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encoding the %s %s request: %w", method, path, err)
		}
	}
	var errs []error
	for _, base := range c.urls {
		url := strings.TrimRight(base, "/") + path
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, url, err)
		}
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.auth {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if unreachable(err) {
				errs = append(errs, err)
				continue
			}
			return fmt.Errorf("%s %s: %w", method, url, err)
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("%s %s: %w", method, path, parseAdminError(url, resp.StatusCode, raw))
		}
		if out == nil || len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the documented JSON: %w", method, url, err)
		}
		return nil
	}
	return fmt.Errorf("%s %s: %w: %s (%w)", method, path, errAdminUnreachable, c.where(), errors.Join(errs...))
}

// configStatus is one entry of GET /v1/cluster_config/status.
type configStatus struct {
	NodeID        int      `json:"node_id"`
	Restart       bool     `json:"restart"`
	ConfigVersion int      `json:"config_version"`
	Invalid       []string `json:"invalid"`
	Unknown       []string `json:"unknown"`
}

// configWrite is the body of PUT /v1/cluster_config; both fields are required by Redpanda.
type configWrite struct {
	Upsert map[string]json.RawMessage `json:"upsert"`
	Remove []string                   `json:"remove"`
}

// getClusterConfig reads GET /v1/cluster_config. With defaults, every property Redpanda knows
// is listed, so a key missing from the answer is not a property of this version.
func (c *adminClient) getClusterConfig(ctx context.Context, defaults bool) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/cluster_config?include_defaults=%t", defaults), nil, &out)
	return out, err
}

// putClusterConfig writes (or with dryRun only validates) the change and returns the
// config_version it produced (the current one for a dry run or a no-op).
func (c *adminClient) putClusterConfig(ctx context.Context, w configWrite, dryRun bool) (int, error) {
	path := "/v1/cluster_config"
	if dryRun {
		path += "?dry_run=true"
	}
	if w.Upsert == nil {
		w.Upsert = map[string]json.RawMessage{}
	}
	if w.Remove == nil {
		w.Remove = []string{}
	}
	var out struct {
		ConfigVersion int `json:"config_version"`
	}
	err := c.do(ctx, http.MethodPut, path, w, &out)
	return out.ConfigVersion, err
}

// configStatuses reads GET /v1/cluster_config/status, sorted by node id.
func (c *adminClient) configStatuses(ctx context.Context) ([]configStatus, error) {
	var out []configStatus
	if err := c.do(ctx, http.MethodGet, "/v1/cluster_config/status", nil, &out); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out, nil
}
