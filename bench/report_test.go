package bench

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// syntheticResult builds a result from known distributions: publish and
// uncorrected e2e around 1-2 ms, corrected e2e with a 300 ms tail.
func syntheticResult() *Result {
	pub, unc, cor := newHist(), newHist(), newHist()
	for i := range int64(10_000) {
		v := 1000 + i%1000 // 1..2 ms
		_ = pub.RecordValue(v)
		_ = unc.RecordValue(v + 100)
		if i%20 == 0 { // 5% stalled
			_ = cor.RecordValue(300_000)
		} else {
			_ = cor.RecordValue(v + 500)
		}
	}
	cfg := Defaults()
	cfg.SchemaID = 1
	cfg.Topic = "fx<&>ticks" // must be escaped in the SVG
	return &Result{
		Config:              cfg,
		StartedAt:           time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		WindowSeconds:       30,
		Publish:             summarize(pub),
		EndToEnd:            summarize(cor),
		EndToEndUncorrected: summarize(unc),
		Counts:              Counts{Scheduled: 10, Sent: 10, Acked: 10, Received: 10},
		Curves:              []Curve{curve(SeriesE2ECorrected, cor), curve(SeriesE2EUncorrected, unc), curve(SeriesPublish, pub)},
	}
}

func TestSummarizeAndCurve(t *testing.T) {
	r := syntheticResult()
	if r.EndToEnd.Count != 10_000 || r.EndToEnd.P99Us < 299_000 || r.EndToEnd.P50Us > 3000 {
		t.Errorf("corrected summary %+v", r.EndToEnd)
	}
	c := r.Curves[0]
	if len(c.Points) != 81 || c.Points[0].Percentile != 0 || c.Points[80].Percentile != 99.99 {
		t.Fatalf("curve has %d points from %v to %v", len(c.Points), c.Points[0], c.Points[len(c.Points)-1])
	}
	for i := 1; i < len(c.Points); i++ {
		if c.Points[i].Percentile <= c.Points[i-1].Percentile || c.Points[i].LatencyMs < c.Points[i-1].LatencyMs {
			t.Fatalf("curve not increasing at %d: %v %v", i, c.Points[i-1], c.Points[i])
		}
	}
	if got := nines(99.9); got < 2.999 || got > 3.001 {
		t.Errorf("nines(99.9) = %v", got)
	}
	if s := summarize(newHist()); s != (LatencySummary{}) {
		t.Errorf("empty summary %+v", s)
	}
}

func TestWriteJSON(t *testing.T) {
	r := syntheticResult()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"e2e":`, `"e2e_uncorrected":`, `"publish":`, `"send_delay":`, `"p99_9_us":`, `"throughput":`, `"lost":`, `"curves":`, `"duration": "30s"`} {
		if !strings.Contains(b.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not decode: %v", err)
	}
	if back.EndToEnd != r.EndToEnd || len(back.Curves) != 3 || back.Config.Duration != 30*time.Second {
		t.Errorf("round trip lost data: %+v", back.EndToEnd)
	}
	// A result decoded from JSON still renders.
	if err := back.WriteSVG(io.Discard); err != nil {
		t.Error(err)
	}
}

// svgSummary parses an SVG with encoding/xml and collects what the tests
// check: the root, polyline titles and all text.
func svgSummary(t *testing.T, data []byte) (root string, series, texts []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Space + " " + tok.Name.Local
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) < 2 {
				continue
			}
			s := strings.TrimSpace(string(tok))
			switch {
			case s == "":
			case stack[len(stack)-1] == "title" && stack[len(stack)-2] == "polyline":
				series = append(series, s)
			default:
				texts = append(texts, s)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	return root, series, texts
}

func TestWriteSVG(t *testing.T) {
	r := syntheticResult()
	var b bytes.Buffer
	if err := r.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	root, series, texts := svgSummary(t, b.Bytes())
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q", root)
	}
	want := []string{SeriesE2ECorrected, SeriesE2EUncorrected, SeriesPublish}
	slices.Sort(series)
	slices.Sort(want)
	if !slices.Equal(series, want) {
		t.Errorf("series %q, want %q", series, want)
	}
	all := strings.Join(texts, "\n")
	for _, w := range append(want, "Latency by percentile", "latency (ms)", "percentile (log scale of nines)", "99.99%", "99.9%", "50%", "fx<&>ticks") {
		if !strings.Contains(all, w) {
			t.Errorf("SVG text lacks %q", w)
		}
	}
	// The y axis reaches the 300 ms tail.
	if !strings.Contains(all, "300") {
		t.Errorf("y axis labels do not reach 300 ms: %q", texts)
	}

	var empty bytes.Buffer
	if err := (&Result{}).WriteSVG(&empty); err != nil {
		t.Fatal(err)
	}
	if _, s, texts := svgSummary(t, empty.Bytes()); len(s) != 0 || !strings.Contains(strings.Join(texts, " "), "no data") {
		t.Errorf("empty result: series %v texts %v", s, texts)
	}
}

func TestNiceAxis(t *testing.T) {
	for _, tc := range []struct{ v, max, step float64 }{
		{0, 1, 0.2},
		{0.9, 1, 0.2},
		{3.7, 4, 1},
		{381, 500, 100},
		{1000, 1500, 500},
	} {
		if m, s := niceAxis(tc.v); m != tc.max || s != tc.step {
			t.Errorf("niceAxis(%v) = %v, %v; want %v, %v", tc.v, m, s, tc.max, tc.step)
		}
	}
}

func TestProgressString(t *testing.T) {
	var b bytes.Buffer
	ProgressWriter(&b)(Progress{Elapsed: 1500 * time.Millisecond, Phase: PhaseMeasure, TargetRate: 10, SendRate: 10, ReceiveRate: 9, P99Ms: 1.25})
	if got := b.String(); !strings.Contains(got, "1.5s measure") || !strings.Contains(got, "p99=1.25 ms") || !strings.HasSuffix(got, "\n") {
		t.Errorf("progress line %q", got)
	}
}
