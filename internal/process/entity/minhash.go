package entity

import (
	"encoding/binary"
	"hash/fnv"
	"math"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// Signature parameters (see the package documentation).
const (
	SignatureSize = 60
	BandRows      = 3
	Bands         = SignatureSize / BandRows
	shingleLen    = 3
	// minShingles: a text of fewer shingles is too short to call another
	// its near-duplicate (a title, a one-line note).
	minShingles = 8
)

// fnv64 is FNV-1a, without hash.Hash's allocation.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// Signature returns the MinHash signature of analyzed text and its band
// keys, or nils for a text too short to compare.
func Signature(toks []lang.Token) ([]uint32, []int64) {
	if len(toks) < shingleLen+minShingles-1 {
		return nil, nil
	}
	// Each token's stem hashed once; a shingle's hash combines three.
	th := make([]uint64, len(toks))
	for i, t := range toks {
		th[i] = fnv64(t.Stem)
	}
	sig := make([]uint32, SignatureSize)
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	// The k-th function of a shingle is a + k·b over its 64-bit hash's
	// halves, remixed (double hashing): one full hash per shingle instead
	// of one per function. A shingle seen twice changes no minimum, so
	// none is set aside.
	for i := 0; i+shingleLen <= len(th); i++ {
		x := splitmix(th[i]*31*31 + th[i+1]*31 + th[i+2])
		a, b := uint32(x), uint32(x>>32)|1
		for k := range sig {
			v := a + uint32(k)*b
			v ^= v >> 15
			v *= 0x2c1b3c6d
			v ^= v >> 12
			if v < sig[k] {
				sig[k] = v
			}
		}
	}
	if len(th)-shingleLen+1 < minShingles {
		return nil, nil
	}
	return sig, BandKeys(sig)
}

// BandKeys returns the band keys of a signature: each band's values and
// its index hashed together.
func BandKeys(sig []uint32) []int64 {
	if len(sig) != SignatureSize {
		return nil
	}
	out := make([]int64, Bands)
	var buf [4 + 4*BandRows]byte
	for b := range Bands {
		binary.LittleEndian.PutUint32(buf[:4], uint32(b))
		for r := range BandRows {
			binary.LittleEndian.PutUint32(buf[4+4*r:], sig[b*BandRows+r])
		}
		h := fnv.New64a()
		h.Write(buf[:])
		out[b] = int64(h.Sum64() >> 1) // positive: portable to any SQL integer
	}
	return out
}
