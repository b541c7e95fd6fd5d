// Package stixgen writes large synthetic STIX 2.1 bundles for benchmarks:
// reports in the center's four languages, indicators, observables and
// relationships, in proportions like a threat-intelligence feed's.
package stixgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

var texts = []string{
	"رصد مركز تبادل المعلومات نشاطاً جديداً لمجموعة تستهدف شبكات الاتصالات في بغداد عبر خوادم قيادة وسيطرة مسجلة حديثاً",
	"مرکز تبادل اطلاعات فعالیت تازه‌ای از گروهی را مشاهده کرد که شبکه‌های مخابراتی را با سرورهای فرماندهی و کنترل هدف می‌گیرد",
	"Центр обмена информацией зафиксировал новую активность группы, атакующей телекоммуникационные сети через серверы управления",
	"The information-sharing center observed new activity by a group targeting telecommunications networks through newly registered command and control servers",
}

// Write writes a bundle of n objects, the same for the same seed: 1% reports,
// 30% indicators, 40% observables (ipv4-addr, domain-name, url, file), the
// rest relationships between indicators and observables.
func Write(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	uuid := func() string {
		a, b := rnd.Uint64(), rnd.Uint64()
		return fmt.Sprintf("%08x-%04x-4%03x-%x%03x-%012x", a>>32, a>>16&0xffff, a&0xfff, 8|b>>62, b>>48&0xfff, b&0xffffffffffff)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(bw, `{"type":"bundle","id":"bundle--%s","objects":[`, uuid())
	var recent []string
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		ts := t0.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000Z")
		switch k := i % 100; {
		case k == 0:
			refs := `"` + fmt.Sprintf("identity--%s", uuid()) + `"`
			for j, r := range recent {
				if j >= 20 {
					break
				}
				refs += `,"` + r + `"`
			}
			lang := []string{"ar", "fa", "ru", "en"}[i/100%4]
			body := ""
			for j := range 6 {
				body += texts[(i/100+j)%4] + fmt.Sprintf(" (%d-%d). ", i, j)
			}
			fmt.Fprintf(bw, `{"type":"report","spec_version":"2.1","id":"report--%s","created":%q,"modified":%q,"name":"Report %d: %s","description":%q,"published":%q,"report_types":["threat-report"],"lang":%q,"labels":["telecom","c2"],"confidence":70,"object_refs":[%s]}`,
				uuid(), ts, ts, i, string([]rune(texts[i/100%4])[:30]), body, ts, lang, refs)
		case k <= 30:
			id := "indicator--" + uuid()
			ip := fmt.Sprintf("%d.%d.%d.%d", 1+rnd.IntN(223), rnd.IntN(256), rnd.IntN(256), rnd.IntN(256))
			fmt.Fprintf(bw, `{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"C2 %s","pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":%q,"labels":["malicious-activity"]}`,
				id, ts, ts, ip, ip, ts)
			recent = append(recent[max(0, len(recent)-40):], id)
		case k <= 70:
			var id string
			switch k % 4 {
			case 0:
				id = "ipv4-addr--" + uuid()
				fmt.Fprintf(bw, `{"type":"ipv4-addr","spec_version":"2.1","id":%q,"value":"%d.%d.%d.%d"}`, id, 1+rnd.IntN(223), rnd.IntN(256), rnd.IntN(256), rnd.IntN(256))
			case 1:
				id = "domain-name--" + uuid()
				fmt.Fprintf(bw, `{"type":"domain-name","spec_version":"2.1","id":%q,"value":"c2-%d.example.net"}`, id, i)
			case 2:
				id = "url--" + uuid()
				fmt.Fprintf(bw, `{"type":"url","spec_version":"2.1","id":%q,"value":"https://c2-%d.example.net/gate.php?id=%d"}`, id, i, rnd.IntN(1e6))
			default:
				id = "file--" + uuid()
				fmt.Fprintf(bw, `{"type":"file","spec_version":"2.1","id":%q,"name":"payload-%d.exe","hashes":{"SHA-256":"%016x%016x%016x%016x"}}`, id, i, rnd.Uint64(), rnd.Uint64(), rnd.Uint64(), rnd.Uint64())
			}
			recent = append(recent[max(0, len(recent)-40):], id)
		default:
			src, dst := "indicator--"+uuid(), "ipv4-addr--"+uuid()
			if len(recent) >= 2 {
				src, dst = recent[rnd.IntN(len(recent))], recent[rnd.IntN(len(recent))]
			}
			fmt.Fprintf(bw, `{"type":"relationship","spec_version":"2.1","id":"relationship--%s","created":%q,"modified":%q,"relationship_type":"related-to","source_ref":%q,"target_ref":%q}`,
				uuid(), ts, ts, src, dst)
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
