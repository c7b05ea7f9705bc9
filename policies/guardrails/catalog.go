package guardrails

// Scope says what one validation of a policy sees.
type Scope string

const (
	// ScopeResource policies look at one resource at a time.
	ScopeResource Scope = "resource"
	// ScopeStack policies look at every resource of the stack at once.
	ScopeStack Scope = "stack"
)

// PolicyInfo describes one policy of the pack, for summaries such as busctl's table.
type PolicyInfo struct {
	// Name is the policy name, the key of its entry in a policy config file.
	Name string
	// Description is the one-line rule the engine prints above each violation.
	Description string
	// Scope is resource or stack.
	Scope Scope
	// ProdOnly policies check nothing on stacks whose environment is not production.
	ProdOnly bool
	// ResourceTypes are the type tokens a resource policy looks at (nil for stack policies,
	// which look at all).
	ResourceTypes []string
	// Settings are the policy's config properties besides enforcementLevel.
	Settings []Setting
}

// Setting documents one config property of a policy.
type Setting struct {
	// Name is the property key in the policy's config object.
	Name string
	// Type is its JSON schema type: integer, number or array (of strings).
	Type string
	// Description says what it bounds.
	Description string
	// Default is the value used when the config leaves it out.
	Default any
}

// Catalog lists every policy of the pack in a stable order.
func Catalog() []PolicyInfo {
	defs := definitions()
	out := make([]PolicyInfo, 0, len(defs))
	for _, d := range defs {
		info := PolicyInfo{
			Name:        d.name,
			Description: d.description,
			Scope:       ScopeResource,
			ProdOnly:    d.prodOnly,
			Settings:    settingsDoc(schemaOf(d.settings...)),
		}
		if d.checkStack != nil {
			info.Scope = ScopeStack
		} else {
			info.ResourceTypes = append([]string(nil), d.types...)
		}
		out = append(out, info)
	}
	return out
}

// PolicyNames lists the policy names in Catalog order.
func PolicyNames() []string {
	cat := Catalog()
	out := make([]string, len(cat))
	for i, p := range cat {
		out[i] = p.Name
	}
	return out
}
