package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	svgWidth     = 880
	svgHeight    = 520
	plotLeft     = 80
	plotRight    = svgWidth - 30
	plotTop      = 84
	plotBottom   = svgHeight - 70
	legendRowGap = 20
)

// stroke is how a series is drawn.
type stroke struct {
	color, dash string
	width       float64
}

// seriesStroke returns the stroke of a series. Publish is drawn wide and
// pale so it stays visible under an uncorrected curve of similar values.
func seriesStroke(name string) stroke {
	switch name {
	case SeriesE2ECorrected:
		return stroke{"#d62728", "", 2}
	case SeriesE2EUncorrected:
		return stroke{"#1f77b4", "6 4", 2}
	case SeriesPublish:
		return stroke{"#98df8a", "", 5}
	}
	return stroke{"#7f7f7f", "", 2}
}

func (s stroke) attrs() string {
	a := fmt.Sprintf(`stroke="%s" stroke-width="%g"`, s.color, s.width)
	if s.dash != "" {
		a += fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
	}
	return a
}

// WriteSVG draws the latency percentile curves of r (corrected and
// uncorrected end-to-end, publish) as a self-contained SVG: x is the
// percentile on a log "nines" axis from 0 to 99.99, y is latency in ms.
func (r *Result) WriteSVG(w io.Writer) error {
	var b bytes.Buffer
	maxMs := 0.0
	for _, c := range r.Curves {
		for _, p := range c.Points {
			maxMs = math.Max(maxMs, p.LatencyMs)
		}
	}
	yMax, yStep := niceAxis(maxMs)
	x := func(p float64) float64 {
		return plotLeft + (plotRight-plotLeft)*math.Min(nines(p), curveMaxNines)/curveMaxNines
	}
	y := func(ms float64) float64 { return plotBottom - (plotBottom-plotTop)*ms/yMax }
	percentileTicks := []struct {
		p     float64
		label string
	}{{0, "0%"}, {50, "50%"}, {90, "90%"}, {99, "99%"}, {99.9, "99.9%"}, {99.99, "99.99%"}}

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, svgHeight, svgWidth, svgHeight)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", svgWidth, svgHeight)
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="17" font-weight="bold">%s</text>`+"\n", plotLeft, esc("Latency by percentile"))
	sub1, sub2 := r.subtitle()
	fmt.Fprintf(&b, `<text x="%d" y="50" fill="#444">%s</text>`+"\n", plotLeft, esc(sub1))
	fmt.Fprintf(&b, `<text x="%d" y="67" fill="#444">%s</text>`+"\n", plotLeft, esc(sub2))

	// Grid and axes.
	b.WriteString(`<g stroke="#ddd" stroke-width="1">` + "\n")
	for v := 0.0; v <= yMax+yStep/2; v += yStep {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`+"\n", plotLeft, y(v), plotRight, y(v))
	}
	for _, t := range percentileTicks {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`+"\n", x(t.p), plotTop, x(t.p), plotBottom)
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<g stroke="#333" stroke-width="1.5"><line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%d" y1="%d" x2="%d" y2="%d"/></g>`+"\n",
		plotLeft, plotBottom, plotRight, plotBottom, plotLeft, plotTop, plotLeft, plotBottom)
	b.WriteString(`<g fill="#333" text-anchor="end">` + "\n")
	for v := 0.0; v <= yMax+yStep/2; v += yStep {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%s</text>`+"\n", plotLeft-8, y(v)+4, formatMs(v, yStep))
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g fill="#333" text-anchor="middle">` + "\n")
	for _, t := range percentileTicks {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", x(t.p), plotBottom+18, esc(t.label))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#333">percentile (log scale of nines)</text>`+"\n", (plotLeft+plotRight)/2, plotBottom+45)
	fmt.Fprintf(&b, `<text x="22" y="%d" text-anchor="middle" fill="#333" transform="rotate(-90 22 %d)">latency (ms)</text>`+"\n", (plotTop+plotBottom)/2, (plotTop+plotBottom)/2)

	// Series, publish first so the others are drawn over it.
	drawn := 0
	for _, c := range drawOrder(r.Curves) {
		if len(c.Points) == 0 {
			continue
		}
		drawn++
		pts := make([]string, 0, len(c.Points))
		for _, p := range c.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Percentile), y(p.LatencyMs)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" %s stroke-linejoin="round" points="%s"><title>%s</title></polyline>`+"\n",
			seriesStroke(c.Name).attrs(), strings.Join(pts, " "), esc(c.Name))
	}
	if drawn == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#999" font-size="16">no data</text>`+"\n", (plotLeft+plotRight)/2, (plotTop+plotBottom)/2)
	}

	// Legend, top left inside the plot.
	lx, ly := plotLeft+14, plotTop+14
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="290" height="%d" fill="white" fill-opacity="0.9" stroke="#bbb"/>`+"\n",
		lx-8, ly-6, legendRowGap*len(r.Curves)+8)
	for i, c := range r.Curves {
		rowY := ly + 8 + i*legendRowGap
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" %s/>`+"\n", lx, rowY, lx+28, rowY, seriesStroke(c.Name).attrs())
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", lx+36, rowY+4, esc(c.Name))
	}
	b.WriteString("</svg>\n")

	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("bench: writing SVG: %w", err)
	}
	return nil
}

// subtitle returns two lines: the run's setup and its headline numbers.
func (r *Result) subtitle() (string, string) {
	c := r.Config
	return fmt.Sprintf("topic %s, %d msg/s target, %d B, acks=%s, linger %v, %d producer(s), %d consumer(s), %g s window",
			c.Topic, c.Rate, c.MessageSize, c.Acks, c.Linger, c.Producers, c.Consumers, r.WindowSeconds),
		fmt.Sprintf("p99: e2e %.2f ms corrected, %.2f ms uncorrected, publish %.2f ms; achieved %.0f msg/s",
			r.EndToEnd.P99Ms(), r.EndToEndUncorrected.P99Ms(), r.Publish.P99Ms(), r.Throughput.ProduceMsgPerSec)
}

// drawOrder puts publish first so it is painted under the other series.
func drawOrder(cs []Curve) []Curve {
	out := make([]Curve, 0, len(cs))
	for _, c := range cs {
		if c.Name == SeriesPublish {
			out = append(out, c)
		}
	}
	for _, c := range cs {
		if c.Name != SeriesPublish {
			out = append(out, c)
		}
	}
	return out
}

// niceAxis returns an axis maximum ≥ v (with headroom) and a 1/2/5×10^k step
// giving about five intervals.
func niceAxis(v float64) (maxV, step float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		return 1, 0.2
	}
	raw := v * 1.05 / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return math.Ceil(v*1.05/step) * step, step
}

// formatMs prints v with as many decimals as step needs.
func formatMs(v, step float64) string {
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step)))
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // never fails on a strings.Builder
	return b.String()
}
