package bench

import (
	"encoding/json"
	"fmt"
	"time"
)

// jsonDuration is a time.Duration written as a Go duration string ("1.5s")
// and read from either such a string or a number of nanoseconds.
type jsonDuration time.Duration

// MarshalJSON implements json.Marshaler.
func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("bench: duration %q: %w (use e.g. \"30s\", \"1m\")", s, err)
		}
		*d = jsonDuration(v)
		return nil
	}
	var ns int64
	if err := json.Unmarshal(b, &ns); err != nil {
		return fmt.Errorf("bench: duration %s: want a string like \"30s\" or integer nanoseconds", b)
	}
	*d = jsonDuration(ns)
	return nil
}

// configJSON shadows the duration fields of Config (encoding/json prefers
// the shallower field of the same name).
type configJSON struct {
	*configPlain
	Duration     jsonDuration `json:"duration"`
	WarmUp       jsonDuration `json:"warm_up"`
	MaxWarmUp    jsonDuration `json:"max_warm_up"`
	SteadyP99    jsonDuration `json:"steady_p99"`
	Linger       jsonDuration `json:"linger"`
	DrainTimeout jsonDuration `json:"drain_timeout"`
}

type configPlain Config

// MarshalJSON writes durations as strings such as "30s".
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		configPlain:  (*configPlain)(&c),
		Duration:     jsonDuration(c.Duration),
		WarmUp:       jsonDuration(c.WarmUp),
		MaxWarmUp:    jsonDuration(c.MaxWarmUp),
		SteadyP99:    jsonDuration(c.SteadyP99),
		Linger:       jsonDuration(c.Linger),
		DrainTimeout: jsonDuration(c.DrainTimeout),
	})
}

// UnmarshalJSON reads durations as strings ("30s") or nanoseconds. Fields
// absent from the input keep their current values, so decoding into
// [Defaults]() overrides only what the document sets.
func (c *Config) UnmarshalJSON(b []byte) error {
	aux := configJSON{
		configPlain:  (*configPlain)(c),
		Duration:     jsonDuration(c.Duration),
		WarmUp:       jsonDuration(c.WarmUp),
		MaxWarmUp:    jsonDuration(c.MaxWarmUp),
		SteadyP99:    jsonDuration(c.SteadyP99),
		Linger:       jsonDuration(c.Linger),
		DrainTimeout: jsonDuration(c.DrainTimeout),
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return fmt.Errorf("bench: decoding config: %w", err)
	}
	c.Duration = time.Duration(aux.Duration)
	c.WarmUp = time.Duration(aux.WarmUp)
	c.MaxWarmUp = time.Duration(aux.MaxWarmUp)
	c.SteadyP99 = time.Duration(aux.SteadyP99)
	c.Linger = time.Duration(aux.Linger)
	c.DrainTimeout = time.Duration(aux.DrainTimeout)
	return nil
}
