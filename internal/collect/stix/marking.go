package stix

import (
	"slices"

	"github.com/tabadul/tabadul/internal/center"
)

// TLP20Extension is the id of the extension definition the TLP 2.0
// marking definitions carry.
const TLP20Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// TLP 2.0 marking definitions, by their standard ids (FIRST's TLP 2.0 in
// STIX 2.1).
var tlp20 = map[center.TLP]string{
	center.TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	center.TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	center.TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	center.TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	center.TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// TLP 1.0 marking definitions (STIX 2.1 section 7.2.1.4), read as their
// TLP 2.0 counterparts: WHITE is CLEAR.
var tlp10 = map[string]center.TLP{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": center.TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": center.TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": center.TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": center.TLPRed,
}

// MarkingID returns the standard TLP 2.0 marking-definition id of t.
func MarkingID(t center.TLP) string { return tlp20[t] }

// StandardTLP returns the TLP a standard (TLP 1.0 or 2.0) marking
// definition id stands for.
func StandardTLP(id string) (center.TLP, bool) {
	if t, ok := tlp10[id]; ok {
		return t, true
	}
	for t, mid := range tlp20 {
		if mid == id {
			return t, true
		}
	}
	return "", false
}

// TLPOf returns the most restrictive TLP among the markings, and whether
// any was a TLP marking.
func TLPOf(markings []string) (center.TLP, bool) {
	best, found := center.TLPClear, false
	for _, m := range markings {
		if t, ok := StandardTLP(m); ok {
			found = true
			if slices.Index(center.TLPs, t) > slices.Index(center.TLPs, best) {
				best = t
			}
		}
	}
	return best, found
}

// tlpNames are the TLP 2.0 definitions' names and extension values.
var tlpNames = map[center.TLP][2]string{
	center.TLPClear:       {"TLP:CLEAR", "clear"},
	center.TLPGreen:       {"TLP:GREEN", "green"},
	center.TLPAmber:       {"TLP:AMBER", "amber"},
	center.TLPAmberStrict: {"TLP:AMBER+STRICT", "amber+strict"},
	center.TLPRed:         {"TLP:RED", "red"},
}

// MarkingDefinition returns the standard TLP 2.0 marking-definition
// object for t, as FIRST publishes it.
func MarkingDefinition(t center.TLP) map[string]any {
	n := tlpNames[t]
	return map[string]any{
		"type":         "marking-definition",
		"spec_version": "2.1",
		"id":           tlp20[t],
		"created":      "2022-10-01T00:00:00.000Z",
		"name":         n[0],
		"extensions": map[string]any{
			TLP20Extension: map[string]any{"extension_type": "property-extension", "tlp_2_0": n[1]},
		},
	}
}
