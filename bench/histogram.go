package bench

import (
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs .. 60 s at 3 significant digits (research notes §6).
const (
	histMinUs   = 1
	histMaxUs   = 60_000_000
	histSigFigs = 3
)

func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMinUs, histMaxUs, histSigFigs)
}

// recordNs records a duration given in ns as µs, clamped to the histogram
// range (negative values, impossible on a monotonic clock, record as 0).
func recordNs(h *hdrhistogram.Histogram, ns int64) {
	us := ns / 1000
	if us < 0 {
		us = 0
	}
	if us > histMaxUs {
		us = histMaxUs
	}
	_ = h.RecordValue(us) // in range by construction
}

// LatencySummary is the distribution of one latency measurement, in
// microseconds.
type LatencySummary struct {
	Count  int64   `json:"count"`
	AvgUs  float64 `json:"avg_us"`
	P50Us  int64   `json:"p50_us"`
	P90Us  int64   `json:"p90_us"`
	P99Us  int64   `json:"p99_us"`
	P999Us int64   `json:"p99_9_us"`
	MaxUs  int64   `json:"max_us"`
}

// AvgMs returns the average in milliseconds.
func (s LatencySummary) AvgMs() float64 { return s.AvgUs / 1000 }

// P99Ms returns the 99th percentile in milliseconds.
func (s LatencySummary) P99Ms() float64 { return float64(s.P99Us) / 1000 }

func summarize(h *hdrhistogram.Histogram) LatencySummary {
	if h.TotalCount() == 0 {
		return LatencySummary{}
	}
	return LatencySummary{
		Count:  h.TotalCount(),
		AvgUs:  math.Round(h.Mean()*10) / 10,
		P50Us:  h.ValueAtQuantile(50),
		P90Us:  h.ValueAtQuantile(90),
		P99Us:  h.ValueAtQuantile(99),
		P999Us: h.ValueAtQuantile(99.9),
		MaxUs:  h.Max(),
	}
}

// CurvePoint is one point of a latency percentile curve.
type CurvePoint struct {
	Percentile float64 `json:"percentile"`
	LatencyMs  float64 `json:"latency_ms"`
}

// Curve is a latency-by-percentile series for the report chart.
type Curve struct {
	Name   string       `json:"name"`
	Points []CurvePoint `json:"points"`
}

// Series names used in Result.Curves and the SVG legend.
const (
	SeriesE2ECorrected   = "e2e corrected (receive - intended)"
	SeriesE2EUncorrected = "e2e uncorrected (receive - send)"
	SeriesPublish        = "publish (ack - send)"
)

// curveMaxNines is the right edge of the curve: 4 nines, 99.99%.
const curveMaxNines = 4.0

// nines maps a percentile to the "number of nines" axis: 0 → 0, 90 → 1,
// 99 → 2, 99.9 → 3.
func nines(p float64) float64 {
	if p >= 100 {
		return math.Inf(1)
	}
	return -math.Log10(1 - p/100)
}

// curve samples h at 81 percentiles evenly spaced on the nines axis from 0
// to 99.99.
func curve(name string, h *hdrhistogram.Histogram) Curve {
	c := Curve{Name: name}
	if h.TotalCount() == 0 {
		return c
	}
	const steps = 80
	for i := 0; i <= steps; i++ {
		x := curveMaxNines * float64(i) / steps
		p := 100 * (1 - math.Pow(10, -x))
		p = math.Round(p*1e4) / 1e4
		c.Points = append(c.Points, CurvePoint{Percentile: p, LatencyMs: float64(h.ValueAtQuantile(p)) / 1000})
	}
	return c
}
