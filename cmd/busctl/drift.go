package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/spf13/cobra"
)

// drifted is one property whose real value differs from the stack's state.
type drifted struct {
	URN      string `json:"urn"`
	Resource string `json:"resource"`
	Property string `json:"property"`
	State    any    `json:"state"`
	Real     any    `json:"real"`
}

func (a *app) driftCmd() *cobra.Command {
	c := a.stackCommand(&cobra.Command{
		Use:   "drift",
		Short: "Compare the real resources with the stack's state, changing nothing",
		Long: "Refresh in preview mode (pulumi refresh --preview-only): every resource is read back, the state is\n" +
			"not written. Prints a table of drifted properties and exits 5 when any resource differs, 0 when\n" +
			"none does. `busctl up --refresh` takes the real values in and puts the declared ones back.",
	}, func(ctx context.Context, _ []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		rec := newRecorder()
		_, err = st.PreviewRefresh(ctx, optrefresh.ProgressStreams(a.progress()), optrefresh.ErrorProgressStreams(a.errOut),
			optrefresh.EventStreams(rec.ch))
		rec.wait()
		if err != nil {
			return a.opFailed("drift check", err)
		}
		var found []drifted
		for _, m := range rec.refreshed {
			if m.Old == nil || m.New == nil {
				continue
			}
			for _, d := range diffValues("", m.Old.Outputs, m.New.Outputs) {
				d.URN, d.Resource = m.URN, shortURN(m.URN)
				found = append(found, d)
			}
		}
		sort.Slice(found, func(i, j int) bool {
			if found[i].URN != found[j].URN {
				return found[i].URN < found[j].URN
			}
			return found[i].Property < found[j].Property
		})
		if a.json {
			if err := writeJSON(a.out, map[string]any{"stack": st.Name(), "drifted": nonNil(found)}); err != nil {
				return err
			}
		} else {
			printDrift(a, found)
		}
		if len(found) > 0 {
			return exitErr(exitDrift, fmt.Errorf("stack %q has drifted: %d propert(ies) differ from the state", st.Name(), len(found)))
		}
		return nil
	})
	jsonFlag(c.Flags(), &a.json)
	return c
}

func printDrift(a *app, found []drifted) {
	if len(found) == 0 {
		fmt.Fprintf(a.out, "\nno drift: every resource of stack %q matches its state\n", a.opts.Stack)
		return
	}
	fmt.Fprintln(a.out, "\nDrift:")
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RESOURCE\tPROPERTY\tSTATE\tREAL")
	for _, d := range found {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.Resource, d.Property, compact(d.State), compact(d.Real))
	}
	_ = tw.Flush()
}

func shortURN(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 2 {
		return urn
	}
	typ := parts[len(parts)-2]
	if i := strings.LastIndex(typ, "$"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ + " " + parts[len(parts)-1]
}

func compact(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// diffValues lists the leaf properties that differ between the state's value and the real
// one, by dotted path (maps are descended, lists and scalars compared whole).
func diffValues(path string, old, new any) []drifted {
	om, ok1 := old.(map[string]any)
	nm, ok2 := new.(map[string]any)
	if ok1 && ok2 {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range nm {
			keys[k] = true
		}
		var out []drifted
		for k := range keys {
			if strings.HasPrefix(k, "__") {
				continue // engine bookkeeping such as __inputs, not a property of the resource
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, diffValues(p, om[k], nm[k])...)
		}
		return out
	}
	if reflect.DeepEqual(old, new) {
		return nil
	}
	return []drifted{{Property: path, State: old, Real: new}}
}
