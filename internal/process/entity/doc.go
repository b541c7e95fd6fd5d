// Package entity is the center's entity registry and extraction: the
// entities it seeds (every country and region from CLDR, by way of
// golang.org/x/text/language/display, in Arabic, Persian, Russian and
// English, and a curated starter file), the matcher that finds their
// aliases in analyzed text, and the MinHash signatures that find
// near-duplicate reports.
//
// Everything here is pure: it takes texts and entities and returns values.
// Writing them is the write path's (package record); who may see what is
// the store's and package analyze's.
//
// # Matching
//
// An alias is analyzed by package lang exactly as report text is, and the
// matcher walks a trie of the aliases' stem sequences over the text's
// tokens (leftmost-longest, non-overlapping), so that والعراق, بالعراق and
// للعراق all find العراق, and "الدولة الإسلامية" is found in any of its
// inflections. A one-token alias of fewer than three letters is matched
// only where the text writes it exactly as the alias does (UN, EU: upper
// case), and one that is a stop word of its language (IS) never.
//
// # Near-duplicates
//
// A text's signature is a MinHash of 60 functions over its shingles of
// three consecutive stems, so re-wrapping, re-punctuation and the spelling
// variants normalization folds change nothing, and a truncated or edited
// copy keeps most shingles. Its 20 bands of 3 values are the keys under
// which similar texts meet: two texts of Jaccard similarity 0.5 share a
// band with probability 1-(1-0.5³)²⁰ ≈ 0.93, of 0.7 ≈ 0.9999, of 0.05
// ≈ 0.0025 — few unrelated candidates to compare in full.
package entity
