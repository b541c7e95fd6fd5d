package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestStrictUnmarshal(t *testing.T) {
	cases := []struct {
		desc, json string
		want       error // nil: accepted; errAny: any error
	}{
		{"plain", `{"a":"b","c":[1,{"d":"e"}]}`, nil},
		{"surrogate pair", `{"a":"\ud83d\ude00"}`, nil},
		{"escaped backslash before u", `{"a":"\\ud800"}`, nil},
		{"escaped quote", `{"a":"x\"\ud800"}`, errLoneSurrogate},
		{"high half alone", `{"a":"\ud800"}`, errLoneSurrogate},
		{"high half then text", `{"a":"\ud800x"}`, errLoneSurrogate},
		{"low half alone", `{"a":"\udc00"}`, errLoneSurrogate},
		{"two high halves", `{"a":"\ud800\ud800"}`, errLoneSurrogate},
		{"high half in key", `{"\ud800":1}`, errLoneSurrogate},
		{"U+FFFD itself", `{"a":"\ufffd�"}`, nil},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", errInvalidUTF8},
		{"same key twice", `{"a":1,"a":2}`, errAny},
		{"same key in another case", `{"tlp":"GREEN","TLP":"RED"}`, errAny},
		{"same key escaped", `{"title":1,"\u0074itle":2}`, errAny},
		{"long s folds to s", `{"tags":1,"tagſ":2}`, errAny},
		{"kelvin sign folds to k", `{"k":1,"K":2}`, errAny},
		{"same key in nested object", `{"d":{"all":true,"All":false}}`, errAny},
		{"same key in sibling objects", `{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}`, nil},
		{"key equal to a value", `{"a":"a","b":"a"}`, nil},
		{"trailing garbage", `{"a":1} x`, errAny},
		{"same key in an object in an array", `{"c":[1,{"x":1,"X":2}]}`, errAny},
		{"brackets, commas and quotes inside strings", `{"a":"x,\"a\":1}]{[","b":["}",{"a":"{"}]}`, nil},
		{"a key after a string holding brackets", `{"a":"}{","A":1}`, errAny},
		{"a key with an escaped quote", `{"a\"b":1,"A\"B":2}`, errAny},
		{"a key after a nested array", `{"a":[[1],[2]],"A":3}`, errAny},
		{"a top-level array of objects", `[{"a":1},{"a":2}]`, nil},
		{"a top-level string", `"{\"a\":1,\"a\":2}"`, nil},
	}
	for _, tc := range cases {
		var v any
		err := strictUnmarshal([]byte(tc.json), &v)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("%s: %v", tc.desc, err)
		case tc.want == errAny && err == nil:
			t.Errorf("%s: accepted", tc.desc)
		case tc.want != nil && tc.want != errAny && !errors.Is(err, tc.want):
			t.Errorf("%s: error %v, want %v", tc.desc, err, tc.want)
		}
	}
}

var errAny = errors.New("any error")

// FuzzCheckKeys compares checkKeys with a reference that walks the same
// text with encoding/json's tokenizer, on every text json.Unmarshal
// accepts: both must refuse the same texts.
func FuzzCheckKeys(f *testing.F) {
	for _, s := range []string{
		`{"a":"b","c":[1,{"d":"e"}]}`, `{"tlp":"GREEN","TLP":"RED"}`, `{"title":1,"\u0074itle":2}`,
		`{"a":"x,\"a\":1}]{[","b":["}",{"a":"{"}]}`, `{"a\"b":1,"A\"B":2}`, `[{"a":1},{"a":2}]`,
		`{"title":"t","body":"b","tlp":"GREEN","distribution":{"all":true},"tags":["x","y"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		got, want := checkKeys(data) == nil, checkKeysByTokens(data) == nil
		if got != want {
			t.Fatalf("checkKeys(%q) accepts: %v; the reference: %v", data, got, want)
		}
	})
}

// checkKeysByTokens is checkKeys written with encoding/json's tokenizer.
func checkKeysByTokens(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var open []map[string]bool
	expectKey := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				open = append(open, map[string]bool{})
				expectKey = true
				continue
			case '[':
				open = append(open, nil)
			case '}', ']':
				open = open[:len(open)-1]
			}
		case string:
			if expectKey {
				k := foldKey(tok)
				if open[len(open)-1][k] {
					return errors.New("repeated key")
				}
				open[len(open)-1][k] = true
				expectKey = false
				continue
			}
		}
		expectKey = len(open) > 0 && open[len(open)-1] != nil
	}
}

// BenchmarkCheckKeys: checkKeys against its reference on a submitted
// report's body of about 1 KB.
func BenchmarkCheckKeys(b *testing.B) {
	body, err := json.Marshal(map[string]any{
		"title": "قافلة قرب الحدود", "language": "ar", "tlp": "GREEN",
		"body":         strings.Repeat("رصدت قافلة من ست شاحنات قرب المعبر الحدودي فجر اليوم. ", 10),
		"distribution": map[string]any{"all": true}, "tags": []string{"convoy", "border"},
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		check func([]byte) error
	}{{"scanner", checkKeys}, {"tokens", checkKeysByTokens}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.check(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
