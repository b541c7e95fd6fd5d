package misp

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/stix"
)

// scoNamespace is STIX 2.1's namespace for deterministic observable ids.
var scoNamespace = uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")

// Reach is how far an event or attribute may be shared, MISP's
// distribution levels brought to what Tabadul can express.
type Reach int

const (
	// ReachParty: MISP 0 (your organisation only) and 4 (a sharing group
	// the center does not know): only the importing party sees it.
	ReachParty Reach = iota
	// ReachImport: MISP 1 and 2 (this community, connected communities):
	// the distribution the import names.
	ReachImport
	// ReachAll: MISP 3 (all communities): every member party.
	ReachAll
)

func reachOf(d flex, inherit Reach) Reach {
	switch strings.TrimSpace(string(d)) {
	case "0", "4":
		return ReachParty
	case "1", "2":
		return ReachImport
	case "3":
		return ReachAll
	}
	return inherit // 5 (inherit) or absent
}

// A Converted event is one STIX bundle per reach its parts have.
type Converted struct {
	Bundles map[Reach][]byte
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

func epoch(f flex) (time.Time, bool) {
	n, ok := f.int()
	if !ok || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// tagInfo sorts an event's tags: TLP markings, Admiralty code, labels.
type tagInfo struct {
	markings    []string
	labels      []string
	reliability string
	confidence  *int
}

func readTags(tags []Tag) tagInfo {
	var ti tagInfo
	for _, t := range tags {
		name := strings.TrimSpace(string(t.Name))
		if name == "" {
			continue
		}
		low := strings.ToLower(name)
		if v, ok := strings.CutPrefix(low, "tlp:"); ok {
			if v == "white" {
				v = "clear"
			}
			if tlp, ok := center.ParseTLP(v); ok {
				ti.markings = append(ti.markings, stix.MarkingID(tlp))
				continue
			}
		}
		if v, ok := strings.CutPrefix(low, "admiralty-scale:source-reliability="); ok {
			v = strings.Trim(v, `"`)
			if len(v) == 1 && v[0] >= 'a' && v[0] <= 'f' {
				ti.reliability = strings.ToUpper(v)
			}
		}
		if v, ok := strings.CutPrefix(low, "admiralty-scale:information-credibility="); ok {
			if c, ok := stix.Confidence(center.Credibility(strings.Trim(v, `"`))); ok {
				ti.confidence = &c
			}
		}
		ti.labels = append(ti.labels, name)
	}
	return ti
}

// Convert maps an event to STIX 2.1 (see docs/misp.md). eventReach is the
// reach of the event when its distribution says nothing.
func Convert(ev Event) (Converted, error) {
	if !uuidRE.MatchString(string(ev.UUID)) {
		return Converted{}, errorf("event uuid %q is not a UUID", ev.UUID)
	}
	evUUID := strings.ToLower(string(ev.UUID))
	modified, ok := epoch(ev.Timestamp)
	if !ok {
		if d, err := time.Parse("2006-01-02", string(ev.Date)); err == nil {
			modified = d
		} else {
			return Converted{}, errorf("event %s has neither a timestamp nor a date", ev.UUID)
		}
	}
	published := modified
	if p, ok := epoch(ev.PublishTimestamp); ok && ev.Published.bool() {
		published = p
	} else if d, err := time.Parse("2006-01-02", string(ev.Date)); err == nil {
		published = d
	}
	evReach := reachOf(ev.Distribution, ReachImport)
	tags := readTags(ev.Tag)

	objs := map[Reach][]map[string]any{}
	refs := map[Reach][]string{}
	seen := map[string]bool{}
	add := func(r Reach, o map[string]any) {
		// An observable or a cluster met twice in one event goes in once.
		if id := o["id"].(string); seen[id] {
			return
		}
		seen[o["id"].(string)] = true
		objs[r] = append(objs[r], o)
		refs[r] = append(refs[r], o["id"].(string))
	}
	var creator string
	var identity map[string]any
	if ev.Orgc != nil && uuidRE.MatchString(string(ev.Orgc.UUID)) {
		creator = "identity--" + strings.ToLower(string(ev.Orgc.UUID))
		identity = map[string]any{"type": "identity", "spec_version": "2.1", "id": creator,
			"created": ts(modified), "modified": ts(modified),
			"name": nonEmpty(string(ev.Orgc.Name), "MISP organisation"), "identity_class": "organization"}
	}
	common := func(o map[string]any, markings []string) map[string]any {
		if creator != "" && o["type"] != "identity" {
			o["created_by_ref"] = creator
		}
		if len(markings) > 0 {
			o["object_marking_refs"] = markings
		}
		return o
	}
	var lines []string
	attrs := func(list []Attribute, object *Object) {
		for _, a := range list {
			if a.Deleted.bool() || !uuidRE.MatchString(string(a.UUID)) {
				continue
			}
			at, ok := epoch(a.Timestamp)
			if !ok {
				at = modified
			}
			r := reachOf(a.Distribution, evReach)
			if object != nil {
				r = min(r, reachOf(object.Distribution, evReach))
			}
			if r > evReach {
				r = evReach // an attribute never goes further than its event
			}
			atags := readTags(a.Tag)
			markings := atags.markings
			if len(markings) == 0 {
				markings = tags.markings
			}
			labels := append([]string{fmt.Sprintf("misp:category=%q", string(a.Category)), fmt.Sprintf("misp:type=%q", string(a.Type))}, atags.labels...)
			if object != nil {
				labels = append(labels, fmt.Sprintf("misp:object=%q", string(object.Name)))
				if a.ObjectRelation != "" {
					labels = append(labels, fmt.Sprintf("misp:object-relation=%q", string(a.ObjectRelation)))
				}
			}
			lines = append(lines, fmt.Sprintf("%s: %s", a.Type, a.Value))
			for _, o := range attributeObjects(a, at, labels) {
				add(r, common(o, markings))
			}
		}
	}
	attrs(ev.Attribute, nil)
	for i := range ev.Object {
		if !ev.Object[i].Deleted.bool() {
			attrs(ev.Object[i].Attribute, &ev.Object[i])
		}
	}
	for _, g := range ev.Galaxy {
		for _, c := range g.Cluster {
			if o := clusterObject(g, c, modified); o != nil {
				add(evReach, common(o, tags.markings))
			}
		}
	}

	labels := tags.labels
	if tl, ok := map[string]string{"1": "high", "2": "medium", "3": "low", "4": "undefined"}[strings.TrimSpace(string(ev.ThreatLevelID))]; ok {
		labels = append(labels, fmt.Sprintf("misp:threat-level=%q", tl))
	}
	if an, ok := map[string]string{"0": "initial", "1": "ongoing", "2": "completed"}[strings.TrimSpace(string(ev.Analysis))]; ok {
		labels = append(labels, fmt.Sprintf("misp:analysis=%q", an))
	}
	desc := string(ev.Info)
	if len(lines) > 0 {
		desc += "\n\n" + strings.Join(lines, "\n")
	}
	if len(desc) > 900<<10 {
		// Cut to stay within a report body; a rune cut in half goes.
		desc = strings.ToValidUTF8(desc[:900<<10], "")
	}
	out := Converted{Bundles: map[Reach][]byte{}}
	for r := ReachParty; r <= ReachAll; r++ {
		if r != evReach && len(objs[r]) == 0 {
			continue
		}
		list := objs[r]
		if identity != nil {
			list = append([]map[string]any{identity}, list...)
		}
		if r == evReach {
			rep := map[string]any{"type": "report", "spec_version": "2.1", "id": "report--" + evUUID,
				"created": ts(modified), "modified": ts(modified), "published": ts(published),
				"name": string(ev.Info), "description": desc, "report_types": []string{"misc"},
				"x_misp_date": string(ev.Date)}
			if len(labels) > 0 {
				rep["labels"] = labels
			}
			if tags.confidence != nil {
				rep["confidence"] = *tags.confidence
			}
			if tags.reliability != "" {
				rep["x_tabadul_reliability"] = tags.reliability
			}
			r2 := refs[r]
			if creator != "" {
				r2 = append(r2, creator)
			}
			if len(r2) == 0 {
				// A STIX report must refer to something: an event with no
				// attributes and no creator refers to a note of its info.
				note := map[string]any{"type": "note", "spec_version": "2.1",
					"id":      "note--" + uuid.NewSHA1(scoNamespace, []byte("misp-event-note "+evUUID)).String(),
					"created": ts(modified), "modified": ts(modified), "content": string(ev.Info),
					"object_refs": []string{"report--" + evUUID}}
				list = append(list, note)
				r2 = []string{note["id"].(string)}
			}
			rep["object_refs"] = r2
			list = append(list, common(rep, tags.markings))
		}
		b, err := json.Marshal(map[string]any{"type": "bundle",
			"id":      "bundle--" + uuid.NewSHA1(scoNamespace, fmt.Appendf(nil, "misp %s %d %d", evUUID, r, modified.Unix())).String(),
			"objects": list})
		if err != nil {
			return Converted{}, fmt.Errorf("misp: event %s: %w", ev.UUID, err)
		}
		out.Bundles[r] = b
	}
	return out, nil
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// stixEscape escapes a pattern literal: backslash and quote.
func stixEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`)
}

// sco returns an observable with its deterministic id.
func sco(typ string, props map[string]any) map[string]any {
	key, _ := json.Marshal(props)
	o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--" + uuid.NewSHA1(scoNamespace, key).String()}
	for k, v := range props {
		o[k] = v
	}
	return o
}

var hashNames = map[string]string{"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512",
	"sha224": "SHA-224", "sha384": "SHA-384", "ssdeep": "SSDEEP", "tlsh": "TLSH"}

// observable maps an attribute's type and value to an observable and its
// pattern, or nil for types without one.
func observable(typ, value string) (map[string]any, string) {
	v := strings.TrimSpace(value)
	esc := stixEscape(v)
	switch typ {
	case "ip-src", "ip-dst", "ip":
		if strings.Contains(v, ":") {
			return sco("ipv6-addr", map[string]any{"value": v}), fmt.Sprintf("[ipv6-addr:value = '%s']", esc)
		}
		return sco("ipv4-addr", map[string]any{"value": v}), fmt.Sprintf("[ipv4-addr:value = '%s']", esc)
	case "domain", "hostname":
		return sco("domain-name", map[string]any{"value": v}), fmt.Sprintf("[domain-name:value = '%s']", esc)
	case "url", "link", "uri":
		return sco("url", map[string]any{"value": v}), fmt.Sprintf("[url:value = '%s']", esc)
	case "email", "email-src", "email-dst":
		return sco("email-addr", map[string]any{"value": v}), fmt.Sprintf("[email-addr:value = '%s']", esc)
	case "mac-address":
		return sco("mac-addr", map[string]any{"value": strings.ToLower(v)}), fmt.Sprintf("[mac-addr:value = '%s']", stixEscape(strings.ToLower(v)))
	case "mutex":
		return sco("mutex", map[string]any{"name": v}), fmt.Sprintf("[mutex:name = '%s']", esc)
	case "filename":
		return sco("file", map[string]any{"name": v}), fmt.Sprintf("[file:name = '%s']", esc)
	case "regkey":
		return sco("windows-registry-key", map[string]any{"key": v}), fmt.Sprintf("[windows-registry-key:key = '%s']", esc)
	case "AS":
		n := strings.TrimPrefix(strings.ToUpper(v), "AS")
		var num int64
		if _, err := fmt.Sscan(n, &num); err == nil && num >= 0 {
			return sco("autonomous-system", map[string]any{"number": num}), fmt.Sprintf("[autonomous-system:number = %d]", num)
		}
	}
	if h, ok := hashNames[typ]; ok {
		return sco("file", map[string]any{"hashes": map[string]any{h: v}}), fmt.Sprintf("[file:hashes.'%s' = '%s']", h, esc)
	}
	if name, hash, ok := strings.Cut(typ, "|"); ok && name == "filename" {
		if h, ok := hashNames[hash]; ok {
			fn, hv, _ := strings.Cut(v, "|")
			return sco("file", map[string]any{"name": fn, "hashes": map[string]any{h: hv}}),
				fmt.Sprintf("[file:name = '%s' AND file:hashes.'%s' = '%s']", stixEscape(fn), h, stixEscape(hv))
		}
	}
	if typ == "ip-dst|port" || typ == "ip-src|port" {
		ip, _, _ := strings.Cut(v, "|")
		return observable("ip-dst", ip)
	}
	if typ == "domain|ip" {
		d, _, _ := strings.Cut(v, "|")
		return observable("domain", d)
	}
	return nil, ""
}

// attributeObjects maps one attribute: an indicator (to_ids) or an
// observed-data with its observable; a vulnerability; or, for types
// without an observable, a custom x-misp-attribute object that keeps it
// whole.
func attributeObjects(a Attribute, at time.Time, labels []string) []map[string]any {
	id := strings.ToLower(string(a.UUID))
	typ, value := string(a.Type), string(a.Value)
	if typ == "vulnerability" {
		o := map[string]any{"type": "vulnerability", "spec_version": "2.1", "id": "vulnerability--" + id,
			"created": ts(at), "modified": ts(at), "name": value, "labels": labels}
		if strings.HasPrefix(strings.ToUpper(value), "CVE-") {
			o["external_references"] = []map[string]any{{"source_name": "cve", "external_id": strings.ToUpper(value)}}
		}
		return []map[string]any{o}
	}
	obs, pattern := observable(typ, value)
	withComment := func(o map[string]any) map[string]any {
		if c := strings.TrimSpace(string(a.Comment)); c != "" {
			o["description"] = c
		}
		return o
	}
	if obs == nil {
		return []map[string]any{withComment(map[string]any{"type": "x-misp-attribute", "spec_version": "2.1", "id": "x-misp-attribute--" + id,
			"created": ts(at), "modified": ts(at), "labels": labels,
			"x_misp_type": typ, "x_misp_category": string(a.Category), "x_misp_value": value})}
	}
	if a.ToIDs.bool() {
		return []map[string]any{withComment(map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--" + id,
			"created": ts(at), "modified": ts(at), "valid_from": ts(at), "labels": labels,
			"pattern": pattern, "pattern_type": "stix", "pattern_version": "2.1",
			"kill_chain_phases": []map[string]any{{"kill_chain_name": "misp-category", "phase_name": string(a.Category)}}})}
	}
	od := withComment(map[string]any{"type": "observed-data", "spec_version": "2.1", "id": "observed-data--" + id,
		"created": ts(at), "modified": ts(at), "first_observed": ts(at), "last_observed": ts(at),
		"number_observed": 1, "object_refs": []string{obs["id"].(string)}, "labels": labels})
	delete(od, "description")
	if c := strings.TrimSpace(string(a.Comment)); c != "" {
		od["x_misp_comment"] = c
	}
	return []map[string]any{obs, od}
}

// clusterTypes maps galaxy types to STIX types.
var clusterTypes = map[string]string{
	"threat-actor": "threat-actor", "mitre-intrusion-set": "intrusion-set", "mitre-attack-pattern": "attack-pattern",
	"mitre-malware": "malware", "malpedia": "malware", "ransomware": "malware", "mitre-tool": "tool", "tool": "tool",
	"botnet": "malware", "rat": "malware", "exploit-kit": "tool",
}

func clusterObject(g Galaxy, c Cluster, at time.Time) map[string]any {
	typ, ok := clusterTypes[string(g.Type)]
	if !ok || !uuidRE.MatchString(string(c.UUID)) || strings.TrimSpace(string(c.Value)) == "" {
		return nil
	}
	o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--" + strings.ToLower(string(c.UUID)),
		"created": ts(at), "modified": ts(at), "name": string(c.Value),
		"labels": []string{fmt.Sprintf("misp:galaxy-type=%q", string(g.Type))}}
	if d := strings.TrimSpace(string(c.Description)); d != "" {
		o["description"] = d
	}
	if typ == "malware" {
		o["is_family"] = true
	}
	return o
}
