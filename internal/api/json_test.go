package api

import (
	"errors"
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
