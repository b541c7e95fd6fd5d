// Package lang is Tabadul's text analysis: it normalizes, detects the
// language of, tokenizes and stems text in Arabic, Persian, Russian and
// English, for the search index and the query language alike (the same
// Analyze serves both, so a query word meets the indexed word in the same
// form). It is pure: no I/O, no clock, nothing of Tabadul's imported.
//
// # The pipeline
//
// Analyze(text, hint) runs, in one pass over the text:
//
//  1. Normalization (Normalize): Unicode NFKC, then a fold of each rune,
//     below. Every normalized rune remembers the bytes of the original text
//     it came from, so tokens carry offsets into the text as written.
//  2. Tokenization: observables first (they contain separators), then words
//     (letters of one script, with their marks; Latin words also take
//     digits, inner apostrophes and version dots: x86, o'brien, v1.2.3) and
//     numbers (digits with inner '.' or ','). Everything else separates,
//     '&' and all punctuation included. A word longer than 100 letters is
//     cut into pieces; Han ideographs are one token each.
//  3. Language: the document's is the hint or Detect's. Each word gets the
//     language of its run: Latin is en, Cyrillic ru; a run of Arabic-script
//     words (up to a sentence end or a word in another script) is fa or ar
//     by its own evidence, tipped by the document's language, unless the
//     hint is ar or fa. Numbers, observables and other scripts have none.
//  4. Persian joins: the spaced spellings of the verbal prefix (می روم) and
//     of the plural (کتاب ها) are joined into one token, like the ZWNJ and
//     the joined spellings.
//  5. Stemming (Stem) of words with a language.
//
// Stop words are not dropped; IsStopWord lets the query side decide.
//
// # Normalization choices
//
//   - NFKC: presentation forms and ligatures (ﻻ, ﷲ, ﬁ), fullwidth letters
//     and digits, compatibility characters become their plain letters.
//   - Case folding (unicode.ToLower), ß → ss, æ → ae, œ → oe, ø → o, ł → l,
//     final ς → σ. Latin, Greek and Cyrillic letters lose their combining
//     diacritics (é → e, ά → α, stress marks on Russian vowels), except й.
//   - Russian ё → е (Ё too), as Russian is mostly written.
//   - Arabic: tashkeel and tanween (U+064B–U+065F), the superscript alef
//     U+0670, Quranic marks (U+0610–U+061A, U+06D6–U+06ED) and tatweel
//     U+0640 are removed. Alef forms أ إ آ ٱ → ا; ى → ي; ة → ه.
//   - Hamza seats: ؤ → و and ئ → ي (the hamza above is dropped like a
//     mark), so the common spellings without hamza match: مسؤول = مسوول,
//     رئيس = رييس. A swap of seats (مسؤول / مسئول) does not match; folding
//     every seat to ء would fix that but split them from the hamza-less
//     spellings, which are more frequent in the reports we expect.
//   - Arabic and Persian share one alphabet after normalization, the
//     Arabic letters: ی (Farsi yeh), ے and ى → ي; ک (keheh) → ك; ۀ, ہ,
//     هٔ → ه. This is what Lucene's Arabic and Persian normalizers do, so an
//     Arabic and a Persian spelling of a name match (ایران = إيران = ايران).
//     Language detection looks at the letters before this step.
//   - ZWNJ (U+200C) is a joiner and is removed: می‌روم becomes میروم, as
//     Snowball's Persian stemmer reads it; the spaced می روم is joined at
//     tokenization (step 4), so all three spellings are one token. ZWJ,
//     bidi controls and the BOM are removed; a zero-width space separates.
//   - Digits: Arabic-Indic ٠–٩ and Persian ۰–۹ → 0–9 (٦٠ = 60); ٫ → '.',
//     ٬ → ','. Arabic punctuation ، ؛ ؟ → , ; ?. Typographic apostrophes
//     ’ ‘ ʼ → '.
//   - Invalid UTF-8: each bad byte is U+FFFD, a separator.
//
// Normalize(Normalize(s)) == Normalize(s), and a word's Surface is
// normalized (FuzzAnalyze checks both).
//
// # Language detection
//
// Detect counts letters by script; the script with most wins (Latin en,
// Cyrillic ru). Arabic script is Persian when Persian evidence outweighs
// Arabic evidence: پ چ ژ گ weigh 6, ی ک ۀ and Persian digits 4, for
// Persian; ة ى tanween أ إ weigh 6, ي ك and Arabic-Indic digits 1, for
// Arabic (Persian text typed on Arabic keyboards is full of ي and ك, so
// they count little). Equal evidence is Arabic. The brief said "Persian
// letters, and ک ی used with them"; ک and ی alone tip short Persian texts
// that have no پ چ ژ گ (این کتاب) to Persian, which is what they are.
//
// # Stemming
//
// Stem(lang, word) takes a normalized word. Names are never stemmed: a
// gazetteer (gazetteer.go) of the ISO 3166 countries and UN M.49 regions
// in the four languages (CLDR, through golang.org/x/text/language/display)
// the seed article's places and groups, and common given names of the Arab
// world and Iran (not those that are also common words: علي, حسن) keeps a
// name's stem the name. In
// Arabic the article is a proclitic, so names are kept without it: العراق,
// والعراق, بالعراق, للعراق, وللعراق stem to عراق (as does the Persian
// عراق), while ايران, لبنان, عمان keep their ـان and اليابان is يابان.
//
// Arabic (arabic.go) is a light stemmer after Light10: a conjunction و
// (not on words whose root starts with و: وزير, وطن, وقت …) or ف before the
// article; the article with its fused prepositions بال كال فال لل ال; ل or
// ب before the verbal nouns in م… and ت… (لمواجهة, بمساعدة); then the
// suffixes ها ان ات ون ين يه ه ي, each once in that order, keeping three
// letters; and the alef of tanween after the adjectival ي (عسكريا). A few
// words the rules would damage are protected (الله, برلمان, مكان …).
// Single-letter prepositions are otherwise kept (بقيادة stays): without a
// lexicon, بـ and لـ are root letters too often (بيان, بلد, لقاء) — except
// before a hamza on the alef, which the original spelling shows and almost
// no root has there: بأحمد, لأسامة, كأمثال, وبإيران stem as the bare word.
// Analyze applies that rule, since the hamza is gone from the normalized
// word Stem takes.
//
// Persian (persian.go) removes one ending: ها های هایی, ترین, یی, ی, ان
// (and a glide or adjectival ی before it), ات, تر, keeping two letters
// before ها and three otherwise; -ستان place names and a few nouns that end
// like suffixes (سازمان, دختر, دفتر) are kept.
//
// Russian and English use Snowball (github.com/kljensen/snowball), with
// names kept: an English name's possessive is the name, and a Russian name
// in any case (России, Ирана) stems to the name.
//
// BENCHMARKS.md records the agreement with Lucene's and Snowball's
// stemmers and the speed.
//
// # Observables
//
// IPv4 (four decimal octets ≤ 255, leading zeros dropped) and IPv6 (in
// netip's canonical form), domains (letters, digits and hyphens, two or
// more labels, a known top-level domain: tld.go), URLs (http, https, ftp,
// sftp), emails, MD5/SHA-1/SHA-256 hex digests and CVE ids are one token
// each, case-folded, never stemmed and without a language. Defanged forms
// are refanged: hxxp(s), [.] (.) {.} [dot] (dot) → '.', [@] (@) [at] → '@',
// [:]// → ://. Not observables: version numbers and dates (1.2.3 and
// 15.01.2024 are numbers), a time (10:30), file names (report.pdf: pdf is no
// TLD; readme.md, run.sh, video.mov: a two-label name whose TLD is also a
// common file extension is a file name), trailing punctuation.
package lang
